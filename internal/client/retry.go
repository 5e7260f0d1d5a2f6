package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/css-tf/terraform-provider-css/internal/signer"
)

// maxRetryAfter is the longest Retry-After that is waited for; a longer one ends the call.
const maxRetryAfter = 5 * time.Minute

// maxResponseBody bounds how much of a response body is read.
const maxResponseBody = 32 << 20

// apiRequest is one call of the CSS or IAM API, before authentication.
type apiRequest struct {
	method string
	base   *url.URL
	path   string // escaped, relative to base, starting with "/"
	query  url.Values
	body   []byte
	// auth adds the AK/SK signature or the IAM token; only the token request goes without.
	auth bool
	// projectID is sent as X-Project-Id when set.
	projectID string
}

// escapedPath is the request path as sent, without host and query.
func (r *apiRequest) escapedPath() string {
	return strings.TrimRight(r.base.EscapedPath(), "/") + r.path
}

// apiResponse is a 2xx answer with its body read.
type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

// decodeError builds the error for a 2xx body that cannot be decoded.
func (r *apiResponse) decodeError(req *apiRequest, err error) *DecodeError {
	return &DecodeError{
		Method: req.method, Path: req.escapedPath(), StatusCode: r.status,
		Body: shorten(r.body), Err: err,
	}
}

// do sends an API call through the retry layer. In token mode, a 401 answer makes it fetch a
// new token once and send the call once more.
func (c *Client) do(ctx context.Context, r *apiRequest) (*apiResponse, error) {
	var token string
	if r.auth && c.usesToken() {
		var err error
		if token, err = c.token(ctx); err != nil {
			return nil, err
		}
	}

	resp, err := c.send(ctx, r, token)
	if token == "" || !isUnauthorized(err) {
		return resp, err
	}

	// NOTE: a token can be revoked before its expiry; IAM then answers 401 to a valid-looking
	// token. One new token and one more try; a second 401 is the caller's.
	c.tokens.invalidate(token)
	c.log(ctx, "token refused, fetching a new one", map[string]any{
		"method": r.method, "path": r.escapedPath(),
	})
	if token, err = c.token(ctx); err != nil {
		return nil, err
	}
	return c.send(ctx, r, token)
}

func isUnauthorized(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusUnauthorized
}

// send is the retry layer: it sends r until it gets an answer that is not worth retrying, the
// retries run out, or the next wait would pass the context's deadline. It returns the 2xx
// answer, or the last error wrapped with the number of attempts when there were several.
//
// Retried: 429 for every method, honouring Retry-After; 500, 502, 503, 504 and transport errors
// for GET and DELETE; for POST only transport errors before any connection was made. Never
// retried: other 4xx (409 included: the caller decides), certificate errors, an ended context.
func (c *Client) send(ctx context.Context, r *apiRequest, token string) (*apiResponse, error) {
	s := &attempts{c: c, r: r}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { s.connected.Store(true) },
	})

	var body any
	if r.body != nil {
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, endpointURL(r.base, r.path,
		r.query), body)
	if err != nil {
		return nil, &RequestError{Method: r.method, Path: r.escapedPath(), Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if r.projectID != "" {
		req.Header.Set(signer.HeaderProjectID, r.projectID)
	}
	c.authorize(req.Request, r, token)

	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		Logger:       nil, // it would log URLs; the Log hook gets one line per attempt instead
		RetryWaitMin: c.waitMin,
		RetryWaitMax: c.waitMax,
		RetryMax:     c.maxRetries,
		CheckRetry:   s.checkRetry,
		Backoff:      s.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(retryablehttp.Logger, *http.Request, int) {
			s.start, s.waiting = time.Now(), false
			s.connected.Store(false)
		},
		PrepareRetry: func(req *http.Request) error {
			// The request is a shallow copy: its header map is still the one already sent.
			req.Header = req.Header.Clone()
			c.authorize(req, r, token)
			return nil
		},
	}

	resp, doErr := rc.Do(req)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close() // already read into s.body by checkRetry
	}

	if s.count == 0 {
		return nil, &RequestError{Method: r.method, Path: r.escapedPath(), Err: doErr}
	}
	err = s.err
	if s.waiting && doErr != nil {
		// The context ended while waiting to retry.
		err = fmt.Errorf("%w; stopped waiting to retry: %w", s.err, doErr)
	}
	if err == nil {
		return &apiResponse{status: s.status, header: s.header, body: s.body}, nil
	}
	if s.count > 1 {
		return nil, fmt.Errorf("%w (after %d attempts)", err, s.count)
	}
	return nil, err
}

// authorize adds the AK/SK signature, or the token, to one attempt of a request.
func (c *Client) authorize(req *http.Request, r *apiRequest, token string) {
	switch {
	case !r.auth:
	case token != "":
		req.Header.Set("X-Auth-Token", token)
	default:
		signer.Sign(req, r.body, c.credentials(), c.now())
	}
}

// attempts is the state of one call across its attempts.
type attempts struct {
	c *Client
	r *apiRequest

	count     int
	start     time.Time
	connected atomic.Bool // a connection was made for the current attempt
	wait      time.Duration
	waiting   bool

	// The outcome of the last attempt.
	status int
	header http.Header
	body   []byte
	err    error // *APIError or *RequestError; nil for a 2xx answer
}

// checkRetry records and logs the outcome of an attempt and decides on the next one. It reads
// the whole response body, so the last answer stays readable whatever happens next.
func (s *attempts) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	s.count++
	s.record(resp, err)
	var sent http.Header
	if resp != nil && resp.Request != nil {
		sent = resp.Request.Header
	}
	s.logAttempt(ctx, time.Since(s.start), sent)

	if !s.retryable(ctx) || s.count > s.c.maxRetries {
		return false, nil
	}
	wait, ok := s.nextWait(resp)
	if ok {
		if deadline, has := ctx.Deadline(); has && time.Now().Add(wait).After(deadline) {
			ok = false
		}
	}
	if !ok {
		s.c.log(ctx, "not retrying: the wait would pass the deadline", map[string]any{
			"method": s.r.method, "path": s.r.escapedPath(), "wait_ms": wait.Milliseconds(),
		})
		return false, nil
	}
	s.wait, s.waiting = wait, true
	return true, nil
}

// backoff is the Backoff policy: the wait that checkRetry chose.
func (s *attempts) backoff(time.Duration, time.Duration, int, *http.Response) time.Duration {
	return s.wait
}

// record keeps the outcome of an attempt.
func (s *attempts) record(resp *http.Response, err error) {
	s.status, s.header, s.body, s.err = 0, nil, nil, nil
	path := s.r.escapedPath()
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL
		}
		s.err = &RequestError{
			Method: s.r.method, Path: path, Sent: s.connected.Load(), Err: err,
		}
		return
	}

	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	s.status, s.header, s.body = resp.StatusCode, resp.Header, body
	switch {
	case rerr != nil:
		s.err = &RequestError{Method: s.r.method, Path: path, Sent: true,
			Err: fmt.Errorf("reading the %d answer: %w", resp.StatusCode, rerr)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		s.err = newAPIError(s.r.method, path, resp.StatusCode, resp.Header, body)
	}
}

func (s *attempts) logAttempt(ctx context.Context, d time.Duration, sent http.Header) {
	fields := map[string]any{
		"method":      s.r.method,
		"path":        s.r.escapedPath(),
		"status":      s.status,
		"attempt":     s.count,
		"duration_ms": d.Milliseconds(),
	}
	if sent != nil {
		fields["request_headers"] = redactHeaders(sent)
	}
	var re *RequestError
	var ae *APIError
	switch {
	case errors.As(s.err, &re):
		fields["error"] = re.Err.Error()
		fields["sent"] = re.Sent
	case errors.As(s.err, &ae):
		if ae.RequestID != "" {
			fields["request_id"] = ae.RequestID
		}
		if ae.Code != "" {
			fields["code"] = ae.Code
		}
	}
	if _, ok := fields["request_id"]; !ok && s.header != nil {
		for _, name := range requestIDHeaders {
			if v := s.header.Get(name); v != "" {
				fields["request_id"] = v
				break
			}
		}
	}
	s.c.log(ctx, "API call", fields)
}

// retryable reports whether the last outcome may be retried, by status, error and method.
func (s *attempts) retryable(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	idempotent := s.r.method == http.MethodGet || s.r.method == http.MethodDelete ||
		s.r.method == http.MethodHead || s.r.method == http.MethodPut

	var re *RequestError
	if errors.As(s.err, &re) {
		if permanent(re.Err) {
			return false
		}
		return idempotent || !re.Sent
	}
	switch s.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return idempotent
	}
	return false
}

// permanent reports transport errors that a retry cannot fix.
func permanent(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	if errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.Is(err, http.ErrSchemeMismatch) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") ||
		strings.Contains(msg, "invalid header")
}

// nextWait returns the wait before the next attempt: a jittered exponential backoff between
// RetryWaitMin and RetryWaitMax, and at least Retry-After on a 429. It reports false when the
// server asks for a wait longer than maxRetryAfter.
func (s *attempts) nextWait(resp *http.Response) (time.Duration, bool) {
	wait := s.c.backoff(s.count - 1)
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return wait, true
	}
	after, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
	if !ok {
		return wait, true
	}
	if after > maxRetryAfter {
		return after, false
	}
	return max(wait, after), true
}

// backoff is the jittered exponential wait before retry n (from 0): a random duration between
// half of RetryWaitMin·2ⁿ and all of it, capped at RetryWaitMax ("equal jitter").
func (c *Client) backoff(n int) time.Duration {
	hi := c.waitMax
	if n < 32 {
		if d := c.waitMin << n; d > 0 && d < c.waitMax {
			hi = d
		}
	}
	lo := hi / 2
	if hi <= lo {
		return hi
	}
	return lo + rand.N(hi-lo+1)
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter + time.Second, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// secretHeaders carry credentials: their values are never logged.
var secretHeaders = []string{
	"Authorization", "X-Auth-Token", "X-Security-Token", "X-Subject-Token", "Proxy-Authorization",
}

// redactHeaders renders request headers for a log line, with every credential replaced.
func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		out[name] = strings.Join(values, ", ")
	}
	for _, name := range secretHeaders {
		if h.Get(name) != "" {
			out[http.CanonicalHeaderKey(name)] = "<redacted>"
		}
	}
	return out
}
