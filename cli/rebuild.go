package main

// Rebuilding the tables of a finished sweep that were deleted or lost. The rebuild is the
// sweep's own workflow run again under its id with its input (as sweep retry does): its chunks
// return their shards when those are still there and read their points from the result cache
// otherwise, and its merge writes the table. So the rebuilt table comes from the same code as
// the original (SimulateChunk, MergeShards, cleanup), on the workers that see the sweep's
// output and cache, and is the same table: the same rows bit for bit, the same metadata. It is
// started only when FindRebuildSources finds every point in a shard or in the cache, so that a
// rebuild never simulates: a sweep whose points are gone is an error saying how to recompute.

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/workflows"
)

// ensureTables makes sure the tables that the completed sweep id reports in res are there,
// rebuilding them when they are missing (see the top of this file). A worker must serve the
// sweep's task queue: serve, when not nil, starts one for the rebuild (and returns what stops
// it), so that a command that runs no worker otherwise starts one only to rebuild. It says what
// it does on errOut (the rebuild's progress bar too), and returns the sweep's output (the
// rebuild's when there was one) and whether it rebuilt.
func ensureTables(ctx context.Context, errOut io.Writer, c client.Client, st *store.Store, id string, res workflows.SweepOutput, serve func() (func(), error)) (workflows.SweepOutput, bool, error) {
	missing, err := missingTables(ctx, st, res)
	if err != nil || len(missing) == 0 {
		return res, false, err
	}
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return res, false, fmt.Errorf("sweep %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	in, err := startInput(ctx, c, id, info.GetExecution().GetRunId())
	if err != nil {
		return res, false, err
	}
	what := strings.Join(missing, " and ")
	if !store.Remote(in.OutDir) && !exists(ctx, st, in.OutDir) {
		// Its output is a directory of other machines (the workers'): nothing to check here.
		fmt.Fprintf(errOut, "warning: the output directory %s of sweep %s is not on this machine: %s cannot be checked from here\n", in.OutDir, id, what)
		return res, false, nil
	}
	// A cache directory that is not here (deleted, or the workers' on other machines) is not
	// looked at: opening it would create it.
	cacheDir := in.CacheDir
	if fi, err := os.Stat(cacheDir); cacheDir != "" && (err != nil || !fi.IsDir()) {
		cacheDir = ""
	}
	src, err := activities.FindRebuildSources(ctx, st, activities.RebuildInput{
		Layout: sweepLayout(in), SpecFile: in.SpecFile, Spec: in.Spec, Points: in.Points, ChunkSize: in.ChunkSize,
		CacheDir: cacheDir, Hash: in.Hash, Data: in.Data,
	})
	if err != nil {
		return res, false, fmt.Errorf("sweep %s finished, but %s is missing, and its sources cannot be checked: %w", id, what, err)
	}
	if src.Missing > 0 {
		return res, false, unrebuildable(id, what, in, cacheDir != "", src)
	}
	fmt.Fprintf(errOut, "sweep %s finished, but %s is missing: rebuilding it from %s\n", id, what, describeSources(in, src))
	if serve != nil {
		stop, err := serve()
		if err != nil {
			return res, false, err
		}
		defer stop()
	}
	in.State = nil // from the first batch: every chunk returns its shard or reads the cache
	// Another command rebuilding the same sweep at the same time: follow its run.
	opts := restartOptions(id, info.GetTaskQueue(), enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) // retry.go
	run, err := c.ExecuteWorkflow(ctx, opts, workflows.SweepWorkflow, in)
	if err != nil {
		return res, false, fmt.Errorf("start the rebuild of sweep %s: %w", id, err)
	}
	out, err := watch(ctx, errOut, c, run)
	if err != nil {
		return res, false, err
	}
	if still, err := missingTables(ctx, st, out); err != nil || len(still) > 0 {
		if err == nil {
			err = fmt.Errorf("%s still missing", strings.Join(still, " and "))
		}
		return out, true, fmt.Errorf("rebuild of sweep %s: %w", id, err)
	}
	return out, true, nil
}

// missingTables lists the tables of res (results, and trajectories when recorded) that are
// not there.
func missingTables(ctx context.Context, st *store.Store, res workflows.SweepOutput) ([]string, error) {
	var missing []string
	for _, loc := range []string{res.Results, res.Trajectories} {
		if loc == "" {
			continue
		}
		ok, err := st.Exists(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("look for the sweep's table: %w", err)
		}
		if !ok {
			missing = append(missing, loc)
		}
	}
	return missing, nil
}

// describeSources says where a rebuild reads the points from, for people.
func describeSources(in workflows.SweepInput, src activities.RebuildSources) string {
	var parts []string
	if src.Shards > 0 {
		parts = append(parts, fmt.Sprintf("%d shards of the sweep (%d points)", src.Shards, src.ShardPoints))
	}
	if src.Cached > 0 {
		parts = append(parts, fmt.Sprintf("the result cache %s (%d points)", in.CacheDir, src.Cached))
	}
	return strings.Join(parts, " and ")
}

// unrebuildable is the error of a finished sweep whose missing table cannot be rebuilt
// without simulating: which points are gone, why, and how to compute them again.
// cacheHere says whether the sweep's cache directory is on this machine.
func unrebuildable(id, what string, in workflows.SweepInput, cacheHere bool, src activities.RebuildSources) error {
	var why string
	switch {
	case src.Recording:
		why = "and the spec records trajectories, which the result cache does not keep"
	case in.CacheDir == "":
		why = "and the sweep ran without a result cache"
	case !cacheHere:
		why = fmt.Sprintf("and its result cache %s is not there (deleted, or a directory of the workers' machines: run this command on one of them)", in.CacheDir)
	default:
		why = fmt.Sprintf("nor in the result cache %s (failed points are never cached; was the cache deleted?)", in.CacheDir)
	}
	return fmt.Errorf("sweep %s finished, but %s is missing and cannot be rebuilt: %d of its %d points (the first: point %d) are in no shard of the sweep, %s; "+
		"sweep retry %s computes them again and writes the table (sweep run SPEC --new starts a fresh sweep instead)",
		id, what, src.Missing, src.Points, src.FirstMissing, why, id)
}
