// Package workflows holds the deterministic orchestration of a sweep: which chunks run, how
// many at once, and the merge at the end. It does no I/O and reads no clock or randomness;
// activities do the work.
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

// DefaultConcurrency is how many chunks a sweep keeps in flight when the input does not say;
// each worker runs only as many at once as it has cores.
const DefaultConcurrency = 64

// SweepInput is everything a sweep needs; it stays small (the spec's YAML, a path, counts).
type SweepInput struct {
	Spec        string // the spec's YAML
	SpecFile    string // where it came from, for messages
	OutDir      string // absolute directory of shards and results.parquet
	Points      int64  // number of grid points
	ChunkSize   int    // points per activity
	Concurrency int    // chunks in flight (0: DefaultConcurrency)
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

// WorkflowID is the id of the sweep of a spec: the same spec resubmitted finds the same sweep.
func WorkflowID(name, specHash string) string { return fmt.Sprintf("sweep-%s-%s", name, specHash[:16]) }

// Register adds the sweep's workflow and activities to a worker.
func Register(r worker.Registry, a *activities.Activities) {
	r.RegisterWorkflow(SweepWorkflow)
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

// SweepWorkflow runs the chunks of a sweep with at most Concurrency in flight, then merges
// their shards into results.parquet.
func SweepWorkflow(ctx workflow.Context, in SweepInput) (SweepOutput, error) {
	if in.ChunkSize < 1 || in.Points < 1 {
		return SweepOutput{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("invalid sweep input: %d points, chunk size %d", in.Points, in.ChunkSize), activities.ErrSpec, nil)
	}
	window := in.Concurrency
	if window < 1 {
		window = DefaultConcurrency
	}
	nChunks := int((in.Points + int64(in.ChunkSize) - 1) / int64(in.ChunkSize))
	progress := Progress{Total: in.Points, Chunks: nChunks}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return progress, nil }); err != nil {
		return SweepOutput{}, err
	}

	actCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 6 * time.Hour,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         chunkRetry,
	})
	var a *activities.Activities
	sel := workflow.NewSelector(ctx)
	var firstErr error
	next, inFlight := 0, 0
	for (next < nChunks && firstErr == nil) || inFlight > 0 {
		for firstErr == nil && next < nChunks && inFlight < window {
			start := int64(next) * int64(in.ChunkSize)
			chunk := activities.ChunkInput{
				Spec: in.Spec, SpecFile: in.SpecFile,
				Shard: activities.ShardPath(in.OutDir, next),
			}
			chunk.Chunk.ID, chunk.Chunk.Start, chunk.Chunk.End = next, start, min(start+int64(in.ChunkSize), in.Points)
			f := workflow.ExecuteActivity(actCtx, a.SimulateChunk, chunk)
			sel.AddFuture(f, func(f workflow.Future) {
				inFlight--
				var out activities.ChunkOutput
				if err := f.Get(ctx, &out); err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				progress.Done += int64(out.Rows)
				progress.Diverged += int64(out.Diverged)
				progress.ChunksDone++
			})
			next++
			inFlight++
		}
		sel.Select(ctx)
	}
	if firstErr != nil {
		return SweepOutput{}, fmt.Errorf("sweep failed: %w", firstErr)
	}

	progress.Merging = true
	mergeCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		RetryPolicy:         chunkRetry,
	})
	var merged activities.MergeOutput
	err := workflow.ExecuteActivity(mergeCtx, a.MergeShards, activities.MergeInput{
		Spec: in.Spec, SpecFile: in.SpecFile, OutDir: in.OutDir, Chunks: nChunks,
	}).Get(ctx, &merged)
	if err != nil {
		return SweepOutput{}, fmt.Errorf("merge failed: %w", err)
	}
	progress.Merging, progress.Finished = false, true
	return SweepOutput{Results: merged.Results, Rows: merged.Rows, Diverged: progress.Diverged}, nil
}
