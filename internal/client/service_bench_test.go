package client

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkServiceFind looks a task up in a shared snapshot of 30 tasks, the most a cluster
// holds: what each Read of a plan costs once the first Read has listed the cluster.
func BenchmarkServiceFind(b *testing.B) {
	api := &fakeAPI{}
	now := time.Now().UTC()
	for i := range 30 {
		api.tasks = append(api.tasks, Task{ID: fmt.Sprintf("task-%02d", i), Name: "bench",
			StatusCode: StatusCodeCompleted, CreateTime: &now})
	}
	s := NewService(api)
	ctx := b.Context()
	if _, err := s.Tasks(ctx, "c"); err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Find(ctx, "c", "task-29"); err != nil {
			b.Fatal(err)
		}
	}
	if n := api.lists.Load(); n != 1 {
		b.Fatalf("%d list calls, want 1: the lookups did not use the snapshot", n)
	}
}
