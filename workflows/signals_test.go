package workflows

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// TestPauseBeforeContinueAsNew: a pause or resume signalled by the last group of a run of the
// sweep, in the very task in which that group completes, must survive the continue-as-new that
// follows (the next run starts paused, or not). The group is a mock child that signals its
// parent and completes; the selector then sees the completion and the signal together. On
// main only the chunk-done channel was drained before continue-as-new, so the signal was
// dropped. The resume case starts paused (a state carried from an earlier run) and is resumed
// from outside at one minute: its group may start only then. With GroupsPerRun 1 a run
// starts one batch: before groupStartChange it started two, and the resume case's second
// group was signalled before it had started (a nil signal handler under the SDK's test suite).
func TestPauseBeforeContinueAsNew(t *testing.T) {
	in := sweepInput(t, testSpec, 16, 2, 2)
	in.ChunksPerGroup, in.GroupsPerRun = 2, 1 // 4 groups, one per run
	const resumeAt = time.Minute
	for _, signal := range []string{PauseSignal, ResumeSignal} {
		t.Run(signal, func(t *testing.T) {
			env := newEnv(t, nil)
			env.OnActivity("PrepareSweep", mock.Anything, mock.Anything).Return(nil)
			var mu sync.Mutex
			var groupStarts []time.Duration // since the sweep started
			t0 := env.Now()
			env.OnWorkflow(ChunkGroupType, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, b ChunkGroupInput) error {
				mu.Lock()
				groupStarts = append(groupStarts, workflow.Now(ctx).Sub(t0))
				mu.Unlock()
				return workflow.SignalExternalWorkflow(ctx, b.ParentID, "", signal, nil).Get(ctx, nil)
			})
			start := in
			start.State = &SweepState{Paused: signal == ResumeSignal} // resume must unpause a paused sweep
			if start.State.Paused {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(ResumeSignal, nil) }, resumeAt)
			}
			env.ExecuteWorkflow(SweepWorkflow, start)
			next := continuedInput(t, env)
			if want := signal == PauseSignal; next.State.Paused != want {
				t.Errorf("next run's state %+v, want Paused = %v (the %s signal of the last task carried over)", next.State, want, signal)
			}
			if next.State.NextGroup != 1 || len(groupStarts) != 1 {
				t.Errorf("the run started groups at %v and continues at group %d, want one group, then group 1", groupStarts, next.State.NextGroup)
			}
			if start.State.Paused && len(groupStarts) > 0 && groupStarts[0] < resumeAt {
				t.Errorf("a sweep started paused started a group at %v, before the resume at %v", groupStarts[0], resumeAt)
			}
		})
	}
}

// TestControlsReachGroupStartedWithThem resumes a sweep started paused at 30 s, which starts
// both groups, and sends it a second control at once, before the groups have started: the
// control must not be lost on them. Before groupStartChange it was signalled to the groups
// just initiated, before they existed: under the SDK's test suite that dereferenced their nil
// signal handler and the workflow panicked (every case below but the one whose update comes
// in the resume's own task); on a server such a signal can fail as sent to an unknown
// workflow, and a pause or window sent so is lost. The schedules are controlInput's from 30 s:
//   - a resume sent twice in one task: nothing changes;
//   - a concurrency update to 4 in the resume's task (the update runs first) or in the next
//     task (the groups then get the window when they start): 2 chunks in flight per group;
//   - a pause in the next task: each group's first chunk starts (with the group, before the
//     pause reaches it), the others only after the resume at 100 s.
func TestControlsReachGroupStartedWithThem(t *testing.T) {
	const at = 30 * time.Second
	resume := func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(ResumeSignal, nil) }, at)
	}
	withNext := func(env *testsuite.TestWorkflowEnvironment) { // waits for the next task
		env.RegisterDelayedCallback(func() { env.SignalWorkflowSkippingWorkflowTask(ResumeSignal, nil) }, at)
	}
	twoInFlight := map[int]int{0: 30, 1: 30, 2: 40, 3: 40, 4: 30, 5: 30, 6: 40, 7: 40}
	cases := []struct {
		name string
		send func(env *testsuite.TestWorkflowEnvironment, n *int, err *error)
		want map[int]int // chunk -> start (s)
	}{
		{"resume twice", func(env *testsuite.TestWorkflowEnvironment, _ *int, _ *error) {
			withNext(env)
			resume(env)
		}, map[int]int{0: 30, 1: 40, 2: 50, 3: 60, 4: 30, 5: 40, 6: 50, 7: 60}},
		{"concurrency 4 in the resume's task", func(env *testsuite.TestWorkflowEnvironment, n *int, err *error) {
			withNext(env)
			updateConcurrency(env, at, 4, n, err)
		}, twoInFlight},
		{"concurrency 4 after the resume", func(env *testsuite.TestWorkflowEnvironment, n *int, err *error) {
			resume(env)
			updateConcurrency(env, at, 4, n, err)
		}, twoInFlight},
		{"pause after the resume", func(env *testsuite.TestWorkflowEnvironment, _ *int, _ *error) {
			resume(env)
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(PauseSignal, nil) }, at)
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(ResumeSignal, nil) }, 100*time.Second)
		}, map[int]int{0: 30, 1: 100, 2: 110, 3: 120, 4: 30, 5: 100, 6: 110, 7: 120}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := controlInput(t)
			in.State = &SweepState{Paused: true, Prepared: true}
			env := newEnv(t, nil)
			l := mockActivities(env, in)
			var n int
			var updErr error
			c.send(env, &n, &updErr)
			env.ExecuteWorkflow(SweepWorkflow, in)
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow failed: %v", err)
			}
			checkStarts(t, l, secs(c.want))
			if updErr != nil {
				t.Errorf("update: %v", updErr)
			}
		})
	}
}
