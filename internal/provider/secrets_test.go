package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

// No secret reaches a log line at any level: the whole lifecycle runs with TRACE logging of
// Terraform and of the provider, once with AK/SK and a security token and once with an IAM
// password token, and the log must hold API calls but none of the secrets.
func TestAccProvider_noSecretsInTraceLogs(t *testing.T) {
	const (
		securityToken = "SecurityTokenValue-7f3e9a"
		password      = "Password-Value-91c2d8"
	)
	env := newTestEnv(t, simulator.Options{
		Users: []simulator.User{{Name: "ops", Password: password, Domain: "acme"}},
	})
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	// The secrets come from the environment, as in a pipeline: the test framework logs the
	// configuration it writes, and a secret written into it would be found there.
	akskConfig := fmt.Sprintf(`
provider "css" {
  region     = %q
  project_id = %q
  access_key = %q
  endpoints = {
    css = %q
    iam = "%s/v3"
  }
}
`, testRegion, testProjectID, testAccessKey, env.url, env.url) + baseTask
	passwordConfig := fmt.Sprintf(`
provider "css" {
  region      = %q
  user_name   = "ops"
  domain_name = "acme"
  endpoints = {
    css = %q
    iam = "%s/v3"
  }
}
`, testRegion, env.url, env.url) + baseTask
	runs := []struct {
		config string
		env    map[string]string
	}{
		{akskConfig, map[string]string{"OS_SECRET_KEY": testSecretKey, "OS_SECURITY_TOKEN": securityToken}},
		{passwordConfig, map[string]string{"OS_SECRET_KEY": "", "OS_SECURITY_TOKEN": "", "HW_PASSWORD": password}},
	}

	for _, run := range runs {
		for k, v := range run.env {
			t.Setenv(k, v)
		}
		cfg := run.config
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             env.checkDestroyed,
			Steps: []resource.TestStep{
				{Config: cfg},
				{Config: cfg, ResourceName: taskAddr, ImportState: true, ImportStateIdFunc: importID},
			},
		})
	}

	secrets := []string{testSecretKey, securityToken, password}
	for _, r := range env.sim.Requests() {
		if tok := r.Header.Get("X-Auth-Token"); tok != "" {
			secrets = append(secrets, tok)
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			_, signature, _ := strings.Cut(auth, "Signature=")
			secrets = append(secrets, signature)
		}
	}

	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	logs := string(raw)
	if !strings.Contains(logs, "API call") || !strings.Contains(logs, "request_headers") {
		t.Fatalf("the trace log (%d bytes) holds no API call lines: the test would see no secret", len(raw))
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(logs, secret) {
			i := strings.Index(logs, secret)
			t.Errorf("the trace log holds a secret %.6s…, near: %q", secret,
				logs[max(0, i-200):min(len(logs), i+len(secret)+50)])
		}
	}
}
