package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI is an in-memory cluster for the Service's unit tests.
type fakeAPI struct {
	mu      sync.Mutex
	tasks   []Task
	lists   atomic.Int64
	posts   atomic.Int64
	deletes atomic.Int64
	nextID  int
	// hidden counts how many list calls a new task stays invisible for.
	hidden    int
	hiddenFor map[string]int
	postErrs  []error
	delErrs   []error
	listDelay time.Duration
}

func (f *fakeAPI) ListTasks(_ context.Context, _ string) ([]Task, error) {
	f.lists.Add(1)
	time.Sleep(f.listDelay)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Task
	for _, t := range f.tasks {
		if f.hiddenFor[t.ID] > 0 {
			f.hiddenFor[t.ID]--
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func (f *fakeAPI) CreateTask(_ context.Context, _ string, req CreateRequest) error {
	f.posts.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.postErrs) > 0 {
		err := f.postErrs[0]
		f.postErrs = f.postErrs[1:]
		return err
	}
	if len(f.tasks) >= MaxTasksPerCluster {
		return &APIError{Method: "POST", StatusCode: 400, Code: "CSS.0039"}
	}
	f.nextID++
	id := fmt.Sprintf("task-%02d", f.nextID)
	now := time.Now().UTC()
	f.tasks = append(f.tasks, Task{ID: id, Name: req.Name, StatusCode: StatusCodeRunning, CreateTime: &now})
	if f.hiddenFor == nil {
		f.hiddenFor = map[string]int{}
	}
	f.hiddenFor[id] = f.hidden
	return nil
}

func (f *fakeAPI) DeleteTask(_ context.Context, _ string, id string) error {
	f.deletes.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.delErrs) > 0 {
		err := f.delErrs[0]
		f.delErrs = f.delErrs[1:]
		return err
	}
	for i, t := range f.tasks {
		if t.ID == id {
			f.tasks = append(f.tasks[:i], f.tasks[i+1:]...)
			return nil
		}
	}
	return &APIError{Method: "DELETE", StatusCode: 400, Code: "CSS.0082"}
}

func (f *fakeAPI) finish(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.tasks {
		if f.tasks[i].ID == id {
			f.tasks[i].StatusCode = StatusCodeCompleted
		}
	}
}

func fastService(api API) *Service {
	s := NewService(api)
	s.Poll = Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Factor: 1.5, Track: true}
	s.Retry = Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, Factor: 1.5}
	s.FindPoll = Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, Factor: 1.5}
	return s
}

func TestServiceCreate_findsTheNewIDAmongSameNames(t *testing.T) {
	now := time.Now().UTC()
	api := &fakeAPI{tasks: []Task{{ID: "old", Name: "check", CreateTime: &now}}, hidden: 2}
	s := fastService(api)

	task, err := s.Create(t.Context(), "c", CreateRequest{Name: "check"})
	if err != nil {
		t.Fatal(err)
	}
	if task.ID == "old" || task.Name != "check" {
		t.Errorf("created task %q, want a new one named check", task.ID)
	}
	if api.posts.Load() != 1 {
		t.Errorf("%d POSTs, want 1", api.posts.Load())
	}
}

func TestServiceCreate_concurrentSameNameTakeDistinctTasks(t *testing.T) {
	api := &fakeAPI{hidden: 1}
	s := fastService(api)

	const n = 10
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			task, err := s.Create(t.Context(), "c", CreateRequest{Name: "same"})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- task.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("two creates took task %s", id)
		}
		seen[id] = true
	}
	if len(seen) != n || api.posts.Load() != n {
		t.Errorf("%d distinct tasks from %d POSTs, want %d of each", len(seen), api.posts.Load(), n)
	}
}

func TestServiceTasks_shareOneListCall(t *testing.T) {
	api := &fakeAPI{listDelay: 20 * time.Millisecond}
	s := fastService(api)

	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, err := s.Tasks(t.Context(), "c"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := s.Tasks(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	if n := api.lists.Load(); n != 1 {
		t.Errorf("%d list calls for 31 reads, want 1", n)
	}
}

func TestServiceTasks_mutationInvalidatesSnapshot(t *testing.T) {
	api := &fakeAPI{}
	s := fastService(api)

	if _, err := s.Tasks(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	task, err := s.Create(t.Context(), "c", CreateRequest{Name: "fresh"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Find(t.Context(), "c", task.ID)
	if err != nil || got.ID != task.ID {
		t.Fatalf("Find after create = %v, %v: a stale snapshot hid the new task", got.ID, err)
	}

	if err := s.Delete(t.Context(), "c", task.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Find(t.Context(), "c", task.ID); !IsGone(err) {
		t.Errorf("Find after delete = %v, want gone", err)
	}
}

func TestServiceWaitFinished(t *testing.T) {
	api := &fakeAPI{}
	s := fastService(api)
	task, err := s.Create(t.Context(), "c", CreateRequest{Name: "wait"})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, func() { api.finish(task.ID) })

	done, err := s.WaitFinished(t.Context(), "c", task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status() != StatusCompleted {
		t.Errorf("status %s, want completed", done.Status())
	}
}

func TestServiceDelete_busyIsRetriedUntilTheContextEnds(t *testing.T) {
	busy := &APIError{Method: "DELETE", StatusCode: 409, Code: "CSS.0011"}
	api := &fakeAPI{tasks: []Task{{ID: "t"}}}
	for range 100 {
		api.delErrs = append(api.delErrs, busy)
	}
	s := fastService(api)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	err := s.Delete(ctx, "c", "t")
	if !errors.Is(err, context.DeadlineExceeded) || !IsBusy(err) {
		t.Errorf("Delete = %v, want the deadline and the busy answer", err)
	}
	if api.deletes.Load() < 3 {
		t.Errorf("%d DELETEs, want retries", api.deletes.Load())
	}
}

func TestServiceDelete_otherClientErrorsFailAtOnce(t *testing.T) {
	bad := &APIError{Method: "DELETE", StatusCode: 400, Code: "CSS.0001"}
	api := &fakeAPI{tasks: []Task{{ID: "t"}}, delErrs: []error{bad}}
	s := fastService(api)

	if err := s.Delete(t.Context(), "c", "t"); !errors.Is(err, bad) {
		t.Errorf("Delete = %v, want the 400", err)
	}
	if api.deletes.Load() != 1 {
		t.Errorf("%d DELETEs, want 1", api.deletes.Load())
	}
}

func TestServiceDelete_goneIsDone(t *testing.T) {
	api := &fakeAPI{}
	s := fastService(api)
	if err := s.Delete(t.Context(), "c", "missing"); err != nil {
		t.Errorf("Delete of a missing task = %v, want nil", err)
	}
}

func TestBackoff_tracksShortWaitsClosely(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: time.Minute, Factor: 1.5, Track: true}
	var cur, elapsed time.Duration
	for elapsed < 10*time.Minute {
		cur = b.next(cur, elapsed)
		if elapsed < time.Minute && cur > 2*time.Second {
			t.Fatalf("interval %s at %s: more than 2 s under a minute", cur, elapsed)
		}
		if elapsed >= time.Minute && cur > elapsed/5 {
			t.Fatalf("interval %s at %s: more than a fifth of the time waited", cur, elapsed)
		}
		elapsed += cur
	}
}

func TestServiceCreate_onAFullClusterWaitsForDeletesOfThisProcess(t *testing.T) {
	api := &fakeAPI{}
	for i := range MaxTasksPerCluster {
		api.tasks = append(api.tasks, Task{ID: fmt.Sprintf("full-%02d", i), Name: "old"})
	}
	s := fastService(api)
	s.FullGrace = 200 * time.Millisecond

	created := make(chan error, 1)
	go func() {
		_, err := s.Create(t.Context(), "c", CreateRequest{Name: "new"})
		created <- err
	}()
	time.Sleep(20 * time.Millisecond) // the create holds the cluster first
	if err := s.Delete(t.Context(), "c", "full-00"); err != nil {
		t.Fatal(err)
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}

	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.tasks) != MaxTasksPerCluster {
		t.Errorf("%d tasks, want %d", len(api.tasks), MaxTasksPerCluster)
	}
	for _, task := range api.tasks {
		if task.ID == "full-00" {
			t.Error("the deleted task is still there")
		}
	}
}

func TestServiceWaitFinished_concurrentWaitersShareListCalls(t *testing.T) {
	api := &fakeAPI{listDelay: 5 * time.Millisecond}
	s := fastService(api)
	s.Poll = Backoff{Initial: 100 * time.Millisecond, Max: 100 * time.Millisecond, Factor: 1}

	var ids []string
	for range 20 {
		task, err := s.Create(t.Context(), "c", CreateRequest{Name: "wait"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.ID)
	}
	before := api.lists.Load()
	time.AfterFunc(350*time.Millisecond, func() {
		for _, id := range ids {
			api.finish(id)
		}
	})

	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if _, err := s.WaitFinished(t.Context(), "c", id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// About four polls of 100 ms each: shared, that is a handful of list calls, not 20 × 4.
	if n := api.lists.Load() - before; n > 12 {
		t.Errorf("%d list calls for 20 concurrent waits, want them shared", n)
	}
}
