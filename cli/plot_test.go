package main

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/workflows"
)

// saddleFixtureSpec runs gd from two initialisation scales and the saddle-to-saddle algorithm
// on the fixture of docs/science.md section 5 (the data directory fx holds its X and y), recording
// trajectories with beta.
const saddleFixtureSpec = `name: fx
seed: 1
params:
  data: fx
  model: uv
  stepsize: 0.05
  steps: 6000
  stop_loss: 1.0e-14
record: {every: 10, beta: true}
grid:
  optimizer: [gd, saddle]
  init: [1.0e-3, 1.0e-6]
`

// runFixtureSweep writes the fixture's data and spec into dir and runs the sweep workflow
// with the real activities in the SDK's workflow test environment (two chunks, merged): dir
// gets results.parquet and trajectories.parquet.
func runFixtureSweep(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "fx"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"fx/X.csv": "x0,x1,x2,x3\n1,0.5,0.7,0\n0.5,1,0.1,0.7\n",
		"fx/y.csv": "y\n1\n0\n",
		"fx.yaml":  saddleFixtureSpec,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "fx.yaml")
	s, err := spec.Parse(file, []byte(saddleFixtureSpec))
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	// The machine may be busy: a workflow task that waits a second for the CPU is not a deadlock.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	env.SetTestTimeout(5 * time.Minute)
	workflows.Register(env, &activities.Activities{})
	env.ExecuteWorkflow(workflows.SweepWorkflow, workflows.SweepInput{Spec: saddleFixtureSpec, SpecFile: file, OutDir: dir,
		Points: grid.New(s).Count(), ChunkSize: 2})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("sweep workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
}

// runPlot runs `sweep plot args...` and returns the figure it drew (nil on error), its
// stdout and stderr.
func runPlot(args ...string) (*phase.Figure, string, string, error) {
	var fig *phase.Figure
	var out, errOut bytes.Buffer
	cmd := newPlotCmd(&IOStreams{Out: &out, ErrOut: &errOut}, func(f *phase.Figure) { fig = f })
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return fig, out.String(), errOut.String(), err
}

// TestPlotFixtureSweep plots a real sweep's tables. The gd trajectories carry the predicted
// jumps ln(1/alpha) t_k with t = 2, 8, 8 + 160/49, the hand-computed jump times of the fixture
// (docs/science.md section 5), here found by the saddle run of the same sweep; the saddle run is
// not drawn (a note says so). --coords draws the four coordinates of each gd point.
func TestPlotFixtureSweep(t *testing.T) {
	dir := t.TempDir()
	runFixtureSweep(t, dir)
	traj := filepath.Join(dir, "trajectories.parquet")
	fig, stdout, stderr, err := runPlot(traj)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "train_loss_time.png"); strings.TrimSpace(stdout) != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "saddle runs left out") || !strings.Contains(stderr, "point 1: init=1e-06") {
		t.Errorf("stderr %q", stderr)
	}
	p := fig.Traj[0]
	if len(p.Curves) != 2 || p.Curves[0].Label != "init=0.001" || p.Curves[1].Label != "init=1e-06" || !p.LogY {
		t.Fatalf("curves %+v", p.Curves)
	}
	if len(p.Jumps) != 2 {
		t.Fatalf("%d jump sets, want 2", len(p.Jumps))
	}
	for i, alpha := range []float64{1e-3, 1e-6} {
		j := p.Jumps[i]
		for k, tk := range []float64{2, 8, 8 + 160.0/49} {
			if want := math.Log(1/alpha) * tk; len(j.Times) != 3 || math.Abs(j.Times[k]-want) > 1e-9*want {
				t.Errorf("init %g: jumps %v, want %g at %d", alpha, j.Times, want, k)
			}
		}
		// Plateaus: L(0) = 1/4, then 0.05, 0.005 (hand values, see pkg/phase's fixture).
		if len(j.Plateaus) != 4 || math.Abs(j.Plateaus[1]-0.05) > 1e-12 || math.Abs(j.Plateaus[2]-0.005) > 1e-12 {
			t.Errorf("plateaus %v", j.Plateaus)
		}
	}
	// The gd run from init 1e-6 leaves its first plateau L(0) = 1/4 near T_1 = ln(1e6) 2:
	// at 0.8 T_1 its loss is still within 1% of 1/4, at 1.2 T_1 below the midpoint of the
	// first two plateaus.
	c, t1 := p.Curves[1], p.Jumps[1].Times[0]
	at := func(x float64) float64 {
		for k := range c.Xs {
			if c.Xs[k] >= x {
				return c.Ys[k]
			}
		}
		return math.NaN()
	}
	if l := at(0.8 * t1); math.Abs(l-0.25) > 0.0025 {
		t.Errorf("loss at 0.8 T_1 = %g, want ~0.25", l)
	}
	if l := at(1.2 * t1); !(l < (0.25+0.05)/2) {
		t.Errorf("loss at 1.2 T_1 = %g, want below 0.15", l)
	}
	fig, _, _, err = runPlot(traj, "--coords", "--where", "optimizer=gd", "--out", filepath.Join(dir, "beta.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fig.Traj) != 2 || len(fig.Traj[0].Curves) != 4 || len(fig.Traj[1].Jumps) != 1 {
		t.Errorf("coords: %d panels", len(fig.Traj))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "beta.svg")); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("beta.svg: %v", err)
	}
}

// TestPlotFlags: the flags reach the figure, and bad ones are usage errors (exit status 2)
// that name the flag.
func TestPlotFlags(t *testing.T) {
	dir := t.TempDir()
	runFixtureSweep(t, dir)
	res := filepath.Join(dir, "results.parquet")
	fig, _, _, err := runPlot(res, "--x", "init", "--by", "optimizer", "--z", "train_loss", "--where", "optimizer=gd",
		"--ref", "1e-3", "--logz", "--logx", "--mark", "init", "--out", filepath.Join(dir, "l.png"))
	if err != nil {
		t.Fatal(err)
	}
	set := fig.Lines[0]
	if len(set.Lines) != 1 || set.Lines[0].By != "gd" || len(set.Refs) != 1 || set.Refs[0].A != 1e-3 || !set.LogY || !set.LogX ||
		set.Where != "optimizer=gd" || set.MarkName != "init" {
		t.Errorf("line set %+v", set)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{res, "--where", "optimiser=gd"}, `no column "optimiser" in the table; did you mean "optimizer"?`},
		{[]string{res, "--where", "optimizer"}, "want P=V"},
		{[]string{res, "--ref", "2/y"}, "want A, A*x^p or A/x^p"},
		{[]string{res, "--xscale", "cubic"}, `--xscale: unknown scale "cubic" (want one of [auto linear log])`},
		{[]string{res, "--yscale", "Log"}, `--yscale: unknown scale "Log"`},
		{[]string{res, "--x", "init", "--logx", "--xscale", "linear"}, "--xscale: linear contradicts --logx"},
		{[]string{res, "--xlim", "1"}, "--xlim \"1\": want LO,HI"},
		{[]string{res, "--show-levels"}, "--show-levels: "},
		{[]string{res, "--coords"}, "not a trajectory table"},
		{[]string{filepath.Join(dir, "trajectories.parquet"), "--x", "init"}, "time or step"},
		{[]string{res, "--x", "effective_stepsize"}, "needs numeric columns stepsize and momentum"},
	} {
		_, _, _, err := runPlot(c.args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: error %v (exit %d), want a usage error saying %q", c.args, err, exitCode(err), c.msg)
		}
	}
}

// logspaceTable writes a results table over init = logspace(1e-3, 1e-1, 5) x stepsize {0.05,
// 0.2} x seed {0, 1} into dir; at stepsize 0.2 and init 0.1 seed 1 diverged with a finite,
// huge test loss.
func logspaceTable(t *testing.T, dir string) string {
	t.Helper()
	tb := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "init", Kind: results.Float},
		{Name: "stepsize", Kind: results.Float}, {Name: "seed", Kind: results.Int}, {Name: "test_loss", Kind: results.Float},
		{Name: "recall", Kind: results.Float}, {Name: "status", Kind: results.String}}, Meta: map[string]string{}}
	p := int64(0)
	for i := range 5 {
		init := math.Pow(10, -3+float64(i)/2)
		for _, lr := range []float64{0.05, 0.2} {
			for s := range int64(2) {
				loss, st := init+lr, "converged"
				if lr == 0.2 && i == 4 && s == 1 {
					loss, st = 4.1e27, "diverged"
				}
				tb.Rows = append(tb.Rows, []results.Value{{I: p}, {F: init}, {F: lr}, {I: s}, {F: loss}, {F: 1}, {S: st}})
				p++
			}
		}
	}
	path := filepath.Join(dir, "results.parquet")
	if err := results.WriteFile(path, tb); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPlotLookFlags: --where takes a value at the precision a legend shows it; default names
// carry --by, --where and --agg and never replace a file (a numbered one is written, --force
// replaces); --title, --size and --dpi reach the PNG; --band and --zlim reach the figure; a
// constant recall's colour bar is that value.
func TestPlotLookFlags(t *testing.T) {
	dir := t.TempDir()
	res := logspaceTable(t, dir)
	fig, _, _, err := runPlot(res, "--x", "stepsize", "--by", "seed", "--where", "init=0.03162", "--agg", "median", "--band", "sem")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "test_loss_stepsize_by-seed_where-init=0.03162_median.png"); fig.Path != want {
		t.Errorf("default name %s, want %s", fig.Path, want)
	}
	// init 10^-1.5 at stepsize 0.05: 0.0316227766 + 0.05, both seeds.
	set := fig.Lines[0]
	if set.Band != "sem" || len(set.Lines) != 2 || math.Abs(set.Lines[0].Y[0]-(math.Pow(10, -1.5)+0.05)) > 1e-12 {
		t.Errorf("lines %+v", set)
	}
	fig2, _, stderr, err := runPlot(res, "--x", "stepsize", "--by", "seed", "--where", "init=0.03162", "--agg", "median", "--band", "sem")
	if err != nil || fig2.Path != strings.TrimSuffix(fig.Path, ".png")+"-2.png" || !strings.Contains(stderr, "--force replaces it") {
		t.Errorf("second plot: %v, %s, stderr %q", err, fig2.Path, stderr)
	}
	fig3, _, _, err := runPlot(res, "--x", "stepsize", "--by", "seed", "--where", "init=0.03162", "--agg", "median", "--band", "sem", "--force")
	if err != nil || fig3.Path != fig.Path {
		t.Errorf("--force: %v, %s", err, fig3.Path)
	}
	out := filepath.Join(dir, "h.png")
	fig, _, _, err = runPlot(res, "--x", "init", "--y", "stepsize", "--z", "recall", "--title", "T", "--size", "640x480px", "--dpi", "120",
		"--zlabel", "R", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if st := fig.HeatOptions.Style; st.Title != "T" || st.ZLabel != "R" || st.DPI != 120 {
		t.Errorf("style %+v", st)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 640 || cfg.Height != 480 {
		t.Errorf("PNG %dx%d (%v), want 640x480", cfg.Width, cfg.Height, err)
	}
	fig, _, _, err = runPlot(res, "--x", "init", "--y", "stepsize", "--zlim", "0,2", "--out", out)
	if err != nil || fig.HeatOptions.ZLim == nil || *fig.HeatOptions.ZLim != [2]float64{0, 2} {
		t.Errorf("--zlim: %v %+v", err, fig.HeatOptions)
	}
}

// TestPlotUsageErrors: options that the figure cannot honour are usage errors (exit 2)
// saying why, never silently dropped.
func TestPlotUsageErrors(t *testing.T) {
	dir := t.TempDir()
	res := logspaceTable(t, dir)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{res, "--x", "init", "--by", "seed", "--contour", "1"}, "--contour: --by draws a line plot"},
		{[]string{res, "--x", "init", "--y", "stepsize", "--z", "status", "--contour", "0.5"}, "draws the boundary"},
		{[]string{res, "--x", "init", "--by", "seed", "--z", "status"}, "status is categorical"},
		{[]string{res, "--x", "init", "--z", "test_los"}, `did you mean "test_loss"?`},
		{[]string{res, "--x", "inti"}, `--x: no column "inti" in the table; did you mean "init"?`},
		{[]string{res, "--x", "stepsize", "--by", "seed", "--where", "init=0.0316,init=0.03162"}, ""},
		{[]string{res, "--band", "iqr"}, "unknown band"},
		{[]string{res, "--size", "6by4"}, "want WxH"},
		{[]string{res, "--zlim", "2,1"}, "LO < HI"},
		{[]string{res, "--x", "init", "--y", "stepsize", "--z", "converged", "--logz"}, "not on a log scale"},
	} {
		_, _, _, err := runPlot(c.args...)
		if c.msg == "" { // valid: two spellings of one value
			if err != nil {
				t.Errorf("%v: %v", c.args, err)
			}
			continue
		}
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: error %v (exit %d), want a usage error saying %q", c.args, err, exitCode(err), c.msg)
		}
	}
}

// TestPlotStatusFixtureSweep draws the outcome map of the real fixture sweep over optimizer
// (a categorical axis) and init: every gd and saddle run converges, so every cell is
// converged and there is no boundary.
func TestPlotStatusFixtureSweep(t *testing.T) {
	dir := t.TempDir()
	runFixtureSweep(t, dir)
	fig, _, _, err := runPlot(filepath.Join(dir, "results.parquet"), "--x", "optimizer", "--y", "init", "--z", "status")
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	if !g.XCat || strings.Join(g.XLabels, ",") != "gd,saddle" || fig.Path != filepath.Join(dir, "status_optimizer_init.png") {
		t.Fatalf("grid %+v, path %s", g, fig.Path)
	}
	for iy := range g.Ys {
		for ix := range g.Xs {
			if g.Z[iy][ix] != 0 || g.Stats[iy][ix].Converged != 1 {
				t.Errorf("cell (%s, %g): code %g, %+v", g.XLabels[ix], g.Ys[iy], g.Z[iy][ix], g.Stats[iy][ix].Counts)
			}
		}
	}
	if v, h := phase.Boundary(g); len(v)+len(h) != 0 {
		t.Errorf("boundary %v %v in a uniform map", v, h)
	}
}
