package signer

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	vectorURL    = "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"
	vectorSecret = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
)

func vectorRequest(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, vectorURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sdk-Date", "20191115T033655Z")
	return req
}

func TestSignature_publishedVectors(t *testing.T) {
	cases := []struct {
		signed        []string
		canonicalHash string
		signature     string
	}{
		{
			signed:        []string{"content-type", "host", "x-sdk-date"},
			canonicalHash: "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a",
			signature:     "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
		},
		{
			signed:        []string{"host", "x-sdk-date"},
			canonicalHash: "0e84e7853cf87931d965c80e83bffb15aa865326db3a6f57aa2560a7601dfe18",
			signature:     "faafba090046ef84c81ca330e77576d8746733ddfcf0317aaeb59cff50da39a7",
		},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.signed, ";"), func(t *testing.T) {
			req := vectorRequest(t)
			if got := hashHex([]byte(CanonicalRequest(req, nil, tc.signed))); got != tc.canonicalHash {
				t.Errorf("canonical request hash = %s, want %s", got, tc.canonicalHash)
			}
			if got := Signature(req, nil, tc.signed, vectorSecret); got != tc.signature {
				t.Errorf("signature = %s, want %s", got, tc.signature)
			}
		})
	}
}

func TestSign_thenVerify(t *testing.T) {
	body := []byte(`{"name":"nightly-check"}`)
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/v1.0/p/clusters/c/ai-ops?limit=100", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderProjectID, "p")
	cred := Credentials{AccessKey: "AK", SecretKey: "SK", SecurityToken: "TOKEN"}

	Sign(req, body, cred, time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC))

	auth := req.Header.Get(HeaderAuthorization)
	wantPrefix := "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature="
	if !strings.HasPrefix(auth, wantPrefix) {
		t.Fatalf("Authorization = %q, want prefix %q", auth, wantPrefix)
	}
	if got := req.Header.Get(HeaderDate); got != "20261203T180000Z" {
		t.Errorf("X-Sdk-Date = %q", got)
	}

	secrets := func(ak string) (string, bool) { return map[string]string{"AK": "SK"}[ak], ak == "AK" }
	if _, err := Verify(req, body, secrets); err != nil {
		t.Fatalf("Verify of a fresh signature: %v", err)
	}
	if _, err := Verify(req, []byte(`{"name":"other"}`), secrets); err == nil {
		t.Error("Verify accepted a changed body")
	}
	wrong := func(string) (string, bool) { return "other-secret", true }
	if _, err := Verify(req, body, wrong); err == nil {
		t.Error("Verify accepted a wrong secret key")
	}
}

func TestCanonicalURI_escapesAndAppendsSlash(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "http://h/v1.0/a%20b/c~d", nil)
	if got, want := canonicalURI(req), "/v1.0/a%20b/c~d/"; got != want {
		t.Errorf("canonicalURI = %q, want %q", got, want)
	}
	if got := req.URL.Path; got != "/v1.0/a b/c~d" {
		t.Errorf("request path changed to %q", got)
	}
}

func TestCanonicalQuery_sortsKeysThenValues(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "http://h/?b=2&a=z&a=y&c=a%2Fb", nil)
	if got, want := canonicalQuery(req), "a=y&a=z&b=2&c=a%2Fb"; got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
}

func BenchmarkSign(b *testing.B) {
	req, _ := http.NewRequest(http.MethodGet, vectorURL, nil)
	cred := Credentials{AccessKey: "AK", SecretKey: vectorSecret}
	now := time.Now()
	for b.Loop() {
		Sign(req, nil, cred, now)
	}
}
