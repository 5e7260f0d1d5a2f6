package simulator_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

const throttled = `{"error_code":"APIGW.0308","error_msg":"request throttled"}`

func TestFault_timesAndRetryAfter(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{
		Method: http.MethodGet, Path: "/ai-ops", Times: 2, Status: 429, Body: throttled,
		Header: map[string]string{"Retry-After": "2"},
	})

	for i := 0; i < 2; i++ {
		r := f.do(http.MethodGet, tasksPath(testCluster), "")
		wantError(t, r, http.StatusTooManyRequests, "APIGW.0308")
		if r.body != throttled || r.header.Get("Retry-After") != "2" {
			t.Fatalf("fault answer %d: body %s Retry-After %q", i, r.body, r.header.Get("Retry-After"))
		}
	}
	if r := f.do(http.MethodGet, tasksPath(testCluster), ""); r.status != 200 {
		t.Fatalf("third GET: status %d, want 200 once Times is used up", r.status)
	}
	f.create("not-a-get") // the method does not match

	got := []int{}
	for _, req := range f.sim.Requests() {
		got = append(got, req.Status)
	}
	if len(got) != 4 || got[0] != 429 || got[1] != 429 || got[2] != 200 || got[3] != 200 {
		t.Fatalf("logged statuses %v, want [429 429 200 200]", got)
	}
}

func TestFault_skipThenForever(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{Method: http.MethodDelete, Skip: 1, Status: 409,
		Body: `{"errCode":"CSS.0011","externalMessage":"CSS.0011 : busy"}`})
	first := f.sim.AddTask(testCluster, "first", "")
	second := f.sim.AddTask(testCluster, "second", "")

	if r := f.do(http.MethodDelete, tasksPath(testCluster)+"/"+first, ""); r.status != 200 {
		t.Fatalf("skipped DELETE: status %d", r.status)
	}
	for i := 0; i < 3; i++ {
		wantError(t, f.do(http.MethodDelete, tasksPath(testCluster)+"/"+second, ""),
			http.StatusConflict, "CSS.0011")
	}
	if len(f.sim.Tasks(testCluster)) != 1 {
		t.Fatal("a faulted DELETE (without Act) deleted the task")
	}

	f.sim.ClearFaults()
	if r := f.do(http.MethodDelete, tasksPath(testCluster)+"/"+second, ""); r.status != 200 {
		t.Fatalf("DELETE after ClearFaults: status %d", r.status)
	}
}

func TestFault_orderAndSkipFallsThrough(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{Path: "/ai-ops", Skip: 1, Times: 1, Status: 500})
	f.sim.AddFault(simulator.Fault{Path: "/ai-ops", Times: 1, Status: 503})

	var got []int
	for i := 0; i < 3; i++ {
		got = append(got, f.do(http.MethodGet, tasksPath(testCluster), "").status)
	}
	if got[0] != 503 || got[1] != 500 || got[2] != 200 {
		t.Fatalf("statuses %v, want [503 500 200]", got)
	}
}

func TestFault_htmlBody(t *testing.T) {
	f := newFixture(t, nil)
	html := "<html><body>" + strings.Repeat("x", 5000) + "</body></html>"
	f.sim.AddFault(simulator.Fault{Method: http.MethodPost, Times: 1, Status: 500, Body: html})

	r := f.do(http.MethodPost, tasksPath(testCluster), `{"name":"abcd"}`)
	if r.status != 500 || r.body != html || !strings.HasPrefix(r.header.Get("Content-Type"),
		"text/html") {
		t.Fatalf("status %d content type %q body length %d", r.status,
			r.header.Get("Content-Type"), len(r.body))
	}
	if len(f.sim.Tasks(testCluster)) != 0 {
		t.Fatal("a faulted POST without Act created a task")
	}
}

func TestFault_actCreatesThenFails(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{Method: http.MethodPost, Times: 1, Act: true, Status: 504,
		Body: `{"error_code":"APIGW.0201","error_msg":"backend timeout"}`})

	r := f.do(http.MethodPost, tasksPath(testCluster), `{"name":"ambiguous"}`)
	wantError(t, r, http.StatusGatewayTimeout, "APIGW.0201")
	tasks := f.sim.Tasks(testCluster)
	if len(tasks) != 1 || tasks[0].Name != "ambiguous" {
		t.Fatalf("Tasks %v, want the task created despite the 504", tasks)
	}
}

func TestFault_dropWithAct(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{Method: http.MethodPost, Times: 1, Drop: true, Act: true})

	_, err := f.send(http.MethodPost, tasksPath(testCluster), `{"name":"dropped"}`, true, nil)
	if err == nil {
		t.Fatal("a dropped connection gave an answer")
	}
	if len(f.sim.Tasks(testCluster)) != 1 {
		t.Fatal("Drop with Act did not create the task")
	}
	log := f.sim.Requests()
	if len(log) != 1 || log[0].Status != 0 || log[0].Method != http.MethodPost {
		t.Fatalf("log %v, want one POST with status 0", log)
	}

	f.sim.AddFault(simulator.Fault{Method: http.MethodGet, Times: 1, Drop: true})
	if _, err := f.send(http.MethodGet, tasksPath(testCluster), "", true, nil); err == nil {
		t.Fatal("a dropped GET gave an answer")
	}
	if r := f.do(http.MethodGet, tasksPath(testCluster), ""); r.status != 200 {
		t.Fatalf("GET after the drop: status %d", r.status)
	}
}

func TestFault_delayPassesThrough(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{Method: http.MethodGet, Times: 1, Delay: 150 * time.Millisecond,
		Header: map[string]string{"X-Simulated": "slow"}})

	start := time.Now()
	r := f.do(http.MethodGet, tasksPath(testCluster), "")
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Fatalf("answer after %s, want at least 150ms", elapsed)
	}
	if r.status != 200 || !strings.Contains(r.body, `"total_size":0`) ||
		r.header.Get("X-Simulated") != "slow" {
		t.Fatalf("delayed pass-through: status %d body %s header %q", r.status, r.body,
			r.header.Get("X-Simulated"))
	}
}

func TestRequestLog(t *testing.T) {
	f := newFixture(t, nil)
	f.login(scopeByID)
	f.create("logged")
	f.do(http.MethodGet, tasksPath(testCluster)+"?limit=100", "")

	log := f.sim.Requests()
	if len(log) != 3 {
		t.Fatalf("%d log entries, want 3", len(log))
	}
	if log[0].Path != "/v3/auth/tokens" || log[0].Status != http.StatusCreated {
		t.Fatalf("first entry %s %d, want the IAM login with 201", log[0].Path, log[0].Status)
	}
	if log[1].Method != http.MethodPost || string(log[1].Body) != `{"name":"logged"}` ||
		log[1].Header.Get("X-Sdk-Date") == "" || log[1].Header.Get("Host") == "" {
		t.Fatalf("POST entry %s %q, want body and signing headers", log[1].Method, log[1].Body)
	}
	if log[2].RawQuery != "limit=100" || !log[2].Time.Equal(f.clock.Now()) {
		t.Fatalf("GET entry query %q time %s", log[2].RawQuery, log[2].Time)
	}

	log[1].Header.Set("Host", "changed")
	log[1].Body[0] = 'X'
	if again := f.sim.Requests(); again[1].Header.Get("Host") == "changed" ||
		again[1].Body[0] == 'X' {
		t.Fatal("Requests returned shared memory, not copies")
	}

	if n := f.sim.Count(http.MethodPost, "/ai-ops"); n != 1 {
		t.Fatalf("Count(POST, /ai-ops) = %d, want 1", n)
	}
	if n := f.sim.Count("", ""); n != 3 {
		t.Fatalf("Count(any) = %d, want 3", n)
	}
	if n := f.sim.Count("get", "/clusters/"); n != 1 {
		t.Fatalf("Count(get, /clusters/) = %d, want 1", n)
	}
	f.sim.ResetRequests()
	if n := len(f.sim.Requests()); n != 0 {
		t.Fatalf("%d entries after ResetRequests", n)
	}
}

func TestOnRequest(t *testing.T) {
	got := make(chan simulator.Request, 1)
	sim := simulator.New(simulator.Options{OnRequest: func(r simulator.Request) { got <- r }})
	srv := newServer(t, sim)

	resp, err := srv.Client().Get(srv.URL + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case r := <-got:
		if r.Path != "/nowhere" || r.Status != 404 {
			t.Fatalf("OnRequest got %s %d, want /nowhere 404", r.Path, r.Status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnRequest was not called")
	}
}

func TestNewTestCA(t *testing.T) {
	caPEM, cfg, err := simulator.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(simulator.Options{})
	srv := httptest.NewUnstartedServer(sim)
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("the CA PEM does not parse")
	}
	trusting := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	resp, err := trusting.Get(srv.URL + "/v3/projects")
	if err != nil {
		t.Fatalf("HTTPS with the test CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}

	plain := &http.Client{Transport: &http.Transport{}}
	if _, err := plain.Get(srv.URL + "/v3/projects"); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("HTTPS without the CA: err %v, want a certificate error", err)
	}

	localhost := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	resp, err = trusting.Get(localhost + "/v3/projects")
	if err != nil {
		t.Fatalf("HTTPS to localhost with the test CA: %v", err)
	}
	resp.Body.Close()
}

func TestFault_rateAppliesToAShareOfRequests(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddFault(simulator.Fault{Method: http.MethodGet, Rate: 0.5, Status: 503, Body: "<html>busy</html>"})

	const n = 400
	faulted := 0
	for range n {
		if r := f.do(http.MethodGet, tasksPath(testCluster), ""); r.status == 503 {
			faulted++
		}
	}
	// With p = 0.5 over 400 requests, fewer than 120 or more than 280 is practically impossible.
	if faulted < 120 || faulted > 280 {
		t.Errorf("%d of %d requests faulted at rate 0.5", faulted, n)
	}
}
