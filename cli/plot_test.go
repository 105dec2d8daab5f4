package main

import (
	"bytes"
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
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/workflows"
)

// saddleFixtureSpec runs gd from two initialisation scales and the saddle-to-saddle algorithm
// on the fixture of REFERENCE.md section 5 (the data directory fx holds its X and y), recording
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
	cmd := newPlotCmd(func(f *phase.Figure) { fig = f })
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return fig, out.String(), errOut.String(), err
}

// TestPlotFixtureSweep plots a real sweep's tables. The gd trajectories carry the predicted
// jumps ln(1/alpha) t_k with t = 2, 8, 8 + 160/49, the hand-computed jump times of the fixture
// (REFERENCE.md section 5), here found by the saddle run of the same sweep; the saddle run is
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
	if len(set.Lines) != 1 || set.Lines[0].By != "gd" || set.Ref == nil || set.Ref.A != 1e-3 || !set.LogY || !set.LogX ||
		set.Where != "optimizer=gd" || set.MarkName != "init" {
		t.Errorf("line set %+v", set)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{res, "--where", "optimiser=gd"}, `no column "optimiser"`},
		{[]string{res, "--where", "optimizer"}, "want P=V"},
		{[]string{res, "--ref", "2/y"}, "want A/x, A*x or A"},
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
