package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeStalls is a stallSource of canned descriptions and schedule times.
type fakeStalls struct {
	runs      map[string]*workflowservice.DescribeWorkflowExecutionResponse // by workflow id
	times     map[string]map[string]time.Time                               // by workflow id, activity id
	historyOK bool
	described []string
}

func (f *fakeStalls) describe(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	f.described = append(f.described, id)
	d, ok := f.runs[id]
	if !ok {
		return nil, errors.New("not found")
	}
	return d, nil
}

func (f *fakeStalls) scheduled(_ context.Context, id, _ string, ids map[string]bool) (map[string]time.Time, error) {
	if !f.historyOK {
		return nil, errors.New("history unavailable")
	}
	out := map[string]time.Time{}
	for a := range ids {
		if t, ok := f.times[id][a]; ok {
			out[a] = t
		}
	}
	return out, nil
}

func running(id string, children []string, acts ...*workflowpb.PendingActivityInfo) *workflowservice.DescribeWorkflowExecutionResponse {
	d := &workflowservice.DescribeWorkflowExecutionResponse{
		WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
			Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: "run-" + id},
			Status:    enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		},
		PendingActivities: acts,
	}
	for _, c := range children {
		d.PendingChildren = append(d.PendingChildren, &workflowpb.PendingChildExecutionInfo{WorkflowId: c, RunId: "run-" + c})
	}
	return d
}

// activity is a pending activity at attempt; failed, when not zero, is when its last attempt
// ended with msg (wrapped the way the SDK wraps an activity's error).
func activity(id, typ string, attempt int32, failed time.Time, msg string) *workflowpb.PendingActivityInfo {
	a := &workflowpb.PendingActivityInfo{ActivityId: id, ActivityType: &commonpb.ActivityType{Name: typ}, Attempt: attempt}
	if !failed.IsZero() {
		a.LastAttemptCompleteTime = timestamppb.New(failed)
		a.LastFailure = &failurepb.Failure{Message: msg, Cause: &failurepb.Failure{Message: "no space left on device"}}
	}
	return a
}

func TestFindStall(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0.Add(150 * time.Second)
	batch0, batch1 := "sweep-x-batch-000000", "sweep-x-batch-000001"
	src := func(a0, a1 []*workflowpb.PendingActivityInfo) *fakeStalls {
		return &fakeStalls{
			runs: map[string]*workflowservice.DescribeWorkflowExecutionResponse{
				batch0: running(batch0, nil, a0...), batch1: running(batch1, nil, a1...),
			},
			times: map[string]map[string]time.Time{
				batch0: {"5": t0.Add(30 * time.Second), "6": t0.Add(40 * time.Second)},
				batch1: {"1": t0.Add(10 * time.Second)},
			},
			historyOK: true,
		}
	}
	sweep := running("sweep-x", []string{batch0, batch1})

	t.Run("all failing", func(t *testing.T) {
		f := src([]*workflowpb.PendingActivityInfo{
			activity("5", "SimulateChunk", 4, t0.Add(100*time.Second), "write shard"),
			activity("6", "SimulateChunk", 7, t0.Add(140*time.Second), "write shard 6"),
		}, []*workflowpb.PendingActivityInfo{
			activity("1", "SimulateChunk", 3, t0.Add(120*time.Second), "write shard 1"),
		})
		s, err := findStall(context.Background(), f, sweep, now)
		if err != nil || s == nil {
			t.Fatalf("stall %v, error %v; want a stall", s, err)
		}
		// Three failing; the latest failure is activity 6's (t0+140 s), attempt 7 the highest;
		// the oldest first schedule batch1's activity 1 at t0+10 s, 140 s before now.
		want := stall{Activity: "chunk", Workflow: batch0, Failing: 3, Attempt: 7,
			Failure: "write shard 6: no space left on device", Since: t0.Add(10 * time.Second), Seconds: 140}
		if *s != want {
			t.Errorf("stall\n got %+v\nwant %+v", *s, want)
		}
		line := s.String()
		for _, part := range []string{"stalled for 2m20s", "3 chunk activities failing", "attempt 7", "no space left on device"} {
			if !strings.Contains(line, part) {
				t.Errorf("%q lacks %q", line, part)
			}
		}
		if strings.Join(f.described, " ") != batch0+" "+batch1 {
			t.Errorf("described %v, want the two pending children", f.described)
		}
	})
	t.Run("one healthy activity", func(t *testing.T) {
		f := src([]*workflowpb.PendingActivityInfo{
			activity("5", "SimulateChunk", 4, t0.Add(100*time.Second), "write shard"),
		}, []*workflowpb.PendingActivityInfo{
			activity("1", "SimulateChunk", 1, time.Time{}, ""), // first attempt, running
		})
		if s, err := findStall(context.Background(), f, sweep, now); s != nil || err != nil {
			t.Errorf("stall %v, error %v; want none while an activity is on its first attempt", s, err)
		}
	})
	t.Run("retried after a killed worker, now running", func(t *testing.T) {
		// Attempt 2 without a recorded failure: the server has not reported one.
		f := src([]*workflowpb.PendingActivityInfo{activity("5", "SimulateChunk", 2, time.Time{}, "")}, nil)
		if s, _ := findStall(context.Background(), f, sweep, now); s != nil {
			t.Errorf("stall %v for an activity with no failure", s)
		}
	})
	t.Run("nothing pending", func(t *testing.T) {
		if s, err := findStall(context.Background(), src(nil, nil), sweep, now); s != nil || err != nil {
			t.Errorf("stall %v, error %v; want none", s, err)
		}
	})
	t.Run("merge in the sweep, no history", func(t *testing.T) {
		f := &fakeStalls{}
		merging := running("sweep-x", nil, activity("9", "MergeShards", 12, t0.Add(149*time.Second), "permission denied"))
		s, err := findStall(context.Background(), f, merging, now)
		if err != nil || s == nil {
			t.Fatalf("stall %v, error %v", s, err)
		}
		if s.Activity != "merge" || s.Workflow != "sweep-x" || !s.Since.IsZero() || s.Seconds != 0 {
			t.Errorf("stall %+v: want the merge in the sweep, no duration", *s)
		}
		if got := s.String(); !strings.HasPrefix(got, "stalled: 1 merge activity failing (attempt 12): permission denied") {
			t.Errorf("line %q", got)
		}
	})
	t.Run("describe fails", func(t *testing.T) {
		f := &fakeStalls{runs: map[string]*workflowservice.DescribeWorkflowExecutionResponse{}}
		if _, err := findStall(context.Background(), f, sweep, now); err == nil || !strings.Contains(err.Error(), batch0) {
			t.Errorf("error %v, want one naming the batch", err)
		}
	})
}
