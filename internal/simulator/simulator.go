// Package simulator is an in-memory stand-in for the CSS intelligent O&M ("AI-ops") API and for
// the parts of IAM that a client of it needs (password tokens and the project lookup). It serves
// both from one http.Handler, keeps a log of every request, and can inject faults, delays and
// odd bodies, so that the client and the provider can be tested against the failures seen in the
// field.
//
// It writes the API's wire format on its own and imports nothing from the client it tests.
//
// Served paths:
//
//	POST   /v1.0/{project_id}/clusters/{cluster_id}/ai-ops            create a task (200, empty)
//	GET    /v1.0/{project_id}/clusters/{cluster_id}/ai-ops            list tasks (limit, offset)
//	DELETE /v1.0/{project_id}/clusters/{cluster_id}/ai-ops/{aiops_id} delete a task (200, empty)
//	POST   /v3/auth/tokens                                            issue an IAM token (201)
//	GET    /v3/projects?name={region}                                 look the project up
package simulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultProjectID = "00000000000000000000000000000000"
	DefaultRegion    = "eu-de"
	DefaultTokenTTL  = 24 * time.Hour
	DefaultMaxTasks  = 30
)

// Task status codes as the list reports them.
const (
	StatusRunning   = 150
	StatusCompleted = 200
	StatusFailed    = 300
)

// maxBodyBytes bounds how much of a request body is read.
const maxBodyBytes = 4 << 20

// Options configure a Server. Zero fields take the documented defaults.
type Options struct {
	// Credentials maps each access key accepted for AK/SK signing to its secret key.
	Credentials map[string]string
	// Users are the IAM password users that may obtain a token.
	Users []User
	// ProjectID is the project IAM answers; CSS paths must carry it (else 404).
	// Default DefaultProjectID.
	ProjectID string
	// Region is the project name IAM reports, e.g. "eu-de". Default DefaultRegion.
	Region string
	// TokenTTL is the IAM token lifetime. Default DefaultTokenTTL.
	TokenTTL time.Duration
	// VisibleAfter is how long after its POST a new task first appears in the list.
	VisibleAfter time.Duration
	// RunFor is how long after its POST a task reports status 150 before it finishes.
	RunFor time.Duration
	// MutationBusyFor is how long after a successful POST or DELETE on a cluster further
	// POSTs and DELETEs on it answer 409 CSS.0011. Zero turns the busy window off.
	MutationBusyFor time.Duration
	// MaxTasks is the number of tasks a cluster may hold. Default DefaultMaxTasks.
	MaxTasks int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// OnRequest, when set, is called with a copy of each log entry once it is answered.
	OnRequest func(Request)
}

// User is an IAM password user. An empty Domain matches any domain name.
type User struct {
	Name     string
	Password string
	Domain   string
}

// Shape selects the JSON shape of list items.
type Shape int

const (
	// ShapeOld is the list shape of OTC today (and of HWC until 2025).
	ShapeOld Shape = iota
	// ShapeNew is the HWC list shape of 2026, which also accepts check_type and check_items.
	ShapeNew
)

// ClusterOptions configure the behaviour of one simulated cluster.
type ClusterOptions struct {
	// Shape is the list item shape of the cluster's tasks.
	Shape Shape
	// Fail makes the cluster's tasks end with status 300 instead of 200.
	Fail bool
	// Risks are reported by every finished (status 200 or 300) task of the cluster. The
	// summary counts are derived from their levels (high, medium, suggestion; normal or
	// norisk count as normal in the new shape).
	Risks []Risk
	// RejectDeleteWhileRunning makes a DELETE of a task with status 150 answer 412 CSS.0027.
	RejectDeleteWhileRunning bool
}

// Risk is one finding of a finished task.
type Risk struct {
	Type        string
	Level       string // high, medium or suggestion
	Description string
	Suggestion  string
}

// Request is one entry of the request log.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	// Header holds the request headers, with Host added.
	Header http.Header
	Body   []byte
	// Time is the arrival time by the server's clock.
	Time time.Time
	// Status is the status answered: 0 for a dropped connection or a request still running.
	Status int
}

// TaskView describes a stored task, for test assertions.
type TaskView struct {
	ID          string
	Name        string
	Description string
	Status      int
	CreateTime  time.Time
	ClusterID   string
	CheckType   string
	// Visible reports whether the task is listed yet.
	Visible bool
	// Raw reports whether the task was stored by PutRawTask and is served verbatim.
	Raw bool
}

// Server is the simulated API. It implements http.Handler; all methods are safe for concurrent
// use.
type Server struct {
	credentials map[string]string
	users       []User
	projectID   string
	region      string
	tokenTTL    time.Duration
	maxTasks    int
	now         func() time.Time
	onRequest   func(Request)

	mu           sync.Mutex
	visibleAfter time.Duration
	runFor       time.Duration
	busyFor      time.Duration
	clusters     map[string]*cluster
	tokens       map[string]token
	faults       []*faultState
	log          []*Request
	seq          int64
}

type cluster struct {
	opts         ClusterOptions
	tasks        map[string]*task
	mutated      bool
	lastMutation time.Time
}

type task struct {
	id, name, desc, checkType string

	created   time.Time
	visibleAt time.Time
	doneAt    time.Time
	seq       int64

	forcedStatus  *int
	forcedSummary *counts
	raw           []byte
}

type counts struct{ high, medium, suggestion, normal int }

// New returns a Server with no clusters.
func New(opts Options) *Server {
	s := &Server{
		credentials:  map[string]string{},
		users:        append([]User(nil), opts.Users...),
		projectID:    opts.ProjectID,
		region:       opts.Region,
		tokenTTL:     opts.TokenTTL,
		maxTasks:     opts.MaxTasks,
		now:          opts.Now,
		onRequest:    opts.OnRequest,
		visibleAfter: opts.VisibleAfter,
		runFor:       opts.RunFor,
		busyFor:      opts.MutationBusyFor,
		clusters:     map[string]*cluster{},
		tokens:       map[string]token{},
	}
	for ak, sk := range opts.Credentials {
		s.credentials[ak] = sk
	}
	if s.projectID == "" {
		s.projectID = DefaultProjectID
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.maxTasks <= 0 {
		s.maxTasks = DefaultMaxTasks
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// ProjectID returns the project id the server answers and expects.
func (s *Server) ProjectID() string { return s.projectID }

// Region returns the project name the server reports.
func (s *Server) Region() string { return s.region }

// AddCluster creates the cluster, or sets its options if it exists.
func (s *Server) AddCluster(id string, o ClusterOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clusterLocked(id).opts = copyClusterOptions(o)
}

// SetClusterOptions changes the options of a cluster (creating it if needed). Shape, Fail and
// Risks apply to the cluster's existing tasks from the next answer on.
func (s *Server) SetClusterOptions(id string, o ClusterOptions) {
	s.AddCluster(id, o)
}

// RemoveCluster deletes a cluster with its tasks; requests for it then answer 403 CSS.0015.
func (s *Server) RemoveCluster(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.clusters[id]
	delete(s.clusters, id)
	return ok
}

// Tasks returns all tasks of a cluster, including those not yet visible, oldest first.
func (s *Server) Tasks(clusterID string) []TaskView {
	s.mu.Lock()
	defer s.mu.Unlock()

	c := s.clusters[clusterID]
	if c == nil {
		return nil
	}
	now := s.now()
	views := make([]TaskView, 0, len(c.tasks))
	for _, t := range sortedTasks(c, false) {
		v := TaskView{
			ID: t.id, Name: t.name, Description: t.desc, CheckType: t.checkType,
			Status: s.statusOf(c, t, now), CreateTime: t.created, ClusterID: clusterID,
			Visible: !now.Before(t.visibleAt), Raw: t.raw != nil,
		}
		if t.raw != nil {
			fillRawView(&v, t.raw)
		}
		views = append(views, v)
	}
	return views
}

// AddTask creates a task as if it had been POSTed outside Terraform and returns its id. It
// skips validation, the busy window and the task limit, is visible at once and runs for the
// configured RunFor. The cluster is created if needed.
func (s *Server) AddTask(clusterID, name, description string) string {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.now()
	c := s.clusterLocked(clusterID)
	t := s.newTaskLocked(name, description, "", now)
	t.visibleAt = now
	c.tasks[t.id] = t
	return t.id
}

// PutRawTask stores a task that is listed with exactly the given bytes as its list item,
// replacing any task with that id. It is visible at once; its place in the list follows its
// create_time when that is a number or a numeric string, else the time of the call. The
// cluster is created if needed.
func (s *Server) PutRawTask(clusterID, id string, raw json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.now()
	c := s.clusterLocked(clusterID)
	s.seq++
	t := &task{
		id: id, created: now, visibleAt: now, doneAt: now, seq: s.seq,
		raw: append([]byte{}, raw...),
	}
	if ms, ok := rawCreateTime(raw); ok {
		t.created = time.UnixMilli(ms).UTC()
	}
	c.tasks[id] = t
}

// RemoveTask deletes a task as if it had been deleted outside Terraform. It reports whether
// the task existed.
func (s *Server) RemoveTask(clusterID, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	c := s.clusters[clusterID]
	if c == nil || c.tasks[id] == nil {
		return false
	}
	delete(c.tasks, id)
	return true
}

// SetTaskStatus forces the status of a task from now on. For a raw task the "status" member
// of its JSON is rewritten.
func (s *Server) SetTaskStatus(clusterID, id string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()

	t := s.taskLocked(clusterID, id)
	if t == nil {
		return
	}
	if t.raw != nil {
		t.raw = setRawMember(t.raw, "status", status)
		return
	}
	t.forcedStatus = &status
}

// SetTaskSummary forces the summary counts of a task from now on, whatever its status. For a
// raw task the "summary" member of its JSON is rewritten in the cluster's shape.
func (s *Server) SetTaskSummary(clusterID, id string, high, medium, suggestion int) {
	s.mu.Lock()
	defer s.mu.Unlock()

	t := s.taskLocked(clusterID, id)
	if t == nil {
		return
	}
	sum := &counts{high: high, medium: medium, suggestion: suggestion}
	if t.raw != nil {
		t.raw = setRawMember(t.raw, "summary", summaryJSON(s.clusters[clusterID].opts.Shape, *sum))
		return
	}
	t.forcedSummary = sum
}

// SetTiming changes VisibleAfter and RunFor for tasks created from now on.
func (s *Server) SetTiming(visibleAfter, runFor time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.visibleAfter, s.runFor = visibleAfter, runFor
}

// SetMutationBusyFor changes the busy window; it applies at once, also to past mutations.
func (s *Server) SetMutationBusyFor(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busyFor = d
}

// Requests returns copies of the logged requests in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = copyRequest(r)
	}
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Count returns the number of logged requests with the method ("" for any) whose path contains
// pathSubstring.
func (s *Server) Count(method, pathSubstring string) int {
	s.mu.Lock()
	defer s.mu.Unlock()

	n := 0
	for _, r := range s.log {
		if matchRequest(method, pathSubstring, r.Method, r.Path) {
			n++
		}
	}
	return n
}

// ExpireTokens makes every IAM token issued so far answer 401 from now on.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]token{}
}

// ServeHTTP serves the CSS and IAM APIs, applying faults first and logging every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	entry := s.logArrival(r, body)
	sw := &statusWriter{ResponseWriter: w}
	defer func() { s.logDone(entry, sw.status) }()

	if f, ok := s.matchFault(r); ok {
		s.serveFault(sw, w, r, body, f)
		return
	}
	s.handle(sw, r, body)
}

// handle routes a request to the CSS or IAM handlers.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	var resp response
	switch {
	case r.URL.Path == "/v3/auth/tokens" || r.URL.Path == "/v3/projects":
		resp = s.serveIAM(r, body)
	case strings.HasPrefix(r.URL.Path, cssPrefix):
		resp = s.serveCSS(r, body)
	default:
		resp = apiNotFound()
	}
	resp.write(w)
}

// response is an answer computed under the lock and written after it.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) write(w http.ResponseWriter) {
	for k, vs := range r.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if len(r.body) > 0 && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(r.status)
	if len(r.body) > 0 {
		_, _ = w.Write(r.body)
	}
}

// cssError is the CSS error body.
func cssError(status int, code, message string) response {
	b := marshal(map[string]string{"errCode": code, "externalMessage": code + " : " + message})
	return response{status: status, body: b}
}

// gatewayError is the API gateway (and IAM) error body.
func gatewayError(status int, code, message string) response {
	return response{status: status, body: marshal(struct {
		Code    string `json:"error_code"`
		Message string `json:"error_msg"`
	}{code, message})}
}

func apiNotFound() response {
	return gatewayError(http.StatusNotFound, "APIGW.0101",
		"The API does not exist or has not been published in the environment")
}

// marshal encodes v as JSON without HTML escaping and without a trailing newline.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("simulator: encoding a response: %v", err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// clusterLocked returns the cluster, creating it with default options if needed.
func (s *Server) clusterLocked(id string) *cluster {
	c := s.clusters[id]
	if c == nil {
		c = &cluster{tasks: map[string]*task{}}
		s.clusters[id] = c
	}
	return c
}

func (s *Server) taskLocked(clusterID, id string) *task {
	c := s.clusters[clusterID]
	if c == nil {
		return nil
	}
	return c.tasks[id]
}

// newTaskLocked makes a task created at now with the current timing.
func (s *Server) newTaskLocked(name, desc, checkType string, now time.Time) *task {
	s.seq++
	return &task{
		id: newUUID(), name: name, desc: desc, checkType: checkType,
		created: now, visibleAt: now.Add(s.visibleAfter), doneAt: now.Add(s.runFor),
		seq: s.seq,
	}
}

// statusOf is the status a task reports at now.
func (s *Server) statusOf(c *cluster, t *task, now time.Time) int {
	switch {
	case t.forcedStatus != nil:
		return *t.forcedStatus
	case now.Before(t.doneAt):
		return StatusRunning
	case c.opts.Fail:
		return StatusFailed
	default:
		return StatusCompleted
	}
}

// sortedTasks returns the tasks of c oldest first (newestFirst reverses the order); ties in
// create time keep the order of creation.
func sortedTasks(c *cluster, newestFirst bool) []*task {
	list := make([]*task, 0, len(c.tasks))
	for _, t := range c.tasks {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if newestFirst {
			a, b = b, a
		}
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return a.seq < b.seq
	})
	return list
}

func copyClusterOptions(o ClusterOptions) ClusterOptions {
	o.Risks = append([]Risk(nil), o.Risks...)
	return o
}

func copyRequest(r *Request) Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = append([]byte(nil), r.Body...)
	return c
}

// newUUID returns a random UUID version 4.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("simulator: reading random bytes: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// rawCreateTime reads create_time of a raw item as milliseconds, from a number or a string.
func rawCreateTime(raw []byte) (int64, bool) {
	var item map[string]any
	if json.Unmarshal(raw, &item) != nil {
		return 0, false
	}
	switch v := item["create_time"].(type) {
	case float64:
		return int64(v), true
	case string:
		ms, err := strconv.ParseInt(v, 10, 64)
		return ms, err == nil
	}
	return 0, false
}

// fillRawView fills what it can of v from a raw item.
func fillRawView(v *TaskView, raw []byte) {
	var item map[string]any
	if json.Unmarshal(raw, &item) != nil {
		return
	}
	if s, ok := item["name"].(string); ok {
		v.Name = s
	}
	if s, ok := item["desc"].(string); ok {
		v.Description = s
	}
	if s, ok := item["check_type"].(string); ok {
		v.CheckType = s
	}
	switch st := item["status"].(type) {
	case float64:
		v.Status = int(st)
	case string:
		v.Status, _ = strconv.Atoi(st)
	}
}

// setRawMember sets one member of a raw JSON object; a body that is no object stays as it is.
func setRawMember(raw []byte, key string, value any) []byte {
	var item map[string]json.RawMessage
	if json.Unmarshal(raw, &item) != nil || item == nil {
		return raw
	}
	b, ok := value.([]byte)
	if !ok {
		b = marshal(value)
	}
	item[key] = b
	return marshal(item)
}
