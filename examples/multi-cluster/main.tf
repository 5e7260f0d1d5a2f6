# Runs one detection on each of several clusters and reports, per cluster, what it found. It is
# written like a module: the clusters come in as a variable, the results go out as outputs.
#
#   terraform apply -var 'clusters={"search":"<id>","logs":"<id>"}'
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    css = {
      source = "css-tf/css"
    }
  }
}

variable "clusters" {
  description = "The clusters to check: a short name, used in the task name, to the cluster id."
  type        = map(string)

  validation {
    condition     = alltrue([for name in keys(var.clusters) : can(regex("^[A-Za-z0-9_-]{1,40}$", name))])
    error_message = "Each short name must be 1 to 40 letters, digits, '-' or '_'."
  }
}

variable "name_prefix" {
  description = "The start of every task name; it must start with a letter."
  type        = string
  default     = "detection"
}

variable "check_type" {
  description = "What to check (Huawei Cloud only): full_detection, unavailability_detection or partial_detection. Null sends none."
  type        = string
  default     = null
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

resource "css_aiops_task" "cluster" {
  for_each = var.clusters

  cluster_id  = each.value
  name        = "${var.name_prefix}-${each.key}"
  description = "Detection of cluster ${each.key}."
  check_type  = var.check_type
}

output "task_ids" {
  description = "The id of the detection task of each cluster."
  value       = { for name, task in css_aiops_task.cluster : name => task.id }
}

output "high_risks" {
  description = "The number of high risks found on each cluster."
  value       = { for name, task in css_aiops_task.cluster : name => try(task.summary.high, null) }
}

output "clusters_at_risk" {
  description = "The short names of the clusters with high risks."
  value       = sort([for name, task in css_aiops_task.cluster : name if try(task.summary.high, 0) > 0])
}
