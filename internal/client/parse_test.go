package client

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// oldShapeList is the old-shape example of the API contract.
const oldShapeList = `{"total_size": 1,
 "aiops_list": [{
   "id": "7381a80b-68cb-4b9e-8226-37d686b18b1d", "name": "nightly-check", "desc": "",
   "status": 200, "create_time": 1687944156750,
   "smn_status": "not_open", "smn_fail_reason": null,
   "summary": {"high": 1, "medium": 0, "suggestion": 1},
   "task_risks": [{"riskType": "disk usage", "level": "high",
                   "desc": "disk usage above 85%", "suggestion": "add nodes"}]}]}`

// newShapeList is a new-shape list as the contract describes it: check_type, trigger_type, the
// new summary and risk fields, and no create_time, smn_status or smn_fail_reason.
const newShapeList = `{"total_size": 1,
 "aiops_list": [{
   "id": "b2", "name": "auto-check", "desc": "weekly", "status": 150,
   "check_type": "full_detection", "trigger_type": "auto",
   "summary": {"highRisk": 2, "mediumRisk": 3, "normal": 40, "suggestion": 5},
   "task_risks": [{"id": "r1", "name": "shard allocation", "desc": "unassigned shards",
                   "level": "high", "result": "failed", "suggestion": "check nodes"}]}]}`

func refStr(s string) *string { return &s }
func refInt64(n int64) *int64 { return &n }

func mustParse(t *testing.T, body string) listPage {
	t.Helper()
	p, err := parseList([]byte(body))
	if err != nil {
		t.Fatalf("parseList(%s): %v", body, err)
	}
	return p
}

func eqStr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqInt(a, b *int64) bool  { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func showStr(s *string) string {
	if s == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", *s)
}

func showInt(n *int64) string {
	if n == nil {
		return "nil"
	}
	return fmt.Sprint(*n)
}

func checkStr(t *testing.T, field string, got, want *string) {
	t.Helper()
	if !eqStr(got, want) {
		t.Errorf("%s = %s, want %s", field, showStr(got), showStr(want))
	}
}

func checkInt(t *testing.T, field string, got, want *int64) {
	t.Helper()
	if !eqInt(got, want) {
		t.Errorf("%s = %s, want %s", field, showInt(got), showInt(want))
	}
}

func TestParseList_oldShape(t *testing.T) {
	p := mustParse(t, oldShapeList)
	if p.Total != 1 || p.Items != 1 || len(p.Tasks) != 1 {
		t.Fatalf("total %d, items %d, tasks %d; want 1, 1, 1", p.Total, p.Items, len(p.Tasks))
	}
	task := p.Tasks[0]
	if task.ID != "7381a80b-68cb-4b9e-8226-37d686b18b1d" || task.Name != "nightly-check" ||
		task.Description != "" || task.StatusCode != 200 || task.Status() != StatusCompleted {
		t.Errorf("id %q name %q desc %q status %d", task.ID, task.Name, task.Description,
			task.StatusCode)
	}
	wantTime := time.UnixMilli(1687944156750).UTC()
	if task.CreateTime == nil || !task.CreateTime.Equal(wantTime) ||
		task.CreateTime.Location() != time.UTC {
		t.Errorf("create time = %v, want %v in UTC", task.CreateTime, wantTime)
	}
	checkStr(t, "smn_status", task.SMNStatus, refStr("not_open"))
	checkStr(t, "smn_fail_reason", task.SMNFailReason, nil)
	checkStr(t, "check_type", task.CheckType, nil)
	checkStr(t, "trigger_type", task.TriggerType, nil)

	if task.Summary == nil {
		t.Fatal("summary is nil")
	}
	checkInt(t, "summary.high", task.Summary.High, refInt64(1))
	checkInt(t, "summary.medium", task.Summary.Medium, refInt64(0))
	checkInt(t, "summary.suggestion", task.Summary.Suggestion, refInt64(1))
	checkInt(t, "summary.normal", task.Summary.Normal, nil)

	if len(task.Risks) != 1 {
		t.Fatalf("risks = %d, want 1", len(task.Risks))
	}
	r := task.Risks[0]
	checkStr(t, "risk.id", r.ID, nil)
	checkStr(t, "risk.riskType", r.RiskType, refStr("disk usage"))
	checkStr(t, "risk.level", r.Level, refStr("high"))
	checkStr(t, "risk.desc", r.Description, refStr("disk usage above 85%"))
	checkStr(t, "risk.suggestion", r.Suggestion, refStr("add nodes"))
	checkStr(t, "risk.result", r.Result, nil)
}

func TestParseList_newShape(t *testing.T) {
	p := mustParse(t, newShapeList)
	if len(p.Tasks) != 1 {
		t.Fatalf("tasks = %d, want 1", len(p.Tasks))
	}
	task := p.Tasks[0]
	if task.ID != "b2" || task.Description != "weekly" || task.StatusCode != 150 ||
		task.Finished() {
		t.Errorf("id %q desc %q status %d", task.ID, task.Description, task.StatusCode)
	}
	if task.CreateTime != nil {
		t.Errorf("create time = %v, want nil", task.CreateTime)
	}
	checkStr(t, "smn_status", task.SMNStatus, nil)
	checkStr(t, "smn_fail_reason", task.SMNFailReason, nil)
	checkStr(t, "check_type", task.CheckType, refStr("full_detection"))
	checkStr(t, "trigger_type", task.TriggerType, refStr("auto"))

	if task.Summary == nil {
		t.Fatal("summary is nil")
	}
	checkInt(t, "summary.high", task.Summary.High, refInt64(2))
	checkInt(t, "summary.medium", task.Summary.Medium, refInt64(3))
	checkInt(t, "summary.suggestion", task.Summary.Suggestion, refInt64(5))
	checkInt(t, "summary.normal", task.Summary.Normal, refInt64(40))

	if len(task.Risks) != 1 {
		t.Fatalf("risks = %d, want 1", len(task.Risks))
	}
	r := task.Risks[0]
	checkStr(t, "risk.id", r.ID, refStr("r1"))
	checkStr(t, "risk.riskType", r.RiskType, refStr("shard allocation"))
	checkStr(t, "risk.level", r.Level, refStr("high"))
	checkStr(t, "risk.desc", r.Description, refStr("unassigned shards"))
	checkStr(t, "risk.suggestion", r.Suggestion, refStr("check nodes"))
	checkStr(t, "risk.result", r.Result, refStr("failed"))
}

// TestParseList_newShapeVariants covers what the new shape may or may not send: create_time as
// a string, smn fields present, a summary without normal, a risk without result, and items of
// both shapes in one list.
func TestParseList_newShapeVariants(t *testing.T) {
	p := mustParse(t, `{"total_size": 2, "aiops_list": [
	  {"id": "n1", "name": "manual-check", "desc": "", "status": 300,
	   "create_time": "1767225600000", "smn_status": "sent", "smn_fail_reason": "",
	   "check_type": "partial_detection", "trigger_type": "manual",
	   "summary": {"highRisk": 0, "mediumRisk": 1, "suggestion": 0},
	   "task_risks": [{"id": "replicas", "name": "replicas", "level": "medium"}]},
	  {"id": "o1", "name": "old-check", "status": 200, "create_time": 1687944156750,
	   "summary": {"high": 0, "medium": 0, "suggestion": 0}, "task_risks": []}]}`)
	if len(p.Tasks) != 2 || p.Total != 2 {
		t.Fatalf("tasks %d, total %d; want 2, 2", len(p.Tasks), p.Total)
	}

	n := p.Tasks[0]
	if n.Status() != StatusFailed || n.StatusCode != 300 {
		t.Errorf("status %s (%d), want failed (300)", n.Status(), n.StatusCode)
	}
	wantTime := time.UnixMilli(1767225600000).UTC()
	if n.CreateTime == nil || !n.CreateTime.Equal(wantTime) {
		t.Errorf("create time from a string = %v, want %v", n.CreateTime, wantTime)
	}
	checkStr(t, "smn_status", n.SMNStatus, refStr("sent"))
	checkStr(t, "smn_fail_reason", n.SMNFailReason, refStr(""))
	checkStr(t, "check_type", n.CheckType, refStr("partial_detection"))
	checkStr(t, "trigger_type", n.TriggerType, refStr("manual"))
	checkInt(t, "summary.high", n.Summary.High, refInt64(0))
	checkInt(t, "summary.medium", n.Summary.Medium, refInt64(1))
	checkInt(t, "summary.normal", n.Summary.Normal, nil)
	if len(n.Risks) != 1 {
		t.Fatalf("risks = %d, want 1", len(n.Risks))
	}
	checkStr(t, "risk.id", n.Risks[0].ID, refStr("replicas"))
	checkStr(t, "risk.riskType", n.Risks[0].RiskType, refStr("replicas"))
	checkStr(t, "risk.result", n.Risks[0].Result, nil)
	checkStr(t, "risk.desc", n.Risks[0].Description, nil)

	o := p.Tasks[1]
	checkStr(t, "old check_type", o.CheckType, nil)
	checkStr(t, "old trigger_type", o.TriggerType, nil)
	checkStr(t, "old smn_status", o.SMNStatus, nil)
	checkInt(t, "old summary.normal", o.Summary.Normal, nil)
	checkInt(t, "old summary.high", o.Summary.High, refInt64(0))
	if o.Risks == nil || len(o.Risks) != 0 {
		t.Errorf("old risks = %#v, want empty non-nil", o.Risks)
	}
}

// TestParseList_oddBodies covers S16: odd success bodies never crash, and missing values
// become nil.
func TestParseList_oddBodies(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		tasks int
		check func(t *testing.T, task Task)
	}{
		{name: "empty object", body: `{}`},
		{name: "null list", body: `{"aiops_list": null}`},
		{name: "empty list", body: `{"total_size": 0, "aiops_list": []}`},
		{
			name:  "no summary, risks or create_time",
			body:  `{"aiops_list": [{"id": "a"}]}`,
			tasks: 1,
			check: func(t *testing.T, task Task) {
				if task.Summary != nil || task.Risks != nil || task.CreateTime != nil ||
					task.StatusCode != 0 || task.Description != "" || task.SMNStatus != nil {
					t.Errorf("want all missing, got summary %v risks %v time %v status %d",
						task.Summary, task.Risks, task.CreateTime, task.StatusCode)
				}
				if task.Status() != StatusRunning {
					t.Errorf("status = %s, want running", task.Status())
				}
			},
		},
		{
			name: "all null",
			body: `{"aiops_list": [{"id": "a", "name": null, "desc": null, "status": null,
				"create_time": null, "summary": null, "task_risks": null, "smn_status": null,
				"smn_fail_reason": null, "check_type": null}]}`,
			tasks: 1,
			check: func(t *testing.T, task Task) {
				if task.Summary != nil || task.Risks != nil || task.CreateTime != nil ||
					task.SMNStatus != nil || task.SMNFailReason != nil || task.CheckType != nil {
					t.Error("null values must become nil")
				}
			},
		},
		{
			name: "status as string", body: `{"aiops_list": [{"id": "a", "status": "200"}]}`,
			tasks: 1,
			check: func(t *testing.T, task Task) {
				if task.StatusCode != 200 || task.Status() != StatusCompleted {
					t.Errorf("status code = %d, want 200", task.StatusCode)
				}
			},
		},
		{
			name:  "risks missing fields",
			body:  `{"aiops_list": [{"id": "a", "task_risks": [{}, {"level": "high"}, 7, null]}]}`,
			tasks: 1,
			check: func(t *testing.T, task Task) {
				if len(task.Risks) != 2 {
					t.Fatalf("risks = %d, want 2 (non-objects skipped)", len(task.Risks))
				}
				if task.Risks[0].RiskType != nil || task.Risks[0].Level != nil {
					t.Error("missing risk fields must be nil")
				}
				checkStr(t, "level", task.Risks[1].Level, refStr("high"))
			},
		},
		{
			name:  "empty risk list stays empty, not nil",
			body:  `{"aiops_list": [{"id": "a", "task_risks": []}]}`,
			tasks: 1,
			check: func(t *testing.T, task Task) {
				if task.Risks == nil || len(task.Risks) != 0 {
					t.Errorf("risks = %#v, want empty non-nil", task.Risks)
				}
			},
		},
		{
			name: "empty strings stay empty strings",
			body: `{"aiops_list": [{"id": "a", "desc": "", "smn_fail_reason": ""}]}`, tasks: 1,
			check: func(t *testing.T, task Task) {
				checkStr(t, "smn_fail_reason", task.SMNFailReason, refStr(""))
			},
		},
		{
			name: "malformed fields",
			body: `{"total_size": "x", "aiops_list": [{"id": "a", "status": {"x": 1},
				"create_time": [1], "summary": [1, 2], "task_risks": {"a": 1}, "desc": 5,
				"name": ["n"]}]}`,
			tasks: 1,
			check: func(t *testing.T, task Task) {
				if task.StatusCode != 0 || task.CreateTime != nil || task.Summary != nil ||
					task.Risks != nil || task.Name != "" || task.Description != "5" {
					t.Errorf("malformed fields: status %d time %v summary %v risks %v name %q"+
						" desc %q", task.StatusCode, task.CreateTime, task.Summary, task.Risks,
						task.Name, task.Description)
				}
			},
		},
		{
			name:  "items that are not objects or lack an id are skipped",
			body:  `{"aiops_list": [null, 1, "x", {"name": "no id"}, {"id": ""}, {"id": "b"}]}`,
			tasks: 1,
		},
		{
			name: "id as number", body: `{"aiops_list": [{"id": 42}]}`, tasks: 1,
			check: func(t *testing.T, task Task) {
				if task.ID != "42" {
					t.Errorf("id = %q, want 42", task.ID)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.body)
			if len(p.Tasks) != tc.tasks {
				t.Fatalf("tasks = %d, want %d", len(p.Tasks), tc.tasks)
			}
			if tc.check != nil {
				tc.check(t, p.Tasks[0])
			}
		})
	}
}

func TestParseList_undecodableBodies(t *testing.T) {
	for _, body := range []string{
		"", "<html><body>502 Bad Gateway</body></html>", "null", "[]", `"text"`, "{",
		`{"aiops_list": {"id": "a"}}`, `{"aiops_list": "x"}`, `{} trailing`,
	} {
		if _, err := parseList([]byte(body)); err == nil {
			t.Errorf("parseList(%q) succeeded, want an error", body)
		}
	}
}

// TestParseList_sameValueEverywhere covers S17: exact values, in UTC, whatever the local zone.
func TestParseList_sameValueEverywhere(t *testing.T) {
	t.Setenv("TZ", "Asia/Kolkata")
	saved := time.Local
	time.Local = time.FixedZone("test", 5*3600+1800)
	t.Cleanup(func() { time.Local = saved })

	want := time.Date(2025, 1, 1, 0, 0, 0, 123e6, time.UTC)
	for _, ct := range []string{
		`1735689600123`, `1.735689600123E12`, `1.735689600123e+12`, `"1735689600123"`,
		`"2025-01-01T00:00:00.123Z"`, `"2025-01-01T05:30:00.123+05:30"`,
		`"2025-01-01T00:00:00.123"`, `1735689600123.0`,
	} {
		body := `{"aiops_list": [{"id": "a", "create_time": ` + ct +
			`, "summary": {"high": 1234567, "medium": 1.234567E6, "suggestion": "1234567"}}]}`
		p := mustParse(t, body)
		task := p.Tasks[0]
		if task.CreateTime == nil {
			t.Errorf("create_time %s: nil", ct)
			continue
		}
		got := task.CreateTime.Format(time.RFC3339Nano)
		if got != "2025-01-01T00:00:00.123Z" || !task.CreateTime.Equal(want) {
			t.Errorf("create_time %s = %s, want 2025-01-01T00:00:00.123Z", ct, got)
		}
		for name, n := range map[string]*int64{
			"high": task.Summary.High, "medium": task.Summary.Medium,
			"suggestion": task.Summary.Suggestion,
		} {
			if n == nil || *n != 1234567 {
				t.Errorf("summary.%s = %s, want exactly 1234567", name, showInt(n))
			}
		}
	}
}

func TestParseInteger(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-5", -5, true}, {"200", 200, true}, {" 7 ", 7, true},
		{"1.735689600123E12", 1735689600123, true}, {"1234567", 1234567, true},
		{"9007199254740993", 9007199254740993, true}, // not exact as a float64
		{"9.007199254740993e15", 9007199254740993, true},
		{"200.0", 200, true}, {"2e2", 200, true}, {"+3", 3, true}, {"1.", 1, true},
		{"12300e-2", 123, true}, {"0.0e5", 0, true}, {"-1.5e1", -15, true},
		{"1.5", 0, false}, {"1e-1", 0, false}, {"abc", 0, false}, {"", 0, false},
		{"1e400", 0, false}, {"1e", 0, false}, {".", 0, false}, {"1.2.3", 0, false},
		{"9223372036854775808", 0, false}, {"1e19", 0, false}, {"--1", 0, false},
		{"NaN", 0, false}, {"Infinity", 0, false}, {"0x10", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseInteger(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseInteger(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseList checks that no body makes the parser panic or hang, and that what it returns
// keeps its invariants.
func FuzzParseList(f *testing.F) {
	seeds := []string{
		oldShapeList, newShapeList, `{}`, `{"aiops_list": null}`, `{"aiops_list": []}`,
		`{"aiops_list": [{"id": "a", "status": "200"}]}`,
		`{"aiops_list": [{"id": "a", "create_time": 1.735689600123E12}]}`,
		`{"aiops_list": [{"id": "a", "summary": {"high": 1234567}}]}`,
		`{"aiops_list": [{"id": "a", "task_risks": [{}, null]}]}`,
		`<html>500</html>`, ``, `null`, `{"total_size": 1e999}`,
		`{"aiops_list": [{"id": "a", "create_time": "1e40"}]}`,
		`{"aiops_list": [{"id": "a", "create_time": 9223372036854775807}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseList(body)
		if err != nil {
			return
		}
		if len(p.Tasks) > p.Items {
			t.Fatalf("%d tasks from %d items", len(p.Tasks), p.Items)
		}
		for _, task := range p.Tasks {
			if strings.TrimSpace(task.ID) == "" {
				t.Fatal("a task without an id was returned")
			}
			if task.CreateTime != nil {
				if task.CreateTime.Location() != time.UTC {
					t.Fatal("a create time not in UTC was returned")
				}
				if _, err := task.CreateTime.MarshalText(); err != nil {
					t.Fatalf("create time %v does not format: %v", task.CreateTime, err)
				}
			}
		}
	})
}

// BenchmarkParseList decodes a list of 30 old-shape tasks, the most a cluster holds.
func BenchmarkParseList(b *testing.B) {
	var items []string
	for i := range 30 {
		items = append(items, fmt.Sprintf(`{"id": "aaaaaaaa-0000-0000-0000-%012d",
			"name": "task-%d", "desc": "nightly detection", "status": 200,
			"create_time": %d, "smn_status": "sent", "smn_fail_reason": null,
			"summary": {"high": 1, "medium": 2, "suggestion": 3},
			"task_risks": [{"riskType": "disk usage", "level": "high",
				"desc": "disk usage above 85%%", "suggestion": "add nodes"},
				{"riskType": "shards", "level": "medium", "desc": "too many shards",
				"suggestion": "shrink indices"}]}`, i, i, 1735689600123+int64(i)))
	}
	body := []byte(`{"total_size": 30, "aiops_list": [` + strings.Join(items, ",") + `]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := parseList(body)
		if err != nil || len(p.Tasks) != 30 {
			b.Fatalf("tasks %d, err %v", len(p.Tasks), err)
		}
	}
}
