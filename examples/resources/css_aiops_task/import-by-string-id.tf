import {
  to = css_aiops_task.example
  id = "11111111-1111-1111-1111-111111111111/7381a80b-68cb-4b9e-8226-37d686b18b1d"
}

resource "css_aiops_task" "example" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "nightly-check"
}
