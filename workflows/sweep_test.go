package workflows

// Tests of SweepWorkflow in the SDK's test environment with the real activities: every chunk
// is simulated and written as a Parquet shard under t.TempDir(), and the shards are merged
// into results.parquet, so these tests check the orchestration and the files it produces.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// testSpec is a sweep of 16 points (2 optimizers x 4 stepsizes x 2 seeds) small enough that
// a point takes about a millisecond: n=10, d=15, 2000 steps. The largest stepsize makes some
// runs diverge, so the sweep has diverged rows too.
const testSpec = `# a small sweep for the workflow tests
name: wftest
seed: 3
params:
  n: 10
  d: 15
  sparsity: 3
  init: 0.1
  batch: 2
  test: 200
  steps: 2000
  stop_loss: 1.0e-12
grid:
  optimizer: [gd, sgd]
  stepsize: [0.01, 0.05, 0.2, 3.0]
  seed: {range: 2}
`

// testSpecFile is the name the tests give the spec in inputs and messages.
const testSpecFile = "wftest.yaml"

// testTimeout bounds a test environment's idle time (no callback for this long).
const testTimeout = 60 * time.Second

// testGrid parses and validates a spec the way the CLI does before submitting it.
func testGrid(t *testing.T, source string) *grid.Grid {
	t.Helper()
	return testGridAt(t, testSpecFile, source)
}

// failingAt are activities whose simulation fails, non-retryably, when it reaches point.
func failingAt(point int64) *activities.Activities {
	return activities.WithHooks(activities.Hooks{Inject: func(_ activity.Info, p int64) error {
		if p == point {
			return temporal.NewNonRetryableApplicationError("injected failure", "Injected", nil)
		}
		return nil
	}})
}

// sweepInput is the input the CLI would submit for source, writing into a fresh temp dir.
func sweepInput(t *testing.T, source string, points int64, chunk, concurrency int) SweepInput {
	t.Helper()
	return SweepInput{
		Spec: source, SpecFile: testSpecFile, OutDir: t.TempDir(),
		Points: points, ChunkSize: chunk, Concurrency: concurrency, SweepID: testSweepID,
	}
}

// newEnv makes a test environment with the sweep workflow and the given real activities
// registered (through Register, as workers do), logging warnings to the test's output.
func newEnv(t *testing.T, a *activities.Activities) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	warmBuildID.Do(func() {
		// The SDK names the worker of its first activity by a checksum of the test binary,
		// computed then, inside the workflow's coroutine: reading a -race binary on a loaded
		// machine took over the 1 s of its deadlock detector (TMPRL1101). Computing it here,
		// outside any workflow, once, keeps it out of every workflow test.
		ae := s.NewTestActivityEnvironment()
		ae.RegisterActivityWithOptions(func() error { return nil }, activity.RegisterOptions{Name: "warm"})
		if _, err := ae.ExecuteActivity("warm"); err != nil {
			t.Fatal(err)
		}
	})
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := s.NewTestWorkflowEnvironment()
	env.SetTestTimeout(testTimeout)
	// The SDK's deadlock detector fails a workflow task that runs over 1 s without yielding.
	// Beside the build id computed above (CI's TestCacheSharedPoints failure), a task's plain
	// CPU time under -race on a loaded 2-core machine can exceed that, which is no deadlock.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 20 * time.Second})
	Register(env, a)
	return env
}

// warmBuildID computes the SDK's worker build id once (newEnv).
var warmBuildID sync.Once

// runSweep runs the sweep to completion and returns its output; any workflow error fails t.
func runSweep(t *testing.T, env *testsuite.TestWorkflowEnvironment, in SweepInput) SweepOutput {
	t.Helper()
	env.ExecuteWorkflow(SweepWorkflow, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var out SweepOutput
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	return out
}

// queryProgress asks the workflow for its progress.
// checkRate checks the rate and ETA of a progress answer against its own counts (the rate
// is points per second of workflow time, so its value depends on the test clock: only its
// consistency is checked), then zeroes them for exact comparisons of the counts.
func checkRate(t *testing.T, p *Progress) {
	t.Helper()
	switch {
	case p.Done == 0 && (p.Rate != 0 || p.ETA != 0):
		t.Errorf("rate %v, ETA %v before any point is done", p.Rate, p.ETA)
	case p.Done > 0 && !(p.Rate > 0):
		t.Errorf("rate %v with %d points done", p.Rate, p.Done)
	case p.Done > 0 && math.Abs(p.ETA-float64(p.Total-p.Done)/p.Rate) > 1e-9*(1+p.ETA):
		t.Errorf("ETA %v, want (total - done)/rate = %v", p.ETA, float64(p.Total-p.Done)/p.Rate)
	}
	p.Rate, p.ETA = 0, 0
}

func queryProgress(t *testing.T, env *testsuite.TestWorkflowEnvironment) Progress {
	t.Helper()
	v, err := env.QueryWorkflow(ProgressQuery)
	if err != nil {
		t.Fatalf("query %s: %v", ProgressQuery, err)
	}
	var p Progress
	if err := v.Get(&p); err != nil {
		t.Fatalf("decode progress: %v", err)
	}
	return p
}

// directTable computes the results table of g without Temporal: each point simulated on its
// own by pkg/dynamics, in point order. It is the reference every sweep must reproduce.
func directTable(t *testing.T, g *grid.Grid) *results.Table {
	t.Helper()
	tab := &results.Table{Fields: results.SweepFields(g.Columns())}
	for i := int64(0); i < g.Count(); i++ {
		p := g.Point(i)
		data, err := dynamics.GenerateData(p.Config)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		_, res, err := dynamics.SimulateData(context.Background(), p.Config, data)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		tab.Rows = append(tab.Rows, results.SweepRow(i, p.Values, res))
	}
	return tab
}

// column returns the index of the named field of tab.
func column(t *testing.T, tab *results.Table, name string) int {
	t.Helper()
	for j, f := range tab.Fields {
		if f.Name == name {
			return j
		}
	}
	t.Fatalf("no column %q in %v", name, tab.Fields)
	return -1
}

// TestSweepCompletes runs a whole sweep and checks the files it leaves: results.parquet with
// one row per point sorted by point, equal bit for bit to simulating each point directly, the
// spec, its hash and the version in the metadata, and no shards left behind.
func TestSweepCompletes(t *testing.T) {
	g := testGrid(t, testSpec)
	const wantPoints = 16
	if g.Count() != wantPoints {
		t.Fatalf("test spec has %d points, want %d", g.Count(), wantPoints)
	}
	in := sweepInput(t, testSpec, g.Count(), 3, 4)
	env := newEnv(t, &activities.Activities{})
	out := runSweep(t, env, in)

	if out.Rows != wantPoints {
		t.Errorf("Rows = %d, want %d", out.Rows, wantPoints)
	}
	if want := layoutOf(in).Results(); out.Results != want {
		t.Errorf("Results = %q, want %q", out.Results, want)
	}
	tab, err := results.ReadFile(layoutOf(in).Results())
	if err != nil {
		t.Fatalf("read results: %v", err)
	}
	if len(tab.Rows) != wantPoints {
		t.Fatalf("results.parquet has %d rows, want %d", len(tab.Rows), wantPoints)
	}
	pc := column(t, tab, results.PointColumn)
	if pc != 0 {
		t.Errorf("point is column %d, want 0", pc)
	}
	for k, row := range tab.Rows {
		if row[pc].I != int64(k) {
			t.Errorf("row %d has point %d, want %d (one row per point, sorted)", k, row[pc].I, k)
		}
	}
	if ok, diff := results.Equal(tab, directTable(t, g)); !ok {
		t.Errorf("results differ from simulating each point directly: %s", diff)
	}

	// Diverged counts the rows whose status says so; the spec is chosen to have some.
	sc := column(t, tab, "status")
	var diverged int64
	for _, row := range tab.Rows {
		if row[sc].S == dynamics.StatusDiverged {
			diverged++
		}
	}
	if diverged == 0 || diverged == wantPoints {
		t.Errorf("%d of %d points diverged; the test spec should have some but not all", diverged, wantPoints)
	}
	if out.Diverged != diverged {
		t.Errorf("Diverged = %d, want %d (rows with status %q)", out.Diverged, diverged, dynamics.StatusDiverged)
	}

	meta := map[string]string{
		results.MetaSpec:     testSpec,
		results.MetaSpecHash: g.Spec().Hash(),
		results.MetaVersion:  version.String(),
		results.MetaFile:     testSpecFile,
	}
	for k, want := range meta {
		if got := tab.Meta[k]; got != want {
			t.Errorf("metadata %s = %q, want %q", k, got, want)
		}
	}

	if _, err := os.Stat(layoutOf(in).ShardDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("shard directory still there after the merge (stat: %v)", err)
	}
	names := dirNames(t, in.OutDir)
	if len(names) != 1 || names[0] != filepath.Base(layoutOf(in).Results()) {
		t.Errorf("output directory holds %q, want only results.parquet", names)
	}
}

// TestSweepResultsIndependentOfChunking checks docs/design.md's contract that a point gives
// bit-identical results whatever the chunking, concurrency and retries: every run's
// results.parquet must equal (results.Equal, floats bit for bit) the first one's.
func TestSweepResultsIndependentOfChunking(t *testing.T) {
	g := testGrid(t, testSpec)
	type run struct {
		name               string
		chunk, concurrency int
		retry              bool // fail the first attempt of every chunk at its second point
	}
	runs := []run{
		{"chunk3-conc1", 3, 1, false},
		{"chunk1-conc1", 1, 1, false},
		{"chunk1-conc8", 1, 8, false},
		{"chunk3-conc8", 3, 8, false},
		{"chunk100-conc1", 100, 1, false},
		{"chunk100-conc8", 100, 8, false},
		{"chunk3-conc8-retry", 3, 8, true},
		{"chunk5-conc0-retry", 5, 0, true}, // 0: DefaultConcurrency
	}
	var ref *results.Table
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			var h activities.Hooks
			var failed, retried atomic.Int64
			if r.retry {
				h.Inject = func(info activity.Info, point int64) error {
					if point%int64(r.chunk) != 1 { // not the chunk's second point
						return nil
					}
					if info.Attempt == 1 {
						failed.Add(1)
						return temporal.NewApplicationError(fmt.Sprintf("injected crash at point %d", point), "Injected")
					}
					retried.Add(1)
					return nil
				}
			}
			in := sweepInput(t, testSpec, g.Count(), r.chunk, r.concurrency)
			out := runSweep(t, newEnv(t, activities.WithHooks(h)), in)
			if int64(out.Rows) != g.Count() {
				t.Errorf("Rows = %d, want %d", out.Rows, g.Count())
			}
			if r.retry {
				// Every chunk of two points or more fails once and succeeds on its second attempt.
				var want int64
				for _, c := range grid.Chunks(g.Count(), r.chunk) {
					if c.Len() >= 2 {
						want++
					}
				}
				if failed.Load() != want || retried.Load() != want {
					t.Errorf("%d first attempts failed and %d retries passed the second point, want %d each", failed.Load(), retried.Load(), want)
				}
			}
			tab, err := results.ReadFile(layoutOf(in).Results())
			if err != nil {
				t.Fatalf("read results: %v", err)
			}
			if got, want := tab.Meta[results.MetaSpecHash], g.Spec().Hash(); got != want {
				t.Errorf("spec hash in metadata = %q, want %q", got, want)
			}
			if ref == nil {
				ref = tab
				return
			}
			if ok, diff := results.Equal(ref, tab); !ok {
				t.Errorf("results differ from %s: %s", runs[0].name, diff)
			}
		})
	}
}

// TestSweepRerunReusesShards runs a sweep that fails midway, leaving the shards of the chunks
// it finished, then runs it again into the same directory (what "run the same command again"
// does after a failure). A shard is reused only if it holds exactly its chunk's points,
// computed by this program version: a rerun with another chunk size, or after an upgrade,
// must recompute, and every rerun must give the results of simulating each point directly.
func TestSweepRerunReusesShards(t *testing.T) {
	g := testGrid(t, testSpec)
	ref := directTable(t, g)
	const firstChunk, failAt = 2, 9 // chunks 0-3 (points 0-7) finish, chunk 4 fails
	cases := []struct {
		name       string
		chunk      int
		stale      bool  // replace shard 0 by one from another program version, with wrong rows
		wantReused int64 // points not simulated again
	}{
		{"same chunk size", firstChunk, false, failAt - 1},
		{"larger chunk size", 3, false, 0},
		{"smaller chunk size", 1, false, 0},
		{"shard of another version", firstChunk, true, failAt - 1 - firstChunk},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fail := failingAt(failAt)
			in := sweepInput(t, testSpec, g.Count(), firstChunk, 1)
			env := newEnv(t, fail)
			env.ExecuteWorkflow(SweepWorkflow, in)
			if err := env.GetWorkflowError(); err == nil {
				t.Fatal("first run succeeded, want the injected failure")
			}
			shards, _ := filepath.Glob(filepath.Join(layoutOf(in).ShardDir(), "*.parquet"))
			if len(shards) != failAt/firstChunk {
				t.Fatalf("first run left %d shards, want %d", len(shards), failAt/firstChunk)
			}
			if c.stale {
				tab := &results.Table{Fields: ref.Fields, Meta: map[string]string{
					results.MetaSpecHash: g.Spec().Hash(),
					results.MetaVersion:  "phasesweep 0.0.1 (dynamics/0)",
				}}
				for _, row := range ref.Rows[:firstChunk] {
					row = append([]results.Value(nil), row...)
					row[column(t, ref, "train_loss")].F += 1
					tab.Rows = append(tab.Rows, row)
				}
				if err := results.WriteFile(layoutOf(in).Shard(0), tab); err != nil {
					t.Fatal(err)
				}
			}

			var simulated atomic.Int64
			count := activities.WithHooks(activities.Hooks{Inject: func(activity.Info, int64) error { simulated.Add(1); return nil }})
			in.ChunkSize = c.chunk
			out := runSweep(t, newEnv(t, count), in)
			if int64(out.Rows) != g.Count() {
				t.Errorf("Rows = %d, want %d", out.Rows, g.Count())
			}
			if got, want := simulated.Load(), g.Count()-c.wantReused; got != want {
				t.Errorf("rerun simulated %d points, want %d (%d reused)", got, want, c.wantReused)
			}
			tab, err := results.ReadFile(layoutOf(in).Results())
			if err != nil {
				t.Fatal(err)
			}
			if ok, diff := results.Equal(ref, tab); !ok {
				t.Errorf("results after the rerun differ from simulating each point directly: %s", diff)
			}
		})
	}
}

// TestProgressQuery queries the sweep while it runs and after it finishes. The sweep runs one
// chunk at a time and its last chunk is held at its first point until a query has seen it
// held, so that query sees an exact state: every chunk but the last done. A delayed callback
// polls the query (mock time advances whenever no activity runs, so it may fire earlier).
func TestProgressQuery(t *testing.T) {
	g := testGrid(t, testSpec)
	const chunk = 4
	nChunks := len(grid.Chunks(g.Count(), chunk))
	last := int64(nChunks-1) * chunk // first point of the last chunk

	held, release := make(chan struct{}), make(chan struct{})
	var holdOnce sync.Once
	a := activities.WithHooks(activities.Hooks{Inject: func(_ activity.Info, point int64) error {
		if point != last {
			return nil
		}
		holdOnce.Do(func() { close(held) })
		select {
		case <-release:
			return nil
		case <-time.After(testTimeout):
			return temporal.NewNonRetryableApplicationError("the mid-sweep query never came", "Test", nil)
		}
	}})
	env := newEnv(t, a)
	var seen []Progress // every mid-sweep answer, in order
	var queryErr error
	var poll func()
	poll = func() {
		v, err := env.QueryWorkflow(ProgressQuery)
		var p Progress
		if err == nil {
			err = v.Get(&p)
		}
		if err != nil {
			queryErr = err
			close(release)
			return
		}
		checkRate(t, &p)
		seen = append(seen, p)
		select {
		case <-held:
			if p.ChunksDone == nChunks-1 { // the activity's hold is visible: the state is exact
				close(release)
				return
			}
		default:
		}
		env.RegisterDelayedCallback(poll, 5*time.Millisecond)
	}
	env.RegisterDelayedCallback(poll, 5*time.Millisecond)
	in := sweepInput(t, testSpec, g.Count(), chunk, 1)
	out := runSweep(t, env, in)
	if queryErr != nil {
		t.Fatalf("mid-sweep query: %v", queryErr)
	}
	if len(seen) == 0 {
		t.Fatal("no mid-sweep query ran")
	}

	tab, err := results.ReadFile(layoutOf(in).Results())
	if err != nil {
		t.Fatal(err)
	}
	sc := column(t, tab, "status")
	divergedBefore := func(point int64) (n int64) { // diverged points among 0..point-1
		for _, row := range tab.Rows[:point] {
			if row[sc].S == dynamics.StatusDiverged {
				n++
			}
		}
		return n
	}
	for k, p := range seen {
		// One chunk in flight at a time: Done counts the points of the chunks done.
		done := min(int64(p.ChunksDone)*chunk, g.Count())
		want := Progress{Total: g.Count(), Done: done, Diverged: divergedBefore(done), Chunks: nChunks, ChunksDone: p.ChunksDone, Concurrency: 1}
		if p != want || p.ChunksDone >= nChunks || (k > 0 && p.Done < seen[k-1].Done) {
			t.Errorf("mid-sweep query %d = %+v, want %+v with ChunksDone < %d and Done not decreasing", k, p, want, nChunks)
		}
	}
	mid := seen[len(seen)-1]
	t.Logf("%d mid-sweep queries, the last: %+v", len(seen), mid)
	if mid.ChunksDone != nChunks-1 || mid.Done != last {
		t.Errorf("held mid-sweep progress = %+v, want %d of %d chunks and %d points done", mid, nChunks-1, nChunks, last)
	}

	end := queryProgress(t, env)
	checkRate(t, &end)
	want := Progress{Total: g.Count(), Done: g.Count(), Diverged: out.Diverged, Chunks: nChunks, ChunksDone: nChunks, Finished: true, Concurrency: 1}
	if end != want {
		t.Errorf("final progress = %+v, want %+v", end, want)
	}
}

// TestSweepBadInput checks that a spec or input that cannot run fails the workflow with a
// non-retryable application error of type activities.ErrSpec after a single attempt of each
// chunk started, instead of retrying forever. The run timeout (mock time) bounds a sweep that
// would retry forever, and the test timeout one that would hang.
func TestSweepBadInput(t *testing.T) {
	g := testGrid(t, testSpec)
	cases := []struct {
		name   string
		source string
		points int64
		chunk  int
	}{
		{"unknown key", strings.Replace(testSpec, "steps:", "stepz:", 1), 16, 4},
		{"invalid yaml", "name: [wftest\n", 16, 4},
		{"missing stepsize", strings.Replace(testSpec, "  stepsize: [0.01, 0.05, 0.2, 3.0]\n", "", 1), 4, 4},
		{"batch larger than n", strings.Replace(testSpec, "batch: 2", "batch: 11", 1), 16, 4},
		{"sparsity larger than d", strings.Replace(testSpec, "sparsity: 3", "sparsity: 16", 1), 16, 4},
		{"negative stepsize", strings.Replace(testSpec, "3.0]", "-3.0]", 1), 16, 4},
		{"more points than the grid", testSpec, g.Count() + 4, 4},
		{"zero chunk size", testSpec, g.Count(), 0},
		{"zero points", testSpec, 0, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var attempts sync.Map // activity id -> *atomic.Int32
			env := newEnv(t, &activities.Activities{})
			env.SetStartWorkflowOptions(client.StartWorkflowOptions{WorkflowRunTimeout: 24 * time.Hour})
			env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				n, _ := attempts.LoadOrStore(info.ActivityID, new(atomic.Int32))
				n.(*atomic.Int32).Add(1)
			})
			in := sweepInput(t, c.source, c.points, c.chunk, 2)
			env.ExecuteWorkflow(SweepWorkflow, in)
			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			err := env.GetWorkflowError()
			if err == nil {
				t.Fatal("workflow succeeded, want a spec error")
			}
			var timeout *temporal.TimeoutError
			if errors.As(err, &timeout) {
				t.Fatalf("workflow timed out (retrying forever?): %v", err)
			}
			appErr := findApplicationError(err, activities.ErrSpec)
			if appErr == nil {
				t.Fatalf("no application error of type %q in %v", activities.ErrSpec, err)
			}
			if !appErr.NonRetryable() {
				t.Errorf("spec error is retryable: %v", appErr)
			}
			t.Logf("error: %v", err)
			attempts.Range(func(id, n any) bool {
				if got := n.(*atomic.Int32).Load(); got != 1 {
					t.Errorf("activity %v ran %d attempts, want 1", id, got)
				}
				return true
			})
			if _, err := os.Stat(layoutOf(in).Results()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("results.parquet written for a failed sweep (stat: %v)", err)
			}
		})
	}
}

// findApplicationError walks err's chain of causes for an application error of type typ.
// (The workflow wraps activity errors, so the outermost application error is not the one.)
func findApplicationError(err error, typ string) *temporal.ApplicationError {
	for ; err != nil; err = errors.Unwrap(err) {
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == typ {
			return appErr
		}
		if appErr != nil {
			err = appErr // continue below the application error found
		}
	}
	return nil
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
