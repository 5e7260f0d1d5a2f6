package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/signer"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun_tlsSignedRequestsAndCleanStop(t *testing.T) {
	dir := t.TempDir()
	urlFile, caFile := filepath.Join(dir, "url"), filepath.Join(dir, "ca.pem")
	project := "0123456789abcdef0123456789abcdef"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-project-id", project,
			"-ak", "AK1", "-sk", "SK1", "-cluster", "c1", "-high-risk", "c2", "-tls",
			"-ca-out", caFile, "-url-out", urlFile}, &stdout, &stderr)
	}()

	url := waitForFile(t, urlFile, done)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("url %q, want https://127.0.0.1:PORT", url)
	}
	if want := "css-simulator listening on " + url + "\n"; stdout.String() != want {
		t.Fatalf("stdout %q, want %q", stdout.String(), want)
	}

	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("the CA file holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}

	body := []byte(`{"name":"from-cmd"}`)
	req, _ := http.NewRequest(http.MethodPost, url+"/v1.0/"+project+"/clusters/c2/ai-ops",
		bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	signer.Sign(req, body, signer.Credentials{AccessKey: "AK1", SecretKey: "SK1"}, time.Now())
	if status, text := call(t, client, req); status != 200 {
		t.Fatalf("signed POST: status %d body %s", status, text)
	}

	req, _ = http.NewRequest(http.MethodGet, url+"/v1.0/"+project+"/clusters/c2/ai-ops", nil)
	signer.Sign(req, nil, signer.Credentials{AccessKey: "AK1", SecretKey: "SK1"}, time.Now())
	status, text := call(t, client, req)
	if status != 200 || !strings.Contains(text, `"name":"from-cmd"`) ||
		!strings.Contains(text, `"high":1`) {
		t.Fatalf("signed GET: status %d body %s, want the task with a high risk", status, text)
	}

	req, _ = http.NewRequest(http.MethodGet, url+"/v1.0/"+project+"/clusters/c1/ai-ops", nil)
	req.Header.Set("X-Auth-Token", "MIIsecret-token-value")
	if status, _ := call(t, client, req); status != 401 {
		t.Fatalf("unsigned GET: status %d, want 401", status)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}

	log := stderr.String()
	if !strings.Contains(log, "POST /v1.0/"+project+"/clusters/c2/ai-ops 200\n") ||
		!strings.Contains(log, "GET /v1.0/"+project+"/clusters/c1/ai-ops 401\n") {
		t.Fatalf("stderr does not log method, path and status:\n%s", log)
	}
	for _, secret := range []string{"SK1", "Signature", "MIIsecret", "SDK-HMAC"} {
		if strings.Contains(log, secret) {
			t.Fatalf("stderr leaks %q:\n%s", secret, log)
		}
	}
}

func TestParseFlags_rejectsBadCombinations(t *testing.T) {
	for _, args := range [][]string{
		{"-ak", "AK"},
		{"-user", "u"},
		{"-shape", "newest"},
		{"-ca-out", "x.pem"},
		{"stray"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

func call(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitForFile waits for run to write the URL file and returns its trimmed content.
func waitForFile(t *testing.T, path string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v", err)
		default:
		}
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no URL file within 10 s")
	return ""
}
