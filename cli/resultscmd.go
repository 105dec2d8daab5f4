package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/version"
	"github.com/phasesweep/phasesweep/workflows"
)

// Where `sweep results` merges the finished shards of a running sweep: beside results.parquet,
// never over it, so that the sweep's own final merge cannot race with this one.
const (
	partialResultsName      = "results.partial.parquet"
	partialTrajectoriesName = "trajectories.partial.parquet"
)

func resultsCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "results SWEEP",
		Short: "Print the path of a sweep's results table; merge the finished part of a running one (SWEEP: its id or its spec file)",
		Long: `For a finished sweep, print the path of its results.parquet (and trajectories.parquet).

For a running sweep, merge the chunks finished so far into results.partial.parquet (and
trajectories.partial.parquet) in the sweep's output directory, marked partial in the schema
metadata (phasesweep.partial), and print that path; the sweep's own results.parquet is left
alone. This reads the shards directly, so the output directory must be reachable from this
machine. A sweep that ended without finishing (cancelled, failed, terminated) shows the
results.parquet it left, if any (a cancelled sweep's is partial); see sweep retry.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.withSweep(cmd.Context(), args[0], func(c client.Client, id string) error {
				r, err := sweepResults(cmd.Context(), c, id)
				if err != nil {
					return err
				}
				return printResults(r, f.json)
			})
		},
	}
	f.register(cmd)
	return cmd
}

// resultsInfo is what `sweep results` reports.
type resultsInfo struct {
	Sweep        string `json:"sweep"`
	Status       string `json:"status"`
	Results      string `json:"results,omitempty"`
	Rows         int    `json:"rows"`
	Points       int64  `json:"points"`
	Trajectories string `json:"trajectories,omitempty"`
	Partial      bool   `json:"partial"`
}

func printResults(r resultsInfo, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	if r.Results == "" {
		fmt.Printf("sweep %s (%s): no finished chunk yet, no results\n", r.Sweep, r.Status)
		return nil
	}
	if r.Partial {
		fmt.Printf("PARTIAL results (sweep %s %s: %d of %d points): %s\n", r.Sweep, r.Status, r.Rows, r.Points, r.Results)
	} else {
		fmt.Printf("results: %s (%d rows; sweep %s %s)\n", r.Results, r.Rows, r.Sweep, r.Status)
	}
	if r.Trajectories != "" {
		fmt.Printf("trajectories: %s\n", r.Trajectories)
	}
	return nil
}

// sweepResults finds, or for a running sweep makes, the results table of sweep id.
func sweepResults(ctx context.Context, c client.Client, id string) (resultsInfo, error) {
	r := resultsInfo{Sweep: id}
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return r, fmt.Errorf("sweep %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	r.Status = workflowStatus(info.GetStatus())
	in, err := startInput(ctx, c, id, info.GetExecution().GetRunId())
	if err != nil {
		return r, err
	}
	r.Points = in.Points
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		var out workflows.SweepOutput
		if err := c.GetWorkflow(ctx, id, "").Get(ctx, &out); err != nil {
			return r, fmt.Errorf("sweep %s: %w", id, err)
		}
		r.Results, r.Rows, r.Trajectories, r.Partial = out.Results, out.Rows, out.Trajectories, out.Partial
		return r, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		pr, err := mergeFinishedShards(in)
		if err != nil {
			// The sweep may have finished meanwhile (its merge removes the shards).
			if d, derr := c.DescribeWorkflowExecution(ctx, id, ""); derr == nil &&
				d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				return sweepResults(ctx, c, id)
			}
			return r, fmt.Errorf("sweep %s: %w", id, err)
		}
		r.Results, r.Rows, r.Trajectories, r.Partial = pr.Results, pr.Rows, pr.Trajectories, true
		return r, nil
	default: // cancelled, failed, terminated, timed out: whatever table it left
		path := activities.ResultsPath(in.OutDir)
		meta, rows, err := results.ReadMeta(path)
		if err != nil {
			return r, fmt.Errorf("sweep %s ended %s and left no readable %s (%v); run sweep retry %s", id, r.Status, path, err, id)
		}
		r.Results, r.Rows, r.Partial = path, int(rows), meta[results.MetaPartial] == "true" || rows < in.Points
		if tp := activities.TrajectoriesPath(in.OutDir); fileExists(tp) {
			r.Trajectories = tp
		}
		return r, nil
	}
}

func workflowStatus(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "cancelled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "timed out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued as new"
	}
	return s.String()
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// partialMerge reports a merge of the finished shards of a running sweep.
type partialMerge struct {
	Results, Trajectories string
	Rows, TrajectoryRows  int
}

// mergeFinishedShards merges the shards of the chunks of the sweep started with in that have
// finished (their results shard, and trajectory shard when the spec records, exist) into
// results.partial.parquet (and trajectories.partial.parquet) under in.OutDir, with the sweep's
// metadata and phasesweep.partial = "true". Chunks still running (only a *.partial.parquet
// shard) are left out. With no finished chunk it writes nothing and returns a zero value.
func mergeFinishedShards(in workflows.SweepInput) (partialMerge, error) {
	var pm partialMerge
	if in.ChunkSize <= 0 {
		return pm, errors.New("sweep input has no chunk size")
	}
	if _, err := os.Stat(in.OutDir); err != nil {
		return pm, fmt.Errorf("output directory %s is not reachable from this machine: %w", in.OutDir, err)
	}
	s, err := spec.Parse(in.SpecFile, []byte(in.Spec))
	if err != nil {
		return pm, err
	}
	g := grid.New(s)
	recording := g.Spec().Record.Every > 0
	chunks := int((in.Points + int64(in.ChunkSize) - 1) / int64(in.ChunkSize))
	var done, trajDone []string
	for i := range chunks {
		shard := activities.ShardPath(in.OutDir, i)
		if !fileExists(shard) {
			continue
		}
		if recording {
			ts := activities.TrajectoryShardPath(shard)
			if !fileExists(ts) {
				continue
			}
			trajDone = append(trajDone, ts)
		}
		done = append(done, shard)
	}
	if len(done) == 0 {
		return pm, nil
	}
	meta := map[string]string{
		results.MetaSpec:     in.Spec,
		results.MetaSpecHash: g.Spec().Hash(),
		results.MetaVersion:  version.String(),
		results.MetaFile:     in.SpecFile,
		results.MetaPartial:  "true",
	}
	pm.Results = filepath.Join(in.OutDir, partialResultsName)
	if pm.Rows, err = results.Merge(done, pm.Results, meta); err != nil {
		return partialMerge{}, fmt.Errorf("merge finished shards into %s: %w", pm.Results, err)
	}
	if recording {
		pm.Trajectories = filepath.Join(in.OutDir, partialTrajectoriesName)
		if pm.TrajectoryRows, err = results.MergeKeyed(trajDone, pm.Trajectories, meta, results.TrajectoryKeyColumns); err != nil {
			return partialMerge{}, fmt.Errorf("merge finished trajectory shards into %s: %w", pm.Trajectories, err)
		}
	}
	return pm, nil
}
