package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/workflows"
)

// runFlags are the options of sweep run.
type runFlags struct {
	conn                      connFlags
	out                       string
	allowSpecEndpoint         bool // --allow-spec-endpoint (out.go)
	chunk, concurrency        int
	groupChunks, groupsPerRun int
	json                      bool
	cache                     string // result cache directory (default <state>/cache with the embedded server)
	noCache, fresh            bool   // --no-cache, --new
}

// runOptions are sweep run's: its streams, the spec and its overrides, and its flags.
type runOptions struct {
	IO        *IOStreams
	file      string
	overrides []string
	runFlags
}

func runCmd(ios *IOStreams) *cobra.Command {
	opts := &runOptions{IO: ios}
	f := &opts.runFlags // the flags below fill it
	cmd := &cobra.Command{
		Use:   "run SPEC [key=value ...]",
		Short: "Run a sweep (or resume it, or return its finished results) and write results.parquet",
		Long: `Run the sweep described by SPEC. Without --address an embedded Temporal server is started
with its state in --state and a worker runs in this process; with --address the sweep is
submitted to that server and run by its workers (go run ./worker --address ...).

The sweep's id derives from the spec, so running the same command again after an interruption
resumes the same sweep, and after completion returns the finished results without recomputing
(a deleted results.parquet is rebuilt from the sweep's shards and the result cache; with an
--out other than the sweep's own, its table is copied there); --new starts a fresh sweep of the
spec instead (its id gets a -<unix time> suffix).

Finished points are kept in a result cache (--cache, default <state>/cache with the embedded
server, none with --address unless given): a sweep sharing points with an earlier one reads
them from there instead of simulating them again. --no-cache simulates every point. The cache
is a local directory: workers on other machines each keep their own unless it is shared.

Where the shards and results.parquet go: --out, else the spec's top-level out: key (a relative
directory there is relative to the spec file), else runs/<name>. It is a directory, or a URL
for machines that share no filesystem:
  file:///abs/path                 a local directory, as a plain path
  s3://bucket/prefix?region=R      Amazon S3; for MinIO or another S3 server add
                                   &endpoint=http://host:9000&use_path_style=true
  gs://bucket/prefix               Google Cloud Storage
Credentials come from the environment, as the cloud SDKs read them: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_REGION, AWS_PROFILE and ~/.aws for s3://;
GOOGLE_APPLICATION_CREDENTIALS or gcloud's application-default login for gs://. This
command and every worker need them. sweep results copies a table from a URL to a local file.

A spec's out: may not set an endpoint, region or other client option unless
--allow-spec-endpoint is given; an endpoint over plain http needs
PHASESWEEP_ALLOW_INSECURE_ENDPOINT=1 in this command's and every worker's environment.

` + overridesHelp,
		Args: minimumArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file, opts.overrides = args[0], args[1:]
			return runSweep(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "output directory or s3:// / gs:// / file:// URL (default: the spec's out, else runs/<name>)")
	f.conn.register(cmd)
	registerOutFlags(fl, &f.allowSpecEndpoint)
	fl.IntVar(&f.chunk, "chunk", 0, "points per activity (default: sized so one takes about 2 s)")
	fl.IntVar(&f.concurrency, "concurrency", 0, "chunks in flight at once (default 64)")
	fl.BoolVar(&f.json, "json", false, "print the outcome as JSON on stdout")
	fl.IntVar(&f.groupChunks, "group-chunks", 0, "chunks per chunk group, one child workflow (default 256)")
	fl.IntVar(&f.groupsPerRun, "groups-per-run", 0, "chunk groups per run of the sweep before it continues as new (default 64)")
	// The names these had before "batch" was kept for SGD minibatches and record batches.
	fl.IntVar(&f.groupChunks, "batch-chunks", 0, "")
	fl.IntVar(&f.groupsPerRun, "batches-per-run", 0, "")
	_ = fl.MarkDeprecated("batch-chunks", "use --group-chunks")
	_ = fl.MarkDeprecated("batches-per-run", "use --groups-per-run")
	fl.StringVar(&f.cache, "cache", "", "result cache directory, shared by sweeps; local to each machine unless every worker sees it (default <state>/cache with the embedded server)")
	fl.BoolVar(&f.noCache, "no-cache", false, "simulate every point: neither read nor write the result cache")
	fl.BoolVar(&f.fresh, "new", false, "start a fresh sweep instead of attaching to the running or finished one of this spec")
	_ = fl.MarkHidden("group-chunks")
	_ = fl.MarkHidden("groups-per-run")
	return cmd
}

// chunkSeconds is the target duration of one chunk activity.
const chunkSeconds = 2.0

// runSweep runs the sweep of the spec (or resumes it, or returns its finished results) and
// prints where its table is.
func runSweep(ctx context.Context, opts *runOptions) error {
	errOut := opts.IO.ErrOut // what the command does, and its progress bar
	g, err := grid.LoadWithOverrides(opts.file, opts.overrides)
	if err != nil {
		return err
	}
	s := g.Spec()
	if err := checkRefine(s); err != nil { // refine.go
		return err
	}
	out, relative, err := outLocation(opts.out, opts.allowSpecEndpoint, s)
	if err != nil {
		return err
	}
	if opts.chunk < 0 || opts.concurrency < 0 || opts.groupChunks < 0 || opts.groupsPerRun < 0 {
		return usageError{errors.New("--chunk, --concurrency, --group-chunks and --groups-per-run must be >= 0")}
	}
	chunk := opts.chunk // the flag, else the spec's chunk, else sized from the cost of a point
	if chunk == 0 {
		chunk = s.Chunk
	}
	if chunk == 0 {
		chunk = g.ChunkSize(chunkSeconds)
	}
	st := store.New()
	defer st.Close()
	if err := st.Ensure(ctx, out); err != nil {
		return err
	}

	b, err := connect(ctx, errOut, opts.conn, false)
	if err != nil {
		return err
	}
	defer b.close()
	if b.server != nil {
		w := workflows.NewWorkerOn(b.client, b.opts.TaskQueue, &activities.Activities{}, 0)
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		defer w.Stop()
	}

	id := workflows.WorkflowID(s.Name, g.Hash()) // the spec's hash, and its data files' (parameter data)
	if opts.fresh {
		id = fmt.Sprintf("%s-%d", id, time.Now().Unix())
	}
	cacheDir, err := cacheDirOf(opts.cache, opts.noCache, opts.conn.Address, opts.conn.state)
	if err != nil {
		return err
	}
	// Workers resolve a relative data path against the spec file's directory: give them an
	// absolute one, so that their working directory does not matter.
	absFile, err := filepath.Abs(opts.file)
	if err != nil {
		return usageError{fmt.Errorf("spec path: %w", err)}
	}
	l, err := layout.New(out, id)
	if err != nil {
		return err
	}
	if err := activities.CheckOutput(ctx, st, l); err != nil {
		return err
	}
	in := workflows.SweepInput{
		Spec: string(s.Source), SpecFile: absFile, OutDir: out,
		Points: g.Count(), ChunkSize: chunk, Concurrency: opts.concurrency,
		ChunksPerGroup: opts.groupChunks, GroupsPerRun: opts.groupsPerRun, CacheDir: cacheDir,
		Name: s.Name, SweepID: id, Hash: g.Hash(), Data: g.DataFiles(),
	}
	// The sweep records its search attributes where the namespace has them or lets this
	// client add them (the embedded server, sweep server, a cluster with operator rights).
	in.SearchAttributes, err = searchAttributes(ctx, b.client, b.opts.Namespace)
	if err != nil {
		fmt.Fprintf(errOut, "warning: search attributes unavailable (%v); the sweep runs without them\n", err)
	}
	run, err := startOrAttach(ctx, errOut, b.client, b.opts.TaskQueue, id, in)
	if err != nil {
		return err
	}
	res, err := watch(ctx, errOut, b.client, run)
	if err != nil {
		if ctx.Err() != nil {
			again := "run the same command again"
			if opts.fresh {
				again = "run sweep retry " + id
			}
			fmt.Fprintf(errOut, "interrupted: sweep %s is saved; %s to resume it\n", id, again)
			return err
		}
		return err // ended: one sentence saying how the sweep ended
	}
	printLevels(errOut, res.LevelPoints) // a refined sweep's levels (refine.go)
	if res.SetAside != "" || res.Recomputed > 0 {
		fmt.Fprintf(errOut, "recomputed %d chunks whose shards were missing, unreadable or not this sweep's (last: %s)\n", res.Recomputed, res.SetAside)
	}
	res, rebuilt, err := ensureTables(ctx, errOut, b.client, st, id, res, nil) // rebuild.go; this process runs a worker
	if err != nil {
		return err
	}
	if err := ownTable(ctx, st, res.Results, id); err != nil {
		return err
	}
	written, from, err := copyToOut(ctx, errOut, st, id, res, l) // a sweep started with another out
	if err != nil {
		return err
	}
	rel := written
	if wd, err := os.Getwd(); err == nil && relative {
		if r, err := filepath.Rel(wd, written); err == nil {
			rel = r
		}
	}
	if opts.json {
		return json.NewEncoder(opts.IO.Out).Encode(map[string]any{
			"sweep": id, "results": written, "rows": res.Rows, "diverged": res.Diverged, "from": from, "rebuilt": rebuilt,
		})
	}
	fmt.Fprintf(opts.IO.Out, "results: %s (%d rows, %d diverged; sweep %s)\n", rel, res.Rows, res.Diverged, id)
	return nil
}

// cacheDirOf is the absolute result cache directory of a sweep: none with --no-cache, else
// --cache, else <state>/cache with the embedded server (no address), else none (a cluster's
// workers need a directory they all see: give --cache).
func cacheDirOf(flag string, off bool, address, state string) (string, error) {
	switch {
	case off && flag != "":
		return "", usageError{errors.New("--cache and --no-cache exclude each other")}
	case off:
		return "", nil
	case flag == "" && address != "":
		return "", nil
	case flag == "":
		flag = filepath.Join(state, "cache")
	}
	dir, err := filepath.Abs(flag)
	if err != nil {
		return "", usageError{fmt.Errorf("--cache: %w", err)}
	}
	return dir, nil
}

// startOrAttach starts the sweep, or attaches to it when a sweep with the same id is running
// or has completed (its result is returned without recomputing). A failed or terminated one
// is started afresh. It says which on errOut.
func startOrAttach(ctx context.Context, errOut io.Writer, c client.Client, queue, id string, in workflows.SweepInput) (client.WorkflowRun, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		st := desc.GetWorkflowExecutionInfo().GetStatus()
		switch st {
		case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			fmt.Fprintf(errOut, "resuming sweep %s\n", id)
			return c.GetWorkflow(ctx, id, ""), nil
		case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
			fmt.Fprintf(errOut, "sweep %s already finished\n", id)
			return c.GetWorkflow(ctx, id, ""), nil
		}
		fmt.Fprintf(errOut, "sweep %s ended %s; starting it again\n", id, st)
	case !errors.As(err, &notFound):
		return nil, fmt.Errorf("look up sweep %s: %w", id, err)
	default:
		fmt.Fprintf(errOut, "starting sweep %s: %d points in chunks of %d\n", id, in.Points, in.ChunkSize)
	}
	wf, arg := sweepWorkflowOf(in) // refine.go
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                queue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, wf, arg)
	if err != nil {
		return nil, fmt.Errorf("start sweep %s: %w", id, err)
	}
	return run, nil
}

// watch draws progress from the progress query on errOut until the sweep ends, and returns its
// result.
// It checks every stallCheck whether the sweep is stalled (stall.go) or unserved, to say so
// on the bar instead of an ETA. Interrupted (ctx cancelled) it ends the bar's line and returns
// an *interruptedError; a sweep that ends without completing (cancelled from another process,
// failed, terminated) gives an error of one sentence saying so (ended).
func watch(ctx context.Context, errOut io.Writer, c client.Client, run client.WorkflowRun) (workflows.SweepOutput, error) {
	type outcome struct {
		out workflows.SweepOutput
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		o.err = run.Get(ctx, &o.out)
		done <- o
	}()
	bar := newProgressBar(errOut)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var last workflows.Progress
	var note barNote
	var checked time.Time
	heard := time.Now() // the last answer to the progress query
	for {
		select {
		case o := <-done:
			if ctx.Err() != nil {
				bar.end()
				return o.out, &interruptedError{id: run.GetID(), err: ctx.Err()}
			}
			if o.err != nil {
				bar.end()
				return o.out, ended(ctx, c, run.GetID(), last, o.err)
			}
			last.Done, last.Total, last.Diverged, last.Finished = int64(o.out.Rows), int64(o.out.Rows), o.out.Diverged, true
			bar.update(last, barNote{}, true)
			return o.out, nil
		case <-ctx.Done():
			bar.end()
			return workflows.SweepOutput{}, &interruptedError{id: run.GetID(), err: ctx.Err()}
		case <-tick.C:
			qctx, cancel := context.WithTimeout(ctx, queryTimeout)
			v, err := c.QueryWorkflow(qctx, run.GetID(), "", workflows.ProgressQuery)
			cancel()
			answered := err == nil && v.Get(&last) == nil
			if answered {
				heard = time.Now()
			}
			note.unserved = time.Since(heard) > unanswered
			if time.Since(checked) >= stallCheck {
				checked = time.Now()
				if st, err := sweepStall(ctx, c, run.GetID()); err == nil {
					note.stall = st
				}
			}
			if answered || note.unserved || note.stall != nil {
				bar.update(last, note, false)
			}
		}
	}
}

// ownTable checks that the table at loc is the one sweep id wrote: another sweep writing to
// the same output location (the same name and out, started elsewhere) may have replaced it
// since, and a table must never be reported as this sweep's when it is not.
func ownTable(ctx context.Context, st *store.Store, loc, id string) error {
	paths, release, err := st.Fetch(ctx, []string{loc})
	defer release()
	if err != nil {
		return fmt.Errorf("read the sweep's table: %w", err)
	}
	meta, _, err := results.ReadMeta(paths[0])
	if err != nil {
		return fmt.Errorf("read the sweep's table: %w", err)
	}
	if got := meta[results.MetaSweep]; got != "" && got != id {
		return fmt.Errorf("%s now holds the table of sweep %s, which wrote the same output after this one (%s): give each spec its own out, then run this command again (its points come from the cache)", loc, got, id)
	}
	return nil
}

// stallCheck is how often watch asks the server whether the sweep is stalled; unanswered how
// long its progress query goes unanswered before the bar says that nothing serves the sweep.
const (
	stallCheck = 5 * time.Second
	unanswered = 2 * queryTimeout
)
