package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Placeholders of the fault scenarios.
const (
	tProject = "00000000000000000000000000000000"
	tCluster = "11111111-1111-1111-1111-111111111111"
	tTask    = "aaaaaaaa-0000-0000-0000-000000000001"
	tAK      = "TESTACCESSKEY"
	tSK      = "TESTSECRETKEYVALUE"
	tPass    = "s3cret-Passw0rd"
)

// seenRequest is one request as the fake API received it.
type seenRequest struct {
	Method, Path, RawPath, Query string
	Header                       http.Header
	Body                         []byte
	At                           time.Time
}

// httpFake is an httptest server that records every request and answers through handle.
type httpFake struct {
	*httptest.Server

	mu     sync.Mutex
	reqs   []seenRequest
	handle func(w http.ResponseWriter, r *http.Request, body []byte, n int)
}

func newHTTPFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte,
	n int)) *httpFake {
	t.Helper()
	f := &httpFake{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *httpFake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, seenRequest{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, At: time.Now(),
	})
	n := len(f.reqs)
	f.mu.Unlock()
	f.handle(w, r, body, n)
}

func (f *httpFake) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.reqs...)
}

// count returns how many requests had the given method and a path with the given suffix.
func (f *httpFake) count(method, pathSuffix string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Method == method && strings.HasSuffix(r.Path, pathSuffix) {
			n++
		}
	}
	return n
}

// logRecorder collects the lines given to the Log hook.
type logRecorder struct {
	mu    sync.Mutex
	lines []logEntry
}

type logEntry struct {
	Msg    string
	Fields map[string]any
}

func (l *logRecorder) log(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logEntry{Msg: msg, Fields: fields})
}

func (l *logRecorder) all() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.lines...)
}

// clientTestConfig is an AK/SK configuration against base with short retry waits.
func clientTestConfig(base string) Config {
	return Config{
		CSSEndpoint:  base,
		IAMEndpoint:  base + "/v3",
		Region:       "eu-de",
		ProjectID:    tProject,
		AccessKey:    tAK,
		SecretKey:    tSK,
		MaxRetries:   3,
		RetryWaitMin: 5 * time.Millisecond,
		RetryWaitMax: 20 * time.Millisecond,
		UserAgent:    "terraform-provider-css/test",
	}
}

func mustNewClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeAPIJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func clientTestContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// tTasksPath is the escaped list path of the test cluster.
const tTasksPath = "/v1.0/" + tProject + "/clusters/" + tCluster + "/ai-ops"
