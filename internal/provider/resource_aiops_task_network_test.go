package provider

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

const throttledBody = `{"error_code":"APIGW.0308","error_msg":"request throttled"}`

func countTasks(n int) string {
	return fmt.Sprintf(`
resource "css_aiops_task" "t" {
  count               = %d
  cluster_id          = "11111111-1111-1111-1111-111111111111"
  name                = "aiops-test-${count.index}"
  wait_for_completion = false
}
`, n)
}

// S07: throttled answers are retried after at least Retry-After, and no task is doubled.
func TestAccAiopsTask_throttled(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	retryAfter := map[string]string{"Retry-After": "2"}
	env.sim.AddFault(simulator.Fault{Method: "GET", Path: "/ai-ops", Times: 2, Status: 429,
		Header: retryAfter, Body: throttledBody})
	env.sim.AddFault(simulator.Fault{Method: "POST", Path: "/ai-ops", Times: 1, Status: 429,
		Header: retryAfter, Body: throttledBody})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(countTasks(5)),
				Check: func(*terraform.State) error {
					reqs := env.sim.Requests()
					posts := 0
					for i, r := range reqs {
						if r.Method == "POST" && r.Status == 200 {
							posts++
						}
						if r.Status != 429 {
							continue
						}
						for _, next := range reqs[i+1:] {
							if next.Method == r.Method {
								if gap := next.Time.Sub(r.Time); gap < 2*time.Second-50*time.Millisecond {
									return fmt.Errorf("%s retried %s after a 429 with Retry-After: 2", r.Method, gap)
								}
								break
							}
						}
					}
					if posts != 5 || len(env.sim.Tasks(testClusterID)) != 5 {
						return fmt.Errorf("%d successful POSTs and %d tasks, want 5 of each",
							posts, len(env.sim.Tasks(testClusterID)))
					}
					return nil
				},
			},
		},
	})
}

// S07, variant: throttled forever stops after a bounded number of retries, naming the answer.
func TestAccAiopsTask_throttledForever(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	env.sim.AddFault(simulator.Fault{Method: "GET", Path: "/ai-ops", Status: 429,
		Header: map[string]string{"Retry-After": "1"}, Body: throttledBody})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock("max_retries = 2") + minimalTask,
				ExpectError: regexp.MustCompile(`(?s)429.*APIGW\.0308.*3 attempts`),
			},
		},
	})
	if n := env.sim.Count("GET", "/ai-ops"); n != 3 {
		t.Errorf("%d list calls, want 1 + max_retries = 3", n)
	}
}

// S09: endpoint overrides, with and without a trailing slash, reach every service; the
// project id comes from IAM.
func TestAccAiopsTask_endpointOverrides(t *testing.T) {
	for _, slash := range []string{"", "/"} {
		t.Run("slash="+slash, func(t *testing.T) {
			cssEnv := newTestEnv(t, simulator.Options{})
			iamEnv := newTestEnv(t, simulator.Options{})
			cfg := fmt.Sprintf(`
provider "css" {
  region     = %q
  access_key = %q
  secret_key = %q
  endpoints = {
    css = "%s%s"
    iam = "%s/v3%s"
  }
}
`, testRegion, testAccessKey, testSecretKey, cssEnv.url, slash, iamEnv.url, slash) + minimalTask

			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             cssEnv.checkDestroyed,
				Steps: []resource.TestStep{
					{Config: cfg},
					{Config: cfg, Destroy: true},
				},
			})

			for _, r := range cssEnv.sim.Requests() {
				if !strings.HasPrefix(r.Path, "/v1.0/"+testProjectID+"/clusters/") || strings.Contains(r.Path, "//") {
					t.Errorf("CSS endpoint got %s %s", r.Method, r.Path)
				}
			}
			iam := iamEnv.sim.Requests()
			if len(iam) == 0 {
				t.Error("IAM was never asked for the project")
			}
			for _, r := range iam {
				if !strings.HasPrefix(r.Path, "/v3/") || strings.Contains(r.Path, "//") {
					t.Errorf("IAM endpoint got %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

// S09 with an IAM password token: the token is fetched once and used for every CSS call.
func TestAccAiopsTask_passwordToken(t *testing.T) {
	env := newTestEnv(t, simulator.Options{
		Users: []simulator.User{{Name: "ops", Password: "s3cret-pass", Domain: "acme"}},
	})
	cfg := fmt.Sprintf(`
provider "css" {
  region      = %q
  user_name   = "ops"
  password    = "s3cret-pass"
  domain_name = "acme"
  endpoints = {
    css = %q
    iam = "%s/v3"
  }
}
`, testRegion, env.url, env.url) + baseTask

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					if n := env.sim.Count("POST", "/v3/auth/tokens"); n != 1 {
						return fmt.Errorf("%d token requests in one apply, want 1", n)
					}
					for _, r := range env.sim.Requests() {
						if strings.HasPrefix(r.Path, "/v1.0/") && r.Header.Get("X-Auth-Token") == "" {
							return fmt.Errorf("%s %s without a token", r.Method, r.Path)
						}
					}
					return nil
				},
			},
			{
				// A token revoked before its expiry is fetched anew once, after the 401.
				PreConfig: env.sim.ExpireTokens,
				Config:    cfg,
			},
		},
	})
}

// connectProxy is an HTTP CONNECT proxy on loopback that sends every tunnel to target.
type connectProxy struct {
	target  string
	tunnels atomic.Int64
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	upstream, err := net.Dial("tcp", p.target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		_ = upstream.Close()
		return
	}
	p.tunnels.Add(1)
	_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go func() {
		_, _ = io.Copy(upstream, bufio.NewReader(io.MultiReader(buf, conn)))
		_ = upstream.Close()
	}()
	go func() {
		_, _ = io.Copy(conn, upstream)
		_ = conn.Close()
	}()
}

// S10: HTTPS with a test CA through a CONNECT proxy; verification is on unless insecure.
func TestAccAiopsTask_proxyAndTLS(t *testing.T) {
	const host = "css.s10.invalid"
	env := newTestEnv(t, simulator.Options{})
	caPEM, tlsConfig, err := simulator.NewTestCA(host)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(env.sim)
	srv.TLS = tlsConfig
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	proxy := &connectProxy{target: srv.Listener.Addr().String()}
	proxySrv := httptest.NewServer(proxy)
	t.Cleanup(proxySrv.Close)
	t.Setenv("HTTPS_PROXY", proxySrv.URL)
	t.Setenv("NO_PROXY", "")

	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	endpoint := fmt.Sprintf("https://%s:%s", host, port)
	cfg := func(extra string) string {
		return fmt.Sprintf(`
provider "css" {
  region     = %q
  project_id = %q
  access_key = %q
  secret_key = %q
  endpoints = {
    css = %q
  }
  %s
}
`, testRegion, testProjectID, testAccessKey, testSecretKey, endpoint, extra) + minimalTask
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      cfg(""),
				ExpectError: regexp.MustCompile(`(?s)certificate`),
			},
			{
				Config: cfg(fmt.Sprintf("ca_file = %q", caFile)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
				},
				Check: func(*terraform.State) error {
					if proxy.tunnels.Load() == 0 {
						return fmt.Errorf("no request went through the proxy")
					}
					return nil
				},
			},
			{
				Config: cfg("insecure = true"),
			},
			{
				PreConfig: func() {
					t.Setenv("NO_PROXY", host)
					proxy.tunnels.Store(0)
				},
				// Without the proxy the made-up host cannot be reached at all; max_retries = 0
				// keeps the retry layer from waiting on a name that never resolves.
				Config:             cfg(fmt.Sprintf("ca_file = %q\n  max_retries = 0", caFile)),
				PlanOnly:           true,
				ExpectError:        regexp.MustCompile(`(?s)` + regexp.QuoteMeta(host)),
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if n := proxy.tunnels.Load(); n != 0 {
						t.Errorf("%d tunnels through the proxy with NO_PROXY covering the host", n)
					}
					t.Setenv("NO_PROXY", "")
				},
				Config: cfg(fmt.Sprintf("ca_file = %q", caFile)),
			},
		},
	})
}

// S12: 31 tasks on one cluster at parallelism 10, with one mutation at a time allowed: 30
// exist, all in state, none doubled; the 31st fails alone, naming the limit.
func TestAccAiopsTask_manyOnOneCluster(t *testing.T) {
	env := newTestEnv(t, simulator.Options{MutationBusyFor: 100 * time.Millisecond})
	inState := func(s *terraform.State) error {
		ids := map[string]bool{}
		for addr, rs := range s.RootModule().Resources {
			if strings.HasPrefix(addr, "css_aiops_task.t") {
				if ids[rs.Primary.ID] {
					return fmt.Errorf("task %s twice in state", rs.Primary.ID)
				}
				ids[rs.Primary.ID] = true
			}
		}
		tasks := env.sim.Tasks(testClusterID)
		if len(tasks) != 30 || len(ids) != 30 {
			return fmt.Errorf("%d tasks on the cluster and %d in state, want 30 and 30", len(tasks), len(ids))
		}
		for _, task := range tasks {
			if !ids[task.ID] {
				return fmt.Errorf("task %s is on the cluster but not in state", task.ID)
			}
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      env.config(countTasks(31)),
				ExpectError: regexp.MustCompile(`(?s)at\s+most\s+30.*400.*CSS\.0039`),
			},
			{
				Config: env.config(countTasks(30)),
				Check: resource.ComposeAggregateTestCheckFunc(inState, func(*terraform.State) error {
					busy := 0
					for _, r := range env.sim.Requests() {
						if r.Status == http.StatusConflict {
							busy++
						}
					}
					t.Logf("busy answers absorbed: %d", busy)
					return nil
				}),
			},
		},
	})
}
