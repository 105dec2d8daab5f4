package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/workflows"
)

// controlFlags are the connection options of the commands that act on existing sweeps.
type controlFlags struct {
	conn connFlags
	json bool
}

func (f *controlFlags) register(cmd *cobra.Command) {
	f.conn.register(cmd)
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON on stdout")
}

// sweepOptions are the options of a command that acts on one sweep: its streams, its flags
// (controlFlags) and the sweep, its id or its spec file (SWEEP).
type sweepOptions struct {
	IO *IOStreams
	controlFlags
	ref string
}

// withSweep connects (the SDK's warnings on the error stream, see connect) and calls fn with
// the connection and the sweep's workflow id.
func (o *sweepOptions) withSweep(ctx context.Context, fn func(*backend, string) error) error {
	id, err := sweepID(o.ref)
	if err != nil {
		return err
	}
	b, err := connect(ctx, o.IO.ErrOut, o.conn, true)
	if err != nil {
		return err
	}
	defer b.close()
	return fn(b, id)
}

// sweepID accepts a sweep's workflow id or the path of its spec file.
func sweepID(ref string) (string, error) {
	if strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") {
		g, err := grid.Load(ref)
		if err != nil {
			return "", err
		}
		return workflows.WorkflowID(g.Spec().Name, g.Hash()), nil // as sweep run names it
	}
	return ref, nil
}

// controlCmds are status, list, watch, pause, resume, cancel and concurrency.
func controlCmds(ios *IOStreams) []*cobra.Command {
	return []*cobra.Command{statusCmd(ios), listCmd(ios), watchCmd(ios),
		signalCmd(ios, "pause", pauseSweep, "Pause a sweep: no new chunk starts until it is resumed (running chunks finish)"),
		signalCmd(ios, "resume", resumeSweep, "Resume a paused sweep"),
		cancelCmd(ios), concurrencyCmd(ios)}
}

func statusCmd(ios *IOStreams) *cobra.Command {
	opts := &sweepOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "status SWEEP",
		Short: "Show a sweep's state and progress (SWEEP: its id or its spec file)",
		Long: `Show a sweep's state: running, paused, stalled (every activity it has pending failed its
last attempt and waits to be retried: the failure and how long are shown), interrupted (it is
running on the server but no process serves it), completed, cancelled, failed, terminated or
timed_out; and its counts: from the progress query when a worker answers it; else, for a
running sweep, from its finished shards, or its search attributes (as of its last finished
batch) when the output location cannot be read from here; for an ended sweep, from the table
it wrote, and whether that table is still there (a missing one is named, with the command
that rebuilds it). Started is the sweep's first start: a sweep run again under its id (sweep
retry, a rebuild of its table, its batches continued as new) keeps it. --json prints one
object (docs/cli-json.md).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return statusRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// statusRun prints the sweep's state (describeState, or with --json the object).
func statusRun(ctx context.Context, opts *sweepOptions) error {
	return opts.withSweep(ctx, func(b *backend, id string) error {
		r := newStateReader(b)
		defer r.close()
		s, err := r.state(ctx, id)
		if err != nil {
			return err
		}
		if opts.json {
			return printJSON(opts.IO.Out, s)
		}
		fmt.Fprint(opts.IO.Out, describeState(s))
		return nil
	})
}

// printJSON writes v as one line of JSON on w.
func printJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// describeState formats a sweep's state for people: its status, its counts and where they
// come from, its stall, and its results.
func describeState(s sweepState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sweep %s: %s", s.Sweep, s.Status)
	if s.Status == "interrupted" {
		fmt.Fprintf(&b, " (%s; running its spec again resumes it)", notServed)
	}
	fmt.Fprintf(&b, "\n  %s\n", describeCounts(s))
	if s.Stall != nil {
		fmt.Fprintf(&b, "  %s\n", s.Stall)
	}
	if s.Results != "" {
		partial := ""
		if s.Partial {
			partial = " (partial)"
		}
		fmt.Fprintf(&b, "  results: %s%s\n", s.Results, partial)
	}
	if s.missing != "" {
		fmt.Fprintf(&b, "  %s\n", s.missing)
	}
	if len(s.Levels) > 0 {
		b.WriteString("  " + describeLevels(s) + "\n")
	}
	return b.String()
}

// describeLevels says, for a refined sweep, which level it runs and the points of each level
// so far ("refined: level 2 running; points per level: 256 (coarse), 120, 64").
func describeLevels(s sweepState) string {
	per := make([]string, len(s.Levels))
	for l, n := range s.Levels {
		per[l] = fmt.Sprint(n)
	}
	per[0] += " (coarse)"
	now := ""
	if s.Level != nil && s.Closed == nil {
		now = fmt.Sprintf("level %d running; ", *s.Level)
	}
	return "refined: " + now + "points per level: " + strings.Join(per, ", ")
}

// describeCounts formats a state's counts on one line, with what is known.
func describeCounts(s sweepState) string {
	pct := 0.0
	if s.Total > 0 {
		pct = 100 * float64(s.Done) / float64(s.Total)
	}
	parts := []string{fmt.Sprintf("%d/%d points (%.1f%%)", s.Done, s.Total, pct)}
	if s.Chunks != nil && s.ChunksDone != nil {
		parts = append(parts, fmt.Sprintf("%d/%d chunks", *s.ChunksDone, *s.Chunks))
	} else if s.ChunksDone != nil {
		parts = append(parts, fmt.Sprintf("%d chunks", *s.ChunksDone))
	}
	if s.Diverged != nil {
		parts = append(parts, fmt.Sprintf("%d diverged", *s.Diverged))
	}
	if s.Failed != nil {
		parts = append(parts, fmt.Sprintf("%d failed", *s.Failed))
	}
	if s.Rate != nil && s.Status != "completed" {
		parts = append(parts, fmt.Sprintf("%.1f points/s", *s.Rate))
	}
	if s.ETA != nil {
		parts = append(parts, "ETA "+(time.Duration(*s.ETA)*time.Second).String())
	}
	if s.Concurrency != nil && *s.Concurrency > 0 {
		parts = append(parts, fmt.Sprintf("concurrency %d", *s.Concurrency))
	}
	if s.Merging {
		parts = append(parts, "merging")
	}
	line := strings.Join(parts, ", ")
	switch s.CountsFrom {
	case fromAttrs:
		line += " (from its search attributes, as of its last finished batch)"
	case fromShards:
		line += " (from its finished shards)"
	case fromNothing:
		line += " (counts unknown"
		if s.Message != "" && s.Message != notServed {
			line += ": " + strings.TrimPrefix(s.Message, notServed+"; ")
		}
		line += ")"
	}
	return line
}

// listOptions are sweep list's: its streams and flags.
type listOptions struct {
	IO *IOStreams
	controlFlags
}

func listCmd(ios *IOStreams) *cobra.Command {
	opts := &listOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the sweeps the server knows, newest first",
		Long: `List the sweeps the server knows, newest first, with their state and counts as sweep status
shows them: one row per sweep, however many runs it has on the server, with its latest run's
state and its first start. A completed sweep whose table is missing shows "(table missing)"
after its progress (sweep status says which table, and how to rebuild it). --json prints an
array of the objects sweep status --json prints.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// listRun connects and lists the sweeps.
func listRun(ctx context.Context, opts *listOptions) error {
	b, err := connect(ctx, opts.IO.ErrOut, opts.conn, true)
	if err != nil {
		return err
	}
	defer b.close()
	return listSweeps(ctx, opts.IO.Out, b, opts.json)
}

// listSweeps writes the table (with asJSON the array) of the sweeps b's server knows to out.
func listSweeps(ctx context.Context, out io.Writer, b *backend, asJSON bool) error {
	r := newStateReader(b)
	defer r.close()
	runs := map[string]*sweepRuns{} // runs.go: a sweep once, however many runs it has
	req := listRequest(b.opts.Namespace)
	for {
		resp, err := b.client.ListWorkflow(ctx, req)
		if err != nil {
			return fmt.Errorf("list sweeps: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			addRun(runs, e)
		}
		if req.NextPageToken = resp.GetNextPageToken(); len(req.NextPageToken) == 0 {
			break
		}
	}
	rows := []sweepState{}
	for _, run := range newestFirst(runs) {
		e := run.latest
		if isLevel(e.GetExecution().GetWorkflowId(), runs) {
			continue
		}
		s := r.fromInfo(ctx, e)
		s.Started = run.first
		if e.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			var err error
			if s.Stall, err = sweepStall(ctx, b.client, s.Sweep); err != nil {
				s.Message = join(s.Message, "stall check: "+err.Error())
			}
			r.settle(&s)
		}
		rows = append(rows, s)
	}
	if asJSON {
		return printJSON(out, rows)
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SWEEP\tSTATUS\tSTARTED\tPROGRESS")
	for _, s := range rows {
		prog := fmt.Sprintf("%d/%d", s.Done, s.Total)
		switch {
		case s.CountsFrom == fromNothing:
			prog = "?/" + fmt.Sprint(s.Total)
		case s.CountsFrom == fromAttrs && s.Closed == nil:
			prog = ">=" + prog // as of its last finished batch
		}
		if s.Stall != nil {
			prog += " (" + s.Stall.Failure + ")"
		}
		if s.missing != "" {
			prog += " (table missing)" // sweep status says which, and how to rebuild it
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Sweep, s.Status, s.Started.Local().Format("2006-01-02 15:04:05"), prog)
	}
	return tw.Flush()
}

func watchCmd(ios *IOStreams) *cobra.Command {
	opts := &sweepOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "watch SWEEP",
		Short: "Follow a sweep's progress until it ends",
		Long: `Follow a sweep's progress on a bar until it ends, then print its table. A finished sweep
whose results.parquet (or trajectories.parquet) is missing gets it rebuilt, as sweep results
does: from the sweep's shards and the result cache, nothing simulated, or an error saying
which points are in neither and how to compute them again. --json prints one object
(docs/cli-json.md).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return watchRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// watchRun follows the sweep on a progress bar until it ends, rebuilds its missing tables and
// prints its outcome.
func watchRun(ctx context.Context, opts *sweepOptions) error {
	errOut := opts.IO.ErrOut
	return opts.withSweep(ctx, func(b *backend, id string) error {
		res, err := watch(ctx, errOut, b.client, b.client.GetWorkflow(ctx, id, ""))
		if _, ok := errors.AsType[*interruptedError](err); ok {
			fmt.Fprintf(errOut, "stopped following sweep %s; it goes on wherever a process serves it (sweep status %s)\n", id, id)
		}
		if err != nil {
			return err
		}
		st := store.New()
		defer st.Close()
		res, rebuilt, err := ensureTables(ctx, errOut, b.client, st, id, res, b.serveEmbedded) // rebuild.go
		if err != nil {
			return err
		}
		return printOutcome(opts.IO.Out, id, res, rebuilt, opts.json)
	})
}

// printOutcome reports a finished sweep on out: one line, or with asJSON one object
// (docs/cli-json.md); rebuilt says that its missing table was rebuilt.
func printOutcome(out io.Writer, id string, res workflows.SweepOutput, rebuilt, asJSON bool) error {
	if asJSON {
		return printJSON(out, map[string]any{"sweep": id, "results": res.Results, "rows": res.Rows, "diverged": res.Diverged, "rebuilt": rebuilt})
	}
	fmt.Fprintf(out, "results: %s (%d rows, %d diverged; sweep %s)\n", res.Results, res.Rows, res.Diverged, id)
	return nil
}

// The calls that control a sweep, shared by the commands below and the control buttons of
// sweep ui (ui.go): one code path for each. Their errors name the action and the sweep.

// pauseSweep asks sweep id to start no new chunk until it is resumed.
func pauseSweep(ctx context.Context, c client.Client, id string) error {
	if err := c.SignalWorkflow(ctx, id, "", workflows.PauseSignal, nil); err != nil {
		return fmt.Errorf("pause sweep %s: %w", id, err)
	}
	return nil
}

// resumeSweep asks paused sweep id to go on.
func resumeSweep(ctx context.Context, c client.Client, id string) error {
	if err := c.SignalWorkflow(ctx, id, "", workflows.ResumeSignal, nil); err != nil {
		return fmt.Errorf("resume sweep %s: %w", id, err)
	}
	return nil
}

// cancelSweep requests the cancellation of sweep id and returns at once (awaitCancel waits
// for it to end).
func cancelSweep(ctx context.Context, c client.Client, id string) error {
	if err := c.CancelWorkflow(ctx, id, ""); err != nil {
		return fmt.Errorf("cancel sweep %s: %w", id, err)
	}
	return nil
}

// setConcurrency sets the chunks sweep id keeps in flight to n and returns the value the
// sweep took, once its concurrency update completed (the workflow validates n).
func setConcurrency(ctx context.Context, c client.Client, id string, n int) (int, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: workflows.ConcurrencyUpdate, Args: []any{n},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return 0, fmt.Errorf("sweep %s: %w", id, err)
	}
	var got int
	if err := h.Get(ctx, &got); err != nil {
		return 0, fmt.Errorf("sweep %s: %w", id, err)
	}
	return got, nil
}

// signalOptions are sweep pause's or sweep resume's: use names the command, send is its call.
type signalOptions struct {
	sweepOptions
	use  string
	send func(context.Context, client.Client, string) error
}

// signalCmd is sweep pause or sweep resume: use names the command, send is its call.
func signalCmd(ios *IOStreams, use string, send func(context.Context, client.Client, string) error, short string) *cobra.Command {
	opts := &signalOptions{sweepOptions: sweepOptions{IO: ios}, use: use, send: send}
	cmd := &cobra.Command{
		Use:   use + " SWEEP",
		Short: short,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return signalRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// signalRun sends the sweep its signal and says it was requested.
func signalRun(ctx context.Context, opts *signalOptions) error {
	return opts.withSweep(ctx, func(b *backend, id string) error {
		if err := opts.send(ctx, b.client, id); err != nil {
			return err
		}
		if opts.json {
			return printJSON(opts.IO.Out, map[string]any{"sweep": id, "requested": opts.use})
		}
		fmt.Fprintf(opts.IO.ErrOut, "sweep %s: %s requested\n", id, opts.use)
		return nil
	})
}

func cancelCmd(ios *IOStreams) *cobra.Command {
	opts := &sweepOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "cancel SWEEP",
		Short: "Cancel a sweep: running chunks stop, the finished ones are merged into a table marked partial",
		Long: `Cancel a sweep. Running chunks stop; the chunks already finished are merged into
results.parquet, whose metadata then says phasesweep.partial=true. Their shards are kept, so
running the same spec again resumes the sweep from them. With the embedded server, and no
other process running it, this command runs the sweep's worker until the merge is done.
When no process serves the sweep, or its merge fails, the cancellation stays recorded on the
server and the command says so.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return cancelRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// cancelRun cancels the sweep and, with a worker of this process when it started the embedded
// server, waits for it to end (awaitCancel).
func cancelRun(ctx context.Context, opts *sweepOptions) error {
	return opts.withSweep(ctx, func(b *backend, id string) error {
		stop, err := b.serveEmbedded()
		if err != nil {
			return err
		}
		defer stop()
		if err := cancelSweep(ctx, b.client, id); err != nil {
			return err
		}
		return awaitCancel(ctx, opts.IO, b.client, id, opts.json)
	})
}

// awaitCancel waits for cancelled sweep id to end and reports what it kept (on ios.ErrOut, or
// with asJSON on ios.Out); it stops waiting when nothing serves the sweep or its merge is
// stalled (the cancellation stays recorded).
func awaitCancel(ctx context.Context, ios *IOStreams, c client.Client, id string, asJSON bool) error {
	r := &stateReader{c: c, st: store.New(), pollers: map[string]bool{}}
	defer r.close()
	for {
		var out workflows.SweepOutput
		wctx, cancel := context.WithTimeout(ctx, stallCheck)
		err := c.GetWorkflow(ctx, id, "").Get(wctx, &out)
		cancel()
		ce, cancelled := errors.AsType[*temporal.CanceledError](err)
		switch {
		case err == nil || cancelled:
			k := keptPoints(ctx, c, id, ce, workflows.Progress{})
			status := "cancelled"
			if err == nil { // it completed before the cancellation reached it
				k.rows, k.results, k.partial, status = int64(out.Rows), out.Results, false, "completed"
			}
			if asJSON {
				return printJSON(ios.Out, map[string]any{"sweep": id, "status": status, "rows": k.rows, "total": k.total, "results": k.results, "partial": k.partial})
			}
			if status == "completed" {
				fmt.Fprintf(ios.ErrOut, "sweep %s had completed before it could be cancelled: %d points in %s\n", id, k.rows, k.results)
			} else {
				fmt.Fprintln(ios.ErrOut, k.sentence(id))
			}
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case wctx.Err() == nil: // it failed, or the server did not answer
			return fmt.Errorf("sweep %s: %w", id, err)
		}
		r.pollers = map[string]bool{}
		s, err := r.state(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case s.Status == "interrupted":
			fmt.Fprintf(ios.ErrOut, "sweep %s: cancellation recorded, but %s: it ends, merging its finished chunks, when a process serves it again (running its spec again does)\n", id, notServed)
			return nil
		case s.Stall != nil:
			return &endedError{text: fmt.Sprintf("sweep %s: cancellation recorded, but it cannot end: %s", id, s.Stall), err: errors.New("stalled")}
		}
	}
}

// concurrencyOptions are sweep concurrency's: the sweep's options and N.
type concurrencyOptions struct {
	sweepOptions
	n int
}

func concurrencyCmd(ios *IOStreams) *cobra.Command {
	opts := &concurrencyOptions{sweepOptions: sweepOptions{IO: ios}}
	cmd := &cobra.Command{
		Use:   "concurrency SWEEP N",
		Short: "Change how many chunks a running sweep keeps in flight",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return usageError{fmt.Errorf("the concurrency N must be an integer, got %q", args[1])}
			}
			opts.ref, opts.n = args[0], n
			return concurrencyRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// concurrencyRun sets the sweep's concurrency and prints the value it took.
func concurrencyRun(ctx context.Context, opts *concurrencyOptions) error {
	return opts.withSweep(ctx, func(b *backend, id string) error {
		got, err := setConcurrency(ctx, b.client, id, opts.n)
		if err != nil {
			return err
		}
		if opts.json {
			return printJSON(opts.IO.Out, map[string]any{"sweep": id, "concurrency": got})
		}
		fmt.Fprintf(opts.IO.ErrOut, "sweep %s: concurrency %d\n", id, got)
		return nil
	})
}

// listRequest asks for the sweeps, newest first: plain ones and refined ones (RefineWorkflow,
// docs/refine.md), not their batch children. A refined sweep's levels are SweepWorkflows of
// their own, which isLevel tells apart.
func listRequest(namespace string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: namespace,
		Query:     "WorkflowType = 'SweepWorkflow' OR WorkflowType = 'RefineWorkflow'",
	}
}

// isLevel reports whether a listed workflow id is a level of a refined sweep that is listed
// too (workflows.LevelOf): a list shows the refined sweep, whose status has the points of each
// level, not its levels one by one.
func isLevel(id string, listed map[string]*sweepRuns) bool {
	parent, ok := workflows.LevelOf(id)
	if !ok {
		return false
	}
	p, ok := listed[parent]
	return ok && p.latest.GetType().GetName() == "RefineWorkflow"
}
