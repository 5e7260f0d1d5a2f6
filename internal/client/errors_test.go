package client

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

func TestAPIError_parsesBothForms(t *testing.T) {
	cases := []struct {
		name, body         string
		wantCode, wantMsg  string
		wantBody, wantText string
	}{
		{
			name: "CSS form",
			body: `{"errCode":"CSS.0001",` +
				`"externalMessage":"CSS.0001 : invalid parameter: name"}`,
			wantCode: "CSS.0001", wantMsg: "CSS.0001 : invalid parameter: name",
			wantText: "POST /p: 400 CSS.0001: CSS.0001 : invalid parameter: name",
		},
		{
			name:     "gateway form",
			body:     `{"error_code":"APIGW.0308","error_msg":"request throttled"}`,
			wantCode: "APIGW.0308", wantMsg: "request throttled",
			wantText: "POST /p: 400 APIGW.0308: request throttled",
		},
		{
			name: "IAM form",
			body: `{"error":{"code":401,` +
				`"message":"The request you have made requires auth","title":"Unauthorized"}}`,
			wantMsg:  "The request you have made requires auth",
			wantText: "POST /p: 400: The request you have made requires auth",
		},
		{
			name: "empty body", body: "",
			wantText: "POST /p: 400 Bad Request",
		},
		{
			name: "JSON without code or message", body: `{"foo": "bar"}`,
			wantBody: `{"foo": "bar"}`, wantText: `POST /p: 400: {"foo": "bar"}`,
		},
		{
			name: "plain text", body: "upstream\n  timed out",
			wantBody: "upstream timed out", wantText: "POST /p: 400: upstream timed out",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIError("POST", "/p", 400, http.Header{}, []byte(tc.body))
			if e.Code != tc.wantCode || e.Message != tc.wantMsg || e.Body != tc.wantBody {
				t.Errorf("code %q message %q body %q; want %q %q %q", e.Code, e.Message, e.Body,
					tc.wantCode, tc.wantMsg, tc.wantBody)
			}
			if e.Error() != tc.wantText {
				t.Errorf("Error() = %q, want %q", e.Error(), tc.wantText)
			}
		})
	}
}

func TestAPIError_messageFormat(t *testing.T) {
	e := &APIError{
		Method: "DELETE", Path: "/v1.0/p/clusters/c/ai-ops/t", StatusCode: 409,
		Code: "CSS.0011", Message: "CSS.0011 : another operation is in progress",
	}
	want := "DELETE /v1.0/p/clusters/c/ai-ops/t: 409 CSS.0011: CSS.0011 : another operation is " +
		"in progress"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	e.RequestID = "req-1"
	if !strings.HasSuffix(e.Error(), " (request id req-1)") {
		t.Errorf("Error() = %q, want the request id at the end", e.Error())
	}
	if strings.HasPrefix(strings.ToLower(e.Error()), "error") {
		t.Errorf("Error() starts with error: %q", e.Error())
	}
}

func TestAPIError_requestIDFromHeader(t *testing.T) {
	h := http.Header{}
	h.Set("X-Request-Id", "abc123")
	if e := newAPIError("GET", "/p", 500, h, nil); e.RequestID != "abc123" {
		t.Errorf("request id = %q, want abc123", e.RequestID)
	}
}

func TestAPIError_htmlBodyShortened(t *testing.T) {
	html := "<html><body>" + strings.Repeat("<p>Internal Server Error</p>\n", 200) +
		"</body></html>"
	for len(html) < 5120 {
		html += " "
	}
	html = html[:5120]
	e := newAPIError("POST", "/p", 500, http.Header{}, []byte(html))
	if e.Code != "" || e.Message != "" {
		t.Errorf("code %q message %q from HTML", e.Code, e.Message)
	}
	if len(e.Body) > maxErrorBody+32 {
		t.Errorf("body is %d bytes, want about %d at most", len(e.Body), maxErrorBody)
	}
	if !strings.HasSuffix(e.Body, "… (5120 bytes)") {
		t.Errorf("body does not end with the size marker: ...%q", e.Body[len(e.Body)-40:])
	}
	if !strings.HasPrefix(e.Error(), "POST /p: 500: <html><body><p>Internal Server Error") {
		t.Errorf("Error() = %.80q...", e.Error())
	}
}

func TestShorten_keepsValidUTF8(t *testing.T) {
	s := shorten([]byte(strings.Repeat("é", 2000) + "\xff"))
	if !strings.HasSuffix(s, "… (4001 bytes)") || strings.ContainsRune(s[:len(s)-20], '\uFFFD') {
		t.Errorf("shorten cut badly: ...%q", s[len(s)-30:])
	}
	if got := shorten([]byte("  short\t body ")); got != "short body" {
		t.Errorf("shorten = %q, want %q", got, "short body")
	}
}

type goneMarker struct{}

func (goneMarker) Error() string { return "not in the list" }
func (goneMarker) Gone() bool    { return true }

// errClass is what the Is functions say of an error.
type errClass struct{ gone, busy, pre, throttled, ambiguous, client bool }

func (c errClass) String() string {
	var names []string
	for name, on := range map[string]bool{
		"gone": c.gone, "busy": c.busy, "precondition": c.pre, "throttled": c.throttled,
		"ambiguous": c.ambiguous, "client": c.client,
	} {
		if on {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return "[" + strings.Join(names, " ") + "]"
}

func TestClassification(t *testing.T) {
	api := func(status int, code string) error {
		return &APIError{Method: "DELETE", Path: "/x", StatusCode: status, Code: code}
	}
	cases := []struct {
		name string
		err  error
		want errClass
	}{
		{"404", api(404, ""), errClass{gone: true}},
		{"404 with code", api(404, "CSS.0004"), errClass{gone: true}},
		{"403 CSS.0015", api(403, "CSS.0015"), errClass{gone: true}},
		{"400 CSS.0082", api(400, "CSS.0082"), errClass{gone: true}},
		{"400 CSS.0001", api(400, "CSS.0001"), errClass{client: true}},
		{"403 APIGW.0301", api(403, "APIGW.0301"), errClass{client: true}},
		{"401", api(401, "APIGW.0301"), errClass{client: true}},
		{"409 CSS.0011", api(409, "CSS.0011"), errClass{busy: true}},
		{"409 without code", api(409, ""), errClass{busy: true}},
		{"409 CSS.0031", api(409, "CSS.0031"), errClass{client: true}},
		{"409 CSS.0029", api(409, "CSS.0029"), errClass{client: true}},
		{"412", api(412, "CSS.0013"), errClass{pre: true}},
		{"429", api(429, "APIGW.0308"), errClass{throttled: true}},
		{"500", api(500, ""), errClass{ambiguous: true}},
		{"503", api(503, ""), errClass{ambiguous: true}},
		{"wrapped 404", fmt.Errorf("deleting: %w (after 3 attempts)", api(404, "")),
			errClass{gone: true}},
		{"decode error", &DecodeError{StatusCode: 200, Err: errors.New("bad")}, errClass{}},
		{"request sent", &RequestError{Sent: true, Err: errors.New("EOF")},
			errClass{ambiguous: true}},
		{"request not sent", &RequestError{Err: errors.New("connection refused")}, errClass{}},
		{"other layer gone", fmt.Errorf("x: %w", goneMarker{}), errClass{gone: true}},
		{"nil", nil, errClass{}},
		{"plain", errors.New("x"), errClass{}},
	}
	for _, tc := range cases {
		got := errClass{
			gone: IsGone(tc.err), busy: IsBusy(tc.err), pre: IsPrecondition(tc.err),
			throttled: IsThrottled(tc.err), ambiguous: IsAmbiguous(tc.err),
			client: IsClientError(tc.err),
		}
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestDecodeError_message(t *testing.T) {
	e := &DecodeError{Method: "GET", Path: "/l", StatusCode: 200, Body: "<html>",
		Err: errors.New("invalid character '<'")}
	want := "GET /l: 200: cannot decode the response body: invalid character '<': <html>"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, e.Err) {
		t.Error("DecodeError does not unwrap")
	}
}
