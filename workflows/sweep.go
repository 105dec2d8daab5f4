// Package workflows holds the deterministic orchestration of a sweep: which chunks run, how
// many at once, and the merge at the end. It does no I/O and reads no clock or randomness;
// activities do the work.
//
// Shape at scale (DESIGN.md "Temporal, the way it works at scale"): SweepWorkflow runs the
// chunks in batches, each batch a child BatchWorkflow that keeps a window of chunk activities
// in flight; a few children run at once; every finished chunk signals its counts to the
// parent for the progress query; the parent continues-as-new when Temporal suggests it (or
// after BatchesPerRun batches), so that no history grows past a few thousand events whatever
// the number of points.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
)

// TaskQueue is the queue sweeps and their workers use.
const TaskQueue = "phasesweep"

// ProgressQuery is the name of the query that returns a sweep's Progress.
const ProgressQuery = "progress"

// Defaults of SweepInput's tuning fields.
const (
	// DefaultConcurrency is how many chunks a sweep keeps in flight; each worker runs only as
	// many at once as it has cores.
	DefaultConcurrency = 64
	// DefaultChunksPerBatch bounds one child workflow: about 8 events per chunk keep its
	// history near 2,000 events.
	DefaultChunksPerBatch = 256
	// DefaultBatchesPerRun bounds one run of the parent between continue-as-new (the server
	// suggests it earlier, at 4,096 events, when chunks are many and small).
	DefaultBatchesPerRun = 64
)

// SweepInput is everything a sweep needs; it stays small (the spec's YAML, a path, counts).
type SweepInput struct {
	Spec           string // the spec's YAML
	SpecFile       string // where it came from, for messages
	OutDir         string // absolute directory of shards and results.parquet
	Points         int64  // number of grid points
	ChunkSize      int    // points per activity
	Concurrency    int    // chunks in flight (0: DefaultConcurrency)
	ChunksPerBatch int    // chunks per child workflow (0: DefaultChunksPerBatch)
	BatchesPerRun  int    // batches per run before continue-as-new (0: DefaultBatchesPerRun)

	// State is carried across continue-as-new; nil when a sweep starts.
	State *SweepState `json:",omitempty"`
}

// SweepState is where a sweep stands: the next batch to start and the counts so far.
type SweepState struct {
	NextBatch int
	Progress  Progress
}

// SweepOutput reports a finished sweep.
type SweepOutput struct {
	Results  string
	Rows     int
	Diverged int64
}

// Progress is the answer of the progress query.
type Progress struct {
	Total, Done, Diverged int64
	Chunks, ChunksDone    int
	Merging, Finished     bool
}

// add counts one finished chunk.
func (p *Progress) add(c activities.ChunkOutput) {
	p.Done += int64(c.Rows)
	p.Diverged += int64(c.Diverged)
	p.ChunksDone++
}

// WorkflowID is the id of the sweep of a spec: the same spec resubmitted finds the same sweep.
func WorkflowID(name, specHash string) string { return fmt.Sprintf("sweep-%s-%s", name, specHash[:16]) }

// Register adds the sweep's workflows and activities to a worker.
func Register(r worker.Registry, a *activities.Activities) {
	r.RegisterWorkflow(SweepWorkflow)
	r.RegisterWorkflow(BatchWorkflow)
	r.RegisterActivity(a)
}

// chunkRetry retries failed chunk attempts (a killed worker, a full disk) without limit, with
// backoff; a bad spec or a failing simulation is non-retryable.
var chunkRetry = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        30 * time.Second,
	NonRetryableErrorTypes: []string{activities.ErrSpec},
}

// plan is the derived shape of a sweep.
type plan struct {
	chunks, perBatch, batches int
	window                    int // chunks in flight in all
	children, childWindow     int // batches in flight, chunks in flight per batch
	batchesPerRun             int
}

func newPlan(in SweepInput) plan {
	p := plan{perBatch: in.ChunksPerBatch, window: in.Concurrency, batchesPerRun: in.BatchesPerRun}
	if p.perBatch < 1 {
		p.perBatch = DefaultChunksPerBatch
	}
	if p.window < 1 {
		p.window = DefaultConcurrency
	}
	if p.batchesPerRun < 1 {
		p.batchesPerRun = DefaultBatchesPerRun
	}
	p.chunks = int((in.Points + int64(in.ChunkSize) - 1) / int64(in.ChunkSize))
	p.batches = (p.chunks + p.perBatch - 1) / p.perBatch
	// Two batches overlap so that the window stays full while one batch drains.
	p.children = min(2, p.batches)
	p.childWindow = max(1, (p.window+p.children-1)/p.children)
	return p
}

// SweepWorkflow runs the chunks of a sweep in child batches with at most Concurrency chunks in
// flight, continuing-as-new between batches when its history grows, then merges the shards
// into results.parquet.
func SweepWorkflow(ctx workflow.Context, in SweepInput) (SweepOutput, error) {
	if in.ChunkSize < 1 || in.Points < 1 {
		return SweepOutput{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("invalid sweep input: %d points, chunk size %d", in.Points, in.ChunkSize), activities.ErrSpec, nil)
	}
	p := newPlan(in)
	var st SweepState
	if in.State != nil {
		st = *in.State
	}
	st.Progress.Total, st.Progress.Chunks = in.Points, p.chunks
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return st.Progress, nil }); err != nil {
		return SweepOutput{}, err
	}

	done := workflow.GetSignalChannel(ctx, ChunkDoneSignal)
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(done, func(c workflow.ReceiveChannel, _ bool) {
		var out activities.ChunkOutput
		c.Receive(ctx, &out)
		st.Progress.add(out)
	})
	parentID := workflow.GetInfo(ctx).WorkflowExecution.ID
	var firstErr error
	inFlight, started, stopping := 0, 0, false
	for {
		for firstErr == nil && !stopping && st.NextBatch < p.batches && inFlight < p.children {
			k := st.NextBatch
			childCtx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: fmt.Sprintf("%s-batch-%06d", parentID, k),
				TaskQueue:  TaskQueue,
			})
			f := workflow.ExecuteChildWorkflow(childCtx, BatchWorkflow, BatchInput{
				Sweep: in, ParentID: parentID,
				FirstChunk: k * p.perBatch, EndChunk: min((k+1)*p.perBatch, p.chunks), Window: p.childWindow,
			})
			sel.AddFuture(f, func(f workflow.Future) {
				inFlight--
				if err := f.Get(ctx, nil); err != nil && firstErr == nil {
					firstErr = err
				}
			})
			st.NextBatch++
			inFlight++
			started++
		}
		if inFlight == 0 && (firstErr != nil || stopping || st.NextBatch >= p.batches) {
			break
		}
		sel.Select(ctx)
		if started >= p.batchesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			stopping = true
		}
	}
	// Counts signalled by the last chunks may still wait in the channel.
	for {
		var out activities.ChunkOutput
		if !done.ReceiveAsync(&out) {
			break
		}
		st.Progress.add(out)
	}
	if firstErr != nil {
		return SweepOutput{}, firstErr
	}
	if st.NextBatch < p.batches {
		next := in
		next.State = &st
		return SweepOutput{}, workflow.NewContinueAsNewError(ctx, SweepWorkflow, next)
	}

	st.Progress.Merging = true
	mergeCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		RetryPolicy:         chunkRetry,
	})
	var a *activities.Activities
	var merged activities.MergeOutput
	err := workflow.ExecuteActivity(mergeCtx, a.MergeShards, activities.MergeInput{
		Spec: in.Spec, SpecFile: in.SpecFile, OutDir: in.OutDir, Chunks: p.chunks,
	}).Get(ctx, &merged)
	if err != nil {
		return SweepOutput{}, err
	}
	st.Progress.Merging, st.Progress.Finished = false, true
	return SweepOutput{Results: merged.Results, Rows: merged.Rows, Diverged: st.Progress.Diverged}, nil
}
