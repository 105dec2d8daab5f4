package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/workflows"
)

// sweepState is what sweep status and sweep list report of one sweep; with --json, one
// object per sweep with exactly these keys (docs/cli-json.md). Counts that are not known
// from the source they come from are null.
type sweepState struct {
	Sweep string `json:"sweep"`
	// Status: running, paused, stalled, interrupted (running, but no process serves it),
	// completed, cancelled, failed, terminated, timed_out.
	Status      string     `json:"status"`
	Served      bool       `json:"served"` // a worker polls the sweep's task queue and answers its queries
	Started     time.Time  `json:"started"`
	Closed      *time.Time `json:"closed"`
	CountsFrom  string     `json:"counts_from"` // progress_query, search_attributes, results_table, shards, none
	Total       int64      `json:"total"`
	Done        int64      `json:"done"`
	Diverged    *int64     `json:"diverged"`
	Failed      *int64     `json:"failed"`
	Chunks      *int       `json:"chunks"`
	ChunksDone  *int       `json:"chunks_done"`
	Rate        *float64   `json:"rate"`        // points per second since the sweep started
	ETA         *float64   `json:"eta_seconds"` // null while paused, stalled, interrupted or unknown
	Concurrency *int       `json:"concurrency"`
	Merging     bool       `json:"merging"`
	Results     string     `json:"results"` // results.parquet of a completed or cancelled sweep
	Partial     bool       `json:"partial"` // its table holds the finished chunks only
	Stall       *stall     `json:"stall"`
	Message     string     `json:"message"` // why the counts are what they are, for people
	// Level is the level a refined sweep runs (docs/refine.md) and Levels the points of each
	// of its levels so far; null for a sweep that is not refined.
	Level  *int    `json:"level"`
	Levels []int64 `json:"levels"`

	// missing says which tables of a completed sweep are not there and which command
	// rebuilds them (checkTables); "" when none is missing.
	missing string
}

// Counts sources, in the order tried.
const (
	fromQuery   = "progress_query"
	fromAttrs   = "search_attributes"
	fromTable   = "results_table"
	fromShards  = "shards"
	fromNothing = "none"
)

// notServed is the message of a running sweep that nothing runs.
const notServed = "no process is serving this sweep"

// queryTimeout bounds a progress query: a sweep whose workers are gone never answers.
const queryTimeout = 5 * time.Second

// pollerFresh is how recently a worker must have polled a task queue to count as serving it:
// an idle worker's long polls return after at most about a minute and it polls again.
const pollerFresh = 90 * time.Second

// stateReader finds the states of sweeps on one server. embedded says that this process
// started the server, so no other process can be serving a sweep on it.
type stateReader struct {
	c        client.Client
	embedded bool
	st       *store.Store
	pollers  map[string]bool // task queue -> served, asked once per queue
}

func newStateReader(b *backend) *stateReader {
	return &stateReader{c: b.client, embedded: b.server != nil, st: store.New(), pollers: map[string]bool{}}
}

func (r *stateReader) close() { r.st.Close() }

// state reads sweep id's state from the server: its status; its counts from the progress
// query when a worker answers, else (running) from its finished shards or its search
// attributes, else (ended) from its result, its search attributes or its results table; and
// for a running sweep the stall (stall.go).
func (r *stateReader) state(ctx context.Context, id string) (sweepState, error) {
	desc, err := r.c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return sweepState{Sweep: id}, fmt.Errorf("sweep %s: %w", id, err)
	}
	s := r.fromInfo(ctx, desc.GetWorkflowExecutionInfo())
	if first, ok := firstStart(ctx, r.c, id); ok && first.Before(s.Started) { // runs.go
		s.Started = first
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		if s.Stall, err = findStall(ctx, clientStalls{r.c}, desc, time.Now()); err != nil {
			s.Message = join(s.Message, "stall check: "+err.Error())
		}
		r.settle(&s)
	}
	return s, nil
}

// fromInfo is the state of the sweep of info (a describe's or a list's execution info),
// without its stall.
func (r *stateReader) fromInfo(ctx context.Context, info *workflowpb.WorkflowExecutionInfo) sweepState {
	exec := info.GetExecution()
	s := sweepState{Sweep: exec.GetWorkflowId(), Status: workflowStatus(info.GetStatus()),
		Started: info.GetStartTime().AsTime(), CountsFrom: fromNothing}
	if t := info.GetCloseTime(); t != nil && info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		ct := t.AsTime()
		s.Closed = &ct
	}
	attrs := sweepAttributes(info.GetSearchAttributes())
	s.Total = attrs.points
	if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		r.runningCounts(ctx, &s, info, attrs)
	} else {
		r.closedCounts(ctx, &s, info, attrs)
	}
	return s
}

// runningCounts fills the counts of a running sweep.
func (r *stateReader) runningCounts(ctx context.Context, s *sweepState, info *workflowpb.WorkflowExecutionInfo, attrs searchAttrs) {
	s.Served = !r.embedded && r.served(ctx, info.GetTaskQueue())
	if s.Served {
		qctx, cancel := context.WithTimeout(ctx, queryTimeout)
		v, err := r.c.QueryWorkflow(qctx, s.Sweep, "", workflows.ProgressQuery)
		cancel()
		var p workflows.Progress
		if err == nil && v.Get(&p) == nil {
			s.fromProgress(p)
			if p.Levels > 0 { // a refined sweep: which level, and the points of each
				s.Level = &p.Level
				s.Levels, _ = levelsOf(ctx, r.c, s.Sweep)
			}
			return
		}
		s.Served = false // its worker is gone or hung
	}
	// The finished shards are the exact count (the search attributes lag by up to a batch of
	// chunks); the attributes serve when the output location cannot be read from here.
	s.Message = notServed
	in, err := startInput(ctx, r.c, s.Sweep, info.GetExecution().GetRunId())
	if err == nil {
		s.Total = in.Points
		var done int64
		var chunks int
		if done, chunks, err = r.shardCounts(ctx, in); err == nil {
			s.CountsFrom, s.Done, s.ChunksDone = fromShards, done, &chunks
			return
		}
	}
	if attrs.ok {
		s.CountsFrom, s.Done, s.Total = fromAttrs, attrs.done, attrs.points
		s.Message = join(s.Message, "points done as of its last finished batch")
		return
	}
	s.Message = join(s.Message, err.Error())
}

// closedCounts fills the counts of a sweep that has ended, from its result (the rows of the
// table it wrote), else its search attributes, else its results table.
func (r *stateReader) closedCounts(ctx context.Context, s *sweepState, info *workflowpb.WorkflowExecutionInfo, attrs searchAttrs) {
	if s.Total == 0 {
		if in, err := startInput(ctx, r.c, s.Sweep, info.GetExecution().GetRunId()); err == nil {
			s.Total = in.Points
		}
	}
	var out workflows.SweepOutput
	err := r.c.GetWorkflow(ctx, s.Sweep, info.GetExecution().GetRunId()).Get(ctx, &out)
	switch ce, cancelled := errors.AsType[*temporal.CanceledError](err); {
	case err == nil:
		s.CountsFrom, s.Done, s.Results, s.Partial = fromTable, int64(out.Rows), out.Results, out.Partial
		s.Diverged, s.Levels = &out.Diverged, out.LevelPoints
		r.checkTables(ctx, s, out)
		return
	case cancelled:
		var res string
		var rows int
		if ce.Details(&res, &rows) == nil {
			s.CountsFrom, s.Done, s.Results, s.Partial = fromTable, int64(rows), res, true
			return
		}
	}
	if attrs.ok {
		s.CountsFrom, s.Done = fromAttrs, attrs.done
		s.Message = "points done as of its last finished batch"
		return
	}
	in, ierr := startInput(ctx, r.c, s.Sweep, info.GetExecution().GetRunId())
	if ierr != nil {
		return
	}
	if rows, ok := r.tableRows(ctx, in); ok {
		s.CountsFrom, s.Done, s.Results, s.Partial = fromTable, rows, sweepLayout(in).Results(), rows < in.Points
	}
}

// checkTables notes in s the tables of completed sweep output out that are missing, with the
// command that rebuilds them (rebuild.go). A local table whose directory is not on this
// machine (the workers' machines hold it) cannot be checked from here and is not called
// missing.
func (r *stateReader) checkTables(ctx context.Context, s *sweepState, out workflows.SweepOutput) {
	if out.Results == "" || !store.Remote(out.Results) && !exists(ctx, r.st, filepath.Dir(out.Results)) {
		return
	}
	missing, err := missingTables(ctx, r.st, out)
	if err != nil || len(missing) == 0 {
		return
	}
	what := "its table " + missing[0] + " is"
	if len(missing) > 1 {
		what = "its tables " + strings.Join(missing, " and ") + " are"
	}
	s.missing = fmt.Sprintf("%s missing: sweep results %s rebuilds it", what, s.Sweep)
	s.Message = join(s.Message, s.missing)
}

// fromProgress takes the counts of a progress query's answer.
func (s *sweepState) fromProgress(p workflows.Progress) {
	s.CountsFrom, s.Total, s.Done = fromQuery, p.Total, p.Done
	s.Diverged, s.Failed = &p.Diverged, &p.Failed
	s.Chunks, s.ChunksDone, s.Concurrency = &p.Chunks, &p.ChunksDone, &p.Concurrency
	s.Rate, s.Merging = &p.Rate, p.Merging
	if p.ETA > 0 {
		s.ETA = &p.ETA
	}
	if p.Paused {
		s.Status = "paused"
	}
}

// settle gives a running sweep its final status: stalled when its activities all fail,
// interrupted when no process serves it; the ETA only while it moves.
func (r *stateReader) settle(s *sweepState) {
	switch {
	case !s.Served:
		s.Status = "interrupted"
	case s.Stall != nil:
		s.Status = "stalled"
	}
	if s.Status != "running" {
		s.ETA = nil
	}
}

// served reports whether a worker has polled queue's workflow tasks lately.
func (r *stateReader) served(ctx context.Context, queue string) bool {
	if ok, seen := r.pollers[queue]; seen {
		return ok
	}
	ok := false
	resp, err := r.c.DescribeTaskQueue(ctx, queue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	if err == nil {
		for _, p := range resp.GetPollers() {
			if time.Since(p.GetLastAccessTime().AsTime()) < pollerFresh {
				ok = true
			}
		}
	}
	r.pollers[queue] = ok
	return ok
}

// shardCounts counts the points and chunks whose shards are finished in the sweep's output
// location (a chunk's shard holds its ChunkSize points, the last chunk's the rest).
func (r *stateReader) shardCounts(ctx context.Context, in workflows.SweepInput) (points int64, chunks int, err error) {
	if in.ChunkSize < 1 {
		return 0, 0, errors.New("sweep input has no chunk size")
	}
	sp, err := spec.Parse(in.SpecFile, []byte(in.Spec))
	if err != nil {
		return 0, 0, err
	}
	l := sweepLayout(in)
	n := layout.Chunks(in.Points, in.ChunkSize)
	done, err := l.FinishedShards(ctx, r.st, n, sp.Record.Every > 0)
	if err != nil {
		return 0, 0, fmt.Errorf("shards in %s: %w", in.OutDir, err)
	}
	for i := range n {
		if !slices.Contains(done, l.Shard(i)) {
			continue
		}
		points += min(int64(in.ChunkSize), in.Points-int64(i)*int64(in.ChunkSize))
		chunks++
	}
	return points, chunks, nil
}

// tableRows is the row count of the results.parquet a sweep left, if it is readable.
func (r *stateReader) tableRows(ctx context.Context, in workflows.SweepInput) (int64, bool) {
	paths, release, err := r.st.Fetch(ctx, []string{sweepLayout(in).Results()})
	defer release()
	if err != nil {
		return 0, false
	}
	_, rows, err := results.ReadMeta(paths[0])
	return rows, err == nil
}

// searchAttrs are a sweep's search attributes (workflows.SweepPointsKey, SweepDoneKey).
type searchAttrs struct {
	points, done int64
	ok           bool // both are set
}

func sweepAttributes(sa *commonpb.SearchAttributes) searchAttrs {
	var a searchAttrs
	f := sa.GetIndexedFields()
	pp, dp := f[workflows.SweepPointsKey.GetName()], f[workflows.SweepDoneKey.GetName()]
	dc := converter.GetDefaultDataConverter()
	if pp == nil || dp == nil || dc.FromPayload(pp, &a.points) != nil || dc.FromPayload(dp, &a.done) != nil {
		return searchAttrs{}
	}
	a.ok = true
	return a
}

// join joins two messages with "; " (either may be empty).
func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}
