package provider

import (
	"context"
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

const taskAddr = "css_aiops_task.t"

// baseTask is the scenarios' BASE configuration.
const baseTask = `
resource "css_aiops_task" "t" {
  cluster_id  = "11111111-1111-1111-1111-111111111111"
  name        = "aiops-test"
  description = "nightly detection"
  alarm = {
    level     = "high"
    smn_topic = "aiops-topic"
  }
}
`

// minimalTask sets only what is required.
const minimalTask = `
resource "css_aiops_task" "t" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "aiops-test"
}
`

var (
	uuidPattern    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	rfc3339UTCZone = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
)

func risks() []simulator.Risk {
	return []simulator.Risk{
		{Type: "disk usage", Level: "high", Description: "disk usage above 85%", Suggestion: "add nodes"},
		{Type: "shard count", Level: "suggestion", Description: "many small shards", Suggestion: "shrink"},
	}
}

// checkDestroyed fails when the simulator still holds a task of the cluster.
func (e *testEnv) checkDestroyed(_ *terraform.State) error {
	if tasks := e.sim.Tasks(testClusterID); len(tasks) > 0 {
		return fmt.Errorf("%d task(s) left on the cluster, first %s", len(tasks), tasks[0].ID)
	}
	return nil
}

// importID returns <cluster_id>/<aiops_id> of the task in state.
func importID(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[taskAddr]
	if !ok {
		return "", fmt.Errorf("%s not in state", taskAddr)
	}
	return rs.Primary.Attributes["cluster_id"] + "/" + rs.Primary.ID, nil
}

// expectCount checks how many logged requests match method and path fragment.
func (e *testEnv) expectCount(method, path string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := e.sim.Count(method, path); got != want {
			return fmt.Errorf("%s %s: %d requests, want %d", method, path, got, want)
		}
		return nil
	}
}

func TestAccAiopsTask_basic(t *testing.T) {
	env := newTestEnv(t, simulator.Options{RunFor: 2 * time.Second})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Risks: risks()})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(baseTask),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status_code"), knownvalue.Int64Exact(200)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339UTCZone)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("summary").AtMapKey("high"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("summary").AtMapKey("suggestion"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("task_risks"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"risk_type": knownvalue.StringExact("disk usage"),
							"level":     knownvalue.StringExact("high"),
						}),
					})),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("alarm").AtMapKey("level"), knownvalue.StringExact("high")),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("description"), knownvalue.StringExact("nightly detection")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.expectCount("POST", "/ai-ops", 1),
					func(s *terraform.State) error {
						tasks := env.sim.Tasks(testClusterID)
						if len(tasks) != 1 || tasks[0].ID != s.RootModule().Resources[taskAddr].Primary.ID {
							return fmt.Errorf("simulator tasks %v do not match state", tasks)
						}
						return nil
					},
				),
			},
			{
				Config:            env.config(baseTask),
				ResourceName:      taskAddr,
				ImportState:       true,
				ImportStateIdFunc: importID,
				ImportStateVerify: true,
				// alarm is not returned by the API; timeouts live in configuration only.
				ImportStateVerifyIgnore: []string{"alarm", "timeouts"},
			},
			{
				Config: env.config(baseTask),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// S01: a task deleted outside Terraform is dropped from state with a warning and created anew.
func TestAccAiopsTask_disappears(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	var firstID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(baseTask),
				Check:  rememberID(&firstID),
			},
			{
				PreConfig: func() {
					if !env.sim.RemoveTask(testClusterID, firstID) {
						t.Fatal("the simulator did not hold the task")
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[taskAddr]; ok {
						return fmt.Errorf("%s is still in state after a refresh", taskAddr)
					}
					return nil
				},
			},
			{
				PreConfig: env.sim.ResetRequests,
				Config:    env.config(baseTask),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(taskAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.expectCount("POST", "/ai-ops", 1),
					func(*terraform.State) error {
						if n := env.sim.Count("DELETE", firstID); n != 0 {
							return fmt.Errorf("%d DELETE requests for the vanished task %s", n, firstID)
						}
						return nil
					},
				),
			},
		},
	})
}

// S01, variant: the list answers 404 for the task's cluster; a DELETE answering 404 is done.
func TestAccAiopsTask_disappearsNotFound(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: env.config(baseTask)},
			{
				PreConfig: func() {
					env.sim.AddFault(simulator.Fault{Method: "GET", Path: "/ai-ops", Times: 1, Status: 404,
						Body: `{"error_code":"CSS.0404","error_msg":"not found"}`})
				},
				Config:             env.config(baseTask),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					env.sim.AddFault(simulator.Fault{Method: "DELETE", Times: 1, Status: 404, Act: true,
						Body: `{"errCode":"CSS.0404","externalMessage":"not found"}`})
				},
				Config:  env.config(baseTask),
				Destroy: true,
			},
		},
	})
}

func css0011(status int) simulator.Fault {
	return simulator.Fault{Method: "DELETE", Status: status,
		Body: `{"errCode":"CSS.0011","externalMessage":"CSS.0011 : another operation is in progress"}`}
}

// S02: busy DELETEs are retried with growing gaps.
func TestAccAiopsTask_deleteBusy(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			var times []time.Time
			for _, r := range env.sim.Requests() {
				if r.Method == "DELETE" {
					times = append(times, r.Time)
				}
			}
			if len(times) != 4 {
				return fmt.Errorf("%d DELETE requests, want 3 busy and 1 accepted", len(times))
			}
			for i := 2; i < len(times); i++ {
				if prev, gap := times[i-1].Sub(times[i-2]), times[i].Sub(times[i-1]); gap <= prev {
					return fmt.Errorf("DELETE gap %d is %s, not longer than the one before (%s)", i, gap, prev)
				}
			}
			return env.checkDestroyed(s)
		},
		Steps: []resource.TestStep{
			{Config: env.config(baseTask)},
			{
				PreConfig: func() {
					f := css0011(409)
					f.Times = 3
					env.sim.AddFault(f)
				},
				Config:  env.config(baseTask),
				Destroy: true,
			},
		},
	})
}

// S02, variant: busy forever ends at the delete timeout, naming 409, CSS.0011 and the timeout,
// and the task stays in state.
func TestAccAiopsTask_deleteBusyTimeout(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	cfg := env.config(`
resource "css_aiops_task" "t" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "aiops-test"
  timeouts = {
    delete = "15s"
  }
}
`)
	var started time.Time

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					env.sim.AddFault(css0011(409))
					started = time.Now()
				},
				Config:      cfg,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)409.*CSS\.0011.*timeout`),
			},
			{
				PreConfig: func() {
					if elapsed := time.Since(started); elapsed < 14*time.Second {
						t.Errorf("destroy gave up after %s, before the 15s delete timeout", elapsed)
					}
					env.sim.ClearFaults()
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
				},
			},
		},
	})
}

// S02: a 400 on DELETE is never retried.
func TestAccAiopsTask_deleteBadRequest(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: env.config(minimalTask)},
			{
				PreConfig: func() {
					env.sim.ResetRequests()
					env.sim.AddFault(simulator.Fault{Method: "DELETE", Times: 1, Status: 400,
						Body: `{"errCode":"CSS.0001","externalMessage":"CSS.0001 : incorrect parameters"}`})
				},
				Config:      env.config(minimalTask),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)DELETE.*400.*CSS\.0001`),
			},
			{
				Config: env.config(minimalTask),
				Check:  env.expectCount("DELETE", "/ai-ops/", 1),
			},
		},
	})
}

// S03: a 412 while the task runs waits for it; after it finished, a 412 fails at once.
func TestAccAiopsTask_deletePrecondition(t *testing.T) {
	env := newTestEnv(t, simulator.Options{RunFor: 4 * time.Second})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{RejectDeleteWhileRunning: true})
	cfg := env.config(`
resource "css_aiops_task" "t" {
  cluster_id          = "11111111-1111-1111-1111-111111111111"
  name                = "aiops-test"
  wait_for_completion = false
}
`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			var times []time.Time
			for _, r := range env.sim.Requests() {
				if r.Method == "DELETE" {
					times = append(times, r.Time)
				}
			}
			if len(times) < 2 {
				return fmt.Errorf("%d DELETE requests, want a 412 and an accepted one", len(times))
			}
			for i := 1; i < len(times); i++ {
				if gap := times[i].Sub(times[i-1]); gap < 900*time.Millisecond {
					return fmt.Errorf("two DELETEs %s apart: more than one per poll interval", gap)
				}
			}
			return env.checkDestroyed(s)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("running")),
				},
			},
		},
	})
}

func TestAccAiopsTask_deletePreconditionAfterFinish(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: env.config(minimalTask)},
			{
				PreConfig: func() {
					env.sim.ResetRequests()
					env.sim.AddFault(simulator.Fault{Method: "DELETE", Status: 412,
						Body: `{"errCode":"CSS.0027","externalMessage":"CSS.0027 : precondition failed"}`})
				},
				Config:      env.config(minimalTask),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)412.*CSS\.0027`),
			},
			{
				PreConfig: env.sim.ClearFaults,
				Config:    env.config(minimalTask),
				Check:     env.expectCount("DELETE", "/ai-ops/", 1),
			},
		},
	})
}

// S04: import by <cluster_id>/<aiops_id>, by command and by import block, then an empty plan.
func TestAccAiopsTask_import(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	id := env.sim.AddTask(testClusterID, "aiops-test", "nightly detection")
	cfg := env.config(`
resource "css_aiops_task" "t" {
  cluster_id  = "11111111-1111-1111-1111-111111111111"
  name        = "aiops-test"
  description = "nightly detection"
}
`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       taskAddr,
				ImportState:        true,
				ImportStateId:      testClusterID + "/" + id,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID != id {
						return fmt.Errorf("imported %d states, want the one with id %s", len(states), id)
					}
					return nil
				},
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config:          cfg,
				ResourceName:    taskAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   testClusterID + "/" + id,
			},
		},
	})
}

// S04: an imported task takes the configured alarm into state in place, never replaced.
func TestAccAiopsTask_importWithAlarm(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	id := env.sim.AddTask(testClusterID, "aiops-test", "nightly detection")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:             env.config(baseTask),
				ResourceName:       taskAddr,
				ImportState:        true,
				ImportStateId:      testClusterID + "/" + id,
				ImportStatePersist: true,
			},
			{
				Config: env.config(baseTask),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(taskAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("alarm").AtMapKey("level"), knownvalue.StringExact("high")),
				},
				Check: env.expectCount("POST", "/ai-ops", 0),
			},
			{
				Config: strings.Replace(env.config(baseTask), `"high"`, `"medium"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(taskAddr, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}

// S04: malformed import ids fail before any request; an unknown task is a non-existent object.
func TestAccAiopsTask_importInvalid(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	steps := []resource.TestStep{}
	for _, bad := range []string{
		"aaaaaaaa-0000-0000-0000-000000000004",
		testClusterID + "/aaaaaaaa-0000-0000-0000-000000000004/x",
		"/aaaaaaaa-0000-0000-0000-000000000004",
		testClusterID + "/",
	} {
		steps = append(steps, resource.TestStep{
			Config:        env.config(minimalTask),
			ResourceName:  taskAddr,
			ImportState:   true,
			ImportStateId: bad,
			ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(fmt.Sprintf("%q", bad)) +
				`.*<cluster_id>/<aiops_id>`),
		})
	}
	steps = append(steps, resource.TestStep{
		Config:        env.config(minimalTask),
		ResourceName:  taskAddr,
		ImportState:   true,
		ImportStateId: testClusterID + "/aaaaaaaa-0000-0000-0000-000000000004",
		ExpectError:   regexp.MustCompile(`(?s)Cannot Import Non-existent AI-ops Task.*does not exist`),
	})

	steps = append(steps, resource.TestStep{
		Config:        env.config(minimalTask),
		ResourceName:  taskAddr,
		ImportState:   true,
		ImportStateId: "99999999-9999-9999-9999-999999999999/aaaaaaaa-0000-0000-0000-000000000004",
		ExpectError:   regexp.MustCompile(`(?s)does not exist.*cluster\s+does\s+not\s+exist.*CSS\.0015`),
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	if n := env.sim.Count("", "/ai-ops"); n != 2 {
		t.Errorf("%d API requests, want only the lists of the two well-formed ids", n)
	}
}

// S05: "" and null from the API both keep description null and plan clean, also after import.
func TestAccAiopsTask_emptyStrings(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(minimalTask),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("smn_fail_reason"), knownvalue.Null()),
				},
				Check: rememberID(&id),
			},
			{
				PreConfig: func() {
					env.sim.PutRawTask(testClusterID, id, []byte(fmt.Sprintf(`{"id":%q,"name":"aiops-test",
						"desc":"","status":200,"create_time":1687944156750,"smn_status":"not_open",
						"smn_fail_reason":"","summary":{"high":0,"medium":0,"suggestion":0},"task_risks":[]}`, id)))
				},
				Config: env.config(minimalTask),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("smn_fail_reason"), knownvalue.Null()),
				},
			},
			{
				Config:            env.config(minimalTask),
				ResourceName:      taskAddr,
				ImportState:       true,
				ImportStateIdFunc: importID,
				ImportStateVerify: true,
				// timeouts live in configuration only.
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// expectReplacedBy checks that the plan replaces the task for exactly the given attributes.
type expectReplacedBy []string

func (e expectReplacedBy) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != taskAddr {
			continue
		}
		var got []string
		for _, p := range rc.Change.ReplacePaths {
			parts := p.([]any)
			got = append(got, fmt.Sprint(parts[0]))
		}
		if fmt.Sprint(got) != fmt.Sprint([]string(e)) {
			resp.Error = fmt.Errorf("replaced because of %v, want %v", got, []string(e))
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", taskAddr)
}

// S06: changes made by the server never force replacement; configuration changes do.
func TestAccAiopsTask_serverSideChanges(t *testing.T) {
	env := newTestEnv(t, simulator.Options{RunFor: time.Hour})
	env.sim.AddCluster("22222222-2222-2222-2222-222222222222", simulator.ClusterOptions{})
	var id string
	noWait := strings.Replace(baseTask, `name        = "aiops-test"`,
		`name        = "aiops-test"
  wait_for_completion = false`, 1)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(noWait),
				Check:  rememberID(&id),
			},
			{
				PreConfig: func() {
					env.sim.SetTaskStatus(testClusterID, id, 200)
					env.sim.SetTaskSummary(testClusterID, id, 2, 1, 0)
				},
				Config: env.config(noWait),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("summary").AtMapKey("high"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config: env.config(strings.Replace(noWait, "nightly detection", "after upgrade", 1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(taskAddr, plancheck.ResourceActionReplace),
						expectReplacedBy{"description"},
						plancheck.ExpectUnknownValue(taskAddr, tfjsonpath.New("id")),
					},
				},
			},
			{
				Config: env.config(strings.NewReplacer("nightly detection", "after upgrade",
					`level     = "high"`, `level     = "medium"`).Replace(noWait)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectReplacedBy{"alarm"}},
				},
			},
			{
				Config: env.config(strings.NewReplacer("nightly detection", "after upgrade",
					`level     = "high"`, `level     = "medium"`,
					testClusterID, "22222222-2222-2222-2222-222222222222").Replace(noWait)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectReplacedBy{"cluster_id"}},
				},
			},
		},
	})
}

// rememberID stores the id of the task in state, for the steps that follow.
func rememberID(id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[taskAddr]
		if !ok {
			return fmt.Errorf("%s not in state", taskAddr)
		}
		*id = rs.Primary.ID
		return nil
	}
}
