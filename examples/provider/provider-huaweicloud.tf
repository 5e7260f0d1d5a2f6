# Huawei Cloud with an IAM user. The provider asks IAM for a token with the user name, the
# password and the domain (account) name; the password comes from OS_PASSWORD or HW_PASSWORD.
provider "css" {
  cloud       = "huaweicloud"
  region      = "ap-southeast-1"
  user_name   = "terraform"
  domain_name = "my-account"
}
