package simulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/signer"
	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

const (
	testProject = "00000000000000000000000000000000"
	testCluster = "11111111-1111-1111-1111-111111111111"
	testAK      = "TESTACCESSKEY"
	testSK      = "test-secret-key"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a simulator behind an httptest server, with a signed client.
type fixture struct {
	t     *testing.T
	sim   *simulator.Server
	srv   *httptest.Server
	clock *fakeClock
	cred  signer.Credentials
}

// newFixture starts a simulator with one old-shape cluster testCluster, AK/SK credentials, one
// IAM user and a fake clock starting at 2025-01-01T00:00:00.123Z.
func newFixture(t *testing.T, mutate func(*simulator.Options)) *fixture {
	t.Helper()
	clock := &fakeClock{now: time.UnixMilli(1735689600123).UTC()}
	opts := simulator.Options{
		Credentials: map[string]string{testAK: testSK},
		Users:       []simulator.User{{Name: "alice", Password: "pw", Domain: "dom"}},
		ProjectID:   testProject,
		Region:      "eu-de",
		Now:         clock.Now,
	}
	if mutate != nil {
		mutate(&opts)
	}
	sim := simulator.New(opts)
	sim.AddCluster(testCluster, simulator.ClusterOptions{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &fixture{
		t: t, sim: sim, srv: srv, clock: clock,
		cred: signer.Credentials{AccessKey: testAK, SecretKey: testSK},
	}
}

// result is one answer.
type result struct {
	status int
	header http.Header
	body   string
}

// send makes a request; prepare may change it before it is signed, sign=false leaves it
// unsigned.
func (f *fixture) send(method, path, body string, sign bool,
	prepare func(*http.Request),
) (result, error) {
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		return result{}, fmt.Errorf("building request: %w", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	if sign {
		signer.Sign(req, []byte(body), f.cred, time.Now())
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		return result{}, fmt.Errorf("sending request: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, fmt.Errorf("reading body: %w", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

// do makes a signed request and fails the test on a transport error.
func (f *fixture) do(method, path, body string) result {
	f.t.Helper()
	r, err := f.send(method, path, body, true, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func tasksPath(cluster string) string {
	return "/v1.0/" + testProject + "/clusters/" + cluster + "/ai-ops"
}

// create POSTs a task with the given name and fails unless it answers 200 with no body.
func (f *fixture) create(name string) {
	f.t.Helper()
	r := f.do(http.MethodPost, tasksPath(testCluster), `{"name":"`+name+`"}`)
	if r.status != http.StatusOK || r.body != "" {
		f.t.Fatalf("create %s: status %d body %q, want 200 and empty", name, r.status, r.body)
	}
}

// listPage is the decoded list answer.
type listPage struct {
	TotalSize int               `json:"total_size"`
	List      []json.RawMessage `json:"aiops_list"`
}

// list GETs the task list with the given query and decodes it.
func (f *fixture) list(query string) listPage {
	f.t.Helper()
	r := f.do(http.MethodGet, tasksPath(testCluster)+query, "")
	if r.status != http.StatusOK {
		f.t.Fatalf("list%s: status %d body %s", query, r.status, r.body)
	}
	var page listPage
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		f.t.Fatalf("list%s: decoding %q: %v", query, r.body, err)
	}
	return page
}

// names returns the names of the items of a page.
func names(t *testing.T, page listPage) []string {
	t.Helper()
	var out []string
	for _, raw := range page.List {
		var item struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &item); err != nil {
			t.Fatalf("decoding item %s: %v", raw, err)
		}
		out = append(out, item.Name)
	}
	return out
}

// wantError checks an answer's status and CSS error code.
func wantError(t *testing.T, r result, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	var body struct {
		ErrCode         string `json:"errCode"`
		ExternalMessage string `json:"externalMessage"`
		ErrorCode       string `json:"error_code"`
		ErrorMsg        string `json:"error_msg"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", r.body, err)
	}
	got := body.ErrCode + body.ErrorCode
	if got != code {
		t.Fatalf("code %q, want %q (body %s)", got, code, r.body)
	}
	if body.ErrCode != "" && !strings.HasPrefix(body.ExternalMessage, code+" : ") {
		t.Fatalf("externalMessage %q does not start with %q", body.ExternalMessage, code+" : ")
	}
}
