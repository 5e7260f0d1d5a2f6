package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

// The tests here apply the files of examples/ as they are, against the simulator, so that the
// examples cannot rot.

const examplesDir = "../../examples"

// NOTE: a configuration directory with a provider block needs the provider factories on each
// step, not on the test case.

// exampleEnv starts a simulator for a runnable example, whose provider block takes its
// credentials and region from the environment and its endpoint and project from variables.
func exampleEnv(t *testing.T, opts simulator.Options) *testEnv {
	t.Helper()
	env := newTestEnv(t, opts)
	t.Setenv("OS_ACCESS_KEY", testAccessKey)
	t.Setenv("OS_SECRET_KEY", testSecretKey)
	t.Setenv("OS_REGION_NAME", testRegion)
	// NOTE: the examples name the provider css-tf/css, not hashicorp/css.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "css-tf")
	return env
}

// oneCluster sets the cluster_id variable of the pipeline gate.
var oneCluster = config.Variables{"cluster_id": config.StringVariable(testClusterID)}

// variables are the example's variables for the simulator, with extra ones added.
func (e *testEnv) variables(extra config.Variables) config.Variables {
	vars := config.Variables{
		"css_endpoint": config.StringVariable(e.url),
		"project_id":   config.StringVariable(testProjectID),
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// The pipeline gate fails the apply with the postcondition's message when the detection finds
// a high risk.
func TestAccExamplePipelineGate_highRiskFailsApply(t *testing.T) {
	env := exampleEnv(t, simulator.Options{})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Risks: risks()})

	resource.Test(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.StaticDirectory(filepath.Join(examplesDir, "pipeline-gate")),
				ConfigVariables:          env.variables(oneCluster),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` +
					`found\s+1\s+high\s+risk\(s\)\s+on\s+cluster\s+` + testClusterID +
					`:\s+disk\s+usage\s+\(add\s+nodes\)`),
			},
		},
	})
}

// The pipeline gate fails the apply when the detection itself fails.
func TestAccExamplePipelineGate_failedDetectionFailsApply(t *testing.T) {
	env := exampleEnv(t, simulator.Options{})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Fail: true})

	resource.Test(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.StaticDirectory(filepath.Join(examplesDir, "pipeline-gate")),
				ConfigVariables:          env.variables(oneCluster),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*did\s+not\s+complete:\s+its\s+` +
					`status\s+is\s+failed\s+\(code\s+300\)`),
			},
		},
	})
}

// Without high risks the pipeline gate applies. Its check blocks fail on medium risks and on an
// earlier failed detection made outside Terraform, and that only warns: the apply succeeds.
func TestAccExamplePipelineGate_checksOnlyWarn(t *testing.T) {
	env := exampleEnv(t, simulator.Options{})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Risks: []simulator.Risk{
		{Type: "replicas", Level: "medium", Description: "indices without replicas", Suggestion: "add replicas"},
	}})
	failed := env.sim.AddTask(testClusterID, "console-check", "")
	env.sim.SetTaskStatus(testClusterID, failed, simulator.StatusFailed)
	dir := config.StaticDirectory(filepath.Join(examplesDir, "pipeline-gate"))
	const gate = "css_aiops_task.gate"
	summary := tfjsonpath.New("summary")
	var firstID string

	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          dir,
				ConfigVariables:          env.variables(oneCluster),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAt(gate, summary.AtMapKey("high"), num(0)),
					expectAt(gate, summary.AtMapKey("medium"), num(1)),
					expectCheck{addr: gate, status: "pass"},
					expectCheck{addr: "check.medium_risks", status: "fail"},
					expectCheck{addr: "check.earlier_detections", status: "fail"},
				},
				// NOTE: Terraform plans to read a data source of a check block again in every
				// apply, so the plan after the apply is not empty; it changes no resource.
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(gate, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("terraform_data.run", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("data.css_aiops_tasks.failed", plancheck.ResourceActionRead),
					},
				},
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[gate].Primary.ID
					return nil
				},
			},
			{
				// A new run id runs a new detection.
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          dir,
				ConfigVariables: env.variables(config.Variables{
					"cluster_id": config.StringVariable(testClusterID),
					"run_id":     config.StringVariable("2"),
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAt(gate, tfjsonpath.New("id"), knownvalue.StringFunc(func(id string) error {
						if id == firstID {
							return fmt.Errorf("run 2 kept the task %s of run 1", id)
						}
						return nil
					})),
				},
				ExpectNonEmptyPlan: true,
				Check:              env.expectCount("POST", "/ai-ops", 2),
			},
		},
	})
	if tasks := env.sim.Tasks(testClusterID); len(tasks) != 1 || tasks[0].ID != failed {
		t.Errorf("tasks left after destroy: %v, want only the one made outside Terraform", tasks)
	}
}

// The multi-cluster example runs one detection on each cluster of a map.
func TestAccExampleMultiCluster_forEach(t *testing.T) {
	env := exampleEnv(t, simulator.Options{})
	clusters := map[string]string{
		"search": testClusterID,
		"logs":   "33333333-3333-3333-3333-333333333333",
		"audit":  "44444444-4444-4444-4444-444444444444",
	}
	env.sim.AddCluster(clusters["logs"], simulator.ClusterOptions{Risks: risks()})
	env.sim.AddCluster(clusters["audit"], simulator.ClusterOptions{Shape: simulator.ShapeNew})
	vars := config.Variables{}
	for name, id := range clusters {
		vars[name] = config.StringVariable(id)
	}

	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("high_risks", knownvalue.MapExact(fields{
			"search": num(0), "logs": num(1), "audit": num(0),
		})),
		statecheck.ExpectKnownOutputValue("clusters_at_risk", knownvalue.ListExact([]knownvalue.Check{
			str("logs"),
		})),
		expectInstanceValue{`css_aiops_task.cluster["audit"]`, "trigger_type", "manual"},
		expectInstanceValue{`css_aiops_task.cluster["search"]`, "trigger_type", nil},
		expectInstanceValue{`css_aiops_task.cluster["logs"]`, "cluster_id", clusters["logs"]},
		simulatorCheck(func() error {
			for name, id := range clusters {
				tasks := env.sim.Tasks(id)
				if len(tasks) != 1 || tasks[0].Name != "detection-"+name {
					return fmt.Errorf("cluster %s (%s) holds %v, want one task detection-%s", name, id, tasks, name)
				}
			}
			return nil
		}),
	}

	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.StaticDirectory(filepath.Join(examplesDir, "multi-cluster")),
				ConfigVariables:          env.variables(config.Variables{"clusters": config.MapVariable(vars)}),
				ConfigStateChecks:        checks,
			},
			{
				// NOTE: the legacy state given to Check and CheckDestroy, and read before the
				// destroy at the end of the test, cannot hold for_each instances; this step
				// destroys them first, and the simulator is checked afterwards.
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.StaticDirectory(filepath.Join(examplesDir, "multi-cluster")),
				ConfigVariables:          env.variables(config.Variables{"clusters": config.MapVariable(vars)}),
				Destroy:                  true,
			},
		},
	})
	for name, id := range clusters {
		if n := len(env.sim.Tasks(id)); n > 0 {
			t.Errorf("%d task(s) left on cluster %s (%s) after destroy", n, name, id)
		}
	}
}

// The data source example, with a provider block for the simulator, lists the tasks.
func TestAccExampleDataSource(t *testing.T) {
	env := newTestEnv(t, simulator.Options{})
	env.sim.SetClusterOptions(testClusterID, simulator.ClusterOptions{Risks: risks()})
	env.sim.AddTask(testClusterID, "nightly-check", "")
	running := env.sim.AddTask(testClusterID, "nightly-check", "")
	env.sim.SetTaskStatus(testClusterID, running, simulator.StatusRunning)
	clean := env.sim.AddTask(testClusterID, "other-check", "")
	env.sim.SetTaskSummary(testClusterID, clean, 0, 2, 0)

	example, err := os.ReadFile(filepath.Join(examplesDir, "data-sources", "css_aiops_tasks", "data-source.tf"))
	if err != nil {
		t.Fatal(err)
	}
	ids := func() []knownvalue.Check {
		var checks []knownvalue.Check
		for _, task := range env.sim.Tasks(testClusterID) {
			if task.ID != clean && task.ID != running {
				checks = append(checks, str(task.ID))
			}
		}
		return checks
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(string(example)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("latest_nightly_high_risks", num(1)),
					statecheck.ExpectKnownOutputValue("tasks_with_high_risks", knownvalue.ListExact(ids())),
					expectAt("data.css_aiops_tasks.nightly", tasksAttr, knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}

// expectInstanceValue checks a top-level attribute of one resource instance in state by its full
// address, which may carry a for_each key (statecheck.ExpectKnownValue does not support those).
type expectInstanceValue struct {
	addr, attr string
	want       any
}

func (e expectInstanceValue) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state to find %s in", e.addr)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == e.addr {
			if got := r.AttributeValues[e.attr]; got != e.want {
				resp.Error = fmt.Errorf("%s.%s = %v, want %v", e.addr, e.attr, got, e.want)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s not in state", e.addr)
}

// simulatorCheck is a state check that runs f, for assertions on the simulator.
type simulatorCheck func() error

func (f simulatorCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}
