package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/layout"
)

// ChunkDoneSignal carries a finished chunk's activities.ChunkOutput from a group to its sweep.
const ChunkDoneSignal = "chunk-done"

// ChunkGroupInput is one child workflow's share of a sweep: chunks [FirstChunk, EndChunk).
type ChunkGroupInput struct {
	Sweep                SweepInput
	ParentID             string
	FirstChunk, EndChunk int
	Window               int // chunk activities in flight
	// Pin ties the chunks to the sweep (activities.Pin); zero for sweeps from before it.
	Pin activities.Pin `json:",omitempty"`
}

// heartbeatTimeout is how long the server waits for an activity's heartbeat (SimulateChunk and
// MergeShards send one every 2 s) before it retries the activity elsewhere: a killed worker
// costs at most this much.
const heartbeatTimeout = 10 * time.Second

// chunkActivity are the options of every SimulateChunk activity (a group's, and a chunk run
// again before the merge): heartbeats, and retries without limit.
var chunkActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 6 * time.Hour,
	HeartbeatTimeout:    heartbeatTimeout,
	RetryPolicy:         chunkRetry,
}

// ChunkGroupType is the workflow type under which ChunkGroupWorkflow is registered and
// started: the name it had before it was renamed, so that running sweeps and recorded
// histories (testdata/replay) replay.
const ChunkGroupType = "BatchWorkflow"

// ChunkGroupWorkflow runs chunks [FirstChunk, EndChunk) of a sweep as SimulateChunk activities, at
// most Window at a time (changed by WindowSignal; none started between PauseSignal and
// ResumeSignal), and signals each finished chunk's counts to the sweep (waiting for
// every signal to be delivered before it completes, so the sweep's counts are exact).
func ChunkGroupWorkflow(ctx workflow.Context, in ChunkGroupInput) error {
	actCtx := workflow.WithActivityOptions(ctx, chunkActivity)
	var a *activities.Activities
	sel := workflow.NewSelector(ctx)
	var signals []workflow.Future
	var firstErr error
	paused, cancelled, window := false, false, in.Window
	sel.AddReceive(workflow.GetSignalChannel(ctx, PauseSignal), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		paused = true
	})
	sel.AddReceive(workflow.GetSignalChannel(ctx, ResumeSignal), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		paused = false
	})
	sel.AddReceive(workflow.GetSignalChannel(ctx, WindowSignal), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, &window)
	})
	sel.AddFuture(cancellation(ctx), func(workflow.Future) { cancelled = true })
	next, inFlight := in.FirstChunk, 0
	for (next < in.EndChunk && firstErr == nil && !cancelled) || inFlight > 0 {
		for firstErr == nil && !cancelled && !paused && next < in.EndChunk && inFlight < window {
			chunk := chunkInput(in.Sweep, in.Pin, next)
			sel.AddFuture(workflow.ExecuteActivity(actCtx, a.SimulateChunk, chunk), func(f workflow.Future) {
				inFlight--
				var out activities.ChunkOutput
				if err := f.Get(ctx, &out); err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				signals = append(signals, workflow.SignalExternalWorkflow(ctx, in.ParentID, "", ChunkDoneSignal, out))
			})
			next++
			inFlight++
		}
		sel.Select(ctx)
	}
	for _, s := range signals {
		if err := s.Get(ctx, nil); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if cancelled && firstErr == nil {
		return temporal.NewCanceledError()
	}
	return firstErr
}

// chunkInput is the input of the SimulateChunk activity of chunk id of the sweep sw: its point
// range, its shard in the sweep's layout, and the pin (the spec travels only in unpinned
// sweeps' inputs).
func chunkInput(sw SweepInput, pin activities.Pin, id int) activities.ChunkInput {
	in := activities.ChunkInput{Spec: sw.Spec, SpecFile: sw.SpecFile, Shard: pin.Layout(sw.OutDir).Shard(id), CacheDir: sw.CacheDir, Pin: pin}
	if pin.Sweep != "" {
		in.Spec, in.OutDir = "", sw.OutDir
	}
	in.Chunk.ID = id
	in.Chunk.Start, in.Chunk.End = layout.ChunkRange(id, sw.Points, sw.ChunkSize)
	if pin.Level != nil { // a level of a refined sweep: its points are numbered from First
		in.Chunk.Start += pin.Level.First
		in.Chunk.End += pin.Level.First
	}
	return in
}
