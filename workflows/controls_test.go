package workflows

// Tests of the sweep's controls (pause, resume, the concurrency update, cancel) and of
// continue-as-new under the SDK's test suite, with the real ChunkGroupWorkflow children and
// mocked activities: every chunk takes chunkTime of workflow time, so the tests can say from
// a hand-drawn schedule when each chunk must start.

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
)

// chunkTime is how long every mocked chunk takes, in workflow time.
const chunkTime = 10 * time.Second

// chunkLog records what the mocked activities of one test environment saw.
type chunkLog struct {
	mu     sync.Mutex
	t0     time.Time               // when the workflow started
	starts map[int][]time.Duration // chunk -> start of each attempt, since t0
	merges []activities.MergeInput
	preps  int
}

// startsOf returns each chunk's single start, since the workflow started; a chunk started
// twice fails t.
func (l *chunkLog) startsOf(t *testing.T) map[int]time.Duration {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]time.Duration{}
	for id, s := range l.starts {
		if len(s) != 1 {
			t.Errorf("chunk %d started %d times (at %v), want once", id, len(s), s)
		}
		out[id] = s[0]
	}
	return out
}

// mockActivities mocks the sweep's activities by name in env: PrepareSweep succeeds, each
// SimulateChunk takes chunkTime and reports its points done (none diverged or failed), and
// MergeShards reports a table of the points of the chunks it was asked to merge. env must
// have been made by newEnv(t, nil).
func mockActivities(env *testsuite.TestWorkflowEnvironment, in SweepInput) *chunkLog {
	l := &chunkLog{t0: env.Now(), starts: map[int][]time.Duration{}}
	env.OnActivity("PrepareSweep", mock.Anything, mock.Anything).Return(func(context.Context, activities.PrepareInput) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.preps++
		return nil
	})
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		var ci activities.ChunkInput
		if info.ActivityType.Name != "SimulateChunk" || args.Get(&ci) != nil {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.starts[ci.Chunk.ID] = append(l.starts[ci.Chunk.ID], env.Now().Sub(l.t0))
	})
	env.OnActivity("SimulateChunk", mock.Anything, mock.Anything).After(chunkTime).Return(
		func(_ context.Context, ci activities.ChunkInput) (activities.ChunkOutput, error) {
			return activities.ChunkOutput{Shard: ci.Shard, Rows: int(ci.Chunk.End - ci.Chunk.Start)}, nil
		})
	env.OnActivity("MergeShards", mock.Anything, mock.Anything).Return(
		func(_ context.Context, mi activities.MergeInput) (activities.MergeOutput, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.merges = append(l.merges, mi)
			return activities.MergeOutput{Results: layoutOf(in).Results(), Rows: int(in.Points), Partial: mi.Partial}, nil
		})
	return l
}

// controlInput is the sweep of these tests: 16 points in 8 chunks of 2, in 2 groups of 4
// chunks, 2 chunks in flight (one per group). Unhindered, group 0 starts chunks 0-3 and group
// 1 chunks 4-7 at 0, 10, 20 and 30 s.
func controlInput(t *testing.T) SweepInput {
	in := sweepInput(t, testSpec, 16, 2, 2)
	in.ChunksPerGroup = 4
	return in
}

// secs makes a chunk -> start map from seconds.
func secs(s map[int]int) map[int]time.Duration {
	out := map[int]time.Duration{}
	for k, v := range s {
		out[k] = time.Duration(v) * time.Second
	}
	return out
}

// checkStarts compares the chunks' start times with the schedule want.
func checkStarts(t *testing.T, l *chunkLog, want map[int]time.Duration) {
	t.Helper()
	got := l.startsOf(t)
	if !maps.Equal(got, want) {
		ids := slices.Sorted(maps.Keys(want))
		for id := range got {
			if _, ok := want[id]; !ok {
				ids = append(ids, id)
			}
		}
		for _, id := range ids {
			if got[id] != want[id] {
				t.Errorf("chunk %d started at %v, want %v", id, got[id], want[id])
			}
		}
	}
}

// queryAt queries the progress at workflow time at (since the start) into *p.
func queryAt(t *testing.T, env *testsuite.TestWorkflowEnvironment, at time.Duration, p *Progress) {
	env.RegisterDelayedCallback(func() {
		*p = queryProgress(t, env)
		checkRate(t, p)
	}, at)
}

// finalProgress checks that the sweep completed and returns its last progress, rate and
// ETA checked and zeroed.
func finalProgress(t *testing.T, env *testsuite.TestWorkflowEnvironment) Progress {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	p := queryProgress(t, env)
	checkRate(t, &p)
	return p
}

// TestPauseResume pauses the sweep at 15 s, while chunks 1 and 5 run, and resumes it at 95 s:
// no chunk may start in between (the running ones finish at 20 s), and the rest follow the
// unhindered schedule shifted to the resume: chunks 2 and 6 at 95 s, 3 and 7 at 105 s. A query
// at 50 s sees the sweep paused with chunks 0, 1, 4 and 5 (8 points) done.
func TestPauseResume(t *testing.T) {
	in := controlInput(t)
	env := newEnv(t, nil)
	l := mockActivities(env, in)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(PauseSignal, nil) }, 15*time.Second)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(ResumeSignal, nil) }, 95*time.Second)
	var mid Progress
	queryAt(t, env, 50*time.Second, &mid)
	env.ExecuteWorkflow(SweepWorkflow, in)
	end := finalProgress(t, env)

	checkStarts(t, l, secs(map[int]int{0: 0, 1: 10, 2: 95, 3: 105, 4: 0, 5: 10, 6: 95, 7: 105}))
	if want := (Progress{Total: 16, Done: 8, Chunks: 8, ChunksDone: 4, Paused: true, Concurrency: 2}); mid != want {
		t.Errorf("progress while paused = %+v, want %+v", mid, want)
	}
	if want := (Progress{Total: 16, Done: 16, Chunks: 8, ChunksDone: 8, Finished: true, Concurrency: 2}); end != want {
		t.Errorf("final progress = %+v, want %+v", end, want)
	}
}

// updateConcurrency sends the concurrency update with n at workflow time at; the update's
// result (or its rejection) goes to *res and *err.
func updateConcurrency(env *testsuite.TestWorkflowEnvironment, at time.Duration, n int, res *int, rejected *error) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(ConcurrencyUpdate, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { *rejected = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					*rejected = err
					return
				}
				*res = v.(int)
			},
		}, n)
	}, at)
}

// TestConcurrencyUpdate raises the concurrency from 2 to 4 at 15 s: each group then keeps 2
// chunks in flight, so chunks 2 and 6 start at once (15 s), and 3 and 7 when 1 and 5 finish
// (20 s). Updates outside [1, MaxConcurrency] are rejected by the validator and change
// nothing.
func TestConcurrencyUpdate(t *testing.T) {
	in := controlInput(t)
	env := newEnv(t, nil)
	l := mockActivities(env, in)
	var got, low, high int
	var errOK, errLow, errHigh error
	updateConcurrency(env, 12*time.Second, 0, &low, &errLow)
	updateConcurrency(env, 13*time.Second, MaxConcurrency+1, &high, &errHigh)
	updateConcurrency(env, 15*time.Second, 4, &got, &errOK)
	var mid Progress
	queryAt(t, env, 14*time.Second, &mid)
	env.ExecuteWorkflow(SweepWorkflow, in)
	end := finalProgress(t, env)

	checkStarts(t, l, secs(map[int]int{0: 0, 1: 10, 2: 15, 3: 20, 4: 0, 5: 10, 6: 15, 7: 20}))
	if errOK != nil || got != 4 {
		t.Errorf("update to 4 returned %d, %v; want 4, nil", got, errOK)
	}
	if errLow == nil || errHigh == nil {
		t.Errorf("updates to 0 and %d: errors %v and %v, want both rejected", MaxConcurrency+1, errLow, errHigh)
	}
	if mid.Concurrency != 2 {
		t.Errorf("concurrency after the rejected updates = %d, want 2", mid.Concurrency)
	}
	if want := (Progress{Total: 16, Done: 16, Chunks: 8, ChunksDone: 8, Finished: true, Concurrency: 4}); end != want {
		t.Errorf("final progress = %+v, want %+v", end, want)
	}
}

// TestCancel cancels the sweep at 15 s, while chunks 1 and 5 run: no chunk starts after it,
// the sweep merges once, partially, and ends cancelled, with chunks 0 and 4 (4 points)
// counted.
func TestCancel(t *testing.T) {
	in := controlInput(t)
	env := newEnv(t, nil)
	l := mockActivities(env, in)
	env.RegisterDelayedCallback(env.CancelWorkflow, 15*time.Second)
	env.ExecuteWorkflow(SweepWorkflow, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var canceled *temporal.CanceledError
	if err := env.GetWorkflowError(); !errors.As(err, &canceled) {
		t.Fatalf("workflow ended with %v, want a cancellation", err)
	}
	checkStarts(t, l, secs(map[int]int{0: 0, 1: 10, 4: 0, 5: 10}))
	if len(l.merges) != 1 || !l.merges[0].Partial {
		t.Errorf("merges %+v, want one partial merge", l.merges)
	}
	p := queryProgress(t, env)
	checkRate(t, &p)
	if want := (Progress{Total: 16, Done: 4, Chunks: 8, ChunksDone: 2, Concurrency: 2}); p != want {
		t.Errorf("progress after the cancellation = %+v, want %+v", p, want)
	}
}

// continuedInput is the input a run continued as new with: the workflow must have ended with
// a continue-as-new error.
func continuedInput(t *testing.T, env *testsuite.TestWorkflowEnvironment) SweepInput {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want a continue-as-new", err)
	}
	var next SweepInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.State == nil {
		t.Fatal("continued as new without a state")
	}
	return next
}

// TestContinueAsNew runs the sweep with one group per run: the first run starts only group 0
// (chunks 0-3, one at a time, as its share of the 2 chunks in flight), takes a concurrency
// update to 4 at 5 s, a pause at 12 s and a resume at 30 s, and continues as new with where
// it stands; a second run from that input starts group 1 only, with the carried concurrency (2
// chunks in flight in its one group) and without preparing the sweep again, and merges all
// 8 chunks.
func TestContinueAsNew(t *testing.T) {
	in := controlInput(t)
	in.GroupsPerRun = 1
	env := newEnv(t, nil)
	l := mockActivities(env, in)
	var n int
	var updErr error
	updateConcurrency(env, 5*time.Second, 4, &n, &updErr)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(PauseSignal, nil) }, 12*time.Second)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(ResumeSignal, nil) }, 30*time.Second)
	env.ExecuteWorkflow(SweepWorkflow, in)
	next := continuedInput(t, env)
	// Window 1 until the update at 5 s, then 2: chunks 0 at 0 s, 1 at 5 s, 2 at 10 s (when 0
	// ends, before the pause), 3 at the resume (1 ended at 15 s, paused).
	checkStarts(t, l, secs(map[int]int{0: 0, 1: 5, 2: 10, 3: 30}))
	st := *next.State
	wantSt := SweepState{NextGroup: 1, Concurrency: 4, Started: l.t0, Prepared: true,
		Progress: Progress{Total: 16, Done: 8, Chunks: 8, ChunksDone: 4, Concurrency: 4}}
	if !st.Started.Equal(wantSt.Started) {
		t.Errorf("carried start %v, want the first run's %v", st.Started, wantSt.Started)
	}
	st.Started = wantSt.Started
	if st != wantSt {
		t.Errorf("carried state %+v, want %+v", st, wantSt)
	}

	env2 := newEnv(t, nil)
	l2 := mockActivities(env2, in)
	env2.ExecuteWorkflow(SweepWorkflow, next)
	end := finalProgress(t, env2)
	checkStarts(t, l2, secs(map[int]int{4: 0, 5: 0, 6: 10, 7: 10}))
	if l2.preps != 0 {
		t.Errorf("the continued run prepared the sweep %d times, want none", l2.preps)
	}
	if len(l2.merges) != 1 || l2.merges[0].Partial || l2.merges[0].Chunks != 8 {
		t.Errorf("merges %+v, want one full merge of 8 chunks", l2.merges)
	}
	if want := (Progress{Total: 16, Done: 16, Chunks: 8, ChunksDone: 8, Finished: true, Concurrency: 4}); end != want {
		t.Errorf("final progress = %+v, want %+v", end, want)
	}
}

// TestContinueAsNewSuggested: when Temporal suggests continue-as-new (a long history), the
// run starts no further group, lets the ones in flight finish and continues as new. With 4
// groups of 2 chunks and the suggestion from the start, the run fills its 2 group slots
// (chunks 0 and 2 at 0 s, 1 and 3 at 10 s) and carries group 2 as the next, with 4 chunks
// (8 points) done.
func TestContinueAsNewSuggested(t *testing.T) {
	in := controlInput(t)
	in.ChunksPerGroup = 2
	env := newEnv(t, nil)
	l := mockActivities(env, in)
	env.SetContinueAsNewSuggested(true)
	env.ExecuteWorkflow(SweepWorkflow, in)
	next := continuedInput(t, env)
	checkStarts(t, l, secs(map[int]int{0: 0, 1: 10, 2: 0, 3: 10}))
	if st := next.State; st.NextGroup != 2 || st.Progress.Done != 8 || st.Progress.ChunksDone != 4 || st.Paused {
		t.Errorf("carried state %+v, want group 2 next, 8 points in 4 chunks done, not paused", st)
	}
	if len(l.merges) != 0 {
		t.Errorf("merged %+v before the sweep's last run", l.merges)
	}
}
