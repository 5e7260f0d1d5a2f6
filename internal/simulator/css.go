package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const cssPrefix = "/v1.0/"

// CSS error codes the simulator answers.
const (
	CodeInvalidParameter = "CSS.0001"
	CodeBusy             = "CSS.0011"
	CodeNoCluster        = "CSS.0015"
	// CodeTaskRunning answers a DELETE of a running task on a cluster with
	// RejectDeleteWhileRunning. NOTE: the real code is not documented; CSS.0027 is our pick.
	CodeTaskRunning = "CSS.0027"
	// CodeTaskLimit answers a POST beyond MaxTasks. NOTE: the real answer is not documented;
	// CSS.0039 is our pick.
	CodeTaskLimit = "CSS.0039"
	CodeNoRecord  = "CSS.0082"
)

// Allowed values of the create body.
var (
	alarmLevels = []string{"high", "medium", "suggestion", "norisk"}
	checkTypes  = []string{"full_detection", "unavailability_detection", "partial_detection"}
	namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{3,63}$`)
	digits      = regexp.MustCompile(`^[0-9]{1,10}$`)
)

// serveCSS authenticates and routes a request under /v1.0/.
func (s *Server) serveCSS(r *http.Request, body []byte) response {
	if resp, ok := s.authenticate(r, body, true); !ok {
		return resp
	}

	// {project_id}/clusters/{cluster_id}/ai-ops[/{aiops_id}]
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, cssPrefix), "/")
	if len(seg) < 4 || len(seg) > 5 || seg[1] != "clusters" || seg[3] != "ai-ops" {
		return apiNotFound()
	}
	for _, part := range seg {
		if part == "" {
			return apiNotFound()
		}
	}
	if seg[0] != s.projectID {
		return gatewayError(http.StatusNotFound, "APIGW.0101",
			"The API does not exist or has not been published in the environment: "+
				"unknown project "+seg[0])
	}

	clusterID := seg[2]
	switch {
	case len(seg) == 4 && r.Method == http.MethodPost:
		return s.createTask(clusterID, body)
	case len(seg) == 4 && r.Method == http.MethodGet:
		return s.listTasks(clusterID, r)
	case len(seg) == 5 && r.Method == http.MethodDelete:
		return s.deleteTask(clusterID, seg[4])
	default:
		return gatewayError(http.StatusMethodNotAllowed, "APIGW.0101",
			"method "+r.Method+" is not allowed on this path")
	}
}

// createTask handles the POST of a new detection task.
func (s *Server) createTask(clusterID string, body []byte) response {
	s.mu.Lock()
	defer s.mu.Unlock()

	c := s.clusters[clusterID]
	if c == nil {
		return noCluster()
	}
	req, field := parseCreate(body, c.opts.Shape)
	if field != "" {
		return cssError(http.StatusBadRequest, CodeInvalidParameter, "invalid parameter: "+field)
	}

	now := s.now()
	if s.busyLocked(c, now) {
		return busy()
	}
	if len(c.tasks) >= s.maxTasks {
		return cssError(http.StatusBadRequest, CodeTaskLimit, fmt.Sprintf(
			"the cluster already has the maximum of %d detection tasks (limit %d)",
			s.maxTasks, s.maxTasks))
	}

	t := s.newTaskLocked(req.name, req.desc, req.checkType, now)
	c.tasks[t.id] = t
	c.mutated, c.lastMutation = true, now
	return response{status: http.StatusOK}
}

// deleteTask handles the DELETE of a task record.
func (s *Server) deleteTask(clusterID, id string) response {
	s.mu.Lock()
	defer s.mu.Unlock()

	c := s.clusters[clusterID]
	if c == nil {
		return noCluster()
	}
	now := s.now()
	if s.busyLocked(c, now) {
		return busy()
	}
	t := c.tasks[id]
	if t == nil {
		return cssError(http.StatusBadRequest, CodeNoRecord, "record does not exist")
	}
	if c.opts.RejectDeleteWhileRunning && s.statusOf(c, t, now) == StatusRunning {
		return cssError(http.StatusPreconditionFailed, CodeTaskRunning,
			"the detection task is running and cannot be deleted")
	}

	delete(c.tasks, id)
	c.mutated, c.lastMutation = true, now
	return response{status: http.StatusOK}
}

// listTasks handles the GET of the task list.
func (s *Server) listTasks(clusterID string, r *http.Request) response {
	query := r.URL.Query()
	limit, ok := queryInt(query, "limit", 10)
	if !ok || limit < 1 || limit > 1000 {
		return cssError(http.StatusBadRequest, CodeInvalidParameter, "invalid parameter: limit")
	}
	offsetKey := "offset"
	if !query.Has(offsetKey) && query.Has("start") {
		offsetKey = "start"
	}
	offset, ok := queryInt(query, offsetKey, 0)
	if !ok {
		return cssError(http.StatusBadRequest, CodeInvalidParameter,
			"invalid parameter: "+offsetKey)
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	c := s.clusters[clusterID]
	if c == nil {
		return noCluster()
	}
	now := s.now()
	var visible []*task
	for _, t := range sortedTasks(c, true) {
		if !now.Before(t.visibleAt) {
			visible = append(visible, t)
		}
	}
	page := visible[min(offset, len(visible)):min(offset+limit, len(visible))]

	var b bytes.Buffer
	fmt.Fprintf(&b, `{"total_size":%d,"aiops_list":[`, len(visible))
	for i, t := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(s.itemJSON(c, t, now))
	}
	b.WriteString("]}")
	return response{status: http.StatusOK, body: b.Bytes()}
}

// queryInt reads a plain decimal query parameter, or def when it is absent.
func queryInt(query map[string][]string, key string, def int) (int, bool) {
	values, present := query[key]
	if !present {
		return def, true
	}
	if !digits.MatchString(values[0]) {
		return 0, false
	}
	n, err := strconv.Atoi(values[0])
	return n, err == nil
}

func noCluster() response {
	return cssError(http.StatusForbidden, CodeNoCluster, "cluster does not exist")
}

func busy() response {
	return cssError(http.StatusConflict, CodeBusy, "another operation is in progress")
}

// busyLocked reports whether a mutation on c is refused at now.
func (s *Server) busyLocked(c *cluster, now time.Time) bool {
	return s.busyFor > 0 && c.mutated && now.Before(c.lastMutation.Add(s.busyFor))
}

// createRequest is a validated create body.
type createRequest struct {
	name, desc, checkType string
}

// parseCreate validates a create body; it returns the name of the first invalid field, or "".
func parseCreate(body []byte, shape Shape) (createRequest, string) {
	var req createRequest
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil || fields == nil {
		return req, "body"
	}
	present := func(key string) bool {
		v, ok := fields[key]
		return ok && string(v) != "null"
	}

	if json.Unmarshal(fields["name"], &req.name) != nil || !namePattern.MatchString(req.name) {
		return req, "name"
	}
	if present("description") {
		if json.Unmarshal(fields["description"], &req.desc) != nil ||
			utf8.RuneCountInString(req.desc) > 255 {
			return req, "description"
		}
	}
	if present("alarm") {
		if field := checkAlarm(fields["alarm"]); field != "" {
			return req, field
		}
	}
	if present("check_type") {
		if shape == ShapeOld || json.Unmarshal(fields["check_type"], &req.checkType) != nil ||
			!contains(checkTypes, req.checkType) {
			return req, "check_type"
		}
	}
	if present("check_items") {
		var items []string
		if shape == ShapeOld || json.Unmarshal(fields["check_items"], &items) != nil ||
			req.checkType != "partial_detection" {
			return req, "check_items"
		}
	}
	return req, ""
}

func checkAlarm(raw json.RawMessage) string {
	var alarm struct {
		Level    *string `json:"level"`
		SMNTopic *string `json:"smn_topic"`
	}
	if json.Unmarshal(raw, &alarm) != nil {
		return "alarm"
	}
	if alarm.Level == nil || !contains(alarmLevels, *alarm.Level) {
		return "alarm.level"
	}
	if alarm.SMNTopic == nil || *alarm.SMNTopic == "" {
		return "alarm.smn_topic"
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, item := range list {
		if item == v {
			return true
		}
	}
	return false
}

// List item shapes, with members in the documented order.
type (
	oldItem struct {
		ID            string     `json:"id"`
		Name          string     `json:"name"`
		Desc          string     `json:"desc"`
		Status        int        `json:"status"`
		CreateTime    int64      `json:"create_time"`
		SMNStatus     string     `json:"smn_status"`
		SMNFailReason *string    `json:"smn_fail_reason"`
		Summary       oldSummary `json:"summary"`
		TaskRisks     []oldRisk  `json:"task_risks"`
	}
	oldSummary struct {
		High       int `json:"high"`
		Medium     int `json:"medium"`
		Suggestion int `json:"suggestion"`
	}
	oldRisk struct {
		RiskType   string `json:"riskType"`
		Level      string `json:"level"`
		Desc       string `json:"desc"`
		Suggestion string `json:"suggestion"`
	}
	newItem struct {
		ID          string     `json:"id"`
		Name        string     `json:"name"`
		Desc        string     `json:"desc"`
		Status      int        `json:"status"`
		CreateTime  int64      `json:"create_time"`
		CheckType   string     `json:"check_type"`
		TriggerType string     `json:"trigger_type"`
		Summary     newSummary `json:"summary"`
		TaskRisks   []newRisk  `json:"task_risks"`
	}
	newSummary struct {
		HighRisk   int `json:"highRisk"`
		MediumRisk int `json:"mediumRisk"`
		Normal     int `json:"normal"`
		Suggestion int `json:"suggestion"`
	}
	newRisk struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Desc       string `json:"desc"`
		Level      string `json:"level"`
		Result     string `json:"result"`
		Suggestion string `json:"suggestion"`
	}
)

// itemJSON encodes one list item in the cluster's shape.
func (s *Server) itemJSON(c *cluster, t *task, now time.Time) []byte {
	if t.raw != nil {
		return t.raw
	}

	status := s.statusOf(c, t, now)
	var risks []Risk
	if status == StatusCompleted || status == StatusFailed {
		risks = c.opts.Risks
	}
	sum := countRisks(risks)
	if t.forcedSummary != nil {
		sum = *t.forcedSummary
	}

	if c.opts.Shape == ShapeNew {
		item := newItem{
			ID: t.id, Name: t.name, Desc: t.desc, Status: status,
			CreateTime: t.created.UnixMilli(), CheckType: t.checkType, TriggerType: "manual",
			Summary:   newSummary{sum.high, sum.medium, sum.normal, sum.suggestion},
			TaskRisks: []newRisk{},
		}
		if item.CheckType == "" {
			item.CheckType = "full_detection"
		}
		for i, r := range risks {
			item.TaskRisks = append(item.TaskRisks, newRisk{
				ID: riskID(i, r), Name: r.Type, Desc: r.Description, Level: r.Level,
				Result: riskResult(r), Suggestion: r.Suggestion,
			})
		}
		return marshal(item)
	}

	item := oldItem{
		ID: t.id, Name: t.name, Desc: t.desc, Status: status,
		CreateTime: t.created.UnixMilli(), SMNStatus: "not_open",
		Summary:   oldSummary{sum.high, sum.medium, sum.suggestion},
		TaskRisks: []oldRisk{},
	}
	for _, r := range risks {
		item.TaskRisks = append(item.TaskRisks, oldRisk{
			RiskType: r.Type, Level: r.Level, Desc: r.Description, Suggestion: r.Suggestion,
		})
	}
	return marshal(item)
}

// summaryJSON encodes summary counts in the given shape.
func summaryJSON(shape Shape, sum counts) []byte {
	if shape == ShapeNew {
		return marshal(newSummary{sum.high, sum.medium, sum.normal, sum.suggestion})
	}
	return marshal(oldSummary{sum.high, sum.medium, sum.suggestion})
}

func countRisks(risks []Risk) counts {
	var sum counts
	for _, r := range risks {
		switch strings.ToLower(r.Level) {
		case "high":
			sum.high++
		case "medium":
			sum.medium++
		case "suggestion":
			sum.suggestion++
		case "normal", "norisk":
			sum.normal++
		}
	}
	return sum
}

// riskID makes a stable check item id for a new-shape risk from its type.
func riskID(i int, r Risk) string {
	var b strings.Builder
	for _, ch := range strings.ToLower(r.Type) {
		if ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' {
			b.WriteRune(ch)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	if id := strings.TrimSuffix(b.String(), "_"); id != "" {
		return id
	}
	return "check_item_" + strconv.Itoa(i+1)
}

func riskResult(r Risk) string {
	switch strings.ToLower(r.Level) {
	case "normal", "norisk":
		return "normal"
	default:
		return "abnormal"
	}
}
