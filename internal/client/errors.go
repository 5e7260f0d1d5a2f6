package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxErrorBody is about how much of a non-JSON response body an error carries.
const maxErrorBody = 1024

// requestIDHeaders are the response headers that may carry the server's request id, best first.
var requestIDHeaders = []string{"X-Request-Id", "X-Openstack-Request-Id", "X-Trace-Id"}

// APIError is an HTTP answer outside 2xx from the CSS or IAM API.
type APIError struct {
	Method string
	// Path is the request path without host and query.
	Path       string
	StatusCode int
	// Code and Message come from either error form of the API: {"errCode", "externalMessage"}
	// or {"error_code", "error_msg"} (IAM also answers {"error": {"code", "message"}}).
	Code    string
	Message string
	// RequestID is the server's request id from a response header, when it sent one.
	RequestID string
	// Body is the response body, shortened, when it carried no code or message.
	Body string
}

// Error names the call, the status, the API's code and message (or the shortened body).
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Body != "":
		b.WriteString(": " + e.Body)
	case e.Code == "":
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// DecodeError is a 2xx answer whose body cannot be decoded. It never counts as gone.
type DecodeError struct {
	Method     string
	Path       string
	StatusCode int
	// Body is the response body, shortened.
	Body string
	Err  error
}

// Error names the call, the status, the decoding error and the shortened body.
func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("%s %s: %d: cannot decode the response body: %v", e.Method, e.Path,
		e.StatusCode, e.Err)
	if e.Body == "" {
		return msg + " (empty body)"
	}
	return msg + ": " + e.Body
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// RequestError is a call that got no HTTP answer: a refused connection, a timeout, a dropped
// connection, a certificate that does not verify, or a context that ended.
type RequestError struct {
	Method string
	Path   string
	// Sent is false only when the request certainly did not reach the server (no connection was
	// made); otherwise the server may have acted on it.
	Sent bool
	Err  error
}

// Error names the call and the transport error.
func (e *RequestError) Error() string {
	if e.Sent {
		return fmt.Sprintf("%s %s: no answer: %v", e.Method, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s: request not sent: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the transport error.
func (e *RequestError) Unwrap() error { return e.Err }

// goneError is implemented by errors of other layers that say an object does not exist.
type goneError interface {
	Gone() bool
}

// IsGone reports whether err says that the task (or its cluster) does not exist: a 404 with any
// code, a 403 CSS.0015 or a 400 CSS.0082, or an error with a Gone method that returns true.
// A *DecodeError never counts as gone.
func IsGone(err error) bool {
	var g goneError
	if errors.As(err, &g) && g.Gone() {
		return true
	}
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	switch e.StatusCode {
	case http.StatusNotFound:
		return true
	case http.StatusForbidden:
		// NOTE: CSS answers 403 CSS.0015 for a cluster that does not exist (or is not visible).
		return e.Code == "CSS.0015"
	case http.StatusBadRequest:
		// NOTE: CSS answers 400 CSS.0082 for a task record that does not exist.
		return e.Code == "CSS.0082"
	}
	return false
}

// IsBusy reports whether err is a 409 CSS.0011 (another operation is in progress) or a 409
// without a code. Other 409 codes (being created, already exists) are client errors.
func IsBusy(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusConflict && (e.Code == "CSS.0011" || e.Code == "")
}

// IsPrecondition reports whether err is a 412 (a precondition of the server is not met).
func IsPrecondition(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusPreconditionFailed
}

// IsThrottled reports whether err is a 429 (too many requests).
func IsThrottled(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusTooManyRequests
}

// IsAmbiguous reports whether the server may have acted on a call that failed: a 5xx answer, or
// a transport error after a connection was made (a timeout, a dropped connection).
func IsAmbiguous(err error) bool {
	if e, ok := asAPIError(err); ok {
		return e.StatusCode >= 500
	}
	var re *RequestError
	return errors.As(err, &re) && re.Sent
}

// IsClientError reports whether err is a 4xx that none of IsGone, IsBusy, IsPrecondition and
// IsThrottled covers, such as 400 CSS.0001, 401, 403 or 409 CSS.0031. These are never retried.
func IsClientError(err error) bool {
	e, ok := asAPIError(err)
	if !ok || e.StatusCode < 400 || e.StatusCode >= 500 {
		return false
	}
	return !IsGone(err) && !IsBusy(err) && !IsPrecondition(err) && !IsThrottled(err)
}

func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	if errors.As(err, &e) && e != nil {
		return e, true
	}
	return nil, false
}

// newAPIError builds the error for an answer outside 2xx from its status, headers and body.
func newAPIError(method, path string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	for _, name := range requestIDHeaders {
		if v := strings.TrimSpace(header.Get(name)); v != "" {
			e.RequestID = v
			break
		}
	}
	e.Code, e.Message = parseErrorBody(body)
	if e.Code == "" && e.Message == "" {
		e.Body = shorten(body)
	}
	return e
}

// parseErrorBody reads the code and message of either JSON error form. It returns empty strings
// for any other body.
func parseErrorBody(body []byte) (code, message string) {
	var fields map[string]json.RawMessage
	if err := decodeJSON(body, &fields); err != nil {
		return "", ""
	}
	code = firstText(fields, "errCode", "error_code", "code")
	message = firstText(fields, "externalMessage", "error_msg", "errMsg", "message")

	// The IAM (Keystone) form nests both: {"error": {"code": 401, "message": "..."}}.
	if inner, ok := fields["error"]; ok && code == "" && message == "" {
		var nested map[string]json.RawMessage
		if decodeJSON(inner, &nested) == nil {
			code = firstText(nested, "error_code", "errCode")
			message = firstText(nested, "message", "error_msg", "externalMessage")
		} else if s := text(inner); s != nil {
			message = *s
		}
	}
	return strings.TrimSpace(code), strings.TrimSpace(message)
}

func firstText(fields map[string]json.RawMessage, names ...string) string {
	for _, name := range names {
		if s := text(fields[name]); s != nil && *s != "" {
			return *s
		}
	}
	return ""
}

// shorten makes a response body fit an error message: valid UTF-8, runs of white space folded,
// at most about maxErrorBody bytes, with the full size noted when it was cut.
func shorten(body []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "\uFFFD")), " ")
	if len(s) <= maxErrorBody {
		return s
	}
	cut := maxErrorBody
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(body)) + " bytes)"
}

// decodeJSON decodes one JSON value with numbers kept as json.Number, and refuses trailing data.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
