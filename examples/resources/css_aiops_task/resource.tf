# A detection run after a cluster upgrade. Terraform waits until the detection has finished,
# so that the summary and the risks are known when the apply ends.
resource "css_aiops_task" "after_upgrade" {
  cluster_id  = "11111111-1111-1111-1111-111111111111"
  name        = "after-upgrade-check"
  description = "Detection run after the cluster upgrade."

  alarm = {
    level     = "high"
    smn_topic = "ops-alerts"
  }

  timeouts = {
    create = "20m"
    delete = "5m"
  }
}

output "high_risks" {
  value = css_aiops_task.after_upgrade.summary.high
}

# A check of selected items only (Huawei Cloud), which returns as soon as the task exists;
# later refreshes show its results.
resource "css_aiops_task" "selected_items" {
  cluster_id          = "11111111-1111-1111-1111-111111111111"
  name                = "selected-items"
  check_type          = "partial_detection"
  check_items         = ["disk_usage", "shard_count"]
  wait_for_completion = false
}
