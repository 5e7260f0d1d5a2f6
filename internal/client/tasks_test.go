package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// pagedList serves a list of total items (ids t0, t1, ...) claiming totalSize, with the page
// that page returns for a request's limit and offset (offset -1 when absent).
func pagedList(t *testing.T, totalSize int, page func(limit, offset int) []int) *httpFake {
	return newHTTPFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		q := r.URL.Query()
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil {
			writeAPIJSON(w, 400, `{"errCode":"CSS.0001","externalMessage":"bad limit"}`)
			return
		}
		offset := -1
		if v := q.Get("offset"); v != "" {
			if offset, err = strconv.Atoi(v); err != nil {
				writeAPIJSON(w, 400, `{"errCode":"CSS.0001","externalMessage":"bad offset"}`)
				return
			}
		}
		var items []string
		for _, i := range page(limit, offset) {
			items = append(items, fmt.Sprintf(`{"id": "t%d", "name": "n%d", "status": 200}`, i, i))
		}
		writeAPIJSON(w, 200, fmt.Sprintf(`{"total_size": %d, "aiops_list": [%s]}`, totalSize,
			strings.Join(items, ",")))
	})
}

// zeroBased returns the items [offset, offset+limit) of n items.
func zeroBased(n int) func(limit, offset int) []int {
	return func(limit, offset int) []int {
		offset = max(offset, 0)
		var ids []int
		for i := offset; i < n && i < offset+limit; i++ {
			ids = append(ids, i)
		}
		return ids
	}
}

// listAll lists the test cluster through a new client of f.
func listAll(t *testing.T, f *httpFake) ([]Task, error) {
	t.Helper()
	return mustNewClient(t, clientTestConfig(f.URL)).ListTasks(clientTestContext(t), tCluster)
}

func queries(f *httpFake) []string {
	var qs []string
	for _, r := range f.requests() {
		qs = append(qs, r.Query)
	}
	return qs
}

func TestListTasks_paging(t *testing.T) {
	f := pagedList(t, 250, zeroBased(250))
	tasks, err := listAll(t, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 250 || tasks[0].ID != "t0" || tasks[249].ID != "t249" {
		t.Errorf("%d tasks, want t0..t249", len(tasks))
	}
	want := []string{"limit=100", "limit=100&offset=100", "limit=100&offset=200"}
	if got := queries(f); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("queries = %v, want %v", got, want)
	}
}

func TestListTasks_oneBasedOffsetIsDeduplicated(t *testing.T) {
	f := pagedList(t, 150, func(limit, offset int) []int {
		return zeroBased(150)(limit, offset-1) // offset counts from 1: one item repeats
	})
	tasks, err := listAll(t, f)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, task := range tasks {
		if ids[task.ID] {
			t.Errorf("duplicate id %s", task.ID)
		}
		ids[task.ID] = true
	}
	if len(tasks) != 150 {
		t.Errorf("%d tasks, want 150", len(tasks))
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestListTasks_emptyPageStopsEarly(t *testing.T) {
	f := pagedList(t, 500, zeroBased(100)) // claims 500, has 100
	tasks, err := listAll(t, f)
	if err != nil || len(tasks) != 100 {
		t.Fatalf("%d tasks, %v; want 100 and no error", len(tasks), err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (the second page came back empty)", n)
	}
}

func TestListTasks_offsetIgnoredStops(t *testing.T) {
	f := pagedList(t, 500, func(limit, _ int) []int { return zeroBased(500)(limit, 0) })
	tasks, err := listAll(t, f)
	if err != nil || len(tasks) != 100 {
		t.Fatalf("%d tasks, %v; want 100 and no error", len(tasks), err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (the second page brought no new id)", n)
	}
}

func TestListTasks_pageBound(t *testing.T) {
	f := pagedList(t, 1_000_000, zeroBased(1_000_000))
	_, err := mustNewClient(t, clientTestConfig(f.URL)).ListTasks(clientTestContext(t), tCluster)
	if err == nil || !strings.Contains(err.Error(), "20 pages") {
		t.Fatalf("err = %v, want the page bound named", err)
	}
	if IsGone(err) {
		t.Error("the page bound counts as gone")
	}
	if n := len(f.requests()); n != maxListPages {
		t.Errorf("%d requests, want %d", n, maxListPages)
	}
}

func TestListTasks_oddBodies(t *testing.T) {
	html := "<html><head><title>200</title></head><body>" + strings.Repeat("x", 5000) +
		"</body></html>"
	cases := []struct {
		name, body string
		tasks      int
		decodeErr  bool
	}{
		{name: "null list", body: `{"aiops_list": null}`},
		{name: "empty object", body: `{}`},
		{name: "empty list", body: `{"total_size": 0, "aiops_list": []}`},
		{name: "total but no list", body: `{"total_size": 3}`},
		{name: "one task, no total", body: `{"aiops_list": [{"id": "a"}]}`, tasks: 1},
		{name: "HTML", body: html, decodeErr: true},
		{name: "empty body", body: "", decodeErr: true},
		{name: "list not a list", body: `{"aiops_list": "none"}`, decodeErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
				w.WriteHeader(200)
				_, _ = w.Write([]byte(tc.body))
			})
			c := mustNewClient(t, clientTestConfig(f.URL))
			tasks, err := c.ListTasks(clientTestContext(t), tCluster)
			if !tc.decodeErr {
				if err != nil || len(tasks) != tc.tasks {
					t.Fatalf("%d tasks, %v; want %d and no error", len(tasks), err, tc.tasks)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a DecodeError", err)
			}
			if IsGone(err) || IsAmbiguous(err) || IsClientError(err) {
				t.Error("a DecodeError counts as gone, ambiguous or a client error")
			}
			msg := err.Error()
			if !strings.Contains(msg, "GET "+tTasksPath+": 200") || len(msg) > 1400 {
				t.Errorf("error = %.200q (%d bytes), want the call, 200 and a short body",
					msg, len(msg))
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (a decode error is not retried)", n)
			}
		})
	}
}

func TestDeleteTask_anySuccessBodyIsFine(t *testing.T) {
	for _, body := range []string{"", "{}", "<html>ok</html>", "null"} {
		f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(body))
		})
		c := mustNewClient(t, clientTestConfig(f.URL))
		if err := c.DeleteTask(clientTestContext(t), tCluster, tTask); err != nil {
			t.Errorf("DELETE answered 200 %q: %v", body, err)
		}
	}
}

func TestClientErrors_reachTheCaller(t *testing.T) {
	f := newHTTPFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		w.Header().Set("X-Request-Id", "r-42")
		writeAPIJSON(w, 400, `{"errCode":"CSS.0001","externalMessage":"CSS.0001 : invalid `+
			`parameter: name"}`)
	})
	err := mustNewClient(t, clientTestConfig(f.URL)).CreateTask(clientTestContext(t), tCluster,
		CreateRequest{Name: "bad name"})
	want := "POST " + tTasksPath + ": 400 CSS.0001: CSS.0001 : invalid parameter: name " +
		"(request id r-42)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if !IsClientError(err) || strings.Contains(err.Error(), tSK) {
		t.Errorf("err = %v, want a client error without credentials", err)
	}
}
