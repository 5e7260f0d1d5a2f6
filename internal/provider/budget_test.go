package provider

import (
	"context"
	"fmt"
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

// The request budget of css_aiops_task (issue 6), counted by the simulator with no faults:
//
//	create, visible at once, not waiting   1 POST + at most 2 list calls
//	create and wait, done after T < 1 min   the poll that sees it finished within T + 2 s of the POST
//	refresh of 30 tasks on one cluster      at most 2 list calls in all
//	destroy of one task                     1 DELETE + at most 2 list calls, its refresh included
//
// NOTE: terraform-plugin-testing runs several Terraform commands per step. A config step runs
// plan (empty state: no call), apply, then Check, then a plan without and a plan with refresh;
// so a Check sees the create alone. A destroy step runs a destroy plan (which refreshes) and
// applies it, and the plans after it find an empty state; so its count is what one real
// `terraform destroy` costs. A plan-only step refreshes once, in its second plan.

// budgetTasks is count tasks on the test cluster that do not wait for completion.
func budgetTasks(count int) string {
	return fmt.Sprintf(`
resource "css_aiops_task" "t" {
  count               = %d
  cluster_id          = %q
  name                = "budget-${count.index}"
  wait_for_completion = false
}
`, count, testClusterID)
}

// lists counts the list calls the simulator has logged.
func (e *testEnv) lists() int {
	return e.sim.Count("GET", "/ai-ops")
}

// expectBudget fails when the logged requests exceed a budget: exactly posts POSTs and deletes
// DELETEs, and at most maxLists list calls.
func (e *testEnv) expectBudget(posts, deletes, maxLists int) error {
	gotPosts, gotDeletes, gotLists := e.sim.Count("POST", "/ai-ops"), e.sim.Count("DELETE", "/ai-ops/"), e.lists()
	if gotPosts != posts || gotDeletes != deletes || gotLists > maxLists {
		return fmt.Errorf("%d POST, %d DELETE, %d list calls; budget %d POST, %d DELETE, at most %d list calls",
			gotPosts, gotDeletes, gotLists, posts, deletes, maxLists)
	}
	return nil
}

// budgetPlanCheck applies expectBudget inside a plan check, the only hook a plan-only step has.
type budgetPlanCheck struct {
	env                     *testEnv
	posts, deletes, maxList int
}

func (c budgetPlanCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.env.expectBudget(c.posts, c.deletes, c.maxList)
}

func TestAccAiopsTaskBudget_create(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(budgetTasks(1)),
				Check: func(*terraform.State) error {
					return env.expectBudget(1, 0, 2)
				},
			},
		},
	})
}

func TestAccAiopsTaskBudget_destroy(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	cfg := env.config(budgetTasks(1))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: env.sim.ResetRequests,
				Config:    cfg,
				Destroy:   true,
				// NOTE: CheckDestroy runs only when state is left after the last step, and a
				// destroy step's Check adds a refresh and a plan of its own; the plan checks run
				// after plans of an empty state, which send nothing.
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						budgetPlanCheck{env: env, deletes: 1, maxList: 2},
						destroyedPlanCheck{env: env},
					},
				},
			},
		},
	})
}

// destroyedPlanCheck fails when the simulator still holds a task of the cluster.
type destroyedPlanCheck struct{ env *testEnv }

func (c destroyedPlanCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.env.checkDestroyed(nil)
}

// Thirty creates on one cluster are serialised in the provider; each may still cost no more
// than one POST and two list calls. The refresh of the thirty then reads the list once or
// twice, not thirty times.
func TestAccAiopsTaskBudget_thirtyTasks(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	cfg := env.config(budgetTasks(30))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if n := env.sim.Count("DELETE", "/ai-ops/"); n != 30 {
				return fmt.Errorf("%d DELETE requests, want 30", n)
			}
			return env.checkDestroyed(s)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					if n := len(env.sim.Tasks(testClusterID)); n != 30 {
						return fmt.Errorf("%d tasks on the cluster, want 30", n)
					}
					return env.expectBudget(30, 0, 60)
				},
			},
			{
				PreConfig: env.sim.ResetRequests,
				Config:    cfg,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						budgetPlanCheck{env: env, maxList: 2},
						plancheck.ExpectEmptyPlan(),
					},
				},
			},
		},
	})
}

// The wait polls at most 2 s apart during the first minute, so the list call that ends it
// comes within T + 2 s of the POST of a task that runs for T. The times are the simulator's.
func TestAccAiopsTaskBudget_wait(t *testing.T) {
	const runFor = 5 * time.Second
	env := newTestEnv(t, simulator.Options{RunFor: runFor})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.config(minimalTask),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(taskAddr, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
				},
				Check: func(*terraform.State) error {
					var posted, lastList time.Time
					for _, r := range env.sim.Requests() {
						switch {
						case r.Method == "POST" && posted.IsZero():
							posted = r.Time
						case r.Method == "GET" && !posted.IsZero():
							lastList = r.Time
						}
					}
					if posted.IsZero() || lastList.IsZero() {
						return fmt.Errorf("no POST followed by a list call in %d requests", len(env.sim.Requests()))
					}
					after := lastList.Sub(posted)
					if after < runFor || after > runFor+2*time.Second {
						return fmt.Errorf("the list call that saw the task finished came %s after the POST, "+
							"want between %s and %s", after, runFor, runFor+2*time.Second)
					}
					t.Logf("task ran for %s; seen finished %s after the POST", runFor, after)
					return nil
				},
			},
		},
	})
}
