//go:build recordhistory

package workflows

// TestRecordControlHistories runs sweeps on the real embedded Temporal server that take each
// control of a running sweep, and writes their histories to testdata/ for TestReplayControls
// (replay_test.go). Run it with TestRecordHistory (record_history_test.go):
//
//	go test -tags recordhistory -run 'TestRecordHistory|TestRecordControlHistories' ./workflows/

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// gate holds the chunk activities at one point until released, so that a control reaches
// the sweep while a known chunk runs.
type gate struct {
	mu      sync.Mutex
	point   int64         // the point held (-1: none)
	reached chan struct{} // closed when an attempt reaches it
	release chan struct{} // closed to let it go on
}

// hold makes the next attempt to reach point wait for the release.
func (g *gate) hold(point int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.point, g.reached, g.release = point, make(chan struct{}), make(chan struct{})
}

func (g *gate) inject(_ activity.Info, point int64) error {
	g.mu.Lock()
	if point != g.point {
		g.mu.Unlock()
		return nil
	}
	g.point = -1
	reached, release := g.reached, g.release
	g.mu.Unlock()
	close(reached)
	select {
	case <-release:
	case <-time.After(time.Minute):
	}
	return nil
}

func TestRecordControlHistories(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	g := &gate{point: -1}
	c := recorder(ctx, t, activities.WithHooks(activities.Hooks{Inject: g.inject}))
	s, err := spec.Parse(testSpecFile, []byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	// 16 points in 8 chunks of 2, in 2 groups of 4 chunks, one chunk in flight per group;
	// point 2 is chunk 1's first, in group 0.
	input := func(t *testing.T) SweepInput {
		return SweepInput{Spec: testSpec, SpecFile: testSpecFile, OutDir: t.TempDir(), Points: s.Count(), ChunkSize: 2,
			Concurrency: 2, ChunksPerGroup: 4, SweepID: testSweepID}
	}
	progress := func(t *testing.T, id string) Progress {
		v, err := c.QueryWorkflow(ctx, id, "", ProgressQuery)
		if err != nil {
			t.Fatal(err)
		}
		var p Progress
		if err := v.Get(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	waitFor := func(t *testing.T, id, what string, ok func(Progress) bool) {
		for deadline := time.Now().Add(time.Minute); !ok(progress(t, id)); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no progress shows %s", id, what)
			}
		}
	}
	cases := []struct {
		file    string
		perRun  int
		control func(t *testing.T, id string)
		wantErr func(error) bool
	}{
		{"pause-resume", 0, func(t *testing.T, id string) {
			if err := c.SignalWorkflow(ctx, id, "", PauseSignal, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, id, "the pause", func(p Progress) bool { return p.Paused })
			time.Sleep(time.Second) // the groups have it too
			close(g.release)
			waitFor(t, id, "chunk 1 done", func(p Progress) bool { return p.ChunksDone >= 2 })
			time.Sleep(time.Second)
			if err := c.SignalWorkflow(ctx, id, "", ResumeSignal, nil); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"concurrency", 0, func(t *testing.T, id string) {
			h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: ConcurrencyUpdate,
				Args: []any{4}, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := h.Get(ctx, &n); err != nil || n != 4 {
				t.Fatalf("concurrency update returned %d, %v; want 4", n, err)
			}
			time.Sleep(time.Second)
			close(g.release)
		}, nil},
		{"cancel", 0, func(t *testing.T, id string) {
			if err := c.CancelWorkflow(ctx, id, ""); err != nil {
				t.Fatal(err)
			}
			close(g.release)
		}, func(err error) bool {
			var canceled *temporal.CanceledError
			return errors.As(err, &canceled)
		}},
		{"continue-as-new", 1, func(t *testing.T, id string) { close(g.release) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			in := input(t)
			in.GroupsPerRun = tc.perRun
			id := WorkflowID(s.Name, s.Hash()) + "-" + tc.file
			g.hold(2)
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, SweepWorkflow, in)
			if err != nil {
				t.Fatal(err)
			}
			firstRun := run.GetRunID() // Get follows the continue-as-new: this is the first run's
			select {
			case <-g.reached:
			case <-ctx.Done():
				t.Fatal("chunk 1 never started")
			}
			tc.control(t, id)
			var out SweepOutput
			err = run.Get(ctx, &out)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("sweep ended with %v", err)
			}
			t.Logf("%s: %+v, %v", tc.file, out, err)
			saveHistory(ctx, t, c, id, firstRun, "sweep-"+tc.file+".json")
			saveHistory(ctx, t, c, groupID(id, 0), "", "batch-sweep-"+tc.file+".json")
			if tc.perRun > 0 { // the run that continued the first
				d, err := c.DescribeWorkflowExecution(ctx, id, "")
				if err != nil {
					t.Fatal(err)
				}
				saveHistory(ctx, t, c, id, d.GetWorkflowExecutionInfo().GetExecution().GetRunId(), "sweep-"+tc.file+"-2.json")
			}
		})
	}
}
