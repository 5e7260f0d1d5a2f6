package client

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/signer"
)

func TestNew_validates(t *testing.T) {
	caDir := t.TempDir()
	notPEM := filepath.Join(caDir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := clientTestConfig("https://css.example.com")
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"empty CSS endpoint", func(c *Config) { c.CSSEndpoint = "" }, "CSS endpoint"},
		{"CSS endpoint without scheme", func(c *Config) { c.CSSEndpoint = "css.example.com" },
			"CSS endpoint"},
		{"CSS endpoint with user info",
			func(c *Config) { c.CSSEndpoint = "https://u:hunter2@css.example.com" }, "user info"},
		{"bad IAM endpoint", func(c *Config) { c.IAMEndpoint = "ftp://iam" }, "IAM endpoint"},
		{"access key without secret", func(c *Config) { c.SecretKey = "" }, "secret key"},
		{"no credentials", func(c *Config) { c.AccessKey, c.SecretKey = "", "" }, "credentials"},
		{"password without domain", func(c *Config) {
			c.AccessKey, c.SecretKey, c.UserName, c.Password = "", "", "u", "p"
		}, "credentials"},
		{"no region nor project", func(c *Config) { c.Region, c.ProjectID = "", "" }, "region"},
		{"no IAM endpoint for discovery", func(c *Config) {
			c.IAMEndpoint, c.ProjectID = "", ""
		}, "IAM endpoint"},
		{"unreadable CA file", func(c *Config) { c.CAFile = filepath.Join(caDir, "missing") },
			"CA file"},
		{"CA file without PEM", func(c *Config) { c.CAFile = notPEM }, "no PEM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mutate(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error about %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows a password: %v", err)
			}
		})
	}

	ok := base
	ok.IAMEndpoint = "" // AK/SK with a project id needs no IAM
	if _, err := New(ok); err != nil {
		t.Errorf("New without IAM endpoint: %v", err)
	}
}

func TestClient_pathsWithAndWithoutTrailingSlash(t *testing.T) {
	for _, suffix := range []string{"", "/", "/prefix", "/prefix/"} {
		t.Run("base"+suffix, func(t *testing.T) {
			f := newHTTPFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
				writeAPIJSON(w, 200, `{"total_size": 0, "aiops_list": []}`)
			})
			c := mustNewClient(t, clientTestConfig(f.URL+suffix))
			ctx := clientTestContext(t)
			if _, err := c.ListTasks(ctx, tCluster); err != nil {
				t.Fatal(err)
			}
			if err := c.CreateTask(ctx, tCluster, CreateRequest{Name: "n"}); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteTask(ctx, tCluster, tTask); err != nil {
				t.Fatal(err)
			}

			prefix := strings.TrimRight(suffix, "/")
			want := []string{
				"GET " + prefix + tTasksPath + "?limit=100",
				"POST " + prefix + tTasksPath + "?",
				"DELETE " + prefix + tTasksPath + "/" + tTask + "?",
			}
			reqs := f.requests()
			if len(reqs) != len(want) {
				t.Fatalf("%d requests, want %d", len(reqs), len(want))
			}
			for i, r := range reqs {
				got := r.Method + " " + r.RawPath + "?" + r.Query
				if got != want[i] {
					t.Errorf("request %d = %q, want %q", i, got, want[i])
				}
				if strings.Contains(r.RawPath, "//") {
					t.Errorf("path %q has //", r.RawPath)
				}
			}
		})
	}
}

func TestClient_escapesPathSegments(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		w.WriteHeader(200)
	})
	c := mustNewClient(t, clientTestConfig(f.URL))
	if err := c.DeleteTask(clientTestContext(t), "a/b c", "t?x#y"); err != nil {
		t.Fatal(err)
	}
	want := "/v1.0/" + tProject + "/clusters/a%2Fb%20c/ai-ops/t%3Fx%23y"
	if got := f.requests()[0].RawPath; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestClient_emptyIDsSendNothing(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		w.WriteHeader(200)
	})
	cfg := clientTestConfig(f.URL)
	c := mustNewClient(t, cfg)
	ctx := clientTestContext(t)

	if _, err := c.ListTasks(ctx, ""); err == nil {
		t.Error("ListTasks with an empty cluster id succeeded")
	}
	if err := c.CreateTask(ctx, " ", CreateRequest{Name: "n"}); err == nil {
		t.Error("CreateTask with a blank cluster id succeeded")
	}
	if err := c.DeleteTask(ctx, tCluster, ""); err == nil {
		t.Error("DeleteTask with an empty task id succeeded")
	}
	if err := c.DeleteTask(ctx, "", tTask); err == nil {
		t.Error("DeleteTask with an empty cluster id succeeded")
	}
	if err := c.DeleteTask(ctx, tCluster, ".."); err == nil {
		t.Error("DeleteTask with task id .. succeeded")
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestClient_headersAndSignature(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, n int) {
		if n == 1 && r.Method == http.MethodDelete {
			w.WriteHeader(503) // the retry must be signed afresh
			return
		}
		w.WriteHeader(200)
	})
	cfg := clientTestConfig(f.URL)
	cfg.SecurityToken = "temporary-token"
	c := mustNewClient(t, cfg)
	var clock atomic.Int64
	clock.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	c.now = func() time.Time { return time.Unix(clock.Add(1), 0) }
	ctx := clientTestContext(t)

	if err := c.DeleteTask(ctx, tCluster, tTask); err != nil {
		t.Fatal(err)
	}
	req := CreateRequest{Name: "nightly", Description: "d", Alarm: &Alarm{"high", "topic"}}
	if err := c.CreateTask(ctx, tCluster, req); err != nil {
		t.Fatal(err)
	}

	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if got := r.Header.Get("User-Agent"); got != cfg.UserAgent {
			t.Errorf("request %d: User-Agent %q", i, got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("request %d: Content-Type %q", i, got)
		}
		if got := r.Header.Get("X-Project-Id"); got != tProject {
			t.Errorf("request %d: X-Project-Id %q", i, got)
		}
		if got := r.Header.Get("X-Security-Token"); got != "temporary-token" {
			t.Errorf("request %d: X-Security-Token %q", i, got)
		}
		auth := r.Header.Get("Authorization")
		for _, name := range []string{"content-type", "host", "x-project-id", "x-sdk-date",
			"x-security-token"} {
			if !strings.Contains(auth, name) {
				t.Errorf("request %d: %s is not signed: %s", i, name, auth)
			}
		}

		hr := &http.Request{
			Method: r.Method, Header: r.Header, Host: strings.TrimPrefix(f.URL, "http://"),
			URL: &url.URL{Path: r.Path, RawPath: r.RawPath, RawQuery: r.Query},
		}
		ak, err := signer.Verify(hr, r.Body, func(ak string) (string, bool) {
			return tSK, ak == tAK
		})
		if err != nil || ak != tAK {
			t.Errorf("request %d (%s): signature does not verify: %v", i, r.Method, err)
		}
	}
	if d0, d1 := reqs[0].Header.Get("X-Sdk-Date"), reqs[1].Header.Get("X-Sdk-Date"); d0 == d1 {
		t.Errorf("the retry was not signed afresh: X-Sdk-Date %s twice", d0)
	}
	if body := string(reqs[2].Body); body != `{"name":"nightly","description":"d",`+
		`"alarm":{"level":"high","smn_topic":"topic"}}` {
		t.Errorf("create body = %s", body)
	}
}

func TestClient_proxyFromEnvironmentAtNew(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://proxy.example:3128")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("NO_PROXY", "")
	t.Setenv("https_proxy", "")
	t.Setenv("http_proxy", "")
	t.Setenv("no_proxy", "")
	c := mustNewClient(t, Config{
		CSSEndpoint: "https://css.example.com", Region: "eu-de", ProjectID: tProject,
		AccessKey: tAK, SecretKey: tSK,
	})
	t.Setenv("HTTPS_PROXY", "http://other.example:1")

	proxyOf := func(c *Client, target string) string {
		t.Helper()
		u, err := c.http.Transport.(*http.Transport).Proxy(httptest.NewRequest("GET", target, nil))
		if err != nil {
			t.Fatal(err)
		}
		if u == nil {
			return ""
		}
		return u.String()
	}
	if got := proxyOf(c, "https://css.example.com/v1.0"); got != "http://proxy.example:3128" {
		t.Errorf("proxy = %q, want the one set when the client was made", got)
	}
	// NOTE: Go never proxies loopback hosts, whatever the environment says.
	if got := proxyOf(c, "https://127.0.0.1:8443/v1.0"); got != "" {
		t.Errorf("proxy for loopback = %q, want none", got)
	}

	t.Setenv("NO_PROXY", ".example.com")
	c2 := mustNewClient(t, Config{
		CSSEndpoint: "https://css.example.com", Region: "eu-de", ProjectID: tProject,
		AccessKey: tAK, SecretKey: tSK,
	})
	if got := proxyOf(c2, "https://css.example.com/v1.0"); got != "" {
		t.Errorf("proxy with NO_PROXY = %q, want none", got)
	}
}

func TestClient_tls(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		writeAPIJSON(w, 200, `{"aiops_list": []}`)
	}))
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := clientTestConfig(srv.URL)
	ctx := clientTestContext(t)

	_, err := mustNewClient(t, cfg).ListTasks(ctx, tCluster)
	var re *RequestError
	if err == nil || !errors.As(err, &re) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v, want a certificate error", err)
	}
	if strings.Contains(err.Error(), "after") {
		t.Errorf("a certificate error was retried: %v", err)
	}

	cfg.CAFile = caFile
	if _, err := mustNewClient(t, cfg).ListTasks(ctx, tCluster); err != nil {
		t.Errorf("with the CA file: %v", err)
	}

	cfg.CAFile, cfg.Insecure = "", true
	if _, err := mustNewClient(t, cfg).ListTasks(ctx, tCluster); err != nil {
		t.Errorf("insecure: %v", err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests reached the server, want 2", n)
	}
}
