package simulator_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

var uuidV4 = regexp.MustCompile(
	`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateAndList_oldShapeExactJSON(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.SetClusterOptions(testCluster, simulator.ClusterOptions{Risks: []simulator.Risk{
		{Type: "disk usage", Level: "high", Description: "disk usage above 85%",
			Suggestion: "add nodes"},
		{Type: "shards", Level: "suggestion", Description: "many shards", Suggestion: "merge"},
	}})

	r := f.do(http.MethodPost, tasksPath(testCluster),
		`{"name":"nightly-check","description":"after upgrade",`+
			`"alarm":{"level":"high","smn_topic":"ops-alerts"}}`)
	if r.status != http.StatusOK || r.body != "" {
		t.Fatalf("create: status %d body %q, want 200 and empty", r.status, r.body)
	}

	tasks := f.sim.Tasks(testCluster)
	if len(tasks) != 1 {
		t.Fatalf("Tasks: %d tasks, want 1", len(tasks))
	}
	id := tasks[0].ID
	if !uuidV4.MatchString(id) {
		t.Fatalf("task id %q is not a UUID v4", id)
	}
	want := `{"total_size":1,"aiops_list":[{"id":"` + id + `","name":"nightly-check",` +
		`"desc":"after upgrade","status":200,"create_time":1735689600123,` +
		`"smn_status":"not_open","smn_fail_reason":null,` +
		`"summary":{"high":1,"medium":0,"suggestion":1},"task_risks":[` +
		`{"riskType":"disk usage","level":"high","desc":"disk usage above 85%",` +
		`"suggestion":"add nodes"},` +
		`{"riskType":"shards","level":"suggestion","desc":"many shards","suggestion":"merge"}]}]}`
	got := f.do(http.MethodGet, tasksPath(testCluster), "")
	if got.body != want {
		t.Fatalf("list body\n got %s\nwant %s", got.body, want)
	}
	if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
}

func TestCreateAndList_newShapeExactJSON(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.SetClusterOptions(testCluster, simulator.ClusterOptions{
		Shape: simulator.ShapeNew,
		Risks: []simulator.Risk{{Type: "Disk Usage", Level: "medium", Description: "d",
			Suggestion: "s"}},
	})

	f.create("plain")
	f.clock.Advance(time.Second)
	r := f.do(http.MethodPost, tasksPath(testCluster),
		`{"name":"partial","check_type":"partial_detection","check_items":["disk_usage"]}`)
	if r.status != http.StatusOK {
		t.Fatalf("create partial: status %d body %s", r.status, r.body)
	}

	tasks := f.sim.Tasks(testCluster)
	if len(tasks) != 2 || tasks[1].CheckType != "partial_detection" {
		t.Fatalf("Tasks = %v, want plain then partial with check type partial_detection", tasks)
	}
	item := func(id, name string, ms int64, checkType string) string {
		return fmt.Sprintf(`{"id":"%s","name":"%s","desc":"","status":200,"create_time":%d,`+
			`"check_type":"%s","trigger_type":"manual",`+
			`"summary":{"highRisk":0,"mediumRisk":1,"normal":0,"suggestion":0},`+
			`"task_risks":[{"id":"disk_usage","name":"Disk Usage","desc":"d","level":"medium",`+
			`"result":"abnormal","suggestion":"s"}]}`, id, name, ms, checkType)
	}
	want := `{"total_size":2,"aiops_list":[` +
		item(tasks[1].ID, "partial", 1735689601123, "partial_detection") + "," +
		item(tasks[0].ID, "plain", 1735689600123, "full_detection") + `]}`
	got := f.do(http.MethodGet, tasksPath(testCluster), "")
	if got.body != want {
		t.Fatalf("list body\n got %s\nwant %s", got.body, want)
	}
}

func TestCreate_validation(t *testing.T) {
	long := func(n int) string { return "a" + strings.Repeat("b", n-1) }
	cases := []struct {
		name  string
		shape simulator.Shape
		body  string
		field string // "" = accepted
	}{
		{"minimal", simulator.ShapeOld, `{"name":"abcd"}`, ""},
		{"64-char name", simulator.ShapeOld, `{"name":"` + long(64) + `"}`, ""},
		{"255-char description", simulator.ShapeOld,
			`{"name":"abcd","description":"` + strings.Repeat("é", 255) + `"}`, ""},
		{"full alarm", simulator.ShapeOld,
			`{"name":"abcd","alarm":{"level":"norisk","smn_topic":"t"}}`, ""},
		{"null alarm", simulator.ShapeOld, `{"name":"abcd","alarm":null}`, ""},
		{"not JSON", simulator.ShapeOld, `name=abcd`, "body"},
		{"no name", simulator.ShapeOld, `{"description":"x"}`, "name"},
		{"empty name", simulator.ShapeOld, `{"name":""}`, "name"},
		{"short name", simulator.ShapeOld, `{"name":"abc"}`, "name"},
		{"65-char name", simulator.ShapeOld, `{"name":"` + long(65) + `"}`, "name"},
		{"name with space", simulator.ShapeOld, `{"name":"aiops test!"}`, "name"},
		{"name starting with digit", simulator.ShapeOld, `{"name":"1abc"}`, "name"},
		{"number name", simulator.ShapeOld, `{"name":1234}`, "name"},
		{"256-char description", simulator.ShapeOld,
			`{"name":"abcd","description":"` + strings.Repeat("x", 256) + `"}`, "description"},
		{"alarm bad level", simulator.ShapeOld,
			`{"name":"abcd","alarm":{"level":"urgent","smn_topic":"t"}}`, "alarm.level"},
		{"alarm no topic", simulator.ShapeOld,
			`{"name":"abcd","alarm":{"level":"high"}}`, "alarm.smn_topic"},
		{"alarm empty topic", simulator.ShapeOld,
			`{"name":"abcd","alarm":{"level":"high","smn_topic":""}}`, "alarm.smn_topic"},
		{"check_type on old shape", simulator.ShapeOld,
			`{"name":"abcd","check_type":"full_detection"}`, "check_type"},
		{"check_items on old shape", simulator.ShapeOld,
			`{"name":"abcd","check_items":[]}`, "check_items"},
		{"check_type on new shape", simulator.ShapeNew,
			`{"name":"abcd","check_type":"unavailability_detection"}`, ""},
		{"unknown check_type", simulator.ShapeNew,
			`{"name":"abcd","check_type":"quick"}`, "check_type"},
		{"check_items without partial", simulator.ShapeNew,
			`{"name":"abcd","check_type":"full_detection","check_items":["x"]}`, "check_items"},
		{"check_items without check_type", simulator.ShapeNew,
			`{"name":"abcd","check_items":["x"]}`, "check_items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.sim.SetClusterOptions(testCluster, simulator.ClusterOptions{Shape: tc.shape})

			r := f.do(http.MethodPost, tasksPath(testCluster), tc.body)
			if tc.field == "" {
				if r.status != http.StatusOK {
					t.Fatalf("status %d body %s, want 200", r.status, r.body)
				}
				if n := len(f.sim.Tasks(testCluster)); n != 1 {
					t.Fatalf("%d tasks stored, want 1", n)
				}
				return
			}
			wantError(t, r, http.StatusBadRequest, "CSS.0001")
			want := `"CSS.0001 : invalid parameter: ` + tc.field + `"`
			if !strings.Contains(r.body, want) {
				t.Fatalf("body %s does not contain %s", r.body, want)
			}
			if n := len(f.sim.Tasks(testCluster)); n != 0 {
				t.Fatalf("%d tasks stored after a refused create, want 0", n)
			}
		})
	}
}

func TestList_pagination(t *testing.T) {
	f := newFixture(t, nil)
	for i := 1; i <= 25; i++ {
		f.sim.AddTask(testCluster, fmt.Sprintf("task-%02d", i), "")
		f.clock.Advance(time.Millisecond)
	}

	cases := []struct {
		query string
		first string
		n     int
	}{
		{"", "task-25", 10}, // default limit 10, newest first
		{"?limit=100", "task-25", 25},
		{"?limit=5&offset=0", "task-25", 5},
		{"?limit=5&offset=5", "task-20", 5},
		{"?limit=10&offset=20", "task-05", 5},
		{"?limit=10&start=20", "task-05", 5},
		{"?limit=10&offset=20&start=0", "task-05", 5}, // offset wins over start
		{"?limit=10&offset=25", "", 0},
		{"?limit=1000&offset=999", "", 0},
		{"?limit=007", "task-25", 7},
	}
	for _, tc := range cases {
		page := f.list(tc.query)
		if page.TotalSize != 25 {
			t.Errorf("%s: total_size %d, want 25", tc.query, page.TotalSize)
		}
		got := names(t, page)
		if len(got) != tc.n || tc.n > 0 && got[0] != tc.first {
			t.Errorf("%s: got %v, want %d items from %s", tc.query, got, tc.n, tc.first)
		}
	}

	all := names(t, f.list("?limit=100"))
	for i := 1; i < len(all); i++ {
		if all[i-1] <= all[i] {
			t.Fatalf("list not newest first: %v", all)
		}
	}

	for _, q := range []string{"limit=0", "limit=1001", "limit=abc", "limit=1e2", "limit=-1",
		"limit=%2B5", "limit=", "limit=10.0", "offset=-1", "offset=x", "start=1.5"} {
		r := f.do(http.MethodGet, tasksPath(testCluster)+"?"+q, "")
		t.Run(q, func(t *testing.T) { wantError(t, r, http.StatusBadRequest, "CSS.0001") })
	}
}

func TestList_emptyClusterHasEmptyArray(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(http.MethodGet, tasksPath(testCluster), "")
	if want := `{"total_size":0,"aiops_list":[]}`; r.body != want {
		t.Fatalf("body %s, want %s", r.body, want)
	}
}

func TestVisibleAfter_hidesNewTask(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.VisibleAfter = 2 * time.Second })

	f.create("delayed")
	if page := f.list("?limit=100"); page.TotalSize != 0 || len(page.List) != 0 {
		t.Fatalf("new task listed before VisibleAfter: total_size %d", page.TotalSize)
	}
	tasks := f.sim.Tasks(testCluster)
	if len(tasks) != 1 || tasks[0].Visible {
		t.Fatalf("Tasks = %v, want one invisible task", tasks)
	}

	f.clock.Advance(1999 * time.Millisecond)
	if page := f.list(""); page.TotalSize != 0 {
		t.Fatalf("task listed 1.999 s after POST")
	}
	f.clock.Advance(time.Millisecond)
	if page := f.list(""); page.TotalSize != 1 || len(page.List) != 1 {
		t.Fatalf("task not listed 2 s after POST: total_size %d", page.TotalSize)
	}

	f.sim.SetTiming(0, 0)
	f.create("immediate")
	if page := f.list(""); page.TotalSize != 2 {
		t.Fatalf("after SetTiming(0, 0) total_size %d, want 2", page.TotalSize)
	}
}

func TestRunFor_runningThenCompleted(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.RunFor = 5 * time.Second })
	f.sim.SetClusterOptions(testCluster, simulator.ClusterOptions{Risks: []simulator.Risk{
		{Type: "heap", Level: "high", Description: "heap", Suggestion: "scale"},
		{Type: "cpu", Level: "medium", Description: "cpu", Suggestion: "scale"},
	}})
	f.create("runner")

	item := string(f.list("").List[0])
	if !strings.Contains(item, `"status":150`) ||
		!strings.Contains(item, `"summary":{"high":0,"medium":0,"suggestion":0}`) ||
		!strings.Contains(item, `"task_risks":[]`) {
		t.Fatalf("running item %s, want status 150, zero summary, no risks", item)
	}

	f.clock.Advance(5 * time.Second)
	item = string(f.list("").List[0])
	if !strings.Contains(item, `"status":200`) ||
		!strings.Contains(item, `"summary":{"high":1,"medium":1,"suggestion":0}`) ||
		!strings.Contains(item, `"riskType":"heap"`) {
		t.Fatalf("finished item %s, want status 200 with the cluster's risks", item)
	}

	f.sim.SetClusterOptions(testCluster, simulator.ClusterOptions{Fail: true})
	if got := f.sim.Tasks(testCluster)[0].Status; got != 300 {
		t.Fatalf("status with Fail = %d, want 300", got)
	}
}

func TestSetTaskStatusAndSummary(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.RunFor = time.Hour })
	id := f.sim.AddTask(testCluster, "outside", "made elsewhere")

	if got := f.sim.Tasks(testCluster)[0]; got.Status != 150 || got.ID != id ||
		got.Description != "made elsewhere" {
		t.Fatalf("AddTask view %s %q status %d, want running task %s", got.ID,
			got.Description, got.Status, id)
	}
	f.sim.SetTaskStatus(testCluster, id, 200)
	f.sim.SetTaskSummary(testCluster, id, 1234567, 2, 3)

	item := string(f.list("").List[0])
	if !strings.Contains(item, `"status":200`) ||
		!strings.Contains(item, `"summary":{"high":1234567,"medium":2,"suggestion":3}`) {
		t.Fatalf("item %s, want forced status 200 and summary 1234567/2/3", item)
	}

	if !f.sim.RemoveTask(testCluster, id) || f.sim.RemoveTask(testCluster, id) {
		t.Fatal("RemoveTask should report true once, then false")
	}
	if page := f.list(""); page.TotalSize != 0 {
		t.Fatalf("removed task still listed: total_size %d", page.TotalSize)
	}
}

func TestPutRawTask_servedVerbatim(t *testing.T) {
	f := newFixture(t, nil)
	f.sim.AddTask(testCluster, "normal", "") // created at 1735689600123
	raw := `{"id":"aaaaaaaa-0000-0000-0000-000000000001","name":"odd","status":"200",` +
		`"create_time":1.735689600124E12,"summary":null}`
	f.sim.PutRawTask(testCluster, "aaaaaaaa-0000-0000-0000-000000000001", []byte(raw))
	older := `{"id":"aaaaaaaa-0000-0000-0000-000000000002","name":"old","create_time":"1000"}`
	f.sim.PutRawTask(testCluster, "aaaaaaaa-0000-0000-0000-000000000002", []byte(older))

	page := f.list("")
	if page.TotalSize != 3 || string(page.List[0]) != raw || string(page.List[2]) != older {
		t.Fatalf("list %s, want the raw item first, verbatim, and the old one last",
			f.do(http.MethodGet, tasksPath(testCluster), "").body)
	}
	views := f.sim.Tasks(testCluster)
	if v := views[2]; !v.Raw || v.Name != "odd" || v.Status != 200 {
		t.Fatalf("raw view raw=%t name %q status %d, want Raw, name odd, status 200",
			v.Raw, v.Name, v.Status)
	}

	f.sim.SetTaskStatus(testCluster, "aaaaaaaa-0000-0000-0000-000000000002", 300)
	if item := string(f.list("").List[2]); !strings.Contains(item, `"status":300`) {
		t.Fatalf("raw item after SetTaskStatus: %s, want status 300", item)
	}

	r := f.do(http.MethodDelete, tasksPath(testCluster)+"/aaaaaaaa-0000-0000-0000-000000000001", "")
	if r.status != http.StatusOK || f.list("").TotalSize != 2 {
		t.Fatalf("deleting a raw task: status %d", r.status)
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t, nil)
	id := f.sim.AddTask(testCluster, "doomed", "")
	keep := f.sim.AddTask(testCluster, "kept", "")

	r := f.do(http.MethodDelete, tasksPath(testCluster)+"/"+id, "")
	if r.status != http.StatusOK || r.body != "" {
		t.Fatalf("delete: status %d body %q, want 200 and empty", r.status, r.body)
	}
	if got := names(t, f.list("")); len(got) != 1 || got[0] != "kept" {
		t.Fatalf("after delete the list has %v, want [kept]", got)
	}

	r = f.do(http.MethodDelete, tasksPath(testCluster)+"/"+id, "")
	wantError(t, r, http.StatusBadRequest, "CSS.0082")
	if !strings.Contains(r.body, "record does not exist") {
		t.Fatalf("body %s, want record does not exist", r.body)
	}
	if len(f.sim.Tasks(testCluster)) != 1 || f.sim.Tasks(testCluster)[0].ID != keep {
		t.Fatal("the other task was touched")
	}
}

func TestDelete_rejectedWhileRunning(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.RunFor = time.Minute })
	f.sim.SetClusterOptions(testCluster, simulator.ClusterOptions{RejectDeleteWhileRunning: true})
	id := f.sim.AddTask(testCluster, "running", "")

	r := f.do(http.MethodDelete, tasksPath(testCluster)+"/"+id, "")
	wantError(t, r, http.StatusPreconditionFailed, simulator.CodeTaskRunning)

	f.clock.Advance(time.Minute)
	if r := f.do(http.MethodDelete, tasksPath(testCluster)+"/"+id, ""); r.status != 200 {
		t.Fatalf("delete after completion: status %d body %s", r.status, r.body)
	}
}

func TestUnknownClusterAndProject(t *testing.T) {
	f := newFixture(t, nil)
	other := "22222222-2222-2222-2222-222222222222"

	wantError(t, f.do(http.MethodPost, tasksPath(other), `{"name":"abcd"}`),
		http.StatusForbidden, "CSS.0015")
	wantError(t, f.do(http.MethodGet, tasksPath(other), ""), http.StatusForbidden, "CSS.0015")
	wantError(t, f.do(http.MethodDelete, tasksPath(other)+"/x", ""),
		http.StatusForbidden, "CSS.0015")

	wrongProject := "/v1.0/ffffffffffffffffffffffffffffffff/clusters/" + testCluster + "/ai-ops"
	wantError(t, f.do(http.MethodGet, wrongProject, ""), http.StatusNotFound, "APIGW.0101")

	for _, p := range []string{
		"/v1.0/" + testProject + "/clusters//ai-ops",
		"/v1.0//clusters/" + testCluster + "/ai-ops",
		tasksPath(testCluster) + "/",
		"/v1.0/" + testProject + "/clusters/" + testCluster,
		"/v2/whatever",
	} {
		if r := f.do(http.MethodGet, p, ""); r.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, r.status)
		}
	}

	if !f.sim.RemoveCluster(testCluster) {
		t.Fatal("RemoveCluster reported no cluster")
	}
	wantError(t, f.do(http.MethodGet, tasksPath(testCluster), ""), http.StatusForbidden, "CSS.0015")
}

func TestTaskLimit(t *testing.T) {
	f := newFixture(t, nil)
	for i := 0; i < 30; i++ {
		f.create(fmt.Sprintf("task-%02d", i))
	}
	r := f.do(http.MethodPost, tasksPath(testCluster), `{"name":"one-too-many"}`)
	wantError(t, r, http.StatusBadRequest, simulator.CodeTaskLimit)
	if !strings.Contains(r.body, "30") {
		t.Fatalf("limit answer %s does not name the limit 30", r.body)
	}
	if n := len(f.sim.Tasks(testCluster)); n != 30 {
		t.Fatalf("%d tasks stored, want 30", n)
	}
	if page := f.list("?limit=100"); page.TotalSize != 30 || len(page.List) != 30 {
		t.Fatalf("list total %d items %d, want 30", page.TotalSize, len(page.List))
	}
}

func TestTaskLimit_configurable(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.MaxTasks = 2 })
	f.create("first")
	f.create("second")
	r := f.do(http.MethodPost, tasksPath(testCluster), `{"name":"third"}`)
	wantError(t, r, http.StatusBadRequest, simulator.CodeTaskLimit)
	if !strings.Contains(r.body, "2") {
		t.Fatalf("limit answer %s does not name the limit 2", r.body)
	}
}

func TestMutationBusyWindow(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.MutationBusyFor = 5 * time.Second })
	other := "22222222-2222-2222-2222-222222222222"
	f.sim.AddCluster(other, simulator.ClusterOptions{})

	f.create("first")
	r := f.do(http.MethodPost, tasksPath(testCluster), `{"name":"second"}`)
	wantError(t, r, http.StatusConflict, "CSS.0011")
	if !strings.Contains(r.body, "another operation is in progress") {
		t.Fatalf("busy body %s", r.body)
	}
	id := f.sim.Tasks(testCluster)[0].ID
	wantError(t, f.do(http.MethodDelete, tasksPath(testCluster)+"/"+id, ""),
		http.StatusConflict, "CSS.0011")
	if r := f.do(http.MethodGet, tasksPath(testCluster), ""); r.status != http.StatusOK {
		t.Fatalf("list during busy window: status %d", r.status)
	}
	if r := f.do(http.MethodPost, tasksPath(other), `{"name":"elsewhere"}`); r.status != 200 {
		t.Fatalf("another cluster was busy too: status %d body %s", r.status, r.body)
	}

	f.clock.Advance(5 * time.Second)
	if r := f.do(http.MethodDelete, tasksPath(testCluster)+"/"+id, ""); r.status != 200 {
		t.Fatalf("delete after the busy window: status %d body %s", r.status, r.body)
	}
	wantError(t, f.do(http.MethodPost, tasksPath(testCluster), `{"name":"third"}`),
		http.StatusConflict, "CSS.0011")

	f.sim.SetMutationBusyFor(0)
	f.create("fourth")
}

func TestMutationBusyWindow_concurrentPOSTs(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.MutationBusyFor = time.Hour })

	const n = 20
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.send(http.MethodPost, tasksPath(testCluster),
				fmt.Sprintf(`{"name":"task-%02d"}`, i), true, nil)
			statuses[i], errs[i] = r.status, err
		}()
	}
	wg.Wait()

	ok, busy := 0, 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch statuses[i] {
		case 200:
			ok++
		case 409:
			busy++
		}
	}
	if ok != 1 || busy != n-1 || len(f.sim.Tasks(testCluster)) != 1 {
		t.Fatalf("%d accepted, %d busy, %d stored; want 1, %d, 1", ok, busy,
			len(f.sim.Tasks(testCluster)), n-1)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t, nil)
	if r := f.do(http.MethodPut, tasksPath(testCluster), `{}`); r.status != 405 {
		t.Fatalf("PUT: status %d, want 405", r.status)
	}
	if r := f.do(http.MethodGet, tasksPath(testCluster)+"/x", ""); r.status != 405 {
		t.Fatalf("GET by id: status %d, want 405", r.status)
	}
}
