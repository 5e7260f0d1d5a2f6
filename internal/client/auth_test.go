package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/signer"
)

const discoveredProject = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"

// iamFake answers IAM token requests with tokens tok-1, tok-2, ... and CSS list calls that carry
// a token that accept says is good.
type iamFake struct {
	*httpFake
	fetches  atomic.Int32
	lifetime time.Duration
	accept   func(token string) bool
	scopes   []string
	mu       sync.Mutex
}

func newIAMFake(t *testing.T, accept func(string) bool) *iamFake {
	fk := &iamFake{lifetime: 24 * time.Hour, accept: accept}
	fk.httpFake = newHTTPFake(t, func(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
			var req tokenRequest
			if err := json.Unmarshal(body, &req); err != nil ||
				req.Auth.Identity.Password.User.Password != tPass {
				writeAPIJSON(w, 401, `{"error":{"code":401,"message":"The request you have made`+
					` requires authentication.","title":"Unauthorized"}}`)
				return
			}
			fk.mu.Lock()
			fk.scopes = append(fk.scopes, "id="+req.Auth.Scope.Project.ID+
				",name="+req.Auth.Scope.Project.Name)
			fk.mu.Unlock()
			time.Sleep(20 * time.Millisecond) // let concurrent callers pile up
			n := fk.fetches.Add(1)
			w.Header().Set("X-Subject-Token", fmt.Sprintf("tok-%d", n))
			writeAPIJSON(w, 201, fmt.Sprintf(`{"token": {"expires_at": %q, "project": `+
				`{"id": %q, "name": "eu-de"}}}`,
				time.Now().Add(fk.lifetime).UTC().Format("2006-01-02T15:04:05.000000Z"),
				discoveredProject))
		case !fk.accept(r.Header.Get("X-Auth-Token")):
			writeAPIJSON(w, 401, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM `+
				`authentication information"}`)
		default:
			writeAPIJSON(w, 200, `{"total_size": 1, "aiops_list": [{"id": "a"}]}`)
		}
	})
	return fk
}

func (fk *iamFake) scopesSeen() []string {
	fk.mu.Lock()
	defer fk.mu.Unlock()
	return append([]string(nil), fk.scopes...)
}

func tokenConfig(base string) Config {
	cfg := clientTestConfig(base)
	cfg.AccessKey, cfg.SecretKey = "", ""
	cfg.UserName, cfg.Password, cfg.DomainName = "user", tPass, "domain"
	cfg.ProjectID = ""
	return cfg
}

func runConcurrently(n int, fn func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errs
}

func TestToken_fetchedOnceForConcurrentCalls(t *testing.T) {
	fk := newIAMFake(t, func(tok string) bool { return tok == "tok-1" })
	logs := &logRecorder{}
	cfg := tokenConfig(fk.URL)
	cfg.Log = logs.log
	c := mustNewClient(t, cfg)
	ctx := clientTestContext(t)

	errs := runConcurrently(20, func() error {
		_, err := c.ListTasks(ctx, tCluster)
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fk.fetches.Load(); n != 1 {
		t.Errorf("%d token fetches, want 1", n)
	}
	if got := fk.scopesSeen(); len(got) != 1 || got[0] != "id=,name=eu-de" {
		t.Errorf("token scopes = %v, want the project named after the region", got)
	}
	want := "/v1.0/" + discoveredProject + "/clusters/" + tCluster + "/ai-ops"
	if got := fk.count(http.MethodGet, want); got != 20 {
		t.Errorf("%d list calls to %s, want 20", got, want)
	}
	for _, r := range fk.requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") &&
			r.Header.Get("X-Project-Id") != discoveredProject {
			t.Errorf("X-Project-Id = %q", r.Header.Get("X-Project-Id"))
		}
		if r.Header.Get("Authorization") != "" {
			t.Error("a token call carries an Authorization header")
		}
	}
	assertNoSecrets(t, logs, "tok-1", tPass)
}

func TestToken_scopedByConfiguredProjectID(t *testing.T) {
	fk := newIAMFake(t, func(string) bool { return true })
	cfg := tokenConfig(fk.URL)
	cfg.ProjectID = tProject
	c := mustNewClient(t, cfg)
	if _, err := c.ListTasks(clientTestContext(t), tCluster); err != nil {
		t.Fatal(err)
	}
	if got := fk.scopesSeen(); len(got) != 1 || got[0] != "id="+tProject+",name=" {
		t.Errorf("token scopes = %v, want the configured project id", got)
	}
	if got := fk.count(http.MethodGet, tTasksPath); got != 1 {
		t.Errorf("%d calls to the configured project's path, want 1", got)
	}
}

func TestToken_refetchedOnceAfter401(t *testing.T) {
	// tok-1 is revoked on the server: every call with it gets a 401.
	fk := newIAMFake(t, func(tok string) bool { return tok == "tok-2" })
	c := mustNewClient(t, tokenConfig(fk.URL))
	ctx := clientTestContext(t)
	if _, err := c.ProjectID(ctx); err != nil { // fetches tok-1
		t.Fatal(err)
	}

	errs := runConcurrently(8, func() error {
		_, err := c.ListTasks(ctx, tCluster)
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fk.fetches.Load(); n != 2 {
		t.Errorf("%d token fetches, want 2", n)
	}
}

func TestToken_second401IsReturned(t *testing.T) {
	fk := newIAMFake(t, func(string) bool { return false })
	c := mustNewClient(t, tokenConfig(fk.URL))
	_, err := c.ListTasks(clientTestContext(t), tCluster)
	var e *APIError
	if !errors.As(err, &e) || e.StatusCode != 401 || e.Code != "APIGW.0301" {
		t.Fatalf("err = %v, want the 401 APIGW.0301", err)
	}
	if n := fk.fetches.Load(); n != 2 {
		t.Errorf("%d token fetches, want 2 (one more after the first 401, no loop)", n)
	}
	if got := fk.count(http.MethodGet, "/ai-ops"); got != 2 {
		t.Errorf("%d list calls, want 2", got)
	}
}

func TestToken_refreshedNearExpiry(t *testing.T) {
	fk := newIAMFake(t, func(string) bool { return true })
	// A short-lived token is due for refresh half way through its life, here after 1 s;
	// TestRefreshTime checks the 5-minute margin of a long-lived one.
	fk.lifetime = 2 * time.Second
	c := mustNewClient(t, tokenConfig(fk.URL))
	ctx := clientTestContext(t)

	list := func() {
		t.Helper()
		if _, err := c.ListTasks(ctx, tCluster); err != nil {
			t.Fatal(err)
		}
	}
	list()
	list()
	if n := fk.fetches.Load(); n != 1 {
		t.Errorf("%d token fetches before the refresh time, want 1", n)
	}
	time.Sleep(1200 * time.Millisecond)
	list()
	if n := fk.fetches.Load(); n != 2 {
		t.Errorf("%d token fetches after the refresh time, want 2", n)
	}
}

func TestRefreshTime(t *testing.T) {
	now := time.Now()
	if got := refreshTime(now, now.Add(24*time.Hour)); !got.Equal(now.Add(24*time.Hour -
		tokenRefreshMargin)) {
		t.Errorf("a day-long token is refreshed at %v, want 5 minutes before expiry", got.Sub(now))
	}
	if got := refreshTime(now, now.Add(4*time.Minute)); !got.Equal(now.Add(2 * time.Minute)) {
		t.Errorf("a 4-minute token is refreshed at %v, want half way", got.Sub(now))
	}
}

func TestToken_authenticationFailed(t *testing.T) {
	fk := newIAMFake(t, func(string) bool { return true })
	cfg := tokenConfig(fk.URL)
	cfg.Password = "wrong-" + tPass
	logs := &logRecorder{}
	cfg.Log = logs.log
	c := mustNewClient(t, cfg)

	_, err := c.ListTasks(clientTestContext(t), tCluster)
	var e *APIError
	if !errors.As(err, &e) || e.StatusCode != 401 {
		t.Fatalf("err = %v, want a 401 APIError", err)
	}
	msg := err.Error()
	for _, want := range []string{"authentication failed", "POST /v3/auth/tokens", "401",
		"requires authentication"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, tPass) {
		t.Errorf("the error shows the password: %s", msg)
	}
	if IsGone(err) || IsAmbiguous(err) {
		t.Error("an authentication failure counts as gone or ambiguous")
	}
	if got := fk.count(http.MethodPost, "/auth/tokens"); got != 1 {
		t.Errorf("%d token requests, want 1 (a 401 is not retried)", got)
	}
	assertNoSecrets(t, logs, tPass)
}

func TestProjectID_discoveredWithAKSK(t *testing.T) {
	var lookups atomic.Int32
	f := newHTTPFake(t, func(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
		hr := r.Clone(r.Context())
		if _, err := signer.Verify(hr, body, func(ak string) (string, bool) {
			return tSK, ak == tAK
		}); err != nil {
			writeAPIJSON(w, 401, `{"error_code":"APIGW.0301","error_msg":"bad signature"}`)
			return
		}
		if r.URL.Path == "/v3/projects" {
			lookups.Add(1)
			if r.URL.Query().Get("name") != "eu-de" {
				writeAPIJSON(w, 200, `{"projects": []}`)
				return
			}
			time.Sleep(20 * time.Millisecond)
			writeAPIJSON(w, 200, `{"projects": [{"id": "`+discoveredProject+`", "name": "eu-de"},`+
				` {"id": "other", "name": "eu-de_sub"}]}`)
			return
		}
		writeAPIJSON(w, 200, `{"aiops_list": []}`)
	})
	cfg := clientTestConfig(f.URL + "/") // trailing slash: IAM stays at {base}/v3
	cfg.ProjectID = ""
	cfg.IAMEndpoint = f.URL + "/v3/"
	c := mustNewClient(t, cfg)
	ctx := clientTestContext(t)

	errs := runConcurrently(10, func() error {
		_, err := c.ListTasks(ctx, tCluster)
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := lookups.Load(); n != 1 {
		t.Errorf("%d project lookups, want 1", n)
	}
	want := "/v1.0/" + discoveredProject + "/clusters/" + tCluster + "/ai-ops"
	if got := f.count(http.MethodGet, want); got != 10 {
		t.Errorf("%d list calls to %s, want 10", got, want)
	}
	for _, r := range f.requests() {
		if strings.Contains(r.RawPath, "//") {
			t.Errorf("path %q has //", r.RawPath)
		}
	}
	if id, err := c.ProjectID(ctx); err != nil || id != discoveredProject {
		t.Errorf("ProjectID = %q, %v", id, err)
	}

	cfg.Region = "eu-nl"
	_, err := mustNewClient(t, cfg).ProjectID(ctx)
	if err == nil || !strings.Contains(err.Error(), `"eu-nl"`) {
		t.Errorf("unknown region: %v, want an error naming it", err)
	}
}

// assertNoSecrets fails when a log line holds any of the secrets.
func assertNoSecrets(t *testing.T, logs *logRecorder, secrets ...string) {
	t.Helper()
	lines := logs.all()
	if len(lines) == 0 {
		t.Error("nothing was logged")
	}
	for _, l := range lines {
		text := l.Msg
		for k, v := range l.Fields {
			text += fmt.Sprintf(" %s=%v", k, v)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("log line %q holds a secret", text)
			}
		}
	}
}
