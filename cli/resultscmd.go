package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/version"
	"github.com/phasesweep/phasesweep/workflows"
)

// resultsOptions are sweep results's: the sweep's options and --out-file.
type resultsOptions struct {
	sweepOptions
	outFile string
}

func resultsCmd(ios *IOStreams) *cobra.Command {
	opts := &resultsOptions{sweepOptions: sweepOptions{IO: ios}}
	cmd := &cobra.Command{
		Use:   "results SWEEP",
		Short: "Print the path of a sweep's results table; merge the finished part of a running one (SWEEP: its id or its spec file)",
		Long: `For a finished sweep, print the path of its results.parquet (and trajectories.parquet).

For a running sweep, merge the chunks finished so far into results.partial.parquet (and
trajectories.partial.parquet) in the sweep's output directory, marked partial in the schema
metadata (phasesweep.partial), and print that path; the sweep's own results.parquet is left
alone, and its final merge removes the partial table. This reads the shards directly, so the
output location must be reachable from this machine. A sweep that ended without finishing
(cancelled, failed, terminated) shows the results.parquet it left, if any (a cancelled
sweep's is partial); see sweep retry.

A finished sweep whose results.parquet (or trajectories.parquet) is missing gets it rebuilt:
the sweep runs again under its id, each chunk taking its shard if it is still there and its
points from the result cache otherwise, and merges; nothing is simulated. When some points
are in neither, the command fails and says so; sweep retry then computes them again.

When the sweep's output is an s3:// or gs:// URL (see sweep run --help for credentials), the
table is read from there and written to a local file: --out-file, else runs/<name>/ here
(results.parquet, or results.partial.parquet for a running sweep, with trajectories.parquet
beside it). --out-file FILE also copies a local sweep's table to FILE; its trajectories go to
FILE with .trajectories.parquet in place of .parquet.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return resultsRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	cmd.Flags().StringVar(&opts.outFile, "out-file", "", "write the table to this local file (default: in place for a local output directory, runs/<name>/ for a URL)")
	return cmd
}

// resultsRun finds or makes the sweep's results table (sweepResults) and prints it.
func resultsRun(ctx context.Context, opts *resultsOptions) error {
	return opts.withSweep(ctx, func(b *backend, id string) error {
		st := store.New()
		defer st.Close()
		r, err := sweepResults(ctx, opts.IO.ErrOut, b, st, id, opts.outFile)
		if err != nil {
			return err
		}
		return printResults(opts.IO.Out, r, opts.json)
	})
}

// resultsInfo is what `sweep results` reports.
type resultsInfo struct {
	Sweep        string `json:"sweep"`
	Status       string `json:"status"`
	Results      string `json:"results"`
	Rows         int    `json:"rows"`
	Points       int64  `json:"points"`
	Trajectories string `json:"trajectories"`
	Partial      bool   `json:"partial"`
	// From is the sweep's table in its output location when Results is a local copy of it.
	From string `json:"from"`
	// Rebuilt says that the finished sweep's table was missing and this command rebuilt it.
	Rebuilt bool `json:"rebuilt"`
}

// printResults reports what sweep results found on out: its lines, or with asJSON one object.
func printResults(out io.Writer, r resultsInfo, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	if r.Results == "" {
		fmt.Fprintf(out, "sweep %s (%s): no finished chunk yet, no results\n", r.Sweep, r.Status)
		return nil
	}
	if r.Partial {
		fmt.Fprintf(out, "PARTIAL results (sweep %s %s: %d of %d points): %s\n", r.Sweep, r.Status, r.Rows, r.Points, r.Results)
	} else {
		fmt.Fprintf(out, "results: %s (%d rows; sweep %s %s)\n", r.Results, r.Rows, r.Sweep, r.Status)
	}
	if r.From != "" {
		fmt.Fprintf(out, "copied from: %s\n", r.From)
	}
	if r.Trajectories != "" {
		fmt.Fprintf(out, "trajectories: %s\n", r.Trajectories)
	}
	return nil
}

// sweepResults finds, or for a running sweep makes, the results table of sweep id on b,
// reading its output location through st, and copies it to a local file where outFile or a
// remote location asks for one (destinationOf). A finished sweep's missing table is rebuilt
// (ensureTables, saying so on errOut), by a worker this process starts when it started the
// embedded server.
func sweepResults(ctx context.Context, errOut io.Writer, b *backend, st *store.Store, id, outFile string) (resultsInfo, error) {
	c := b.client
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
		if out, r.Rebuilt, err = ensureTables(ctx, errOut, c, st, id, out, b.serveEmbedded); err != nil { // rebuild.go
			return r, err
		}
		r.Results, r.Rows, r.Trajectories, r.Partial = out.Results, out.Rows, out.Trajectories, out.Partial
		return copyResults(ctx, st, r, in, outFile)
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		pr, err := mergeFinishedShards(ctx, st, in, outFile)
		if err != nil {
			// The sweep may have finished meanwhile (its merge removes the shards).
			if completed(ctx, c, id) {
				return sweepResults(ctx, errOut, b, st, id, outFile)
			}
			return r, fmt.Errorf("sweep %s: %w", id, err)
		}
		if outFile == "" && completed(ctx, c, id) {
			// Its final merge ran meanwhile: the partial table just written is stale already.
			removeObjects(ctx, st, pr.Results, pr.Trajectories)
			return sweepResults(ctx, errOut, b, st, id, outFile)
		}
		r.Results, r.Rows, r.Trajectories, r.Partial = pr.Results, pr.Rows, pr.Trajectories, true
		return r, nil
	default: // cancelled, failed, terminated, timed out: whatever table it left
		l := sweepLayout(in)
		path := l.Results()
		paths, release, err := st.Fetch(ctx, []string{path})
		defer release()
		var meta map[string]string
		var rows int64
		if err == nil {
			meta, rows, err = results.ReadMeta(paths[0])
		}
		if err != nil {
			return r, fmt.Errorf("sweep %s ended %s and left no readable %s (%v); run sweep retry %s", id, r.Status, path, err, id)
		}
		r.Results, r.Rows, r.Partial = path, int(rows), meta[results.MetaPartial] == "true" || rows < in.Points
		if tp := l.Trajectories(); exists(ctx, st, tp) {
			r.Trajectories = tp
		}
		return copyResults(ctx, st, r, in, outFile)
	}
}

// completed reports whether sweep id has completed, as the server says now.
func completed(ctx context.Context, c client.Client, id string) bool {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
}

// removeObjects removes the objects at locs ("" is skipped), best effort.
func removeObjects(ctx context.Context, st *store.Store, locs ...string) {
	for _, loc := range locs {
		if loc != "" {
			_ = st.Remove(ctx, loc)
		}
	}
}

// destination is where `sweep results` writes the tables it hands over: --out-file (its
// trajectories beside it: FILE.parquet -> FILE.trajectories.parquet); else, for an output in
// object storage, runs/<name>/ in the working directory, under the names the tables have there
// (partial: results.partial.parquet); else, for a running sweep, the output directory itself
// (as always); else nowhere ("": the tables stay where they are).
func destination(outFile string, in workflows.SweepInput, partial bool) (res, traj string, err error) {
	tables := func(l layout.Sweep) (string, string) {
		if partial {
			return l.PartialResults(), l.PartialTrajectories()
		}
		return l.Results(), l.Trajectories()
	}
	switch {
	case outFile != "":
		return outFile, strings.TrimSuffix(outFile, ".parquet") + ".trajectories.parquet", nil
	case store.Remote(in.OutDir):
		s, err := spec.Parse(in.SpecFile, []byte(in.Spec))
		if err != nil {
			return "", "", err
		}
		res, traj := tables(layout.Sweep{Out: filepath.Join("runs", s.Name)})
		return res, traj, nil
	case partial:
		res, traj := tables(sweepLayout(in))
		return res, traj, nil
	}
	return "", "", nil
}

// copyResults copies the tables r names to their destination (when they have one) and points
// r at the copies.
func copyResults(ctx context.Context, st *store.Store, r resultsInfo, in workflows.SweepInput, outFile string) (resultsInfo, error) {
	res, traj, err := destination(outFile, in, false)
	if err != nil || res == "" || r.Results == "" {
		return r, err
	}
	if err := st.CopyToFile(ctx, r.Results, res); err != nil {
		return r, fmt.Errorf("copy results: %w", err)
	}
	r.From, r.Results = r.Results, res
	if r.Trajectories != "" {
		if err := st.CopyToFile(ctx, r.Trajectories, traj); err != nil {
			return r, fmt.Errorf("copy trajectories: %w", err)
		}
		r.Trajectories = traj
	}
	return r, nil
}

// exists reports whether an object is at loc (an error looking counts as absent).
func exists(ctx context.Context, st *store.Store, loc string) bool {
	ok, err := st.Exists(ctx, loc)
	return ok && err == nil
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
		return "timed_out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued_as_new"
	}
	return s.String()
}

// partialMerge reports a merge of the finished shards of a running sweep.
type partialMerge struct {
	Results, Trajectories string
	Rows, TrajectoryRows  int
}

// mergeFinishedShards merges the shards of the chunks of the sweep started with in that have
// finished (their results shard, and trajectory shard when the spec records, exist) into
// results.partial.parquet (and trajectories.partial.parquet) at their destination (in.OutDir,
// or a local file for an output in object storage or with outFile), with the sweep's metadata
// and phasesweep.partial = "true". Chunks still running (only a *.partial.parquet shard) are
// left out. With no finished chunk it writes nothing and returns a zero value.
func mergeFinishedShards(ctx context.Context, st *store.Store, in workflows.SweepInput, outFile string) (partialMerge, error) {
	var pm partialMerge
	if in.ChunkSize <= 0 {
		return pm, errors.New("sweep input has no chunk size")
	}
	if !store.Remote(in.OutDir) {
		if ok, err := st.Exists(ctx, in.OutDir); !ok {
			if err == nil {
				err = fs.ErrNotExist
			}
			return pm, fmt.Errorf("output directory %s is not reachable from this machine: %w", in.OutDir, err)
		}
	}
	s, err := spec.Parse(in.SpecFile, []byte(in.Spec))
	if err != nil {
		return pm, err
	}
	g := grid.New(s)
	recording := g.Spec().Record.Every > 0
	done, err := sweepLayout(in).FinishedShards(ctx, st, layout.Chunks(in.Points, in.ChunkSize), recording)
	if err != nil || len(done) == 0 {
		return pm, err
	}
	meta := map[string]string{
		results.MetaSpec:     in.Spec,
		results.MetaSpecHash: g.Spec().Hash(),
		results.MetaVersion:  version.String(),
		results.MetaFile:     in.SpecFile,
		results.MetaPartial:  "true",
	}
	if id := sweepLayout(in).ID; id != "" { // the final merge removes the partial tables of its own sweep
		meta[results.MetaSweep] = id
	}
	res, traj, err := destination(outFile, in, true)
	if err != nil {
		return pm, err
	}
	pm.Results = res
	if pm.Rows, err = activities.MergeTables(ctx, st, done, pm.Results, meta, 1); err != nil {
		return partialMerge{}, fmt.Errorf("merge finished shards into %s: %w", pm.Results, err)
	}
	if recording {
		trajDone := make([]string, len(done))
		for i, d := range done {
			trajDone[i] = layout.TrajectoryShard(d)
		}
		pm.Trajectories = traj
		if pm.TrajectoryRows, err = activities.MergeTables(ctx, st, trajDone, pm.Trajectories, meta, results.TrajectoryKeyColumns); err != nil {
			return partialMerge{}, fmt.Errorf("merge finished trajectory shards into %s: %w", pm.Trajectories, err)
		}
	}
	return pm, nil
}

// sweepLayout is the layout of the files of the sweep started with input in: under its own
// directory when sweep run named it (SweepID), else the shared layout of older sweeps.
func sweepLayout(in workflows.SweepInput) layout.Sweep {
	return layout.Sweep{Out: in.OutDir, ID: in.SweepID}
}
