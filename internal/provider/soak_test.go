package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

var soakClusters = []string{
	"11111111-1111-1111-1111-111111111111",
	"22222222-2222-2222-2222-222222222222",
	"33333333-3333-3333-3333-333333333333",
}

// soakFaults are what the simulator injects for the soak test: about one answer in ten is a
// 5xx or a 429, some answers are slow, and each mutation keeps its cluster busy for a while.
func soakFaults(sim *simulator.Server) {
	html := "<html><body>upstream trouble</body></html>"
	for _, f := range []simulator.Fault{
		{Rate: 0.05, Status: 429, Header: map[string]string{"Retry-After": "1"}, Body: throttledBody},
		{Method: "GET", Rate: 0.05, Status: 503, Body: html},
		{Method: "DELETE", Rate: 0.05, Status: 502, Body: html},
		{Method: "DELETE", Rate: 0.03, Status: 504, Body: html, Act: true},
		// A POST that the server carried out, but whose answer was lost.
		{Method: "POST", Rate: 0.03, Status: 502, Body: html, Act: true},
		{Method: "POST", Rate: 0.02, Status: 503, Body: html},
		{Rate: 0.1, Delay: 150 * time.Millisecond},
	} {
		sim.AddFault(f)
	}
}

// TestAccAiopsTask_soak applies and destroys 30 tasks on three clusters, round after round,
// under injected faults; after every step the simulator and the state match one to one.
func TestAccAiopsTask_soak(t *testing.T) {
	const rounds = 3
	env := newTestEnv(t, simulator.Options{MutationBusyFor: 50 * time.Millisecond})
	for _, id := range soakClusters[1:] {
		env.sim.AddCluster(id, simulator.ClusterOptions{})
	}
	soakFaults(env.sim)

	cfg := func(n int) string {
		return env.config(fmt.Sprintf(`
locals {
  clusters = [%q, %q, %q]
}
resource "css_aiops_task" "t" {
  count               = %d
  cluster_id          = local.clusters[count.index %% 3]
  name                = "soak-${count.index}"
  wait_for_completion = false
}
`, soakClusters[0], soakClusters[1], soakClusters[2], n))
	}
	match := func(want int) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			inState := map[string]string{}
			for addr, rs := range s.RootModule().Resources {
				if strings.HasPrefix(addr, "css_aiops_task.t") {
					if other, dup := inState[rs.Primary.ID]; dup {
						return fmt.Errorf("task %s is in state twice: %s and %s", rs.Primary.ID, other, addr)
					}
					inState[rs.Primary.ID] = addr
				}
			}
			onCluster := 0
			for _, cluster := range soakClusters {
				for _, task := range env.sim.Tasks(cluster) {
					onCluster++
					if _, ok := inState[task.ID]; !ok {
						return fmt.Errorf("task %s on cluster %s is orphaned: not in state", task.ID, cluster)
					}
				}
			}
			if onCluster != want || len(inState) != want {
				return fmt.Errorf("%d tasks on the clusters and %d in state, want %d", onCluster, len(inState), want)
			}
			return nil
		}
	}

	var steps []resource.TestStep
	for range rounds {
		steps = append(steps,
			resource.TestStep{Config: cfg(30), Check: match(30)},
			resource.TestStep{Config: cfg(0), Check: match(0)},
		)
	}
	started := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})

	faults := map[int]int{}
	for _, r := range env.sim.Requests() {
		if r.Status >= 400 {
			faults[r.Status]++
		}
	}
	t.Logf("%d rounds of 30 tasks on 3 clusters in %s, %d requests; answers by fault status: %v",
		rounds, time.Since(started).Round(time.Second), len(env.sim.Requests()), faults)
}
