package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

// cliRun is a real Terraform CLI run against the provider binary built from this module, for
// what terraform-plugin-testing cannot do, such as sending an interrupt.
type cliRun struct {
	t   *testing.T
	dir string
	env []string
}

// newCLIRun builds the provider, writes a dev_overrides CLI configuration and the given
// configuration into a temporary folder.
func newCLIRun(t *testing.T, config string) *cliRun {
	t.Helper()
	terraformPath, err := exec.LookPath("terraform")
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		terraformPath, err = p, nil
	}
	if err != nil {
		t.Skip("no terraform on PATH")
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-css"),
		"github.com/css-tf/terraform-provider-css")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}

	dir := t.TempDir()
	rc := filepath.Join(dir, "dev.tfrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "css-tf/css" = %q
  }
  direct {}
}
`, bin))
	writeFile(t, filepath.Join(dir, "main.tf"), `terraform {
  required_providers {
    css = {
      source = "css-tf/css"
    }
  }
}
`+config)

	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "OS_") && !strings.HasPrefix(kv, "HW_") {
			env = append(env, kv)
		}
	}
	return &cliRun{t: t, dir: dir, env: append(env, "PATH="+filepath.Dir(terraformPath)+":"+os.Getenv("PATH"))}
}

func (c *cliRun) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "terraform", args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	return cmd
}

// stateInstance returns the task's instance from `terraform show -json`, or nil.
func (c *cliRun) stateInstance() map[string]any {
	c.t.Helper()
	out, err := c.command(c.t.Context(), "show", "-json").Output()
	if err != nil {
		c.t.Fatalf("terraform show: %v", err)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []map[string]any `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &state); err != nil {
		c.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r["address"] == taskAddr {
			return r
		}
	}
	return nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// interruptApply starts `terraform apply`, sends one SIGINT when ready() says so, and returns
// the output and how long Terraform took to exit after the interrupt.
func (c *cliRun) interruptApply(ready func() bool) (string, time.Duration) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := c.command(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	for !ready() {
		if ctx.Err() != nil {
			c.t.Fatalf("never ready to interrupt; output so far:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		c.t.Fatal(err)
	}
	_ = cmd.Wait()
	return out.String(), time.Since(interrupted)
}

func interruptEnv(t *testing.T, opts simulator.Options) (*simulator.Server, *cliRun) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make test sets it)")
	}
	opts.Credentials = map[string]string{testAccessKey: testSecretKey}
	opts.ProjectID = testProjectID
	sim := simulator.New(opts)
	sim.AddCluster(testClusterID, simulator.ClusterOptions{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)

	run := newCLIRun(t, fmt.Sprintf(`
provider "css" {
  region     = %q
  project_id = %q
  access_key = %q
  secret_key = %q
  endpoints = {
    css = %q
  }
}
`, testRegion, testProjectID, testAccessKey, testSecretKey, srv.URL)+minimalTask)
	return sim, run
}

// S15: an interrupt after the task appeared leaves it in state, tainted, after one POST.
func TestAccAiopsTask_interruptedCreate(t *testing.T) {
	sim, run := interruptEnv(t, simulator.Options{VisibleAfter: 2 * time.Second, RunFor: 5 * time.Minute})

	out, took := run.interruptApply(func() bool {
		tasks := sim.Tasks(testClusterID)
		if len(tasks) == 0 || !tasks[0].Visible {
			return false
		}
		// The provider has seen it once a list answered after it became visible.
		for _, r := range sim.Requests() {
			if r.Method == "GET" && r.Status == 200 && r.Time.After(tasks[0].CreateTime.Add(2*time.Second)) {
				return true
			}
		}
		return false
	})
	t.Logf("terraform exited %s after the interrupt", took.Round(time.Millisecond))
	if took > time.Minute {
		t.Errorf("terraform took %s to exit after the interrupt\n%s", took, out)
	}

	inst := run.stateInstance()
	if inst == nil {
		t.Fatalf("the task is not in state after the interrupt\n%s", out)
	}
	if inst["tainted"] != true {
		t.Errorf("the task in state is not tainted: %v", inst)
	}
	if n := sim.Count("POST", "/ai-ops"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}

	plan, _ := run.command(t.Context(), "plan", "-no-color", "-input=false").CombinedOutput()
	if !strings.Contains(string(plan), "must be replaced") || !strings.Contains(string(plan), "1 to add, 0 to change, 1 to destroy") {
		t.Errorf("the next plan does not replace the task:\n%s", plan)
	}
}

// S15: an interrupt before the task is visible: the provider still finds it, briefly.
func TestAccAiopsTask_interruptedBeforeVisible(t *testing.T) {
	sim, run := interruptEnv(t, simulator.Options{VisibleAfter: 4 * time.Second, RunFor: 5 * time.Minute})

	out, took := run.interruptApply(func() bool { return sim.Count("POST", "/ai-ops") > 0 })
	t.Logf("terraform exited %s after the interrupt", took.Round(time.Millisecond))

	inst := run.stateInstance()
	if inst == nil || inst["tainted"] != true {
		t.Fatalf("the task is not in state, tainted: %v\n%s", inst, out)
	}
	tasks := sim.Tasks(testClusterID)
	if len(tasks) != 1 || inst["values"].(map[string]any)["id"] != tasks[0].ID {
		t.Errorf("state %v does not hold the one task of the cluster %v", inst["values"], tasks)
	}
}

// S15: when the task never shows, the error names the cluster and the task and shows the
// import command.
func TestAccAiopsTask_interruptedNeverVisible(t *testing.T) {
	sim, run := interruptEnv(t, simulator.Options{VisibleAfter: time.Hour})

	out, took := run.interruptApply(func() bool { return sim.Count("POST", "/ai-ops") > 0 })
	t.Logf("terraform exited %s after the interrupt", took.Round(time.Millisecond))

	if inst := run.stateInstance(); inst != nil {
		t.Errorf("a task that was never found is in state: %v", inst)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{testClusterID, `"aiops-test"`, "may exist", "terraform import"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
}
