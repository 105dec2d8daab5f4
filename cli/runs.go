package main

// A sweep is one workflow id, but it may have several runs on the server: each batch of chunks
// after the first few continues as new, and sweep retry, a rebuild of a missing table
// (rebuild.go) and sweep run on a failed sweep start it again under its id. sweep status and
// sweep list report the sweep once, with the state of its latest run and the start of its
// first.

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// firstStart is when sweep id first started: the earliest start among the runs the server
// lists under its id. ok is false when they cannot be listed (a server without a visibility
// store that answers the query, or an id the query cannot quote).
func firstStart(ctx context.Context, c client.Client, id string) (first time.Time, ok bool) {
	if strings.ContainsAny(id, `'"\`) {
		return time.Time{}, false
	}
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"}
	for {
		resp, err := c.ListWorkflow(ctx, req)
		if err != nil {
			return time.Time{}, false
		}
		for _, e := range resp.GetExecutions() {
			if t := e.GetStartTime().AsTime(); !ok || t.Before(first) {
				first, ok = t, true
			}
		}
		if req.NextPageToken = resp.GetNextPageToken(); len(req.NextPageToken) == 0 {
			return first, ok
		}
	}
}

// sweepRuns are the runs a list gave of one sweep: the latest, whose state is the sweep's,
// and the earliest start among them.
type sweepRuns struct {
	latest *workflowpb.WorkflowExecutionInfo
	first  time.Time
}

// addRun counts execution e among the runs of its sweep in runs (by workflow id).
func addRun(runs map[string]*sweepRuns, e *workflowpb.WorkflowExecutionInfo) {
	id, start := e.GetExecution().GetWorkflowId(), e.GetStartTime().AsTime()
	r, seen := runs[id]
	if !seen {
		runs[id] = &sweepRuns{latest: e, first: start}
		return
	}
	if start.After(r.latest.GetStartTime().AsTime()) {
		r.latest = e
	}
	if start.Before(r.first) {
		r.first = start
	}
}

// newestFirst orders the sweeps of runs by their first start, the newest first.
func newestFirst(runs map[string]*sweepRuns) []*sweepRuns {
	out := make([]*sweepRuns, 0, len(runs))
	for _, r := range runs {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *sweepRuns) int {
		if c := b.first.Compare(a.first); c != 0 {
			return c
		}
		return cmp.Compare(a.latest.GetExecution().GetWorkflowId(), b.latest.GetExecution().GetWorkflowId())
	})
	return out
}
