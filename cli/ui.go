package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/webui"
	"github.com/phasesweep/phasesweep/workflows"
)

// uiOptions are sweep ui's: its streams and flags; ipGiven says that --ip was given.
type uiOptions struct {
	IO             *IOStreams
	conn           connFlags
	port           int
	ip, temporalUI string
	allowControl   bool
	ipGiven        bool
	refresh        time.Duration
}

func uiCmd(ios *IOStreams) *cobra.Command {
	opts := &uiOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Serve a local web page of the sweeps: live progress, phase diagrams as chunks finish, points",
		Long: `Serve a web page of the sweeps the Temporal server knows (the embedded one on --state, joined
if a sweep run or sweep server is running there, or a cluster's --address): each sweep's
status, progress and counts by outcome; its spec and its phase diagram, redrawn as chunks
finish with the choices and marks of sweep plot (x, y, z, agg, by, facet, where, logz);
hovering a heat map's cell or a line's point shows its values and runs by outcome, clicking a
cell lists its points; a point's page shows all its parameters and metrics and its trajectory. The figure (PNG, SVG) and the table (Parquet, CSV) download from
the page. See docs/ui.md.

The server listens on 127.0.0.1 unless --ip names another address, and is read-only unless
--allow-control (pause, resume, cancel and concurrency buttons). It reads a running sweep's
finished shards from its output, which must be reachable from this machine (or in object
storage), and merges them into a private temporary directory, never into the output.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ipGiven = cmd.Flags().Changed("ip")
			return uiRun(cmd.Context(), opts)
		},
	}
	opts.conn.register(cmd)
	fl := cmd.Flags()
	fl.IntVar(&opts.port, "port", 8080, "port to listen on (0: any free port)")
	fl.StringVar(&opts.ip, "ip", webui.DefaultIP, "address to listen on; anything but a loopback address must be given explicitly")
	fl.BoolVar(&opts.allowControl, "allow-control", false, "enable the pause, resume, cancel and concurrency buttons")
	fl.DurationVar(&opts.refresh, "refresh", 2*time.Second, "least time between two merges of a running sweep's finished shards (the figure is redrawn after each)")
	fl.StringVar(&opts.temporalUI, "temporal-ui", "", "URL of the Temporal Web UI of this server, to link each sweep to (e.g. http://localhost:8233)")
	return cmd
}

// uiRun serves the page until ctx ends (Ctrl-C).
func uiRun(ctx context.Context, opts *uiOptions) error {
	b, err := connect(ctx, opts.IO.ErrOut, opts.conn, true)
	if err != nil {
		return err
	}
	src, err := newUISource(b, opts.temporalUI)
	if err != nil {
		b.close()
		return err
	}
	if opts.conn.Address == "" { // the embedded server of a sweep run goes when the run ends
		src.redial = func() (*backend, error) { return connect(ctx, opts.IO.ErrOut, opts.conn, true) }
	}
	defer src.close()
	srv, err := webui.New(src, webui.Options{AllowControl: opts.allowControl, WriteCSV: writeCSV, Refresh: opts.refresh})
	if err != nil {
		return err
	}
	defer srv.Close()
	l, err := srv.Listen(opts.ip, opts.port, opts.ipGiven)
	if err != nil {
		return usageError{err}
	}
	if b.server != nil {
		fmt.Fprintf(opts.IO.ErrOut, "sweep ui: no server was running on %s; started one (sweep run on this state waits until ui stops)\n", opts.conn.state)
	}
	mode := "read-only"
	if opts.allowControl {
		mode = "with control"
	}
	fmt.Fprintf(opts.IO.Out, "sweep ui: http://%s/ (%s)\n", l.Addr(), mode)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// uiSource is webui.Source on a Temporal client: the sweeps of a namespace, their inputs
// (from their histories), their progress (the progress query) and their tables (results.parquet,
// or the finished shards of a running sweep merged into a private directory).
type uiSource struct {
	b          *backend
	c          client.Client // b's
	redial     func() (*backend, error)
	redialed   time.Time // the last attempt
	namespace  string
	temporalUI string
	st         *store.Store
	tmp        string

	mu     sync.Mutex
	inputs map[string]workflows.SweepInput
	// refined are the refined sweeps (RefineWorkflow) among inputs: inputs holds their
	// coarse grid's SweepInput.
	refined map[string]bool
	closed  map[string]closedSweep // sweeps that ended: they no longer change
	merged  map[string]webui.Table // running sweeps: the last merge of their finished shards
	// progress is the last answer of each running sweep's progress query.
	progress map[string]workflows.Progress
	seq      int
}

// closedSweep is what is known of a sweep that ended: its last run's.
type closedSweep struct {
	sweep webui.Sweep
	table webui.Table
	runID string
}

func newUISource(b *backend, temporalUI string) (*uiSource, error) {
	tmp, err := os.MkdirTemp("", "phasesweep-ui-merge-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	return &uiSource{b: b, c: b.client, namespace: b.opts.Namespace, temporalUI: strings.TrimRight(temporalUI, "/"), st: store.New(), tmp: tmp,
		inputs: map[string]workflows.SweepInput{}, refined: map[string]bool{}, closed: map[string]closedSweep{}, merged: map[string]webui.Table{},
		progress: map[string]workflows.Progress{}}, nil
}

func (s *uiSource) close() {
	s.b.close()
	s.st.Close()
	_ = os.RemoveAll(s.tmp)
}

// reconnect joins the server on the state directory again after the one joined went away (a
// sweep run that ended stops its embedded server): the running one, or one started here. It
// reports whether it did.
func (s *uiSource) reconnect(err error) bool {
	var nf *serviceerror.NotFound
	if s.redial == nil || errors.As(err, &nf) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.redialed) < 3*time.Second {
		return false
	}
	s.redialed = time.Now()
	b, derr := s.redial()
	if derr != nil {
		return false
	}
	s.b.close()
	s.b, s.c = b, b.client
	return true
}

// client is the client of the server joined now.
func (s *uiSource) client() client.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// Sweeps implements webui.Source.
func (s *uiSource) Sweeps(ctx context.Context) ([]webui.Sweep, error) {
	list := func() (*workflowservice.ListWorkflowExecutionsResponse, error) {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		// Refined sweeps too (their level sweeps, children, are left out by Sweep).
		return s.client().ListWorkflow(cctx, listRequest(s.namespace))
	}
	it, err := list()
	if err != nil && s.reconnect(err) {
		it, err = list()
	}
	if err != nil {
		return nil, fmt.Errorf("list sweeps: %w", err)
	}
	var out []webui.Sweep
	for _, e := range it.GetExecutions() {
		sw, err := s.Sweep(ctx, e.GetExecution().GetWorkflowId())
		if err != nil {
			continue // not a sweep (or gone meanwhile)
		}
		out = append(out, sw)
	}
	return out, nil
}

// callTimeout bounds a call to the server (the SDK retries an unreachable one until its
// context ends).
const callTimeout = 5 * time.Second

// Sweep implements webui.Source.
func (s *uiSource) Sweep(ctx context.Context, id string) (webui.Sweep, error) {
	if _, err := layout.New("", id); err != nil {
		return webui.Sweep{}, webui.ErrUnknown
	}
	describe := func() (*workflowservice.DescribeWorkflowExecutionResponse, error) {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		return s.client().DescribeWorkflowExecution(cctx, id, "")
	}
	desc, err := describe()
	if err != nil && s.reconnect(err) {
		desc, err = describe()
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return webui.Sweep{}, webui.ErrUnknown
	}
	if err != nil {
		return webui.Sweep{}, fmt.Errorf("sweep %s: %w", id, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	// A refined sweep is its RefineWorkflow; the SweepWorkflow of each of its levels, a child,
	// is not listed (its table is part of the refined sweep's).
	if t := info.GetType().GetName(); t != "SweepWorkflow" && t != "RefineWorkflow" || info.GetParentExecution() != nil {
		return webui.Sweep{}, webui.ErrUnknown
	}
	runID := info.GetExecution().GetRunId()
	s.mu.Lock()
	cs, ok := s.closed[id]
	s.mu.Unlock()
	if ok && cs.runID == runID { // ended, and not run again since (sweep retry)
		return cs.sweep, nil
	}
	in, err := s.input(ctx, id)
	if err != nil {
		return webui.Sweep{}, err
	}
	sw := webui.Sweep{ID: id, Status: workflowStatus(info.GetStatus()), Started: info.GetStartTime().AsTime(),
		Spec: in.Spec, SpecFile: in.SpecFile, Out: in.OutDir}
	sw.Progress.Total = in.Points
	if s.temporalUI != "" {
		sw.TemporalURL = fmt.Sprintf("%s/namespaces/%s/workflows/%s", s.temporalUI, url.PathEscape(s.namespace), url.PathEscape(id))
	}
	if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		v, err := s.client().QueryWorkflow(qctx, id, "", workflows.ProgressQuery)
		if err == nil {
			err = v.Get(&sw.Progress)
		}
		s.mu.Lock()
		if err == nil {
			s.progress[id] = sw.Progress
		} else if p, ok := s.progress[id]; ok {
			sw.Progress = p // no answer (the sweep is busy merging, say): the last one
		}
		s.mu.Unlock()
		if sw.Progress.Paused {
			sw.Status = "paused"
		}
		return sw, nil
	}
	// An ended sweep: its table and counts are final.
	t, err := s.endedTable(ctx, id, info.GetStatus(), in)
	if err != nil {
		return sw, err
	}
	t.Key = "ended-" + runID // a sweep retried and ended again has another table
	s.mu.Lock()
	refined := s.refined[id]
	s.mu.Unlock()
	switch {
	case refined: // its points are those of every level: the table's rows
		var out workflows.SweepOutput
		if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED && !t.Partial &&
			s.client().GetWorkflow(ctx, id, "").Get(ctx, &out) == nil {
			sw.Progress.Total, sw.Progress.Done = int64(out.Rows), int64(out.Rows)
		}
	default:
		if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED && !t.Partial {
			sw.Progress.Done = in.Points
		}
		sw.Progress.Chunks = layout.Chunks(in.Points, in.ChunkSize)
		if sw.Progress.Done == in.Points {
			sw.Progress.ChunksDone = sw.Progress.Chunks
		}
	}
	s.mu.Lock()
	s.closed[id] = closedSweep{sweep: sw, table: t, runID: runID}
	s.mu.Unlock()
	return sw, nil
}

// input is the input sweep id was started with (read from its history once).
func (s *uiSource) input(ctx context.Context, id string) (workflows.SweepInput, error) {
	s.mu.Lock()
	in, ok := s.inputs[id]
	s.mu.Unlock()
	if ok {
		return in, nil
	}
	in, refined, err := uiInput(ctx, s.client(), id)
	if err != nil {
		return in, err
	}
	s.mu.Lock()
	s.inputs[id], s.refined[id] = in, refined
	s.mu.Unlock()
	return in, nil
}

// uiInput is the SweepInput sweep id was started with, for a refined sweep that of its
// coarse grid (RefineInput.Sweep), and whether it is a refined sweep.
func uiInput(ctx context.Context, c client.Client, id string) (workflows.SweepInput, bool, error) {
	ev, err := firstEvent(ctx, c, id, "")
	if err != nil {
		return workflows.SweepInput{}, false, err
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs.GetWorkflowType().GetName() != "RefineWorkflow" {
		in, err := startInput(ctx, c, id, "")
		return in, false, err
	}
	var in workflows.RefineInput
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return in.Sweep, true, fmt.Errorf("sweep %s: decode its input: %w", id, err)
	}
	return in.Sweep, true, nil
}

// endedTable is the table an ended sweep left: its output's results.parquet (copied here
// from object storage), or none.
func (s *uiSource) endedTable(ctx context.Context, id string, status enumspb.WorkflowExecutionStatus, in workflows.SweepInput) (webui.Table, error) {
	l := sweepLayout(in)
	var t webui.Table
	if !exists(ctx, s.st, l.Results()) {
		return t, nil
	}
	t.Results, t.Partial = l.Results(), status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	if status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		var out workflows.SweepOutput
		if err := s.client().GetWorkflow(ctx, id, "").Get(ctx, &out); err == nil {
			t.Partial = out.Partial
		}
	}
	if tp := l.Trajectories(); exists(ctx, s.st, tp) {
		t.Trajectories = tp
	}
	if store.Remote(t.Results) {
		dir := s.newDir()
		for _, p := range []*string{&t.Results, &t.Trajectories} {
			if *p == "" {
				continue
			}
			local := filepath.Join(dir, store.Base(*p))
			if err := s.st.CopyToFile(ctx, *p, local); err != nil {
				return t, fmt.Errorf("copy %s: %w", *p, err)
			}
			*p = local
		}
	}
	return t, nil
}

// newDir makes a new private directory for one table.
func (s *uiSource) newDir() string {
	s.mu.Lock()
	s.seq++
	dir := filepath.Join(s.tmp, fmt.Sprintf("t%06d", s.seq))
	s.mu.Unlock()
	_ = os.MkdirAll(dir, 0o700)
	return dir
}

// Table implements webui.Source: an ended sweep's table, or the finished shards of a running
// one merged (as sweep results does, but into a private directory; of a refined sweep, with
// its finished levels' tables: refinedTable), again only when the set of finished shards
// changed.
func (s *uiSource) Table(ctx context.Context, id string) (webui.Table, error) {
	sw, err := s.Sweep(ctx, id)
	if err != nil {
		return webui.Table{}, err
	}
	s.mu.Lock()
	cs, ended := s.closed[id]
	prev := s.merged[id]
	s.mu.Unlock()
	if ended && (sw.Status != "running" && sw.Status != "paused") {
		return cs.table, nil
	}
	in, err := s.input(ctx, sw.ID)
	if err != nil {
		return webui.Table{}, err
	}
	s.mu.Lock()
	refined := s.refined[id]
	s.mu.Unlock()
	if refined { // its rows are in its levels' tables and shards (ui_refined.go)
		return s.refinedTable(ctx, sw, in, prev)
	}
	sp, err := spec.Parse(in.SpecFile, []byte(in.Spec))
	if err != nil {
		return webui.Table{}, err
	}
	recording := grid.New(sp).Spec().Record.Every > 0
	done, err := sweepLayout(in).FinishedShards(ctx, s.st, layout.Chunks(in.Points, in.ChunkSize), recording)
	if err != nil {
		return prev, err
	}
	key := filesKey(done)
	if key == prev.Key || len(done) == 0 {
		return prev, nil
	}
	dir := s.newDir()
	pm, err := mergeFinishedShards(ctx, s.st, in, filepath.Join(dir, "results.parquet"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return prev, err
	}
	t := webui.Table{Results: pm.Results, Key: key, Partial: true}
	if pm.Trajectories != "" {
		// Beside results.parquet under its usual name, where sweep plot looks for the points.
		t.Trajectories = filepath.Join(dir, "trajectories.parquet")
		if err := os.Rename(pm.Trajectories, t.Trajectories); err != nil {
			return prev, fmt.Errorf("partial trajectories: %w", err)
		}
	}
	s.replaceMerged(id, prev, t)
	return t, nil
}

// replaceMerged makes t, merged into a private directory, the table of running sweep id and
// removes the directory of prev, the one it replaces.
func (s *uiSource) replaceMerged(id string, prev, t webui.Table) {
	s.mu.Lock()
	s.merged[id] = t
	s.mu.Unlock()
	if prev.Results != "" {
		_ = os.RemoveAll(filepath.Dir(prev.Results))
	}
}

// filesKey names a set of finished files (shards, tables): a table merged from them is merged
// again only when it changes.
func filesKey(files []string) string {
	h := sha256.Sum256([]byte(strings.Join(files, "\n")))
	return fmt.Sprintf("%d-%s", len(files), hex.EncodeToString(h[:8]))
}

// Control implements webui.Source with the calls of sweep pause, resume, cancel and
// concurrency (control.go); a cancel returns once requested, the page shows the sweep end.
func (s *uiSource) Control(ctx context.Context, id string, c webui.Control) error {
	switch c.Action {
	case webui.ActionPause:
		return pauseSweep(ctx, s.client(), id)
	case webui.ActionResume:
		return resumeSweep(ctx, s.client(), id)
	case webui.ActionCancel:
		return cancelSweep(ctx, s.client(), id)
	case webui.ActionConcurrency:
		_, err := setConcurrency(ctx, s.client(), id, c.Concurrency)
		return err
	}
	return fmt.Errorf("unknown action %q", c.Action)
}
