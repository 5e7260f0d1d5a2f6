package provider

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

// Placeholders of the scenarios.
const (
	testProjectID = "00000000000000000000000000000000"
	testClusterID = "11111111-1111-1111-1111-111111111111"
	testAccessKey = "TESTACCESSKEY0000000"
	testSecretKey = "TestSecretKey0000000000000000000000000000"
	testRegion    = "eu-de"
)

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"css": providerserver.NewProtocol6WithError(New("test")()),
}

// testEnv is one simulator with one cluster, and the provider block that points at it.
type testEnv struct {
	sim *simulator.Server
	url string
}

// newTestEnv starts a simulator for one test. It clears the provider's environment variables
// so that only the configuration written by the test counts.
func newTestEnv(t *testing.T, opts simulator.Options) *testEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make test sets it)")
	}
	for _, prefix := range []string{"OS_", "HW_"} {
		for _, name := range []string{"REGION_NAME", "PROJECT_ID", "ACCESS_KEY", "SECRET_KEY",
			"SECURITY_TOKEN", "USERNAME", "PASSWORD", "DOMAIN_NAME"} {
			t.Setenv(prefix+name, "")
		}
	}

	if opts.Credentials == nil {
		opts.Credentials = map[string]string{testAccessKey: testSecretKey}
	}
	if opts.ProjectID == "" {
		opts.ProjectID = testProjectID
	}
	if opts.Region == "" {
		opts.Region = testRegion
	}
	sim := simulator.New(opts)
	sim.AddCluster(testClusterID, simulator.ClusterOptions{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &testEnv{sim: sim, url: srv.URL}
}

// providerBlock is the provider configuration for the simulator; extra lines go inside it.
func (e *testEnv) providerBlock(extra ...string) string {
	return fmt.Sprintf(`
provider "css" {
  region     = %q
  project_id = %q
  access_key = %q
  secret_key = %q
  endpoints = {
    css = %q
    iam = "%s/v3"
  }
%s
}
`, testRegion, testProjectID, testAccessKey, testSecretKey, e.url, e.url, strings.Join(extra, "\n"))
}

// config joins the provider block and the given resources.
func (e *testEnv) config(resources string) string {
	return e.providerBlock() + resources
}

func TestProvider_schemaIsValid(t *testing.T) {
	// The framework checks the schema when the server answers GetProviderSchema.
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	if _, ok := resp.ResourceSchemas["css_aiops_task"]; !ok {
		t.Error("css_aiops_task is not served")
	}
}

func parseQuery(raw string) url.Values {
	v, _ := url.ParseQuery(raw)
	return v
}
