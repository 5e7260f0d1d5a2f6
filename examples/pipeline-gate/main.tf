# A pipeline step that runs a detection on a cluster and stops the pipeline when the cluster is
# at risk: `terraform apply` fails when the detection does not complete or finds high risks.
# Medium risks and earlier failed detections only warn, through check blocks.
#
# In a pipeline, pass a new run_id each time (such as the pipeline's run number) so that every
# run replaces the task and thus runs a new detection:
#
#   terraform apply -auto-approve -var cluster_id=<id> -var run_id=$CI_PIPELINE_ID
#
# A rerun with the same run_id keeps the task and its result, so a gate that failed fails again
# (the postcondition is checked in the plan): rerun with a new run_id to check the cluster anew.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    css = {
      source = "css-tf/css"
    }
  }
}

variable "cluster_id" {
  description = "The id of the cluster to check."
  type        = string
}

variable "run_id" {
  description = "An id of the pipeline run; a new value replaces the task, which runs a new detection."
  type        = string
  default     = "1"
}

variable "css_endpoint" {
  description = "A CSS endpoint that replaces the cloud's default, such as the address of the simulator. IAM is then expected at its /v3."
  type        = string
  default     = null
}

variable "project_id" {
  description = "The project id; when null, it comes from OS_PROJECT_ID or is looked up in IAM."
  type        = string
  default     = null
}

# Credentials come from OS_ACCESS_KEY and OS_SECRET_KEY, the region from OS_REGION_NAME.
provider "css" {
  project_id = var.project_id
  endpoints = var.css_endpoint == null ? null : {
    css = var.css_endpoint
    iam = "${var.css_endpoint}/v3"
  }
}

resource "terraform_data" "run" {
  input = var.run_id
}

resource "css_aiops_task" "gate" {
  cluster_id  = var.cluster_id
  name        = "pipeline-gate"
  description = "Detection of pipeline run ${var.run_id}."

  lifecycle {
    replace_triggered_by = [terraform_data.run]

    postcondition {
      condition     = self.status == "completed"
      error_message = "The detection ${self.id} on cluster ${self.cluster_id} did not complete: its status is ${self.status} (code ${self.status_code})."
    }

    postcondition {
      condition     = self.summary.high == 0
      error_message = "The detection ${self.id} found ${self.summary.high} high risk(s) on cluster ${self.cluster_id}: ${join("; ", [for r in self.task_risks : "${coalesce(r.risk_type, r.id, "unnamed check")} (${coalesce(r.suggestion, "no suggestion")})" if r.level == "high"])}."
    }
  }
}

# Medium risks do not stop the pipeline; Terraform shows them as a warning.
check "medium_risks" {
  assert {
    condition     = css_aiops_task.gate.summary.medium == 0
    error_message = "The detection ${css_aiops_task.gate.id} found ${css_aiops_task.gate.summary.medium} medium risk(s) on cluster ${var.cluster_id}; look at them before the next release."
  }
}

# Earlier detections of the cluster that failed, also those run outside Terraform, only warn.
check "earlier_detections" {
  data "css_aiops_tasks" "failed" {
    cluster_id = var.cluster_id
    status     = "failed"
  }

  assert {
    condition     = length(data.css_aiops_tasks.failed.tasks) == 0
    error_message = "${length(data.css_aiops_tasks.failed.tasks)} detection(s) on cluster ${var.cluster_id} failed: ${join(", ", data.css_aiops_tasks.failed.tasks[*].name)}."
  }
}

output "summary" {
  description = "The risk counts of this run's detection."
  value       = css_aiops_task.gate.summary
}
