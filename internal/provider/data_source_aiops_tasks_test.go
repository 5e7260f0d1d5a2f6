package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

const (
	tasksAddr    = "data.css_aiops_tasks.all"
	newClusterID = "22222222-2222-2222-2222-222222222222"
)

// tasksPath is the path of attribute attr of the i-th task of a css_aiops_tasks data source.
func tasksPath(i int, attr string) tfjsonpath.Path {
	return tasksAttr.AtSliceIndex(i).AtMapKey(attr)
}

// Short forms of the value checks of these tests.
var (
	str    = knownvalue.StringExact
	num    = knownvalue.Int64Exact
	isNull = knownvalue.Null()
)

type fields = map[string]knownvalue.Check

// tasks is the path of the tasks list of a css_aiops_tasks data source.
var tasksAttr = tfjsonpath.New("tasks")

// expectAt checks the value at path of the resource or data source at addr.
func expectAt(addr string, path tfjsonpath.Path, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, path, check)
}

// sameAs checks that the i-th task of the data source at tasksAddr shows attribute attr as the
// resource at addr does.
func sameAs(i int, attr, addr string) statecheck.StateCheck {
	return statecheck.CompareValuePairs(tasksAddr, tasksPath(i, attr), addr, tfjsonpath.New(attr),
		compare.ValuesSame())
}

// newShapeRisks are reported by a new-shape cluster: a high risk, a suggestion and a check
// without findings.
func newShapeRisks() []simulator.Risk {
	return append(risks(), simulator.Risk{
		Type: "cluster health", Level: "normal", Description: "green", Suggestion: "none",
	})
}

// postBodies returns the decoded bodies of the create calls on a cluster, in order.
func (e *testEnv) postBodies(t *testing.T, clusterID string) []map[string]any {
	t.Helper()
	var bodies []map[string]any
	for _, r := range e.sim.Requests() {
		if r.Method != "POST" || r.Path != "/v1.0/"+testProjectID+"/clusters/"+clusterID+"/ai-ops" {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("create body %q: %v", r.Body, err)
		}
		bodies = append(bodies, body)
	}
	return bodies
}

// Every task of the cluster is listed over more than one page, newest first, and the filters
// select by exact name and by status.
func TestAccAiopsTasksDataSource_allPages(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	// NOTE: the client asks for pages of 100; AddTask ignores the limit of 30 tasks, so that
	// 130 tasks need two pages.
	const total = 130
	var ids []string
	for i := range total {
		ids = append(ids, env.sim.AddTask(testClusterID, fmt.Sprintf("task-%03d", i), ""))
	}
	env.sim.AddTask(testClusterID, "dup-check", "first")
	env.sim.AddTask(testClusterID, "dup-check", "second")
	for _, i := range []int{3, 50, 120} {
		env.sim.SetTaskStatus(testClusterID, ids[i], simulator.StatusFailed)
	}
	env.sim.SetTaskStatus(testClusterID, ids[7], simulator.StatusRunning)
	// The oldest task, sent with nothing but an id and a name.
	env.sim.PutRawTask(testClusterID, "raw-1", []byte(`{"id": "raw-1", "name": "raw-check", "create_time": 1}`))

	cfg := env.config(`
data "css_aiops_tasks" "all" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
}
data "css_aiops_tasks" "by_name" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "dup-check"
}
data "css_aiops_tasks" "failed" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  status     = "failed"
}
data "css_aiops_tasks" "running_dup" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "dup-check"
  status     = "running"
}
`)
	secondPage := func(*terraform.State) error {
		for _, r := range env.sim.Requests() {
			if r.Method == "GET" && parseQuery(r.RawQuery).Get("offset") == "100" {
				return nil
			}
		}
		return fmt.Errorf("no list call asked for offset=100")
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "css_aiops_tasks" "all" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  status     = "done"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)status.*value must be one of.*running.*completed.*failed`),
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAt(tasksAddr, tasksAttr, knownvalue.ListSizeExact(total+3)),
					// Newest first: the two dup-check tasks came last.
					expectAt(tasksAddr, tasksPath(0, "description"), str("second")),
					expectAt(tasksAddr, tasksPath(2, "name"), str("task-129")),
					expectAt(tasksAddr, tasksPath(total+1, "id"), str(ids[0])),
					expectAt(tasksAddr, tasksPath(total+1, "cluster_id"), str(testClusterID)),
					expectAt(tasksAddr, tasksPath(total+1, "description"), isNull),
					// What the API did not send is null, never a zero.
					expectAt(tasksAddr, tasksAttr.AtSliceIndex(total+2), knownvalue.ObjectExact(fields{
						"id": str("raw-1"), "cluster_id": str(testClusterID),
						"name": str("raw-check"), "description": isNull,
						"check_type": isNull, "status": str("running"),
						"status_code": isNull, "created_at": str("1970-01-01T00:00:00.001Z"),
						"smn_status": isNull, "smn_fail_reason": isNull,
						"trigger_type": isNull, "summary": isNull,
						"task_risks": knownvalue.ListExact(nil),
					})),

					expectAt("data.css_aiops_tasks.by_name", tasksAttr, knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(fields{"name": str("dup-check"), "description": str("second")}),
						knownvalue.ObjectPartial(fields{"name": str("dup-check"), "description": str("first")}),
					})),
					expectAt("data.css_aiops_tasks.failed", tasksAttr, knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(fields{"id": str(ids[120]), "status_code": num(300)}),
						knownvalue.ObjectPartial(fields{"id": str(ids[50]), "status": str("failed")}),
						knownvalue.ObjectPartial(fields{"id": str(ids[3])}),
					})),
					expectAt("data.css_aiops_tasks.running_dup", tasksAttr, knownvalue.ListSizeExact(0)),
				},
				Check: secondPage,
			},
		},
	})
}

// A task created outside Terraform is listed next to one created by Terraform, with the same
// attributes the resource shows.
func TestAccAiopsTasksDataSource_outsideTerraform(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Risks: risks()})
	var outsideID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					outsideID = env.sim.AddTask(testClusterID, "console-check", "made in the console")
				},
				Config: env.config(minimalTask + `
data "css_aiops_tasks" "all" {
  cluster_id = css_aiops_task.t.cluster_id
  depends_on = [css_aiops_task.t]
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAt(tasksAddr, tasksAttr, knownvalue.ListSizeExact(2)),
					sameAs(0, "id", taskAddr),
					sameAs(0, "created_at", taskAddr),
					sameAs(0, "summary", taskAddr),
					sameAs(0, "task_risks", taskAddr),
					sameAs(0, "smn_status", taskAddr),
					sameAs(0, "status_code", taskAddr),
					expectAt(tasksAddr, tasksAttr.AtSliceIndex(1), knownvalue.ObjectExact(fields{
						"id":              knownvalue.StringFunc(func(v string) error { return equal(v, outsideID) }),
						"cluster_id":      str(testClusterID),
						"name":            str("console-check"),
						"description":     str("made in the console"),
						"check_type":      isNull,
						"status":          str("completed"),
						"status_code":     num(200),
						"created_at":      knownvalue.StringRegexp(rfc3339UTCZone),
						"smn_status":      str("not_open"),
						"smn_fail_reason": isNull,
						"trigger_type":    isNull,
						"summary": knownvalue.ObjectExact(fields{
							"high": num(1), "medium": num(0),
							"suggestion": num(1), "normal": isNull,
						}),
						"task_risks": knownvalue.ListSizeExact(2),
					})),
				},
			},
		},
	})
}

// On an old-shape cluster (OTC) the values the old shape lacks are null, and a task created
// without check_type sends neither check_type nor check_items.
func TestAccAiopsTasksDataSource_oldShape(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Shape: simulator.ShapeOld, Risks: risks()})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(minimalTask + `
data "css_aiops_tasks" "all" {
  cluster_id = css_aiops_task.t.cluster_id
  depends_on = [css_aiops_task.t]
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAt(taskAddr, tfjsonpath.New("check_type"), isNull),
					expectAt(taskAddr, tfjsonpath.New("trigger_type"), isNull),
					expectAt(taskAddr, tfjsonpath.New("summary").AtMapKey("normal"), isNull),
					expectAt(tasksAddr, tasksPath(0, "summary"), knownvalue.ObjectExact(fields{
						"high": num(1), "medium": num(0),
						"suggestion": num(1), "normal": isNull,
					})),
					expectAt(tasksAddr, tasksPath(0, "check_type"), isNull),
					expectAt(tasksAddr, tasksPath(0, "trigger_type"), isNull),
					expectAt(tasksAddr, tasksPath(0, "task_risks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(fields{
							"id": isNull, "risk_type": str("disk usage"),
							"level": str("high"), "description": str("disk usage above 85%"),
							"suggestion": str("add nodes"), "result": isNull,
						}),
						knownvalue.ObjectPartial(fields{"level": str("suggestion")}),
					})),
				},
				Check: func(*terraform.State) error {
					bodies := env.postBodies(t, testClusterID)
					if len(bodies) != 1 {
						return fmt.Errorf("%d create calls, want 1", len(bodies))
					}
					for _, key := range []string{"check_type", "check_items", "description", "alarm"} {
						if _, ok := bodies[0][key]; ok {
							return fmt.Errorf("create body %v sends %s, which is not set", bodies[0], key)
						}
					}
					return nil
				},
			},
		},
	})
}

// On a new-shape cluster (HWC 2026) check_type and check_items are sent when set and not
// otherwise, and summary.normal, trigger_type, check_type and the risks' id and result are read,
// by the resource and by the data source alike.
func TestAccAiopsTasksDataSource_newShape(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	env.sim.AddCluster(newClusterID, simulator.ClusterOptions{Shape: simulator.ShapeNew, Risks: newShapeRisks()})
	cfg := env.config(`
resource "css_aiops_task" "partial" {
  cluster_id  = "22222222-2222-2222-2222-222222222222"
  name        = "partial-check"
  check_type  = "partial_detection"
  check_items = ["disk_usage", "shard_count"]
}
resource "css_aiops_task" "plain" {
  cluster_id = "22222222-2222-2222-2222-222222222222"
  name       = "plain-check"
  depends_on = [css_aiops_task.partial]
}
data "css_aiops_tasks" "all" {
  cluster_id = "22222222-2222-2222-2222-222222222222"
  depends_on = [css_aiops_task.plain]
}
`)
	const partial, plain = "css_aiops_task.partial", "css_aiops_task.plain"
	risksRead := knownvalue.ListExact([]knownvalue.Check{
		knownvalue.ObjectExact(fields{
			"id": str("disk_usage"), "risk_type": str("disk usage"),
			"level": str("high"), "description": str("disk usage above 85%"),
			"suggestion": str("add nodes"), "result": str("abnormal"),
		}),
		knownvalue.ObjectPartial(fields{"id": str("shard_count")}),
		knownvalue.ObjectPartial(fields{
			"id": str("cluster_health"), "result": str("normal"),
		}),
	})
	summaryRead := knownvalue.ObjectExact(fields{
		"high": num(1), "medium": num(0),
		"suggestion": num(1), "normal": num(1),
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := len(env.sim.Tasks(newClusterID)); n > 0 {
				return fmt.Errorf("%d task(s) left on cluster %s", n, newClusterID)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAt(partial, tfjsonpath.New("check_type"), str("partial_detection")),
					expectAt(partial, tfjsonpath.New("check_items"), knownvalue.SetExact([]knownvalue.Check{
						str("disk_usage"), str("shard_count"),
					})),
					expectAt(partial, tfjsonpath.New("trigger_type"), str("manual")),
					expectAt(partial, tfjsonpath.New("summary"), summaryRead),
					expectAt(partial, tfjsonpath.New("task_risks"), risksRead),
					// The API answers full_detection for a task created without check_type.
					expectAt(plain, tfjsonpath.New("check_type"), str("full_detection")),
					expectAt(plain, tfjsonpath.New("check_items"), isNull),

					expectAt(tasksAddr, tasksAttr, knownvalue.ListSizeExact(2)),
					sameAs(0, "id", plain),
					sameAs(1, "id", partial),
					expectAt(tasksAddr, tasksPath(1, "check_type"), str("partial_detection")),
					expectAt(tasksAddr, tasksPath(1, "trigger_type"), str("manual")),
					expectAt(tasksAddr, tasksPath(1, "summary"), summaryRead),
					expectAt(tasksAddr, tasksPath(1, "task_risks"), risksRead),
					expectAt(tasksAddr, tasksPath(0, "check_type"), str("full_detection")),
				},
				Check: func(*terraform.State) error {
					bodies := env.postBodies(t, newClusterID)
					if len(bodies) != 2 {
						return fmt.Errorf("%d create calls, want 2", len(bodies))
					}
					first := bodies[0]
					if first["check_type"] != "partial_detection" ||
						fmt.Sprint(first["check_items"]) != "[disk_usage shard_count]" {
						return fmt.Errorf("first create body %v lacks the check type and items", first)
					}
					for _, key := range []string{"check_type", "check_items"} {
						if _, ok := bodies[1][key]; ok {
							return fmt.Errorf("second create body %v sends %s, which is not set", bodies[1], key)
						}
					}
					return nil
				},
			},
			{
				// check_type read back from the API does not plan a replacement.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// The old API shape knows no check_type: the API's refusal reaches the user, and no task is
// kept in state.
func TestAccAiopsTask_checkTypeOnOldShape(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
resource "css_aiops_task" "t" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
  name       = "aiops-test"
  check_type = "full_detection"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Creating AI-ops Task "aiops-test".*400.*CSS\.0001.*` +
					`invalid\s+parameter:\s+check_type`),
			},
		},
	})
}

// A cluster that does not exist is an error, not an empty list.
func TestAccAiopsTasksDataSource_clusterNotFound(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "css_aiops_tasks" "all" {
  cluster_id = "99999999-9999-9999-9999-999999999999"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Reading AI-ops Tasks of Cluster 9{8}-9{4}-9{4}-9{4}-9{12}` +
					`.*403.*CSS\.0015.*does not exist, or the credentials have no access`),
			},
		},
	})
}

// With a provider configuration unknown at plan time, the data source sends nothing and says
// that the configuration must be known.
func TestAccAiopsTasksDataSource_unknownProviderConfiguration(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %q
}
provider "css" {
  region     = %q
  project_id = %q
  access_key = %q
  secret_key = %q
  endpoints = {
    css = terraform_data.endpoint.output
  }
}
data "css_aiops_tasks" "all" {
  cluster_id = "11111111-1111-1111-1111-111111111111"
}
`, env.url, testRegion, testProjectID, testAccessKey, testSecretKey),
				ExpectError: regexp.MustCompile(`(?s)Provider Configuration Not Known.*must\s+be\s+known`),
			},
		},
	})
	if n := len(env.sim.Requests()); n != 0 {
		t.Errorf("%d requests sent with an unknown provider configuration", n)
	}
}

func equal(got, want string) error {
	if got != want {
		return fmt.Errorf("got %q, want %q", got, want)
	}
	return nil
}

// expectCheck is a state check that the check block or the conditions of a resource at addr
// (such as "check.medium_risks") ended with the given status: pass, fail, error or unknown.
type expectCheck struct {
	addr, status string
}

func (e expectCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil {
		resp.Error = fmt.Errorf("no state to find %s in", e.addr)
		return
	}
	var seen []string
	for _, c := range req.State.Checks {
		if c.Address.ToDisplay == e.addr {
			if string(c.Status) != e.status {
				resp.Error = fmt.Errorf("%s: status %s, want %s (instances %v)", e.addr, c.Status, e.status,
					c.Instances)
			}
			return
		}
		seen = append(seen, c.Address.ToDisplay)
	}
	resp.Error = fmt.Errorf("%s not among the checks in state %v", e.addr, seen)
}
