# The configuration that `make demo` applies and destroys against the CSS API simulator.
terraform {
  required_providers {
    css = {
      source = "css-tf/css"
    }
  }
}

variable "css_endpoint" {
  description = "The CSS endpoint; make demo points it at the simulator on loopback."
  type        = string
}

variable "cluster_id" {
  description = "The cluster to check."
  type        = string
  default     = "11111111-1111-1111-1111-111111111111"
}

# Credentials come from OS_ACCESS_KEY and OS_SECRET_KEY, the region from OS_REGION_NAME.
provider "css" {
  project_id = "00000000000000000000000000000000"
  endpoints = {
    css = var.css_endpoint
    iam = "${var.css_endpoint}/v3"
  }
}

resource "css_aiops_task" "after_upgrade" {
  cluster_id  = var.cluster_id
  name        = "after-upgrade-check"
  description = "detection run after the cluster upgrade"

  alarm = {
    level     = "high"
    smn_topic = "ops-alerts"
  }
}

output "task_id" {
  value = css_aiops_task.after_upgrade.id
}

output "status" {
  value = css_aiops_task.after_upgrade.status
}

# Open Telekom Cloud reports high, medium and suggestion; newer Huawei Cloud answers add
# normal. A count the API did not send is null, so it is left out here.
output "summary" {
  value = { for level, count in css_aiops_task.after_upgrade.summary : level => count if count != null }
}

output "risks" {
  value = [for r in css_aiops_task.after_upgrade.task_risks : "${r.level}: ${r.risk_type} (${r.suggestion})"]
}
