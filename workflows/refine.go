package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/layout"
)

// RefineInput is a refined sweep (docs/refine.md): the sweep of its coarse grid as sweep run
// would start it (Sweep.Points the coarse grid's size), the last level its spec allows, and,
// after a continue-as-new, where it stands.
type RefineInput struct {
	Sweep  SweepInput
	Levels int          // refine.levels
	State  *RefineState `json:",omitempty"`
}

// RefineState is where a refined sweep stands: the level to run next, the points of the levels
// finished, the counts so far and the controls set while it runs.
type RefineState struct {
	Level       int     // the level running or to run (0: the coarse grid)
	LevelPoints []int64 // points of the finished levels
	// Done is set when refinement has ended (levels reached, nothing flagged, or the budget
	// spent): what is left is the merge.
	Done        bool `json:",omitempty"`
	Progress    Progress
	Paused      bool      `json:",omitempty"`
	Concurrency int       `json:",omitempty"`
	Started     time.Time // when the sweep's first run began
	Prepared    bool      `json:",omitempty"`
}

// refineRun is one run of RefineWorkflow (between continue-as-new): one level, or the merge.
type refineRun struct {
	ctx      workflow.Context
	in       RefineInput
	st       RefineState
	pin      activities.Pin
	l        layout.Sweep
	parentID string
	child    string            // the id of the level's sweep while it runs
	cur      Progress          // the counts of the running level (forwarded chunk counts)
	sel      workflow.Selector // signals, and the level's sweep
}

// levelID is the id of level l's sweep of the refined sweep parentID.
func levelID(parentID string, l int) string { return fmt.Sprintf("%s-level-%02d", parentID, l) }

// LevelOf is the inverse of levelID: the refined sweep whose level id is, when id has the
// form of a level's id.
func LevelOf(id string) (parentID string, ok bool) {
	i := strings.LastIndex(id, "-level-")
	if i < 0 {
		return "", false
	}
	n := id[i+len("-level-"):]
	if len(n) != 2 || n[0] < '0' || n[0] > '9' || n[1] < '0' || n[1] > '9' {
		return "", false
	}
	return id[:i], true
}

// refineActivity are the options of the planning and the merge of a refined sweep.
var refineActivity = workflow.ActivityOptions{
	StartToCloseTimeout: time.Hour,
	HeartbeatTimeout:    heartbeatTimeout,
	RetryPolicy:         chunkRetry,
}

// RefineWorkflow runs a refined sweep: its coarse grid, then each level planned from the
// tables so far (the PlanLevel activity writes the level's point list; only its count and
// hash come back), each level a child SweepWorkflow with its own chunks, shards, cache and
// merge, continuing-as-new after each level, so that a killed worker, server or sweep run
// resumes at the level it stopped at (and, within it, at the chunk). The MergeLevels activity
// then writes results.parquet with every level's rows. It answers the progress query and
// takes the pause and resume signals and the concurrency update, forwarded to the running
// level and kept for the levels after it.
func RefineWorkflow(ctx workflow.Context, in RefineInput) (SweepOutput, error) {
	r, err := newRefineRun(ctx, in)
	if err != nil {
		return SweepOutput{}, err
	}
	if !r.st.Done {
		if err := r.runLevel(); err != nil {
			if ctx.Err() != nil {
				return r.cancelled()
			}
			return SweepOutput{}, err
		}
	}
	r.drain()
	if ctx.Err() != nil {
		return r.cancelled()
	}
	if !r.st.Done {
		next := in
		next.State = &r.st
		return SweepOutput{}, workflow.NewContinueAsNewError(ctx, RefineWorkflow, next)
	}
	return r.finish()
}

// newRefineRun takes up the state of the input, installs the handlers and, the first time,
// stores the spec for the activities (PrepareSweep).
func newRefineRun(ctx workflow.Context, in RefineInput) (*refineRun, error) {
	r := &refineRun{ctx: ctx, in: in, parentID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if in.State != nil {
		r.st = *in.State
	}
	if r.st.Started.IsZero() {
		r.st.Started = workflow.Now(ctx)
	}
	id := in.Sweep.SweepID
	if id == "" {
		id = r.parentID
	}
	l, err := layout.New(in.Sweep.OutDir, id)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), activities.ErrSpec, nil)
	}
	r.l = l
	r.pin = activities.Pin{Sweep: id, SpecCopy: l.SpecCopy(), Hash: in.Sweep.Hash, Data: in.Sweep.Data}
	if err := r.setHandlers(); err != nil {
		return nil, err
	}
	if !r.st.Prepared {
		var a *activities.Activities
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, refineActivity), a.PrepareSweep, activities.PrepareInput{
			Spec: in.Sweep.Spec, SpecFile: in.Sweep.SpecFile, OutDir: in.Sweep.OutDir, Pin: r.pin,
		}).Get(ctx, nil)
		if err != nil {
			return nil, err
		}
		r.st.Prepared = true
	}
	upsertProgress(ctx, r.attrs(), r.st.Progress.Done)
	return r, nil
}

// attrs is the sweep input whose search attributes the refined sweep records: its points are
// those of the levels so far.
func (r *refineRun) attrs() SweepInput {
	in := r.in.Sweep
	in.Points = r.total()
	return in
}

// total is the number of points of the finished levels and the running one.
func (r *refineRun) total() int64 {
	var n int64
	for _, p := range r.st.LevelPoints {
		n += p
	}
	return n + r.cur.Total
}

// setHandlers installs the progress query, the pause and resume signals, the forwarded chunk
// counts and the concurrency update.
func (r *refineRun) setHandlers() error {
	if err := workflow.SetQueryHandler(r.ctx, ProgressQuery, r.progress); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(r.ctx, LevelsQuery, r.levels); err != nil {
		return err
	}
	r.sel = workflow.NewSelector(r.ctx)
	r.sel.AddReceive(workflow.GetSignalChannel(r.ctx, ChunkDoneSignal), func(c workflow.ReceiveChannel, _ bool) {
		var out activities.ChunkOutput
		c.Receive(r.ctx, &out)
		if r.child != "" { // late counts of a finished level are in its output already
			r.cur.add(out)
		}
	})
	for _, sig := range []struct {
		name   string
		paused bool
	}{{PauseSignal, true}, {ResumeSignal, false}} {
		r.sel.AddReceive(workflow.GetSignalChannel(r.ctx, sig.name), func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(r.ctx, nil)
			r.st.Paused = sig.paused
			if r.child != "" {
				workflow.SignalExternalWorkflow(r.ctx, r.child, "", sig.name, nil)
			}
		})
	}
	return workflow.SetUpdateHandlerWithOptions(r.ctx, ConcurrencyUpdate, func(_ workflow.Context, n int) (int, error) {
		r.st.Concurrency = n
		if r.child != "" {
			workflow.SignalExternalWorkflow(r.ctx, r.child, "", ConcurrencySignal, n)
		}
		return n, nil
	}, workflow.UpdateHandlerOptions{Validator: validConcurrency})
}

// progress answers the progress query: the finished levels' counts plus the running level's.
func (r *refineRun) progress() (Progress, error) {
	pr := r.st.Progress
	pr.Done += r.cur.Done
	pr.Diverged += r.cur.Diverged
	pr.Failed += r.cur.Failed
	pr.Chunks, pr.ChunksDone = r.cur.Chunks, r.cur.ChunksDone
	pr.Total, pr.Paused, pr.Concurrency = r.total(), r.st.Paused, r.st.Concurrency
	pr.Level, pr.Levels = r.st.Level, r.in.Levels
	if r.st.Done && len(r.st.LevelPoints) > 0 { // merging: at the last level run, not past it
		pr.Level = len(r.st.LevelPoints) - 1
	}
	if secs := workflow.Now(r.ctx).Sub(r.st.Started).Seconds(); secs > 0 && pr.Done > 0 {
		pr.Rate = float64(pr.Done) / secs
		pr.ETA = float64(pr.Total-pr.Done) / pr.Rate
	}
	return pr, nil
}

// levels answers LevelsQuery: the points of the finished levels and of the running one.
func (r *refineRun) levels() ([]int64, error) {
	out := append([]int64(nil), r.st.LevelPoints...)
	if r.cur.Total > 0 {
		out = append(out, r.cur.Total)
	}
	return out, nil
}

// runLevel plans the level (none for the coarse grid) and runs it as a child sweep.
func (r *refineRun) runLevel() error {
	lv := activities.LevelPin{Parent: r.pin.Sweep, Level: r.st.Level, Table: r.l.LevelTable(r.st.Level)}
	points := r.in.Sweep.Points
	if r.st.Level > 0 {
		var a *activities.Activities
		var plan activities.PlanOutput
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(r.ctx, refineActivity), a.PlanLevel, activities.PlanInput{
			SpecFile: r.in.Sweep.SpecFile, OutDir: r.in.Sweep.OutDir, Pin: r.pin, Level: r.st.Level, Before: r.st.LevelPoints,
		}).Get(r.ctx, &plan)
		if err != nil {
			return err
		}
		workflow.GetLogger(r.ctx).Info("level planned", "level", r.st.Level, "points", plan.Points, "flagged", plan.Flagged, "capped", plan.Capped)
		if plan.Points == 0 {
			r.st.Done = true
			return nil
		}
		points, lv.First, lv.Points, lv.Hash = plan.Points, plan.First, r.l.LevelPoints(r.st.Level), plan.Hash
		if plan.Capped || r.st.Level == r.in.Levels {
			defer func() { r.st.Done = true }()
		}
	}
	child := r.in.Sweep
	child.Points, child.SweepID, child.Level, child.Notify = points, levelID(r.parentID, r.st.Level), &lv, r.parentID
	child.Name, child.SearchAttributes = "", false // the refined sweep records the attributes
	child.State = &SweepState{Paused: r.st.Paused, Concurrency: r.st.Concurrency}
	r.child = child.SweepID
	r.cur = Progress{Total: points, Chunks: layout.Chunks(points, child.ChunkSize)}
	cctx := workflow.WithChildOptions(r.ctx, workflow.ChildWorkflowOptions{
		WorkflowID:          child.SweepID,
		TaskQueue:           workflow.GetInfo(r.ctx).TaskQueueName,
		WaitForCancellation: true, // a cancelled level merges its finished chunks first
	})
	var out SweepOutput
	var childErr error
	done := false
	r.sel.AddFuture(workflow.ExecuteChildWorkflow(cctx, SweepWorkflow, child), func(f workflow.Future) {
		childErr, done = f.Get(r.ctx, &out), true
	})
	for !done {
		r.sel.Select(r.ctx)
	}
	r.child = ""
	if childErr != nil {
		return childErr
	}
	r.st.Progress.Done += int64(out.Rows)
	r.st.Progress.Diverged += out.Diverged
	r.st.Progress.Failed += r.cur.Failed
	r.st.LevelPoints = append(r.st.LevelPoints, points)
	r.st.Level++
	r.cur = Progress{}
	upsertProgress(r.ctx, r.attrs(), r.st.Progress.Done)
	return nil
}

// drain takes the signals still waiting, so that none is lost by the continue-as-new.
func (r *refineRun) drain() {
	for r.sel.HasPending() {
		r.sel.Select(r.ctx)
	}
}

// finish merges the levels into results.parquet and reports the sweep.
func (r *refineRun) finish() (SweepOutput, error) {
	merged, err := r.mergeLevels(r.ctx, false)
	if err != nil {
		return SweepOutput{}, err
	}
	return SweepOutput{Results: merged.Results, Rows: merged.Rows, Diverged: r.st.Progress.Diverged, LevelPoints: r.st.LevelPoints}, nil
}

// mergeLevels runs MergeLevels over the finished levels (partial: and the cancelled one).
func (r *refineRun) mergeLevels(ctx workflow.Context, partial bool) (activities.MergeOutput, error) {
	levels := r.st.LevelPoints
	if partial {
		levels = append(levels, 0) // the cancelled level's partial table, if it wrote one
	}
	var a *activities.Activities
	var merged activities.MergeOutput
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, refineActivity), a.MergeLevels, activities.MergeLevelsInput{
		SpecFile: r.in.Sweep.SpecFile, OutDir: r.in.Sweep.OutDir, Pin: r.pin, Levels: levels, Partial: partial,
	}).Get(ctx, &merged)
	return merged, err
}

// cancelled ends a cancelled refined sweep: the finished levels and the finished chunks of
// the running one (which merged them into its table before it ended) go into a table marked
// partial, and every level's files are kept.
func (r *refineRun) cancelled() (SweepOutput, error) {
	dctx, _ := workflow.NewDisconnectedContext(r.ctx)
	merged, err := r.mergeLevels(dctx, true)
	if err != nil {
		return SweepOutput{}, err
	}
	return SweepOutput{Results: merged.Results, Rows: merged.Rows, Diverged: r.st.Progress.Diverged, Partial: true, LevelPoints: r.st.LevelPoints},
		temporal.NewCanceledError(merged.Results, merged.Rows)
}
