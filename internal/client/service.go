package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// API is the set of single calls the Service builds on. *Client implements it.
type API interface {
	ListTasks(ctx context.Context, clusterID string) ([]Task, error)
	CreateTask(ctx context.Context, clusterID string, req CreateRequest) error
	DeleteTask(ctx context.Context, clusterID, taskID string) error
}

// Service adds to the single API calls what a Terraform provider needs of them:
//
//   - mutations on one cluster are serialised inside the process, and a busy answer
//     (409 CSS.0011) is retried with backoff until the context ends;
//   - list reads of one cluster are shared: concurrent readers wait for one call (a single
//     flight), and later readers reuse its snapshot until it is too old or this process
//     changes the cluster;
//   - create finds the id of the new task by the difference of ids before and after the POST;
//   - waiting for completion and for a deleted task to leave the list polls with backoff.
//
// A Service is safe for concurrent use.
type Service struct {
	api API

	// SnapshotMaxAge bounds how old a shared list may be for a plain read.
	SnapshotMaxAge time.Duration
	// Poll is the backoff while waiting for a task to finish.
	Poll Backoff
	// Retry is the backoff between busy (409) and precondition (412) answers.
	Retry Backoff
	// FindPoll is the backoff while a new task is not visible in the list yet.
	FindPoll Backoff
	// FindAfterInterrupt bounds the search for a new task once the context has ended.
	FindAfterInterrupt time.Duration
	// AmbiguousLook bounds the search for a task after a POST whose outcome is unknown (a 5xx
	// or a dropped connection), before the POST is sent again.
	AmbiguousLook time.Duration
	// FullGrace is how long a create on a full cluster waits for deletes of this process to
	// start, and FullWait how long it waits for them in all.
	FullGrace, FullWait time.Duration

	mu       sync.Mutex
	clusters map[string]*clusterState
}

// Backoff describes a growing interval: Initial, multiplied by Factor after each step, and never
// more than Max. With Track, it is also never more than 2 s during the first minute, nor more
// than a sixth of the time elapsed after it.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Factor  float64
	Track   bool
	// Jitter spreads each interval at random by up to this share either way, so that the
	// retries of many clients do not fall together.
	Jitter float64
}

// next returns the interval after cur, given the time elapsed since the wait began.
func (b Backoff) next(cur, elapsed time.Duration) time.Duration {
	if cur == 0 {
		return b.jitter(b.Initial)
	}
	n := min(time.Duration(float64(cur)*b.Factor), b.Max)
	if b.Track {
		// A tracking wait overshoots the moment a task finishes by at most about 2 s under a
		// minute and about a sixth beyond it: a short task is never waited on for a minute.
		limit := 2 * time.Second
		if elapsed >= time.Minute {
			limit = elapsed / 6
		}
		n = min(n, limit)
	}
	return b.jitter(n)
}

// waiter is one wait loop on a Backoff: it remembers when the loop began and the last interval.
type waiter struct {
	backoff Backoff
	began   time.Time
	last    time.Duration
}

// start begins a wait loop on b.
func (b Backoff) start() *waiter {
	return &waiter{backoff: b, began: time.Now()}
}

// sleep waits the next interval of the loop, or until ctx ends.
func (w *waiter) sleep(ctx context.Context) error {
	w.last = w.backoff.next(w.last, time.Since(w.began))
	return sleep(ctx, w.last)
}

func (b Backoff) jitter(d time.Duration) time.Duration {
	if b.Jitter <= 0 {
		return d
	}
	return time.Duration(float64(d) * (1 + b.Jitter*(2*rand.Float64()-1)))
}

// NewService returns a Service over api with the default intervals.
func NewService(api API) *Service {
	return &Service{
		api:                api,
		SnapshotMaxAge:     30 * time.Second,
		Poll:               Backoff{Initial: time.Second, Max: time.Minute, Factor: 1.5, Track: true},
		Retry:              Backoff{Initial: 250 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.2},
		FindPoll:           Backoff{Initial: 200 * time.Millisecond, Max: 2 * time.Second, Factor: 1.5},
		FindAfterInterrupt: 10 * time.Second,
		AmbiguousLook:      5 * time.Second,
		FullGrace:          time.Second,
		FullWait:           2 * time.Minute,
		clusters:           map[string]*clusterState{},
	}
}

// MaxTasksPerCluster is the documented number of detection tasks a cluster holds at most.
const MaxTasksPerCluster = 30

// clusterState is what the Service keeps per cluster.
type clusterState struct {
	// mutate serialises POST and DELETE on the cluster, and a create until its task is found.
	mutate sync.Mutex

	mu sync.Mutex
	// seq counts list starts and mutations; a list result is usable only if it started after
	// the last mutation, and not before the time the reader asks for.
	seq        uint64
	mutatedSeq uint64
	snap       *snapshot
	flight     *flight
	// claimed holds the ids of tasks this process created, so that two creates with the same
	// name never take the same task.
	claimed map[string]bool
	// deleting counts the deletes of this process under way; deleted is closed (and replaced)
	// whenever one ends, to wake the creates waiting for room.
	deleting int
	deleted  chan struct{}
}

type snapshot struct {
	seq   uint64
	at    time.Time
	tasks []Task
}

type flight struct {
	seq     uint64
	started time.Time
	done    chan struct{}
	tasks   []Task
	err     error
}

func (s *Service) cluster(id string) *clusterState {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.clusters[id]
	if !ok {
		cs = &clusterState{claimed: map[string]bool{}, deleted: make(chan struct{})}
		s.clusters[id] = cs
	}
	return cs
}

// Tasks returns the tasks of a cluster, from a shared snapshot when one is recent enough and no
// mutation by this process has happened since it was taken.
func (s *Service) Tasks(ctx context.Context, clusterID string) ([]Task, error) {
	return s.list(ctx, clusterID, time.Now().Add(-s.SnapshotMaxAge))
}

// FreshTasks returns the tasks of a cluster as listed by a call that started after this one.
// Readers that ask before that call starts share it.
func (s *Service) FreshTasks(ctx context.Context, clusterID string) ([]Task, error) {
	return s.list(ctx, clusterID, time.Now())
}

// beforeCreateMaxAge bounds the age of the list of ids known before a create. The list after
// one create still serves the next create of a run; an older one could miss a task of the same
// name that someone else created meanwhile and make it look like ours.
const beforeCreateMaxAge = 5 * time.Second

// pollStaleness is how old a list may be for a wait loop's poll, so that the waits for many
// tasks of one cluster share their list calls.
const pollStaleness = 300 * time.Millisecond

// Find returns the task with the given id, or an error for which IsGone is true when the list
// does not hold it.
func (s *Service) Find(ctx context.Context, clusterID, taskID string) (Task, error) {
	tasks, err := s.Tasks(ctx, clusterID)
	if err != nil {
		return Task{}, err
	}
	if t, ok := findByID(tasks, taskID); ok {
		return t, nil
	}
	return Task{}, &NotFoundError{ClusterID: clusterID, TaskID: taskID}
}

// list returns the tasks of a cluster from a list call that started at notBefore or later and
// after the last mutation by this process: a snapshot, a call under way, or a new call.
func (s *Service) list(ctx context.Context, clusterID string, notBefore time.Time) ([]Task, error) {
	cs := s.cluster(clusterID)

	cs.mu.Lock()
	if snap := cs.snap; snap != nil && snap.seq > cs.mutatedSeq && !snap.at.Before(notBefore) {
		cs.mu.Unlock()
		return slices.Clone(snap.tasks), nil
	}
	f := cs.flight
	if f == nil || f.seq <= cs.mutatedSeq || f.started.Before(notBefore) {
		cs.seq++
		f = &flight{seq: cs.seq, started: time.Now(), done: make(chan struct{})}
		cs.flight = f
		go s.fly(clusterID, cs, f)
	}
	cs.mu.Unlock()

	select {
	case <-f.done:
		return slices.Clone(f.tasks), f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fly makes one list call for every reader waiting on f. It runs with its own context so that
// one reader giving up does not fail the others; the client's retries bound it.
func (s *Service) fly(clusterID string, cs *clusterState, f *flight) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f.tasks, f.err = s.api.ListTasks(ctx, clusterID)

	cs.mu.Lock()
	if f.err == nil && f.seq > cs.mutatedSeq && (cs.snap == nil || f.seq > cs.snap.seq) {
		cs.snap = &snapshot{seq: f.seq, at: f.started, tasks: f.tasks}
	}
	if cs.flight == f {
		cs.flight = nil
	}
	cs.mu.Unlock()
	close(f.done)
}

// invalidate forgets the snapshot of a cluster and every list call under way, because this
// process has just changed (or may have changed) the cluster.
func (cs *clusterState) invalidate() {
	cs.mu.Lock()
	cs.seq++
	cs.mutatedSeq = cs.seq
	cs.snap = nil
	cs.mu.Unlock()
}

// NotFoundError says that a task is not in its cluster's list. IsGone is true for it.
type NotFoundError struct {
	ClusterID, TaskID string
}

// Gone reports true: IsGone treats a task missing from the list as gone.
func (e *NotFoundError) Gone() bool { return true }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("task %s is not in the list of cluster %s", e.TaskID, e.ClusterID)
}

// CreateError says that a create may have left a task the caller does not know the id of.
type CreateError struct {
	ClusterID, Name string
	Err             error
}

func (e *CreateError) Error() string {
	return fmt.Sprintf("the task %q was posted to cluster %s but could not be found in its list, "+
		"so a task may exist that Terraform does not know about: %v", e.Name, e.ClusterID, e.Err)
}

func (e *CreateError) Unwrap() error { return e.Err }

// Create posts a new task and returns it as soon as it is visible in the list, identified by
// the difference between the ids listed before and after the POST. It returns a *CreateError
// when the task was posted but could not be identified.
func (s *Service) Create(ctx context.Context, clusterID string, req CreateRequest) (Task, error) {
	cs := s.cluster(clusterID)
	cs.mutate.Lock()
	defer cs.mutate.Unlock()

	before, err := s.roomFor(ctx, cs, clusterID)
	if err != nil {
		return Task{}, fmt.Errorf("listing the tasks before the create: %w", err)
	}
	known := map[string]bool{}
	for _, t := range before {
		known[t.ID] = true
	}

	posted, err := s.post(ctx, cs, clusterID, req, known)
	if err != nil {
		if len(before) >= MaxTasksPerCluster && IsClientError(err) {
			err = fmt.Errorf("cluster %s already holds %d detection tasks, and a cluster holds "+
				"at most %d: %w", clusterID, len(before), MaxTasksPerCluster, err)
		}
		return Task{}, err
	}
	if posted.ID != "" {
		return posted, nil
	}

	task, err := s.findNew(ctx, clusterID, req.Name, known)
	if err != nil && ctx.Err() != nil {
		// NOTE: an interrupt or timeout may come between the POST and the task's appearance;
		// look a little longer, without the caller's context, so that no task is orphaned.
		later, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.FindAfterInterrupt)
		task, err = s.findNew(later, clusterID, req.Name, known)
		cancel()
	}
	if err != nil {
		return Task{}, &CreateError{ClusterID: clusterID, Name: req.Name, Err: err}
	}
	cs.claim(task.ID)
	return task, nil
}

// roomFor lists the tasks before a create. On a full cluster it gives the deletes of this
// process (a destroy running beside the create, say) the chance to make room first: it waits
// FullGrace for one to start, and while any is under way, up to FullWait in all. It is called
// and returns with cs.mutate held.
func (s *Service) roomFor(ctx context.Context, cs *clusterState, clusterID string) ([]Task, error) {
	deadline := time.Now().Add(s.FullWait)
	graced := false
	for {
		tasks, err := s.list(ctx, clusterID, time.Now().Add(-beforeCreateMaxAge))
		if err != nil || len(tasks) < MaxTasksPerCluster || time.Now().After(deadline) {
			return tasks, err
		}

		cs.mu.Lock()
		deleting, deleted := cs.deleting, cs.deleted
		cs.mu.Unlock()
		if deleting == 0 && graced {
			return tasks, nil
		}
		wait := s.FullGrace
		if deleting > 0 {
			wait = time.Until(deadline)
		}
		graced = true

		cs.mutate.Unlock()
		timer := time.NewTimer(wait)
		select {
		case <-deleted:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
		cs.mutate.Lock()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
	}
}

// post sends the create call, retrying busy answers, and after an ambiguous failure looks for
// the task before it posts again. It returns the task when such a look found it.
func (s *Service) post(
	ctx context.Context, cs *clusterState, clusterID string, req CreateRequest, known map[string]bool,
) (Task, error) {
	retry := s.Retry.start()
	for attempt := 1; ; attempt++ {
		err := s.api.CreateTask(ctx, clusterID, req)
		cs.invalidate()
		switch {
		case err == nil:
			return Task{}, nil
		case IsAmbiguous(err) && attempt < 3:
			look, cancel := context.WithTimeout(ctx, s.AmbiguousLook)
			task, findErr := s.findNew(look, clusterID, req.Name, known)
			cancel()
			if findErr == nil {
				cs.claim(task.ID)
				return task, nil
			}
			if ctx.Err() != nil {
				return Task{}, &CreateError{ClusterID: clusterID, Name: req.Name, Err: err}
			}
		case IsBusy(err):
		default:
			return Task{}, err
		}

		if werr := retry.sleep(ctx); werr != nil {
			return Task{}, fmt.Errorf("%w (last answer: %w)", werr, err)
		}
	}
}

// findNew polls the list until a task named name appears whose id was not known before the
// POST and is not claimed by another create of this process. Of several, the newest wins.
func (s *Service) findNew(ctx context.Context, clusterID, name string, known map[string]bool) (Task, error) {
	cs := s.cluster(clusterID)
	findPoll := s.FindPoll.start()
	for {
		tasks, err := s.FreshTasks(ctx, clusterID)
		if err != nil && !IsGone(err) {
			return Task{}, fmt.Errorf("listing the tasks after the create: %w", err)
		}
		if task, ok := cs.pickNew(tasks, name, known); ok {
			return task, nil
		}

		if err := findPoll.sleep(ctx); err != nil {
			return Task{}, fmt.Errorf("the new task did not appear in the list: %w", err)
		}
	}
}

func (cs *clusterState) pickNew(tasks []Task, name string, known map[string]bool) (Task, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var best Task
	found := false
	for _, t := range tasks {
		if t.Name != name || known[t.ID] || cs.claimed[t.ID] {
			continue
		}
		if !found || newer(t, best) {
			best, found = t, true
		}
	}
	return best, found
}

func (cs *clusterState) claim(id string) {
	cs.mu.Lock()
	cs.claimed[id] = true
	cs.mu.Unlock()
}

func newer(a, b Task) bool {
	if a.CreateTime == nil || b.CreateTime == nil {
		return a.CreateTime != nil
	}
	return a.CreateTime.After(*b.CreateTime)
}

// WaitFinished polls until the task has completed or failed and returns it.
func (s *Service) WaitFinished(ctx context.Context, clusterID, taskID string) (Task, error) {
	poll := s.Poll.start()
	for {
		if err := poll.sleep(ctx); err != nil {
			return Task{}, fmt.Errorf("waiting for task %s to finish: %w", taskID, err)
		}

		tasks, err := s.list(ctx, clusterID, time.Now().Add(-pollStaleness))
		if err != nil {
			return Task{}, fmt.Errorf("waiting for task %s to finish: %w", taskID, err)
		}
		t, ok := findByID(tasks, taskID)
		if !ok {
			return Task{}, &NotFoundError{ClusterID: clusterID, TaskID: taskID}
		}
		if t.Finished() {
			return t, nil
		}
	}
}

// Delete deletes a task and waits until it has left the list. A task that is already gone
// counts as deleted. Busy answers are retried until the context ends; a 412 while the task
// still runs waits for the task, and any other 412 or 4xx fails at once.
func (s *Service) Delete(ctx context.Context, clusterID, taskID string) error {
	cs := s.cluster(clusterID)
	cs.mu.Lock()
	cs.deleting++
	cs.mu.Unlock()
	defer cs.deleteEnded()
	cs.mutate.Lock()
	defer cs.mutate.Unlock()

	if err := s.deleteCall(ctx, cs, clusterID, taskID); err != nil {
		return err
	}
	return s.waitGone(ctx, clusterID, taskID)
}

// deleteEnded wakes the creates that wait for room on the cluster.
func (cs *clusterState) deleteEnded() {
	cs.mu.Lock()
	cs.deleting--
	close(cs.deleted)
	cs.deleted = make(chan struct{})
	cs.mu.Unlock()
}

func (s *Service) deleteCall(ctx context.Context, cs *clusterState, clusterID, taskID string) error {
	// Busy answers back off on Retry; a task that still runs is waited for on Poll, so that
	// there is at most one DELETE per poll interval.
	busy, running := s.Retry.start(), s.Poll.start()
	for {
		err := s.api.DeleteTask(ctx, clusterID, taskID)
		cs.invalidate()
		var wait *waiter
		switch {
		case err == nil || IsGone(err):
			return nil
		case IsBusy(err):
			wait = busy
		case IsPrecondition(err):
			tasks, lerr := s.FreshTasks(ctx, clusterID)
			if lerr != nil {
				return errors.Join(err, lerr)
			}
			t, ok := findByID(tasks, taskID)
			if !ok {
				return nil
			}
			if t.Finished() {
				return err
			}
			wait = running
		default:
			return err
		}

		if werr := wait.sleep(ctx); werr != nil {
			return fmt.Errorf("%w (last answer: %w)", werr, err)
		}
	}
}

func (s *Service) waitGone(ctx context.Context, clusterID, taskID string) error {
	findPoll := s.FindPoll.start()
	for {
		tasks, err := s.FreshTasks(ctx, clusterID)
		if IsGone(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("waiting for task %s to leave the list: %w", taskID, err)
		}
		if _, ok := findByID(tasks, taskID); !ok {
			return nil
		}

		if err := findPoll.sleep(ctx); err != nil {
			return fmt.Errorf("waiting for task %s to leave the list: %w", taskID, err)
		}
	}
}

func findByID(tasks []Task, id string) (Task, bool) {
	for _, t := range tasks {
		if t.ID == id {
			return t, true
		}
	}
	return Task{}, false
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
