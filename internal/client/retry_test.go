package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// statusSequence answers the given statuses in order, then 200 with an empty list forever.
func statusSequence(t *testing.T, statuses ...int) *httpFake {
	return newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, n int) {
		if n <= len(statuses) {
			switch statuses[n-1] {
			case 429:
				w.Header().Set("Retry-After", "1")
				writeAPIJSON(w, 429, `{"error_code":"APIGW.0308","error_msg":"request throttled"}`)
			case 409:
				writeAPIJSON(w, 409, `{"errCode":"CSS.0011","externalMessage":"CSS.0011 : busy"}`)
			default:
				writeAPIJSON(w, statuses[n-1], `{"errCode":"CSS.9999","externalMessage":"x"}`)
			}
			return
		}
		writeAPIJSON(w, 200, `{"aiops_list": []}`)
	})
}

// call runs one API call of the given method against the client.
func call(ctx context.Context, c *Client, method string) error {
	switch method {
	case http.MethodGet:
		_, err := c.ListTasks(ctx, tCluster)
		return err
	case http.MethodPost:
		return c.CreateTask(ctx, tCluster, CreateRequest{Name: "n"})
	default:
		return c.DeleteTask(ctx, tCluster, tTask)
	}
}

func TestRetry_throttledHonoursRetryAfter(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			f := statusSequence(t, 429)
			c := mustNewClient(t, clientTestConfig(f.URL))
			if err := call(clientTestContext(t), c, method); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second {
				t.Errorf("retried after %v, want at least the Retry-After of 1s", gap)
			}
		})
	}
}

func TestRetry_throttledForeverNamesTheLast429(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeAPIJSON(w, 429, `{"error_code":"APIGW.0308","error_msg":"request throttled"}`)
	})
	c := mustNewClient(t, clientTestConfig(f.URL)) // MaxRetries 3
	err := call(clientTestContext(t), c, http.MethodPost)
	if !IsThrottled(err) {
		t.Fatalf("err = %v, want a 429", err)
	}
	for _, want := range []string{"429", "APIGW.0308", "request throttled", "after 4 attempts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := len(f.requests()); n != 4 {
		t.Errorf("%d requests, want 4 (1 + MaxRetries)", n)
	}
}

func TestRetry_retryAfterPastTheDeadlineGivesUp(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		w.Header().Set("Retry-After", "10")
		writeAPIJSON(w, 429, `{"error_code":"APIGW.0308","error_msg":"request throttled"}`)
	})
	c := mustNewClient(t, clientTestConfig(f.URL))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	start := time.Now()
	err := call(ctx, c, http.MethodGet)
	if !IsThrottled(err) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the 429 itself", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("gave up after %v, want at once", d)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestRetry_serverErrorsByMethod(t *testing.T) {
	cases := []struct {
		method   string
		status   int
		attempts int
	}{
		{http.MethodGet, 503, 2}, {http.MethodGet, 500, 2}, {http.MethodGet, 502, 2},
		{http.MethodGet, 504, 2}, {http.MethodDelete, 503, 2}, {http.MethodDelete, 500, 2},
		{http.MethodPost, 503, 1}, {http.MethodPost, 500, 1}, {http.MethodPost, 502, 1},
		{http.MethodGet, 501, 1},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+http.StatusText(tc.status), func(t *testing.T) {
			f := statusSequence(t, tc.status)
			c := mustNewClient(t, clientTestConfig(f.URL))
			err := call(clientTestContext(t), c, tc.method)
			if n := len(f.requests()); n != tc.attempts {
				t.Errorf("%d requests, want %d", n, tc.attempts)
			}
			if tc.attempts == 1 &&
				(!IsAmbiguous(err) || !strings.Contains(err.Error(), "CSS.9999")) {
				t.Errorf("err = %v, want the ambiguous %d", err, tc.status)
			}
			if tc.attempts == 2 && err != nil {
				t.Errorf("err = %v, want success after a retry", err)
			}
		})
	}
}

func TestRetry_clientErrorsNeverRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 412} {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			f := statusSequence(t, status)
			c := mustNewClient(t, clientTestConfig(f.URL))
			err := call(clientTestContext(t), c, method)
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != status {
				t.Errorf("%s %d: err = %v", method, status, err)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%s %d: %d requests, want 1", method, status, n)
			}
		}
	}
}

func TestRetry_maxRetriesBound(t *testing.T) {
	for _, retries := range []int{0, 1, 4} {
		f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
			writeAPIJSON(w, 503, `{"error_code":"SYS.0503","error_msg":"unavailable"}`)
		})
		cfg := clientTestConfig(f.URL)
		cfg.MaxRetries = retries
		err := call(clientTestContext(t), mustNewClient(t, cfg), http.MethodGet)
		var e *APIError
		if !errors.As(err, &e) || e.StatusCode != 503 {
			t.Errorf("MaxRetries %d: err = %v, want the 503", retries, err)
		}
		if n := len(f.requests()); n != retries+1 {
			t.Errorf("MaxRetries %d: %d requests, want %d", retries, n, retries+1)
		}
	}
}

func TestRetry_neverWaitsPastTheDeadline(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeAPIJSON(w, 503, `{"error_code":"SYS.0503","error_msg":"unavailable"}`)
	})
	cfg := clientTestConfig(f.URL)
	cfg.RetryWaitMin, cfg.RetryWaitMax, cfg.MaxRetries = 400*time.Millisecond, time.Second, 10
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()

	start := time.Now()
	err := call(ctx, mustNewClient(t, cfg), http.MethodGet)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("took %v, past the deadline", d)
	}
	if !IsAmbiguous(err) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the last 503", err)
	}
	if n := len(f.requests()); n < 2 || n > 4 {
		t.Errorf("%d requests, want 2 to 4 within the deadline", n)
	}
}

func TestRetry_canceledWhileWaiting(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeAPIJSON(w, 503, `{"error_code":"SYS.0503","error_msg":"unavailable"}`)
	})
	cfg := clientTestConfig(f.URL)
	cfg.RetryWaitMin, cfg.RetryWaitMax = 5*time.Second, 10*time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)

	err := call(ctx, mustNewClient(t, cfg), http.MethodGet)
	if !errors.Is(err, context.Canceled) || !IsAmbiguous(err) {
		t.Errorf("err = %v, want the 503 and the cancellation", err)
	}
}

// freePort returns a loopback address nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestRetry_connectionRefusedPostIsRetried(t *testing.T) {
	addr := freePort(t)
	var (
		once   sync.Once
		posted = make(chan struct{}, 10)
		srv    *http.Server
	)
	start := func() {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listen again on %s: %v", addr, err)
			return
		}
		srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			posted <- struct{}{}
			w.WriteHeader(200)
		})}
		go func() { _ = srv.Serve(l) }()
	}
	t.Cleanup(func() {
		if srv != nil {
			_ = srv.Close()
		}
	})

	cfg := clientTestConfig("http://" + addr)
	// The server comes up once the first attempt has been refused.
	cfg.Log = func(_ context.Context, msg string, fields map[string]any) {
		if msg == "API call" && fields["attempt"] == 1 {
			once.Do(start)
		}
	}
	if err := call(clientTestContext(t), mustNewClient(t, cfg), http.MethodPost); err != nil {
		t.Fatalf("POST after a refused connection: %v", err)
	}
	if n := len(posted); n != 1 {
		t.Errorf("%d POSTs reached the server, want 1", n)
	}
}

func TestRetry_connectionRefusedForever(t *testing.T) {
	cfg := clientTestConfig("http://" + freePort(t))
	err := call(clientTestContext(t), mustNewClient(t, cfg), http.MethodPost)
	var re *RequestError
	if !errors.As(err, &re) || re.Sent {
		t.Fatalf("err = %v, want a RequestError with Sent false", err)
	}
	if IsAmbiguous(err) || IsGone(err) {
		t.Error("a refused connection counts as ambiguous or gone")
	}
	if !strings.Contains(err.Error(), "after 4 attempts") ||
		!strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v, want 4 attempts and the refusal named", err)
	}
}

func TestRetry_droppedConnection(t *testing.T) {
	for _, tc := range []struct {
		method   string
		attempts int
	}{{http.MethodPost, 1}, {http.MethodDelete, 2}, {http.MethodGet, 2}} {
		t.Run(tc.method, func(t *testing.T) {
			f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, n int) {
				if n == 1 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						_ = conn.Close() // the request was read, no answer comes
					}
					return
				}
				writeAPIJSON(w, 200, `{"aiops_list": []}`)
			})
			err := call(clientTestContext(t), mustNewClient(t, clientTestConfig(f.URL)), tc.method)
			if n := len(f.requests()); n != tc.attempts {
				t.Errorf("%d requests, want %d", n, tc.attempts)
			}
			if tc.attempts == 1 {
				var re *RequestError
				if !errors.As(err, &re) || !re.Sent || !IsAmbiguous(err) {
					t.Errorf("err = %v, want an ambiguous RequestError", err)
				}
			} else if err != nil {
				t.Errorf("err = %v, want success after a retry", err)
			}
		})
	}
}

func TestRetry_logsOneLinePerAttempt(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, n int) {
		w.Header().Set("X-Request-Id", "req-"+string(rune('0'+n)))
		if n == 1 {
			writeAPIJSON(w, 503, `{}`)
			return
		}
		writeAPIJSON(w, 200, `{"aiops_list": []}`)
	})
	logs := &logRecorder{}
	cfg := clientTestConfig(f.URL)
	cfg.Log = logs.log
	if err := call(clientTestContext(t), mustNewClient(t, cfg), http.MethodGet); err != nil {
		t.Fatal(err)
	}

	var attempts []logEntry
	for _, l := range logs.all() {
		if l.Msg == "API call" {
			attempts = append(attempts, l)
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempt lines, want 2", len(attempts))
	}
	for i, l := range attempts {
		wantStatus := []int{503, 200}[i]
		if l.Fields["method"] != "GET" || l.Fields["path"] != tTasksPath ||
			l.Fields["status"] != wantStatus || l.Fields["attempt"] != i+1 ||
			l.Fields["request_id"] != "req-"+string(rune('1'+i)) {
			t.Errorf("line %d: %v", i, l.Fields)
		}
		if _, ok := l.Fields["duration_ms"].(int64); !ok {
			t.Errorf("line %d: duration_ms missing", i)
		}
	}
	assertNoSecrets(t, logs, tSK, "limit=", "SDK-HMAC", "Signature=")
}

func TestBackoff_bounds(t *testing.T) {
	c := mustNewClient(t, Config{
		CSSEndpoint: "https://css.example.com", Region: "eu-de", ProjectID: tProject,
		AccessKey: tAK, SecretKey: tSK,
	})
	if c.waitMin != DefaultRetryWaitMin || c.waitMax != DefaultRetryWaitMax ||
		c.maxRetries != 0 {
		t.Errorf("defaults: min %v max %v retries %d", c.waitMin, c.waitMax, c.maxRetries)
	}
	for n := range 40 {
		hi := min(DefaultRetryWaitMax, DefaultRetryWaitMin<<min(n, 20))
		lo := hi / 2
		for range 20 {
			if d := c.backoff(n); d < lo || d > hi {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, lo, hi)
			}
		}
	}

	neg := mustNewClient(t, Config{
		CSSEndpoint: "https://css.example.com", Region: "eu-de", ProjectID: tProject,
		AccessKey: tAK, SecretKey: tSK, MaxRetries: -1,
	})
	if neg.maxRetries != DefaultMaxRetries {
		t.Errorf("MaxRetries -1 gives %d retries, want %d", neg.maxRetries, DefaultMaxRetries)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true}, {" 0 ", 0, true},
		{"Wed, 01 Jan 2025 00:00:03 GMT", 3 * time.Second, true},
		{"Tue, 31 Dec 2024 23:59:00 GMT", 0, true},
		{"", 0, false}, {"-1", 0, false}, {"soon", 0, false}, {"1.5", 0, false},
		{"99999999999", maxRetryAfter + time.Second, true},
	}
	for _, tc := range cases {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRedactHeaders_hidesEveryCredential(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc")
	h.Set("X-Auth-Token", "token-value")
	h.Set("X-Security-Token", "security-value")
	h.Set("X-Sdk-Date", "20261203T180000Z")

	got := redactHeaders(h)
	for _, secret := range []string{"Signature=abc", "token-value", "security-value"} {
		for name, v := range got {
			if strings.Contains(v, secret) {
				t.Errorf("header %s logged as %q, holding %q", name, v, secret)
			}
		}
	}
	if got["X-Sdk-Date"] != "20261203T180000Z" {
		t.Errorf("X-Sdk-Date = %q, want it kept", got["X-Sdk-Date"])
	}
}

func TestRetry_httpsToAPlainServerIsNotRetried(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeAPIJSON(w, 200, `{"total_size":0,"aiops_list":[]}`)
	})
	cfg := clientTestConfig(strings.Replace(f.URL, "http://", "https://", 1))
	cfg.MaxRetries = 5

	start := time.Now()
	err := call(clientTestContext(t), mustNewClient(t, cfg), http.MethodGet)
	if !errors.Is(err, http.ErrSchemeMismatch) {
		t.Fatalf("err = %v, want the scheme mismatch", err)
	}
	if strings.Contains(err.Error(), "attempts") || time.Since(start) > time.Second {
		t.Errorf("a scheme mismatch was retried: %v after %s", err, time.Since(start))
	}
}
