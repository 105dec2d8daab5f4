package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// stall is why a running sweep does not move: every activity it has pending (the chunks, in
// its batch child workflows, or its merge) failed its last attempt and waits to be retried.
// The activities retry without limit (a full disk, a read-only or unreachable output location
// may be fixed while the sweep waits), so the failure is seen only here and in worker logs.
type stall struct {
	Activity string `json:"activity"` // chunk (SimulateChunk) or merge (MergeShards)
	Workflow string `json:"workflow"` // the workflow of the most recent failure: a batch or the sweep
	Failing  int    `json:"failing"`  // pending activities whose last attempt failed
	Attempt  int32  `json:"attempt"`  // the highest attempt among them (the next one to run)
	Failure  string `json:"failure"`  // the most recent failure's message, with its causes
	// Since is when the oldest failing activity was first scheduled (its first attempt): the
	// sweep has not finished that activity since. Zero when the history could not be read.
	Since   time.Time `json:"since"`
	Seconds float64   `json:"seconds"` // how long since Since, when the stall was seen
}

// String is the stall on one line: how long, what fails, and why.
func (s *stall) String() string {
	what := fmt.Sprintf("%d %s activit%s failing", s.Failing, s.Activity, plural(s.Failing, "y", "ies"))
	if s.Since.IsZero() {
		return fmt.Sprintf("stalled: %s (attempt %d): %s", what, s.Attempt, s.Failure)
	}
	d := (time.Duration(s.Seconds) * time.Second).String()
	return fmt.Sprintf("stalled for %s: %s (attempt %d): %s", d, what, s.Attempt, s.Failure)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// stallSource is what the stall check reads from the server (clientStalls on a real one).
type stallSource interface {
	// describe is DescribeWorkflowExecution of one run.
	describe(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	// scheduled is when each of the activities ids of a run was first scheduled (the time of
	// its ActivityTaskScheduled event; retries add no event until the activity closes).
	scheduled(ctx context.Context, id, runID string, ids map[string]bool) (map[string]time.Time, error)
}

// pendingActivity is a pending activity and the workflow run it belongs to.
type pendingActivity struct {
	workflow, runID string
	info            *workflowpb.PendingActivityInfo
}

// failing reports whether the activity's last attempt failed and it waits for, or runs, a
// retry.
func (a pendingActivity) failing() bool {
	return a.info.GetAttempt() >= 2 && a.info.GetLastFailure() != nil
}

// findStall is the stall of the sweep described by sweep (its DescribeWorkflowExecution), or
// nil when it has no pending activity or one of them is on its first attempt (the sweep
// moves). It describes the sweep's pending batch children for their activities, and reads
// the history of the workflows whose activities fail for when they were first scheduled.
func findStall(ctx context.Context, src stallSource, sweep *workflowservice.DescribeWorkflowExecutionResponse, now time.Time) (*stall, error) {
	exec := sweep.GetWorkflowExecutionInfo().GetExecution()
	var pending []pendingActivity
	for _, a := range sweep.GetPendingActivities() {
		pending = append(pending, pendingActivity{exec.GetWorkflowId(), exec.GetRunId(), a})
	}
	for _, ch := range sweep.GetPendingChildren() {
		d, err := src.describe(ctx, ch.GetWorkflowId(), ch.GetRunId())
		if err != nil {
			return nil, fmt.Errorf("describe batch %s: %w", ch.GetWorkflowId(), err)
		}
		if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			continue // it closed between the two calls
		}
		for _, a := range d.GetPendingActivities() {
			pending = append(pending, pendingActivity{ch.GetWorkflowId(), ch.GetRunId(), a})
		}
	}
	if len(pending) == 0 {
		return nil, nil
	}
	var latest *pendingActivity
	s := &stall{}
	ids := map[[2]string]map[string]bool{} // failing activity ids by workflow run
	for i, a := range pending {
		if !a.failing() {
			return nil, nil
		}
		s.Failing++
		s.Attempt = max(s.Attempt, a.info.GetAttempt())
		if latest == nil || failedAt(a.info).After(failedAt(latest.info)) {
			latest = &pending[i]
		}
		run := [2]string{a.workflow, a.runID}
		if ids[run] == nil {
			ids[run] = map[string]bool{}
		}
		ids[run][a.info.GetActivityId()] = true
	}
	s.Activity = activityKind(latest.info.GetActivityType().GetName())
	s.Workflow = latest.workflow
	s.Failure = failureText(latest.info.GetLastFailure())
	for run, want := range ids {
		times, err := src.scheduled(ctx, run[0], run[1], want)
		if err != nil {
			return s, nil // the stall without its duration
		}
		for _, t := range times {
			if s.Since.IsZero() || t.Before(s.Since) {
				s.Since = t
			}
		}
	}
	if !s.Since.IsZero() {
		s.Seconds = max(0, now.Sub(s.Since).Round(time.Second).Seconds())
	}
	return s, nil
}

// failedAt is when the activity's last attempt ended (or started, when the server did not
// record the end).
func failedAt(a *workflowpb.PendingActivityInfo) time.Time {
	if t := a.GetLastAttemptCompleteTime(); t != nil {
		return t.AsTime()
	}
	return a.GetLastStartedTime().AsTime()
}

// activityKind names the sweep's activity types for people.
func activityKind(typ string) string {
	switch typ {
	case "SimulateChunk":
		return "chunk"
	case "MergeShards":
		return "merge"
	}
	return typ
}

// failureText is a failure's message followed by its causes' (the SDK wraps an activity's
// error in one or more layers).
func failureText(f *failurepb.Failure) string {
	var parts []string
	for ; f != nil; f = f.GetCause() {
		if m := strings.TrimSpace(f.GetMessage()); m != "" && (len(parts) == 0 || !strings.Contains(parts[len(parts)-1], m)) {
			parts = append(parts, m)
		}
	}
	return strings.Join(parts, ": ")
}

// clientStalls is a stallSource on a Temporal client.
type clientStalls struct{ c client.Client }

func (s clientStalls) describe(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return s.c.DescribeWorkflowExecution(ctx, id, runID)
}

func (s clientStalls) scheduled(ctx context.Context, id, runID string, ids map[string]bool) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	it := s.c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() && len(out) < len(ids) {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && ids[a.GetActivityId()] {
			out[a.GetActivityId()] = ev.GetEventTime().AsTime()
		}
	}
	return out, nil
}

// sweepStall describes sweep id and returns its stall (nil when it moves or has ended).
func sweepStall(ctx context.Context, c client.Client, id string) (*stall, error) {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return nil, err
	}
	if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return nil, nil
	}
	return findStall(ctx, clientStalls{c}, d, time.Now())
}
