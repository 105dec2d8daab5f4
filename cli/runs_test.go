package main

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestSweepRunsOnePerSweep: the runs of a list, in any order, give one entry per workflow id,
// its latest run (by start) and its earliest start, the sweeps ordered by that start, newest
// first.
func TestSweepRunsOnePerSweep(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	run := func(id, runID string, minutes int, st enumspb.WorkflowExecutionStatus) *workflowpb.WorkflowExecutionInfo {
		return &workflowpb.WorkflowExecutionInfo{
			Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
			StartTime: timestamppb.New(t0.Add(time.Duration(minutes) * time.Minute)),
			Status:    st,
		}
	}
	// Sweep a: a run continued as new, its next run completed, a rebuild of its table an hour
	// later. Sweep b: one run, started after a's first but before its rebuild.
	list := []*workflowpb.WorkflowExecutionInfo{
		run("a", "a3", 60, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED),
		run("b", "b1", 10, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING),
		run("a", "a1", 0, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW),
		run("a", "a2", 5, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED),
	}
	runs := map[string]*sweepRuns{}
	for _, e := range list {
		addRun(runs, e)
	}
	got := newestFirst(runs)
	want := []struct {
		latest string
		first  time.Time
	}{{"b1", t0.Add(10 * time.Minute)}, {"a3", t0}}
	if len(got) != len(want) {
		t.Fatalf("%d sweeps, want %d", len(got), len(want))
	}
	for i, w := range want {
		if id := got[i].latest.GetExecution().GetRunId(); id != w.latest || !got[i].first.Equal(w.first) {
			t.Errorf("sweep %d: latest run %s, first start %v; want %s, %v", i, id, got[i].first, w.latest, w.first)
		}
	}
}
