# Every detection task of a cluster, newest first, also those created outside Terraform.
data "css_aiops_tasks" "all" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
}

# Only the completed runs of the nightly check.
data "css_aiops_tasks" "nightly" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "nightly-check"
  status     = "completed"
}

output "latest_nightly_high_risks" {
  value = try(data.css_aiops_tasks.nightly.tasks[0].summary.high, null)
}

output "tasks_with_high_risks" {
  value = [for t in data.css_aiops_tasks.all.tasks : t.id if try(t.summary.high, 0) > 0]
}
