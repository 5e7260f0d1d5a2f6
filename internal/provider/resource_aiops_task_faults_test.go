package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

// S08: the API's own words reach the user, and no state is written.
func TestAccAiopsTask_createBadRequest(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	env.sim.AddFault(simulator.Fault{Method: "POST", Status: 400,
		Body: `{"errCode":"CSS.0001","externalMessage":"CSS.0001 : invalid parameter: name"}`})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(baseTask),
				ExpectError: regexp.MustCompile(`(?s)Creating AI-ops Task "aiops-test".*POST\s+` +
					`/v1\.0/` + testProjectID + `/clusters/` + testClusterID + `/ai-ops.*400.*CSS\.0001.*` +
					`invalid\s+parameter:\s+name`),
			},
		},
	})
	if n := env.sim.Count("POST", "/ai-ops"); n != 1 {
		t.Errorf("%d POSTs, want 1: a 400 is never retried", n)
	}
}

// S08, variant: a 500 with a large HTML body is shown shortened, with its status.
func TestAccAiopsTask_createServerErrorHTML(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	html := "<html><body>" + strings.Repeat("<p>internal trouble</p>", 220) + "</body></html>"
	env.sim.AddFault(simulator.Fault{Method: "POST", Status: 500, Body: html})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      env.config(baseTask),
				ExpectError: regexp.MustCompile(`(?s)Creating AI-ops Task.*500.*<html><body><p>internal trouble`),
			},
		},
	})
}

// S11: invalid input fails validate and plan, naming the attribute and the rule, with no request.
func TestAccAiopsTask_invalidInput(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	task := func(body string) string {
		return env.config(`
resource "css_aiops_task" "t" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
` + body + `
}
`)
	}
	cases := []struct {
		body string
		want string
	}{
		{`name = ""`, `(?s)name.*length must be between 4 and 64`},
		{fmt.Sprintf(`name = %q`, "a"+strings.Repeat("b", 64)), `(?s)name.*length must be between 4 and 64`},
		{`name = "aiops test!"`, `(?s)name.*must start with a letter and hold only letters, digits`},
		{`name = "1abc"`, `(?s)name.*must start with a letter`},
		{fmt.Sprintf("name = \"aiops-test\"\ndescription = %q", strings.Repeat("d", 256)),
			`(?s)description.*length must be at most 255`},
		{"name = \"aiops-test\"\nalarm = {\n level = \"urgent\"\n smn_topic = \"t\"\n}",
			`(?s)alarm.level.*value must be one of`},
		{"name = \"aiops-test\"\ncheck_items = [\"a\"]", `(?s)check_items.*allowed only with check_type = "partial_detection"`},
		{"name = \"aiops-test\"\ncheck_type = \"full_detection\"\ncheck_items = [\"a\"]",
			`(?s)check_items.*allowed only with check_type`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      task(c.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			if n := len(env.sim.Requests()); n != 0 {
				t.Errorf("%d requests reached the simulator during invalid plans", n)
			}
		},
		Config: task(fmt.Sprintf("name = %q\ndescription = %q", "a"+strings.Repeat("b", 63), strings.Repeat("d", 255))),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
		},
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps:                    steps,
	})
}

// S13: arguments unknown at plan time plan fine, send no request with an empty id, and are
// validated once known.
func TestAccAiopsTask_unknownArguments(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	cfg := func(level string) string {
		return env.config(fmt.Sprintf(`
resource "terraform_data" "cluster" {
  input = "11111111-1111-1111-1111-111111111111"
}
resource "terraform_data" "level" {
  input = %q
}
resource "css_aiops_task" "t" {
  cluster_id = terraform_data.cluster.output
  name       = "aiops-test"
  alarm = {
    level     = terraform_data.level.output
    smn_topic = "aiops-topic"
  }
}
`, level))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg("high"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(taskAddr, tfjsonpath.New("cluster_id")),
						plancheck.ExpectUnknownValue(taskAddr, tfjsonpath.New("alarm").AtMapKey("level")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("alarm").AtMapKey("level"), knownvalue.StringExact("high")),
				},
				Check: func(*terraform.State) error {
					for _, r := range env.sim.Requests() {
						if strings.Contains(r.Path, "/clusters//") {
							return fmt.Errorf("request with an empty cluster id: %s %s", r.Method, r.Path)
						}
					}
					return nil
				},
			},
			{
				Config:      cfg("urgent"),
				ExpectError: regexp.MustCompile(`(?s)alarm.level.*value must be one of`),
			},
			{Config: cfg("high")},
		},
	})
}

// S14: provider settings unknown at plan time send nothing and never fall back to the
// environment; a later unknown key keeps the task in state without refreshing it.
func TestAccAiopsTask_unknownProviderSettings(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	t.Setenv("OS_ACCESS_KEY", "WRONGACCESSKEY")
	t.Setenv("OS_SECRET_KEY", "wrong-secret")
	cfg := func(trigger string) string {
		return fmt.Sprintf(`
resource "terraform_data" "key" {
  input            = %q
  triggers_replace = [%q]
}
resource "terraform_data" "endpoint" {
  input = %q
}
provider "css" {
  region     = %q
  project_id = %q
  access_key = terraform_data.key.output
  secret_key = %q
  endpoints = {
    css = terraform_data.endpoint.output
  }
}
`, testAccessKey, trigger, env.url, testRegion, testProjectID, testSecretKey) + minimalTask
	}
	signedWithConfiguredKey := func(*terraform.State) error {
		for _, r := range env.sim.Requests() {
			auth := r.Header.Get("Authorization")
			if !strings.Contains(auth, "Access="+testAccessKey+",") {
				return fmt.Errorf("%s %s was not signed with the configured key: %q", r.Method, r.Path, auth)
			}
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:             cfg("one"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if n := len(env.sim.Requests()); n != 0 {
						t.Errorf("%d requests sent during a plan with an unknown access key", n)
					}
				},
				Config: cfg("one"),
				Check:  signedWithConfiguredKey,
			},
			{
				PreConfig: env.sim.ResetRequests,
				Config:    cfg("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(taskAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(signedWithConfiguredKey,
					env.expectCount("POST", "/ai-ops", 0)),
			},
		},
	})
}

// S16: odd success bodies never crash: missing values are null and the next plan is empty; an
// undecodable body is an error that never counts as "not found".
func TestAccAiopsTask_oddBodies(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	var id string
	put := func(item string) func() {
		return func() { env.sim.PutRawTask(testClusterID, id, []byte(fmt.Sprintf(item, id))) }
	}
	emptyPlan := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(minimalTask),
				Check:  rememberID(&id),
			},
			{
				PreConfig:        put(`{"id":%q,"name":"aiops-test","status":"200"}`),
				Config:           env.config(minimalTask),
				ConfigPlanChecks: emptyPlan,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("summary"), knownvalue.Null()),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("created_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("task_risks"), knownvalue.ListExact(nil)),
				},
			},
			{
				PreConfig: put(`{"id":%q,"name":"aiops-test","desc":null,"status":200,"create_time":null,
					"summary":null,"task_risks":[{"level":"high"},{}],"smn_status":null}`),
				Config:           env.config(minimalTask),
				ConfigPlanChecks: emptyPlan,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("task_risks"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("task_risks").AtSliceIndex(0).AtMapKey("risk_type"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() {
					env.sim.AddFault(simulator.Fault{Method: "GET", Path: "/ai-ops", Times: 1, Status: 200,
						Body: "<html><body>maintenance</body></html>"})
				},
				Config:      env.config(minimalTask),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)GET\s+/v1\.0/.*/ai-ops.*200.*maintenance`),
			},
			{
				// The task survived the undecodable answer: it is still in state and planned clean.
				Config:           env.config(minimalTask),
				ConfigPlanChecks: emptyPlan,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
				},
			},
		},
	})
}

// S16: an empty or null list means the task is gone; a DELETE answering 200 with nothing is done.
func TestAccAiopsTask_nullList(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	for _, body := range []string{`{"aiops_list": null}`, `{}`, `{"total_size":0,"aiops_list":[]}`} {
		t.Run(body, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             env.checkDestroyed,
				Steps: []resource.TestStep{
					{Config: env.config(minimalTask)},
					{
						PreConfig: func() {
							env.sim.AddFault(simulator.Fault{Method: "GET", Path: "/ai-ops", Times: 1, Status: 200, Body: body})
						},
						Config:             env.config(minimalTask),
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
					},
				},
			})
		})
	}
}

// S17: the same values on every machine: created_at in UTC from either number form, exact
// counts, and plain decimal paging parameters.
func TestAccAiopsTask_sameValueEverywhere(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	var id string

	for _, created := range []string{"1735689600123", "1.735689600123E12"} {
		t.Run(created, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             env.checkDestroyed,
				Steps: []resource.TestStep{
					{
						Config: env.config(minimalTask),
						Check:  rememberID(&id),
					},
					{
						PreConfig: func() {
							env.sim.PutRawTask(testClusterID, id, []byte(fmt.Sprintf(`{"id":%q,"name":"aiops-test",
								"desc":"","status":200,"create_time":%s,
								"summary":{"high":1234567,"medium":0,"suggestion":0},"task_risks":[]}`, id, created)))
						},
						Config: env.config(minimalTask),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("created_at"),
								knownvalue.StringExact("2025-01-01T00:00:00.123Z")),
							statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("summary").AtMapKey("high"),
								knownvalue.Int64Exact(1234567)),
						},
					},
				},
			})
		})
	}

	plain := regexp.MustCompile(`^\d+$`)
	for _, r := range env.sim.Requests() {
		for key, values := range parseQuery(r.RawQuery) {
			for _, v := range values {
				if (key == "limit" || key == "offset" || key == "start") && !plain.MatchString(v) {
					t.Errorf("%s=%q in %s %s is not a plain decimal integer", key, v, r.Method, r.Path)
				}
			}
		}
	}
}

// A create whose wait runs out names the task, keeps it in state tainted and says what to do.
func TestAccAiopsTask_createWaitTimeout(t *testing.T) {
	env := newTestEnv(t, simulator.Options{RunFor: time.Hour})
	cfg := env.config(`
resource "css_aiops_task" "t" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "aiops-test"
  timeouts = {
    create = "3s"
  }
}
`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ExpectError: regexp.MustCompile(`(?s)The\s+detection\s+task\s+[0-9a-f]{8}-[0-9a-f-]{27}\s+\("aiops-test"\).*` +
					`tainted.*timeouts\.create\s+\(now\s+3s\)`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(taskAddr, plancheck.ResourceActionReplace)},
				},
				ExpectError: regexp.MustCompile(`Waiting For AI-ops Task`),
			},
		},
	})
}

// A refused signature says which credentials to check and which endpoint answered.
func TestAccAiopsTask_wrongSecretKey(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	cfg := strings.Replace(env.config(minimalTask), testSecretKey, "not-the-secret-key", 1)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ExpectError: regexp.MustCompile(`(?s)401.*refused\s+the\s+credentials.*secret_key.*` +
					regexp.QuoteMeta(env.url)),
			},
		},
	})
}
