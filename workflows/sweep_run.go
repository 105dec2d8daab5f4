package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
)

// sweepRun is one run of SweepWorkflow (between continue-as-new): the state it carries on,
// the plan derived from it, and the groups in flight. Its methods are the steps of the run,
// in the order SweepWorkflow calls them; the query, signal and update handlers read and change
// it.
type sweepRun struct {
	ctx      workflow.Context
	in       SweepInput
	st       SweepState
	p        plan
	pin      activities.Pin
	parentID string

	sel      workflow.Selector
	running  []int // groups in flight (started, when afterStart), in start order
	inFlight int
	started  int  // groups started by this run
	stopping bool // cancelled, or time to continue as new: start no group
	firstErr error
	// afterStart is groupStartChange's new behaviour: at most groupsPerRun groups per run,
	// and a group is signalled only once it has started.
	afterStart bool
}

// groupStartChange is the workflow.GetVersion change id of how a run starts and signals its
// groups. Before it, a run with GroupsPerRun 1 filled both group slots (two groups per
// run), and the pause, resume and window signals went to every group initiated, also to one
// the server had not yet created: a signal that reaches the server before the child exists
// fails, and the group ran on unpaused or with the old window (under the SDK's test suite the
// signal dereferenced the child's signal handler before it was set). From it on, a run starts
// at most GroupsPerRun groups, and a group gets the sweep's signals once it has started,
// and then the pause and window set since it was initiated.
const groupStartChange = "signal-started-batches"

// newSweepRun takes up the state the input carries (a new sweep's when it carries none).
func newSweepRun(ctx workflow.Context, in SweepInput) *sweepRun {
	r := &sweepRun{ctx: ctx, in: in, parentID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if in.State != nil {
		r.st = *in.State
	}
	if r.st.Concurrency == 0 {
		r.st.Concurrency = in.Concurrency
	}
	r.p = newPlan(in, r.st.Concurrency)
	r.st.Progress.Total, r.st.Progress.Chunks, r.st.Progress.Concurrency = in.Points, r.p.chunks, r.p.window
	if r.st.Started.IsZero() {
		r.st.Started = workflow.Now(ctx)
	}
	upsertProgress(ctx, in, r.st.Progress.Done)
	return r
}

// setHandlers installs the progress query and the concurrency update.
func (r *sweepRun) setHandlers() error {
	if err := workflow.SetQueryHandler(r.ctx, ProgressQuery, r.progress); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(r.ctx, ConcurrencyUpdate, r.setConcurrency,
		workflow.UpdateHandlerOptions{Validator: validConcurrency})
}

// progress answers the progress query: the counts, and the rate and ETA in workflow time.
func (r *sweepRun) progress() (Progress, error) {
	pr := r.st.Progress
	pr.Paused = r.st.Paused
	if secs := workflow.Now(r.ctx).Sub(r.st.Started).Seconds(); secs > 0 && pr.Done > 0 {
		pr.Rate = float64(pr.Done) / secs
		pr.ETA = float64(pr.Total-pr.Done) / pr.Rate
	}
	return pr, nil
}

// setConcurrency is the concurrency update: a new window for the sweep, forwarded to the
// groups in flight.
func (r *sweepRun) setConcurrency(_ workflow.Context, n int) (int, error) {
	r.st.Concurrency = n
	r.p = newPlan(r.in, n)
	r.st.Progress.Concurrency = r.p.window
	r.forward(WindowSignal, r.p.childWindow)
	return r.p.window, nil
}

// forward signals the groups in flight.
func (r *sweepRun) forward(name string, arg any) {
	for _, k := range r.running {
		// A group that just finished no longer exists: the error is of no consequence.
		workflow.SignalExternalWorkflow(r.ctx, groupID(r.parentID, k), "", name, arg)
	}
}

// listen adds the selector's cases for the chunk counts, pause, resume and cancellation.
func (r *sweepRun) listen() {
	r.sel = workflow.NewSelector(r.ctx)
	r.sel.AddReceive(workflow.GetSignalChannel(r.ctx, ChunkDoneSignal), func(c workflow.ReceiveChannel, _ bool) {
		var out activities.ChunkOutput
		c.Receive(r.ctx, &out)
		r.st.Progress.add(out)
		if r.in.Notify != "" { // a level of a refined sweep: its parent counts the chunk too
			workflow.SignalExternalWorkflow(r.ctx, r.in.Notify, "", ChunkDoneSignal, out)
		}
	})
	control := func(name string, paused bool) {
		r.sel.AddReceive(workflow.GetSignalChannel(r.ctx, name), func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(r.ctx, nil)
			r.st.Paused = paused
			r.forward(name, nil)
		})
	}
	control(PauseSignal, true)
	control(ResumeSignal, false)
	// A refined sweep forwards its concurrency update to its running level (refine.go); the
	// value was validated there.
	r.sel.AddReceive(workflow.GetSignalChannel(r.ctx, ConcurrencySignal), func(c workflow.ReceiveChannel, _ bool) {
		var n int
		c.Receive(r.ctx, &n)
		if validConcurrency(r.ctx, n) == nil {
			_, _ = r.setConcurrency(r.ctx, n)
		}
	})
}

// runGroups keeps up to plan.children groups in flight until every group of the sweep has
// started and finished, a group fails, the sweep is cancelled, or this run has started
// groupsPerRun groups (or Temporal suggests continue-as-new) and its last groups finished.
func (r *sweepRun) runGroups() {
	r.afterStart = workflow.GetVersion(r.ctx, groupStartChange, workflow.DefaultVersion, 1) >= 1
	r.listen()
	r.sel.AddFuture(cancellation(r.ctx), func(workflow.Future) { r.stopping = true })
	for {
		for r.firstErr == nil && !r.stopping && !r.st.Paused && r.st.NextGroup < r.p.groups && r.inFlight < r.p.children &&
			(!r.afterStart || r.started < r.p.groupsPerRun) {
			r.startGroup()
		}
		if r.inFlight == 0 && (r.firstErr != nil || r.stopping || r.st.NextGroup >= r.p.groups) {
			return
		}
		r.sel.Select(r.ctx)
		if r.started >= r.p.groupsPerRun || workflow.GetInfo(r.ctx).GetContinueAsNewSuggested() {
			r.stopping = true
		}
	}
}

// startGroup starts the next group as a child workflow.
func (r *sweepRun) startGroup() {
	k := r.st.NextGroup
	childCtx := workflow.WithChildOptions(r.ctx, workflow.ChildWorkflowOptions{
		WorkflowID: groupID(r.parentID, k),
		// The parent's own queue, whatever it is. Replay does not compare the queue, so
		// histories recorded with the constant replay unchanged.
		TaskQueue: workflow.GetInfo(r.ctx).TaskQueueName,
	})
	sweep := r.in
	sweep.State = nil // a group needs the sweep's description, not where it stands
	if r.pin.SpecCopy != "" {
		sweep.Spec = "" // its activities read the spec copy: inputs stay small
	}
	window := r.p.childWindow
	f := workflow.ExecuteChildWorkflow(childCtx, ChunkGroupType, ChunkGroupInput{
		Sweep: sweep, ParentID: r.parentID, Pin: r.pin,
		FirstChunk: k * r.p.perGroup, EndChunk: min((k+1)*r.p.perGroup, r.p.chunks), Window: window,
	})
	if r.afterStart {
		// Added before the completion: when both are ready, the selector takes this one first.
		r.sel.AddFuture(f.GetChildWorkflowExecution(), func(s workflow.Future) {
			if s.Get(r.ctx, nil) != nil {
				return // not started: its completion reports why
			}
			r.running = append(r.running, k)
			r.catchUp(k, window)
		})
	} else {
		r.running = append(r.running, k)
	}
	r.sel.AddFuture(f, func(f workflow.Future) {
		r.inFlight--
		r.running = slices.DeleteFunc(r.running, func(b int) bool { return b == k })
		if err := f.Get(r.ctx, nil); err != nil && r.firstErr == nil {
			r.firstErr = err
		}
		upsertProgress(r.ctx, r.in, r.st.Progress.Done)
	})
	r.st.NextGroup++
	r.inFlight++
	r.started++
}

// catchUp signals group k, started with window chunks in flight, the controls changed since
// it was initiated: a pause, or another window (a resume needs none: it started unpaused).
func (r *sweepRun) catchUp(k, window int) {
	id := groupID(r.parentID, k)
	if r.st.Paused {
		workflow.SignalExternalWorkflow(r.ctx, id, "", PauseSignal, nil)
	}
	if r.p.childWindow != window {
		workflow.SignalExternalWorkflow(r.ctx, id, "", WindowSignal, r.p.childWindow)
	}
}

// drainSignals takes every signal still waiting (counts of the last chunks, a pause or
// resume), so that none is dropped by the continue-as-new or the merge that follows.
func (r *sweepRun) drainSignals() {
	for r.sel.HasPending() {
		r.sel.Select(r.ctx)
	}
}

// finish merges the shards of the finished sweep (recomputing chunks whose shards the merge
// sets aside) and reports it.
func (r *sweepRun) finish() (SweepOutput, error) {
	pr := &r.st.Progress
	pr.Merging = true
	merged, err := mergeHealing(r.ctx, r.in, r.p, r.pin, pr)
	if err != nil {
		return SweepOutput{}, err
	}
	pr.Merging, pr.Finished = false, true
	return SweepOutput{Results: merged.Results, Rows: merged.Rows, Diverged: pr.Diverged, Trajectories: merged.Trajectories,
		Recomputed: pr.Recomputed, SetAside: pr.SetAside}, nil
}
