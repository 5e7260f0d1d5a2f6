terraform {
  required_providers {
    css = {
      source = "css-tf/css"
    }
  }
}

# Open Telekom Cloud with AK/SK request signing. The access key and the secret key come from
# OS_ACCESS_KEY and OS_SECRET_KEY, so that no secret is written into the configuration.
provider "css" {
  region     = "eu-de"
  project_id = "0123456789abcdef0123456789abcdef"
}
