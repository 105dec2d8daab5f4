package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/workflows"
)

// retryOptions are sweep retry's: the sweep's options and --cache.
type retryOptions struct {
	sweepOptions
	cache string
}

func retryCmd(ios *IOStreams) *cobra.Command {
	opts := &retryOptions{sweepOptions: sweepOptions{IO: ios}}
	cmd := &cobra.Command{
		Use:   "retry SWEEP",
		Short: "Run a sweep again, simulating only its failed or missing points (SWEEP: its id or its spec file)",
		Long: `Run a sweep that has ended (completed with failed points, failed, cancelled or terminated)
again under the same id, with the same input, so that only its failed or missing points are
simulated: the finished rows of its results.parquet are stored in the result cache, the shards
holding failed rows are removed, and every other point comes from its shard or from the cache.
A sweep still running is followed instead (and, with the embedded server, run by this process).
A refined sweep (docs/refine.md) that was cancelled or failed starts again from its coarse
grid, its simulated points coming from the result cache; a completed one is refused.

The cache is the sweep's own, else --cache, else <state>/cache with the embedded server; with
--address give --cache, a directory every worker sees. The output directory must be reachable
from this machine too.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return retryRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	cmd.Flags().StringVar(&opts.cache, "cache", "", "result cache directory when the sweep has none (default <state>/cache with the embedded server)")
	return cmd
}

// retryRun runs the sweep again (retrySweep), with a worker of this process when it started
// the embedded server, follows it until it ends and prints its outcome.
func retryRun(ctx context.Context, opts *retryOptions) error {
	return opts.withSweep(ctx, func(b *backend, id string) error {
		stop, err := b.serveEmbedded()
		if err != nil {
			return err
		}
		defer stop()
		run, err := retrySweep(ctx, opts, b, id)
		if err != nil {
			return err
		}
		res, err := watch(ctx, opts.IO.ErrOut, b.client, run)
		if err != nil {
			return err
		}
		if opts.json {
			return json.NewEncoder(opts.IO.Out).Encode(map[string]any{
				"sweep": id, "results": res.Results, "rows": res.Rows, "diverged": res.Diverged,
			})
		}
		fmt.Fprintf(opts.IO.Out, "results: %s (%d rows, %d diverged; sweep %s)\n", res.Results, res.Rows, res.Diverged, id)
		return nil
	})
}

// retrySweep starts sweep id again and returns its run: a running sweep is followed as it is,
// a refined one starts again from its coarse grid (restartRefined), any other simulates only
// its failed or missing points (activities.PrepareRetry). It says which on the error stream.
func retrySweep(ctx context.Context, opts *retryOptions, b *backend, id string) (client.WorkflowRun, error) {
	errOut := opts.IO.ErrOut
	desc, err := b.client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		fmt.Fprintf(errOut, "sweep %s is running; following it\n", id)
		return b.client.GetWorkflow(ctx, id, ""), nil
	}
	refined, err := refinedInput(ctx, b.client, id, info.GetStatus())
	if err != nil {
		return nil, err
	}
	if refined != nil {
		return restartRefined(ctx, errOut, b, id, *refined)
	}
	in, err := startInput(ctx, b.client, id, info.GetExecution().GetRunId())
	if err != nil {
		return nil, err
	}
	in.State = nil // from the first batch: finished chunks come from their shards or the cache
	if in.CacheDir == "" {
		if in.CacheDir, err = cacheDirOf(opts.cache, false, opts.conn.Address, opts.conn.state); err != nil {
			return nil, err
		}
	}
	if in.CacheDir == "" {
		return nil, usageError{fmt.Errorf("sweep %s ran without a result cache: give --cache DIR (a directory every worker sees)", id)}
	}
	st := store.New()
	defer st.Close()
	plan, err := activities.PrepareRetry(ctx, st, sweepLayout(in), in.SpecFile, in.Spec, in.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("prepare retry of sweep %s: %w", id, err)
	}
	fmt.Fprintf(errOut, "retrying sweep %s: %d points; results.parquet had %d rows (%d failed); %d shards with failed rows removed\n",
		id, plan.Points, plan.Rows, plan.Failed, plan.Removed)
	run, err := b.client.ExecuteWorkflow(ctx, restartOptions(id, b.opts.TaskQueue, enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL), workflows.SweepWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start sweep %s again: %w", id, err)
	}
	return run, nil
}

// refinedInput is the input the first run of an ended refined sweep (RefineWorkflow) was
// started with, nil for any other workflow. A completed refined sweep is refused: its failed
// points cannot be simulated alone, since every level after them was planned from their
// outcome.
func refinedInput(ctx context.Context, c client.Client, id string, status enumspb.WorkflowExecutionStatus) (*workflows.RefineInput, error) {
	ev, err := firstEvent(ctx, c, id, "")
	if err != nil {
		return nil, err
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs.GetWorkflowType().GetName() != "RefineWorkflow" {
		return nil, nil
	}
	if status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		return nil, usageError{fmt.Errorf("sweep %s is a refined sweep that completed: sweep retry cannot rerun its failed points alone (the levels after them were planned from their outcome); run its spec afresh with sweep run SPEC --new", id)}
	}
	var in workflows.RefineInput
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return nil, fmt.Errorf("sweep %s: decode its input: %w", id, err)
	}
	return &in, nil
}

// restartRefined starts the failed, cancelled or terminated refined sweep id again with the
// input of its first run, as sweep run SPEC does: it runs its levels again from the coarse
// grid, taking every point already simulated from the result cache. It says so on errOut.
func restartRefined(ctx context.Context, errOut io.Writer, b *backend, id string, in workflows.RefineInput) (client.WorkflowRun, error) {
	in.State = nil
	fmt.Fprintf(errOut, "retrying refined sweep %s from its coarse grid (%d points; finished points from the result cache)\n", id, in.Sweep.Points)
	run, err := b.client.ExecuteWorkflow(ctx, restartOptions(id, b.opts.TaskQueue, enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL), workflows.RefineWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start refined sweep %s again: %w", id, err)
	}
	return run, nil
}

// restartOptions start the ended sweep id again under its id, on queue, as sweep retry and
// the rebuild of a missing table (rebuild.go) do: a new run is allowed whatever its last run
// ended with, completed too; onRunning says what a run of it still going means (FAIL: the
// start fails; USE_EXISTING: that run is followed instead).
func restartOptions(id, queue string, onRunning enumspb.WorkflowIdConflictPolicy) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                queue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: onRunning,
	}
}

// firstEvent is the first event (the start) of the run runID of workflow id.
func firstEvent(ctx context.Context, c client.Client, id, runID string) (*historypb.HistoryEvent, error) {
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return nil, fmt.Errorf("sweep %s: empty history", id)
	}
	ev, err := it.Next()
	if err != nil {
		return nil, fmt.Errorf("sweep %s: read history: %w", id, err)
	}
	return ev, nil
}

// startInput is the SweepInput the run runID of sweep id was started with (for a run that
// continued as new, with its carried State).
func startInput(ctx context.Context, c client.Client, id, runID string) (workflows.SweepInput, error) {
	var in workflows.SweepInput
	ev, err := firstEvent(ctx, c, id, runID)
	if err != nil {
		return in, err
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil || attrs.GetWorkflowType().GetName() != "SweepWorkflow" {
		return in, errors.New("sweep " + id + " is not a sweep workflow")
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return in, fmt.Errorf("sweep %s: decode its input: %w", id, err)
	}
	return in, nil
}
