package phase

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// The saddle-to-saddle fixture of docs/science.md section 5: X = [[1, .5, .7, 0], [.5, 1, .1, .7]],
// y = (1, 0) jumps at t = 2, 8 and 8 + 160/49. Its plateau losses, by hand with
// L = ||y - X beta||^2 / (2n), n = 2: L(0) = 1/4; at (0.8, 0, 0, 0) the residual is
// (0.2, -0.4), L = 0.2/4 = 0.05; at (0, 0, 1.4, 0) it is (0.02, -0.14), L = 0.02/4 = 0.005;
// the last saddle interpolates, L = 0.
var (
	fixtureJumps    = []float64{2, 8, 8 + 160.0/49}
	fixturePlateaus = []float64{0.25, 0.05, 0.005, 0}
)

// trajPoint is one point of a trajectory fixture.
type trajPoint struct {
	opt  string
	init float64
	seed int64
}

// trajFixture writes results.parquet and trajectories.parquet for the points into dir: saddle
// rows carry the fixture's jump times and plateaus; every point has 41 trajectory rows (step
// 0, 100, ..., 4000 at stepsize 0.05) with train_loss 0.25 exp(-time/50) + 1e-12 and beta =
// (0.8 (1 - exp(-time/10)), 0, 1.4 (1 - exp(-time/60)), 1e-9). It returns the trajectory path.
func trajFixture(t *testing.T, dir string, pts []trajPoint) string {
	t.Helper()
	res := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "optimizer", Kind: results.String},
		{Name: "init", Kind: results.Float}, {Name: "stepsize", Kind: results.Float}, {Name: "seed", Kind: results.Int},
		{Name: "train_loss", Kind: results.Float}, {Name: "jump_times", Kind: results.String}, {Name: "plateau_losses", Kind: results.String},
		{Name: "status", Kind: results.String}, {Name: "error", Kind: results.String}}}
	traj := &results.Table{Fields: results.TrajectoryFields(true)}
	for i, p := range pts {
		jt, pl := "[]", "[]"
		if p.opt == "saddle" {
			jt, pl = results.JSONFloats(fixtureJumps), results.JSONFloats(fixturePlateaus)
		}
		res.Rows = append(res.Rows, []results.Value{{I: int64(i)}, {S: p.opt}, {F: p.init}, {F: 0.05}, {I: p.seed},
			{F: 1e-12}, {S: jt}, {S: pl}, {S: "converged"}, {S: ""}})
		for step := 0; step <= 4000; step += 100 {
			tm := float64(step) * 0.05
			beta := []float64{0.8 * (1 - math.Exp(-tm/10)), 0, 1.4 * (1 - math.Exp(-tm/60)), 1e-9}
			loss := 0.25*math.Exp(-tm/50) + 1e-12
			traj.Rows = append(traj.Rows, results.TrajectoryRow(int64(i), step, tm, loss, loss, beta[0]+beta[2], beta))
		}
	}
	writeTable(t, dir, "results.parquet", res)
	return writeTable(t, dir, "trajectories.parquet", traj)
}

// TestTrajectoryJumps: gd points get the jump times of the saddle run on the same data (same
// seed) scaled by ln(1/init), drawn as dashed vertical lines in their curve's colour; a flow
// point on other data gets none, with a note; the saddle run itself is not drawn.
func TestTrajectoryJumps(t *testing.T) {
	dir := t.TempDir()
	path := trajFixture(t, dir, []trajPoint{{"gd", 1e-3, 0}, {"gd", 1e-6, 0}, {"saddle", 1e-3, 0}, {"flow", 1e-3, 1}})
	var notes bytes.Buffer
	out := filepath.Join(dir, "loss.png")
	fig, err := Plot(path, Options{Where: where(t, "optimizer=gd,optimizer=flow"), Out: out}, &notes)
	if err != nil {
		t.Fatal(err)
	}
	if len(fig.Traj) != 1 {
		t.Fatalf("%d panels", len(fig.Traj))
	}
	p := fig.Traj[0]
	var labels []string
	for _, c := range p.Curves {
		labels = append(labels, c.Label)
	}
	// Labelled by what differs (optimizer, init, seed), not by stepsize (0.05 everywhere).
	want := "optimizer=gd init=0.001 seed=0|optimizer=gd init=1e-06 seed=0|optimizer=flow init=0.001 seed=1"
	if strings.Join(labels, "|") != want || p.YName != "train_loss" || p.XName != "time" || !p.LogY || p.LogX {
		t.Errorf("panel: labels %q, y %s x %s logy %v logx %v", labels, p.YName, p.XName, p.LogY, p.LogX)
	}
	if len(p.Jumps) != 2 || p.Jumps[0].Point != 0 || p.Jumps[1].Point != 1 || p.Jumps[0].Saddle != 2 {
		t.Fatalf("jumps %+v", p.Jumps)
	}
	for i, alpha := range []float64{1e-3, 1e-6} {
		j := p.Jumps[i]
		for k, tk := range fixtureJumps {
			if w := math.Log(1/alpha) * tk; !near(j.Times[k], w) {
				t.Errorf("point %d jump %d at %g, want ln(1/%g) %g = %g", j.Point, k, j.Times[k], alpha, tk, w)
			}
		}
		if fmt.Sprint(j.Plateaus) != fmt.Sprint(fixturePlateaus) {
			t.Errorf("plateaus %v", j.Plateaus)
		}
	}
	if !strings.Contains(notes.String(), "no predicted jumps for point 3: no saddle run on the same data") {
		t.Errorf("notes %q", notes.String())
	}
	// On the PNG: a dashed line in point 0's colour at each of its jumps, over most of the
	// panel's height; none between the first two.
	img := readPNG(t, out)
	nl, err := trajPanel(p, Style{})
	if err != nil {
		t.Fatal(err)
	}
	m := newPixelMap(nl.p, 0)
	h := m.bot - m.top
	col := SeriesStyle(0).Color
	for _, x := range p.Jumps[0].Times {
		if n := columnHits(img, m.col(x), m.top, m.bot, col); n < h/3 {
			t.Errorf("jump at %g: %d of %d rows in point 0's colour", x, n, h)
		}
	}
	if n := columnHits(img, m.col(35), m.top, m.bot, col); n > h/10 {
		t.Errorf("%d rows of point 0's colour at time 35, between its jumps", n)
	}

	// On a step axis the jumps are at ln(1/alpha) t_k / stepsize.
	fig, err = Plot(path, Options{X: "step", Where: where(t, "optimizer=gd,init=1e-3"), Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if j := fig.Traj[0].Jumps; len(j) != 1 || !near(j[0].Times[2], math.Log(1e3)*(8+160.0/49)/0.05) {
		t.Errorf("step axis jumps %+v", j)
	}
}

// TestTrajectoryDefaultPoints: without --where at most 8 points are drawn, evenly spaced, the
// first seed only, saddle runs left out, and a note says which.
func TestTrajectoryDefaultPoints(t *testing.T) {
	dir := t.TempDir()
	var pts []trajPoint
	for i := range 12 {
		pts = append(pts, trajPoint{"gd", math.Pow(10, -float64(i)/2), 0}, trajPoint{"gd", math.Pow(10, -float64(i)/2), 1})
	}
	pts = append(pts, trajPoint{"saddle", 0.1, 0})
	path := trajFixture(t, dir, pts)
	var notes bytes.Buffer
	fig, err := Plot(path, Options{Out: filepath.Join(dir, "x.svg")}, &notes)
	if err != nil {
		t.Fatal(err)
	}
	cs := fig.Traj[0].Curves
	// Seed 0 points are 0, 2, ..., 22; 8 of 12 evenly spaced: i*(12-1)/7 = 0 1 3 4 6 7 9 11.
	var got []int64
	for _, c := range cs {
		got = append(got, c.Point)
	}
	if fmt.Sprint(got) != "[0 2 6 8 12 14 18 22]" {
		t.Errorf("points %v", got)
	}
	// Point 22's init is 10^-5.5 = 3.16...e-06.
	for _, w := range []string{"saddle runs left out", "seed=0 only", "8 of 12 points", "point 22: init=3.16"} {
		if !strings.Contains(notes.String(), w) {
			t.Errorf("notes lack %q:\n%s", w, notes.String())
		}
	}
}

// TestTrajectoryCoords: --coords draws one panel per point, a curve per coordinate in the
// order they become non-negligible; those that never do (0, and 1e-9 against a largest
// |beta_i| of 1.4) are Minor; the point's predicted jumps are on its panel.
func TestTrajectoryCoords(t *testing.T) {
	dir := t.TempDir()
	path := trajFixture(t, dir, []trajPoint{{"gd", 1e-3, 0}, {"gd", 1e-6, 0}, {"saddle", 1e-3, 0}})
	fig, err := Plot(path, Options{Coords: true, Where: where(t, "optimizer=gd"), Out: filepath.Join(dir, "c.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(fig.Traj) != 2 {
		t.Fatalf("%d panels, want 2", len(fig.Traj))
	}
	for i, p := range fig.Traj {
		var got []string
		for _, c := range p.Curves {
			got = append(got, fmt.Sprintf("%s:%v", c.Label, c.Minor))
		}
		if strings.Join(got, " ") != "beta_1:false beta_3:false beta_2:true beta_4:true" || p.LogY || len(p.Jumps) != 1 || p.Jumps[0].Point != int64(i) {
			t.Errorf("panel %d: %v, logy %v, jumps %+v", i, got, p.LogY, p.Jumps)
		}
		// beta_3 at time 60 (step 1200, row 12) is 1.4 (1 - 1/e).
		if c := p.Curves[1]; c.Xs[12] != 60 || !near(c.Ys[12], 1.4*(1-math.Exp(-1))) {
			t.Errorf("beta_3 at row 12: (%g, %g)", c.Xs[12], c.Ys[12])
		}
	}
	if _, err := Plot(path, Options{Coords: true, LogZ: ptr(true), Out: filepath.Join(dir, "c.png")}, io.Discard); err == nil {
		t.Error("--logz accepted for signed coordinates")
	}
}

// TestTrajectoryFromSpec: without results.parquet, the parameter values come from the spec in
// the table's metadata (grid order: point i is the i-th init).
func TestTrajectoryFromSpec(t *testing.T) {
	dir := t.TempDir()
	traj := &results.Table{Fields: results.TrajectoryFields(false), Meta: map[string]string{
		results.MetaSpec: "name: t\nparams:\n  stepsize: 0.05\ngrid:\n  init: [0.001, 1.0e-6]\n"}}
	for p := range 2 {
		for step := range 3 {
			traj.Rows = append(traj.Rows, results.TrajectoryRow(int64(p), step, 0.05*float64(step), 1/float64(step+1), 1, 0, nil))
		}
	}
	path := writeTable(t, dir, "trajectories.parquet", traj)
	fig, err := Plot(path, Options{Z: "test_loss", LogX: true, Out: filepath.Join(dir, "s.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cs := fig.Traj[0].Curves
	// time 0 is left out of the log x axis: 2 of 3 rows.
	if len(cs) != 2 || cs[0].Label != "init=0.001" || cs[1].Label != "init=1e-06" || len(cs[0].Xs) != 2 || !fig.Traj[0].LogX {
		t.Errorf("curves %+v", cs)
	}
	if _, err := Plot(path, Options{Coords: true}, io.Discard); err == nil || !strings.Contains(err.Error(), "record: {beta: true}") {
		t.Errorf("--coords without beta: %v", err)
	}
}

// TestTrajectoryPointsWithoutRows: points of results.parquet without trajectory rows (as
// multi-task runs) are not drawn.
func TestTrajectoryPointsWithoutRows(t *testing.T) {
	dir := t.TempDir()
	path := trajFixture(t, dir, []trajPoint{{"gd", 1e-3, 0}, {"gd", 1e-6, 0}, {"saddle", 1e-3, 0}})
	traj, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept [][]results.Value
	for _, r := range traj.Rows {
		if r[0].I != 1 {
			kept = append(kept, r)
		}
	}
	traj.Rows = kept
	writeTable(t, dir, "trajectories.parquet", traj)
	fig, err := Plot(path, Options{Out: filepath.Join(dir, "x.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cs := fig.Traj[0].Curves; len(cs) != 1 || cs[0].Point != 0 {
		t.Errorf("curves %+v, want point 0 only", cs)
	}
}
