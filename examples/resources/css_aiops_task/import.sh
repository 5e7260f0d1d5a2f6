# A task is imported by its cluster id and its own id, separated by a slash.
terraform import css_aiops_task.example <cluster_id>/<aiops_id>
