package simulator

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Fault replaces or delays the answers to matching requests. Faults are tried in the order
// they were added; the first that matches and has uses left applies.
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string
	// Path matches when it is a substring of the URL path; "" matches any.
	Path string
	// Times is how many matching requests the fault applies to; 0 means forever.
	Times int
	// Skip lets this many matching requests pass first. A skipped request is then tried
	// against the faults added after this one.
	Skip int
	// Status is the status to answer; 0 passes the request through to normal handling
	// (after Delay, with Header added).
	Status int
	// Body is the answer body, sent verbatim. Its Content-Type is application/json when it
	// starts with '{' or '[', text/html when it starts with '<', unless Header sets one.
	Body string
	// Header is added to the answer, e.g. "Retry-After": "2".
	Header map[string]string
	// Delay is slept (in real time) before answering; it ends early when the client leaves.
	Delay time.Duration
	// Drop closes the connection without any answer.
	Drop bool
	// Act carries the request out first (e.g. the POST creates the task), then answers as
	// the fault says: an ambiguous failure.
	Act bool
	// Rate, when above 0, applies the fault to each matching request only with this
	// probability (0 to 1); a request it passes over is tried against the later faults.
	Rate float64
}

type faultState struct {
	Fault
	skipped, used int
}

// AddFault appends a fault.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()

	f.Header = copyHeaderMap(f.Header)
	s.faults = append(s.faults, &faultState{Fault: f})
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault finds the fault for r and counts its use.
func (s *Server) matchFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, f := range s.faults {
		if !matchRequest(f.Method, f.Path, r.Method, r.URL.Path) {
			continue
		}
		if f.Times > 0 && f.used >= f.Times {
			continue
		}
		if f.skipped < f.Skip {
			f.skipped++
			continue
		}
		if f.Rate > 0 && rand.Float64() >= f.Rate {
			continue
		}
		f.used++
		return f.Fault, true
	}
	return Fault{}, false
}

// serveFault answers r as f says. sw wraps w; the connection is hijacked from w.
func (s *Server) serveFault(sw *statusWriter, w http.ResponseWriter, r *http.Request,
	body []byte, f Fault,
) {
	var actual *recorder
	if f.Act {
		actual = newRecorder()
		s.handle(actual, r, body)
	}
	sleep(r, f.Delay)

	if f.Drop {
		drop(w)
		return
	}
	for k, v := range f.Header {
		sw.Header().Set(k, v)
	}
	switch {
	case f.Status == 0 && actual != nil:
		actual.copyTo(sw)
	case f.Status == 0:
		s.handle(sw, r, body)
	default:
		if sw.Header().Get("Content-Type") == "" {
			switch {
			case strings.HasPrefix(f.Body, "{") || strings.HasPrefix(f.Body, "["):
				sw.Header().Set("Content-Type", "application/json;charset=UTF-8")
			case strings.HasPrefix(f.Body, "<"):
				sw.Header().Set("Content-Type", "text/html;charset=UTF-8")
			}
		}
		sw.WriteHeader(f.Status)
		_, _ = sw.Write([]byte(f.Body))
	}
}

// sleep waits d, or less when the client goes away.
func sleep(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.Context().Done():
	}
}

// drop closes the connection without an answer: by hijacking it (HTTP/1) or by aborting the
// handler (HTTP/2 resets the stream).
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func matchRequest(wantMethod, pathSubstring, method, path string) bool {
	return (wantMethod == "" || strings.EqualFold(wantMethod, method)) &&
		strings.Contains(path, pathSubstring)
}

func copyHeaderMap(h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	c := make(map[string]string, len(h))
	for k, v := range h {
		c[k] = v
	}
	return c
}

// statusWriter records the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// recorder keeps an answer to replay or discard.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) copyTo(w http.ResponseWriter) {
	for k, vs := range r.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(r.body.Bytes())
}

// logArrival appends a log entry for r.
func (s *Server) logArrival(r *http.Request, body []byte) *Request {
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Host") == "" && r.Host != "" {
		header.Set("Host", r.Host)
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	entry := &Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: header, Body: body, Time: s.now(),
	}
	s.log = append(s.log, entry)
	return entry
}

// logDone records the answered status and reports the entry.
func (s *Server) logDone(entry *Request, status int) {
	s.mu.Lock()
	entry.Status = status
	done := copyRequest(entry)
	s.mu.Unlock()

	if s.onRequest != nil {
		s.onRequest(done)
	}
}
