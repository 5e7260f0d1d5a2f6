// Command css-bench measures the css provider under the real Terraform CLI against the CSS API
// simulator, next to the same number of terraform_data resources (the floor: what Terraform
// costs with no provider process and no API at all).
//
//	go run ./cmd/css-bench -provider .build/terraform-provider-css
//
// For 0, 1, 10 and 30 tasks on one cluster and 30 tasks over 3 clusters it runs terraform apply,
// a no-change plan (-detailed-exitcode) and destroy, on both configurations, and prints the
// median wall seconds of each command over the rounds, the ratio ours/floor, and the requests
// the simulator served by method. It then prints the provider binary's size and what it costs
// to serve the schema. It runs offline: the provider comes through dev_overrides, with no
// terraform init, and the simulator runs in this process on 127.0.0.1 with tasks that are
// listed and finished at once.
//
// It asserts nothing about time: it is a measurement, not a test.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

// Credentials and ids of the benchmark's simulator.
const (
	benchProjectID = "00000000000000000000000000000000"
	benchRegion    = "eu-de"
	benchAccessKey = "BENCHACCESSKEY000000"
	benchSecretKey = "BenchSecretKey000000000000000000000000000"
)

// benchClusters are the clusters a scenario spreads its tasks over, in order.
var benchClusters = []string{
	"11111111-1111-1111-1111-111111111111",
	"22222222-2222-2222-2222-222222222222",
	"33333333-3333-3333-3333-333333333333",
}

// scenario is a number of tasks spread round-robin over a number of clusters.
type scenario struct {
	name            string
	tasks, clusters int
}

// The first scenario has no task at all: Terraform still starts and configures the provider, so
// it shows the fixed cost of a provider process, which no provider can avoid.
var scenarios = []scenario{
	{"0 tasks", 0, 1},
	{"1 task", 1, 1},
	{"10 tasks", 10, 1},
	{"30 tasks", 30, 1},
	{"30 tasks, 3 clusters", 30, 3},
}

// command is one Terraform command of a round; okCodes are its successful exit codes.
type command struct {
	name    string
	args    []string
	okCodes []int
}

// NOTE: -detailed-exitcode makes a plan with changes exit 2; a no-change plan must exit 0.
var commands = []command{
	{"apply", []string{"apply", "-auto-approve", "-input=false", "-no-color"}, []int{0}},
	{"plan", []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, []int{0}},
	{"destroy", []string{"destroy", "-auto-approve", "-input=false", "-no-color"}, []int{0}},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "css-bench:", err)
		}
		os.Exit(1)
	}
}

// config holds the parsed command line.
type config struct {
	provider  string
	terraform string
	rounds    int
	workDir   string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("css-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.provider, "provider", ".build/terraform-provider-css", "the built provider binary")
	fs.StringVar(&c.terraform, "terraform", "terraform", "the Terraform CLI")
	fs.IntVar(&c.rounds, "rounds", 3, "rounds of apply, plan and destroy per scenario; the median counts")
	fs.StringVar(&c.workDir, "work-dir", "", "where to write configurations and state (default: a temporary folder)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.rounds < 1 {
		return nil, errors.New("-rounds must be at least 1")
	}
	var err error
	if c.provider, err = filepath.Abs(c.provider); err != nil {
		return nil, err
	}
	if filepath.Base(c.provider) != "terraform-provider-css" {
		return nil, fmt.Errorf("-provider must name a file called terraform-provider-css, not %s", c.provider)
	}
	if c.terraform, err = exec.LookPath(c.terraform); err != nil {
		return nil, fmt.Errorf("finding Terraform: %w", err)
	}
	return c, nil
}

// run benchmarks every scenario and writes the tables to stdout; progress goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	info, err := os.Stat(c.provider)
	if err != nil {
		return fmt.Errorf("the provider binary: %w (make bench builds it)", err)
	}

	work := c.workDir
	if work == "" {
		if work, err = os.MkdirTemp("", "css-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	tfrc := filepath.Join(work, "dev.tfrc")
	if err := writeCLIConfig(tfrc, filepath.Dir(c.provider)); err != nil {
		return err
	}
	tf := &terraform{path: c.terraform, env: terraformEnv(tfrc)}

	sim, url, shutdown, err := startSimulator()
	if err != nil {
		return err
	}
	defer shutdown()

	version, _ := tf.output(ctx, work, "version")
	fmt.Fprintf(stdout, "css-bench: %s, %d CPUs, %d rounds (median), simulator in process at %s\n\n",
		firstLine(version), runtime.NumCPU(), c.rounds, url)

	var rows []row
	for _, sc := range scenarios {
		fmt.Fprintf(stderr, "==> %s\n", sc.name)
		r, err := benchScenario(ctx, tf, sim, url, work, sc, c.rounds, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		rows = append(rows, r...)
	}
	writeTable(stdout, rows)

	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "provider binary: %.1f MB (%s)\n", float64(info.Size())/1e6, c.provider)
	if err := benchSchema(ctx, tf, c.provider, work, url, stdout); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return nil
}

// row is the result of one command of one scenario.
type row struct {
	scenario, command string
	ours, floor       time.Duration
	requests          string
}

// benchScenario runs the rounds of one scenario: each command on our configuration, then on
// the floor's, so that both see the same load of the machine.
func benchScenario(
	ctx context.Context, tf *terraform, sim *simulator.Server, url, work string, sc scenario,
	rounds int, progress io.Writer,
) ([]row, error) {
	oursDir := filepath.Join(work, slug(sc.name), "css")
	floorDir := filepath.Join(work, slug(sc.name), "floor")
	if err := writeFile(filepath.Join(oursDir, "main.tf"), oursConfig(url, sc)); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(floorDir, "main.tf"), floorConfig(sc)); err != nil {
		return nil, err
	}

	ours := make([][]time.Duration, len(commands))
	floor := make([][]time.Duration, len(commands))
	requests := make([]string, len(commands))
	for round := 1; round <= rounds; round++ {
		for i, cmd := range commands {
			sim.ResetRequests()
			d, err := tf.timed(ctx, oursDir, cmd)
			if err != nil {
				return nil, err
			}
			ours[i] = append(ours[i], d)
			requests[i] = countByMethod(sim.Requests())

			if d, err = tf.timed(ctx, floorDir, cmd); err != nil {
				return nil, fmt.Errorf("floor: %w", err)
			}
			floor[i] = append(floor[i], d)
		}
		if left := tasksLeft(sim); left > 0 {
			return nil, fmt.Errorf("%d tasks left on the simulator after destroy", left)
		}
		fmt.Fprintf(progress, "    round %d/%d done\n", round, rounds)
	}

	var rows []row
	for i, cmd := range commands {
		rows = append(rows, row{
			scenario: sc.name, command: cmd.name,
			ours: median(ours[i]), floor: median(floor[i]), requests: requests[i],
		})
	}
	return rows, nil
}

// benchSchema measures `terraform providers schema -json` with a provider wrapped in
// /usr/bin/time, which records the provider process's own peak RSS and lifetime.
func benchSchema(ctx context.Context, tf *terraform, provider, work, url string, out io.Writer) error {
	dir := filepath.Join(work, "schema")
	if err := writeFile(filepath.Join(dir, "main.tf"), oursConfig(url, scenario{tasks: 0, clusters: 1})); err != nil {
		return err
	}
	schemaTF := tf
	timeFile := filepath.Join(work, "schema-provider.time")
	timeBin, timeErr := exec.LookPath("/usr/bin/time")
	if timeErr == nil {
		wrapperDir := filepath.Join(work, "schema-provider")
		wrapper := fmt.Sprintf("#!/bin/sh\nexec %s -f '%%M %%e' -o %s %s \"$@\"\n",
			shellQuote(timeBin), shellQuote(timeFile), shellQuote(provider))
		if err := os.MkdirAll(wrapperDir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(wrapperDir, "terraform-provider-css"), []byte(wrapper), 0o755); err != nil {
			return err
		}
		tfrc := filepath.Join(work, "schema.tfrc")
		if err := writeCLIConfig(tfrc, wrapperDir); err != nil {
			return err
		}
		schemaTF = &terraform{path: tf.path, env: terraformEnv(tfrc)}
	}

	var walls []time.Duration
	var size int
	var rss, life []string
	for range 3 {
		_ = os.Remove(timeFile)
		start := time.Now()
		schema, err := schemaTF.output(ctx, dir, "providers", "schema", "-json")
		if err != nil {
			return err
		}
		walls = append(walls, time.Since(start))
		size = len(schema)
		if b, err := os.ReadFile(timeFile); err == nil {
			if f := strings.Fields(string(b)); len(f) == 2 {
				kb, _ := strconv.Atoi(f[0])
				rss = append(rss, fmt.Sprintf("%.1f", float64(kb)/1024))
				life = append(life, f[1])
			}
		}
	}
	fmt.Fprintf(out, "terraform providers schema -json: %.2f s wall (median of 3), %d bytes of JSON\n",
		median(walls).Seconds(), size)
	if len(rss) > 0 {
		fmt.Fprintf(out, "provider process while serving it (/usr/bin/time on the provider alone): "+
			"peak RSS %s MB, alive %s s\n", strings.Join(rss, " / "), strings.Join(life, " / "))
	} else {
		fmt.Fprintln(out, "provider peak RSS: not measured (no /usr/bin/time, or it wrote nothing)")
	}
	return nil
}

// terraform runs the Terraform CLI with a fixed environment.
type terraform struct {
	path string
	env  []string
}

// timed runs cmd in dir and returns its wall time; a failure carries Terraform's output.
func (t *terraform) timed(ctx context.Context, dir string, cmd command) (time.Duration, error) {
	start := time.Now()
	out, err := t.exec(ctx, dir, cmd.args...)
	d := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) && slices.Contains(cmd.okCodes, exit.ExitCode()) {
		err = nil
	}
	if err != nil {
		if exit != nil && cmd.name == "plan" && exit.ExitCode() == 2 {
			return 0, fmt.Errorf("the plan after apply is not empty:\n%s", out)
		}
		return 0, fmt.Errorf("terraform %s: %w\n%s", cmd.name, err, out)
	}
	return d, nil
}

// output runs Terraform and returns its stdout.
func (t *terraform) output(ctx context.Context, dir string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, t.path, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, t.env, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

func (t *terraform) exec(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, t.path, args...)
	cmd.Dir, cmd.Env = dir, t.env
	return cmd.CombinedOutput()
}

// terraformEnv is the environment without the provider's variables and Terraform logging,
// with the CLI configuration given.
func terraformEnv(tfrc string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OS_") || strings.HasPrefix(name, "HW_") ||
			strings.HasPrefix(name, "TF_LOG") || name == "TF_CLI_CONFIG_FILE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+tfrc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
}

// startSimulator serves a simulator on 127.0.0.1 whose tasks are listed and finished at once.
func startSimulator() (*simulator.Server, string, func(), error) {
	sim := simulator.New(simulator.Options{
		Credentials: map[string]string{benchAccessKey: benchSecretKey},
		ProjectID:   benchProjectID,
		Region:      benchRegion,
	})
	for _, id := range benchClusters {
		sim.AddCluster(id, simulator.ClusterOptions{})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("listening for the simulator: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return sim, "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func tasksLeft(sim *simulator.Server) int {
	n := 0
	for _, id := range benchClusters {
		n += len(sim.Tasks(id))
	}
	return n
}

// oursConfig is sc.tasks css_aiops_task resources spread round-robin over sc.clusters.
func oursConfig(url string, sc scenario) string {
	clusters := make([]string, sc.clusters)
	for i := range clusters {
		clusters[i] = strconv.Quote(benchClusters[i])
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    css = {
      source = "css-tf/css"
    }
  }
}

provider "css" {
  region     = %q
  project_id = %q
  access_key = %q
  secret_key = %q
  endpoints = {
    css = %q
    iam = "%s/v3"
  }
}

locals {
  clusters = [%s]
}

resource "css_aiops_task" "t" {
  count      = %d
  cluster_id = local.clusters[count.index %% length(local.clusters)]
  name       = "bench-${count.index}"
}
`, benchRegion, benchProjectID, benchAccessKey, benchSecretKey, url, url,
		strings.Join(clusters, ", "), sc.tasks)
}

// floorConfig is sc.tasks terraform_data resources: Terraform's own cost for as many resources.
func floorConfig(sc scenario) string {
	return fmt.Sprintf(`resource "terraform_data" "t" {
  count = %d
  input = "bench-${count.index}"
}
`, sc.tasks)
}

func writeCLIConfig(path, providerDir string) error {
	return writeFile(path, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "css-tf/css" = %q
  }
  direct {}
}
`, providerDir))
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// countByMethod summarises requests as "1 POST, 2 GET", in a fixed order of methods.
func countByMethod(reqs []simulator.Request) string {
	counts := map[string]int{}
	for _, r := range reqs {
		counts[r.Method]++
	}
	var parts []string
	for _, m := range []string{"POST", "GET", "DELETE"} {
		if counts[m] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[m], m))
		}
		delete(counts, m)
	}
	for m, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, m))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// writeTable prints the rows as a Markdown table.
func writeTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| scenario | command | css_aiops_task (s) | terraform_data (s) | ratio | requests |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | --- |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.2f | %.2f | %.2f | %s |\n", r.scenario, r.command,
			r.ours.Seconds(), r.floor.Seconds(), r.ours.Seconds()/r.floor.Seconds(), r.requests)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
