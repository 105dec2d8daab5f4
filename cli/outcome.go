package main

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/workflows"
)

// interruptedError is watch's error when its context was cancelled (Ctrl-C, SIGTERM): the
// sweep is saved on the server and goes on, or resumes, where a process serves it.
type interruptedError struct {
	id  string
	err error // the context's error
}

func (e *interruptedError) Error() string { return fmt.Sprintf("sweep %s: interrupted", e.id) }
func (e *interruptedError) Unwrap() error { return e.err }

// endedError is watch's error for a sweep that ended without completing: cancelled (from
// another process), failed, terminated or timed out. Its message is one sentence.
type endedError struct {
	text string
	err  error // the SDK's error
}

func (e *endedError) Error() string { return e.text }
func (e *endedError) Unwrap() error { return e.err }
func (e *endedError) sentence()     {}

// kept is what a cancelled sweep left: its partial table and how many points it holds.
type kept struct {
	rows, total int64
	results     string
	partial     bool
}

// keptPoints reads what cancelled sweep id kept from its cancellation error (the rows and
// table the sweep's partial merge reports), with the total from last, else from the server.
func keptPoints(ctx context.Context, c client.Client, id string, ce *temporal.CanceledError, last workflows.Progress) kept {
	k := kept{total: last.Total, partial: true}
	if ce != nil {
		var rows int
		if ce.Details(&k.results, &rows) == nil {
			k.rows = int64(rows)
		}
	}
	if k.total == 0 {
		if d, err := c.DescribeWorkflowExecution(ctx, id, ""); err == nil {
			if a := sweepAttributes(d.GetWorkflowExecutionInfo().GetSearchAttributes()); a.ok {
				k.total = a.points
			} else if in, err := startInput(ctx, c, id, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()); err == nil {
				k.total = in.Points
			}
		}
	}
	return k
}

// sentence is the one line that reports the cancellation.
func (k kept) sentence(id string) string {
	if k.results == "" {
		return fmt.Sprintf("sweep %s was cancelled: %d of %d points kept (no finished chunk, no table); running its spec again starts it over", id, k.rows, k.total)
	}
	return fmt.Sprintf("sweep %s was cancelled: %d of %d points kept in %s (marked partial); running its spec again resumes it", id, k.rows, k.total, k.results)
}

// ended turns the error of a sweep's run.Get into watch's: one sentence saying how it ended.
func ended(ctx context.Context, c client.Client, id string, last workflows.Progress, err error) error {
	if ce, ok := errors.AsType[*temporal.CanceledError](err); ok {
		return &endedError{keptPoints(ctx, c, id, ce, last).sentence(id), err}
	}
	if _, ok := errors.AsType[*temporal.TerminatedError](err); ok {
		return &endedError{fmt.Sprintf("sweep %s was terminated; sweep retry %s runs its missing points", id, id), err}
	}
	if _, ok := errors.AsType[*temporal.TimeoutError](err); ok {
		return &endedError{fmt.Sprintf("sweep %s timed out; sweep retry %s runs its missing points", id, id), err}
	}
	if ae, ok := errors.AsType[*temporal.ApplicationError](err); ok {
		msg := ae.Message()
		if ae.Type() != "" {
			msg += " (" + ae.Type() + ")"
		}
		return &endedError{fmt.Sprintf("sweep %s failed: %s", id, msg), err}
	}
	return fmt.Errorf("sweep %s: %w", id, err)
}
