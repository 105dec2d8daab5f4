package phase

import (
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// stepTable is a sweep over stepsize {0.01, 0.1, 1} x init {0.001, 0.01, 0.1} x seed {0, 1, 2}
// with test_loss = stepsize + init + seed/10 and status from rule(stepsize, init, seed); a
// diverged run keeps a finite, huge test loss (4.1e27), as the dynamics leave it.
func stepTable(rule func(lr, init float64, seed int64) string) *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "stepsize", Kind: results.Float},
		{Name: "init", Kind: results.Float}, {Name: "seed", Kind: results.Int}, {Name: "test_loss", Kind: results.Float},
		{Name: "status", Kind: results.String}}}
	p := int64(0)
	for _, lr := range []float64{0.01, 0.1, 1} {
		for _, init := range []float64{0.001, 0.01, 0.1} {
			for s := range int64(3) {
				st := rule(lr, init, s)
				v := lr + init + float64(s)/10
				if st == "diverged" {
					v = 4.1e27
				}
				t.Rows = append(t.Rows, []results.Value{{I: p}, {F: lr}, {F: init}, {I: s}, {F: v}, {S: st}})
				p++
			}
		}
	}
	return t
}

// TestHeatPartlyDiverged: at (stepsize 1, init 0.1) seed 2 diverged. The cell is the mean of
// the two converged seeds, 1 + 0.1 + {0, 0.1} -> 1.15, drawn in its colour on the scale with
// a MarkColor triangle in its top right corner; the diverged run is counted, not averaged.
// (On main the whole cell was grey and hatched.)
func TestHeatPartlyDiverged(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", stepTable(func(lr, init float64, s int64) string {
		if lr == 1 && init == 0.1 && s == 2 {
			return "diverged"
		}
		return "converged"
	}))
	out := filepath.Join(dir, "heat.png")
	fig, err := Plot(path, Options{X: "stepsize", Y: "init", Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	if g.Bad[2][2] || !near(g.Z[2][2], 1.15) || g.Stats[2][2].Diverged != 1 || g.Stats[2][2].N != 2 {
		t.Fatalf("cell (1, 0.1): bad %v z %g stats %+v; want 1.15 over 2 runs, 1 diverged", g.Bad[2][2], g.Z[2][2], g.Stats[2][2])
	}
	img := readPNG(t, out)
	s := NewScale(fig.Heat, fig.HeatOptions.LogZ)
	m := newPixelMap(heatPanel(g, s, fig.HeatOptions), 0)
	px, py := m.at(1, 0.1)
	if c := img.At(px, py); !closeColor(c, s.Color(1.15)) {
		t.Errorf("cell centre drawn %v, want %v (the mean of the converged seeds)", c, s.Color(1.15))
	}
	// The corner: the cell's top right edge is at the end of the axes (stepsize 1, init 0.1
	// are the last values): 3 points in from it, inside the 9-point triangle.
	ex, ey := g.xAxis().Edges(), g.yAxis().Edges()
	cx, cy := m.at(ex[3], ey[3])
	in := int(vg.Points(3).Dots(dpi))
	if c := img.At(cx-in, cy+in); !closeColor(c, MarkColor) {
		t.Errorf("corner pixel (%d, %d) is %v, want the mark %v", cx-in, cy+in, c, MarkColor)
	}
	// A cell without diverged runs, (1, 0.01) below it, has no mark.
	cx, cy = m.at(ex[3], ey[2])
	if c := img.At(cx-in, cy+in); closeColor(c, MarkColor) {
		t.Errorf("unmarked cell (1, 0.01) has the mark at its corner (%d, %d)", cx-in, cy+in)
	}
}

// TestStatusMapBoundary: runs with stepsize 1 diverge, the others converge, except at init
// 0.001 where stepsize 0.01 stops at max_steps. --z status colours each region by its status
// and draws the boundary between stepsize 0.1 and 1 (the edge at sqrt(0.1), the axis being
// log) and between max_steps and converged.
func TestStatusMapBoundary(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", stepTable(func(lr, init float64, s int64) string {
		switch {
		case lr == 1:
			return "diverged"
		case lr == 0.01 && init == 0.001:
			return "max_steps"
		}
		return "converged"
	}))
	out := filepath.Join(dir, "status.png")
	fig, err := Plot(path, Options{X: "stepsize", Y: "init", Z: ZStatus, Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	want := [][]float64{{1, 0, 2}, {0, 0, 2}, {0, 0, 2}} // [init][stepsize]: codes of StatusCodes
	for iy := range want {
		for ix := range want[iy] {
			if g.Z[iy][ix] != want[iy][ix] {
				t.Errorf("cell (%g, %g) = %g, want %g", g.Xs[ix], g.Ys[iy], g.Z[iy][ix], want[iy][ix])
			}
		}
	}
	v, h := Boundary(g)
	if !slices.Equal(v, [][2]int{{1, 0}, {2, 0}, {2, 1}, {2, 2}}) || !slices.Equal(h, [][2]int{{0, 1}}) {
		t.Errorf("boundary: vertical %v horizontal %v", v, h)
	}
	img := readPNG(t, out)
	m := newPixelMap(heatPanel(g, NewScale(fig.Heat, false), fig.HeatOptions), 0)
	for _, c := range []struct {
		x, y float64
		code int
	}{{0.1, 0.01, 0}, {1, 0.01, 2}, {0.01, 0.001, 1}, {0.01, 0.1, 0}} {
		px, py := m.at(c.x, c.y)
		if got := img.At(px, py); !closeColor(got, StatusColors[c.code]) {
			t.Errorf("cell (%g, %g) drawn %v, want %s %v", c.x, c.y, got, StatusCodes[c.code], StatusColors[c.code])
		}
	}
	// The boundary: black on the edge between stepsize 0.1 and 1, in the middle row.
	bx, by := m.at(math.Sqrt(0.1), 0.01)
	if !hasColorNear(img, bx, by, 1, BoundaryStyle.Color) {
		t.Errorf("no boundary at stepsize sqrt(0.1) (pixel %d, %d): %v", bx, by, img.At(bx, by))
	}
	// No boundary inside the converged region (between stepsize 0.01 and 0.1 at init 0.1).
	if bx, by := m.at(math.Sqrt(0.001), 0.1); hasColorNear(img, bx, by, 1, BoundaryStyle.Color) {
		t.Errorf("a boundary inside the converged region at (%d, %d)", bx, by)
	}
	// The fractions: diverged is 1 in the last column, 0 elsewhere; the scale 0..1.
	fig, err = Plot(path, Options{X: "stepsize", Y: "init", Z: ZDiverged, Out: filepath.Join(dir, "div.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if g := fig.Heat[0]; g.Z[1][2] != 1 || g.Z[1][1] != 0 || HeatScale(fig.Heat, fig.HeatOptions).Max != 1 {
		t.Errorf("diverged fractions %v", g.Z)
	}
}

// momentumAxisTable is a heat map's table over stepsize (log-spaced) x momentum {0, 0.5,
// 0.8, 0.9, 0.95} (the momentum recipe's values).
func momentumAxisTable() *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "stepsize", Kind: results.Float},
		{Name: "momentum", Kind: results.Float}, {Name: "test_loss", Kind: results.Float}, {Name: "status", Kind: results.String}}}
	p := int64(0)
	for _, lr := range []float64{0.01, 0.1, 1} {
		for _, mu := range []float64{0, 0.5, 0.8, 0.9, 0.95} {
			t.Rows = append(t.Rows, []results.Value{{I: p}, {F: lr}, {F: mu}, {F: lr / (1 - mu)}, {S: "converged"}})
			p++
		}
	}
	return t
}

// TestMomentumAxisAtValues: the unevenly spaced momentum values are a categorical axis with a
// tick at each value and no other, labelled 0, 0.5, 0.8, 0.9, 0.95; each cell is as tall as
// the others, its centre at the tick. (On main: a linear axis from -0.25, ticks -0.25, 0.25,
// 0.75.)
func TestMomentumAxisAtValues(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", momentumAxisTable())
	out := filepath.Join(dir, "m.png")
	fig, err := Plot(path, Options{X: "stepsize", Y: "momentum", Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	p := heatPanel(g, NewScale(fig.Heat, false), fig.HeatOptions)
	p.Y.Min, p.Y.Max = -0.5, 4.5 // the cells' edges, as Draw sets them from DataRange
	var labels []string
	var at []float64
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		labels = append(labels, tk.Label)
		at = append(at, g.yAxis().Unlin(tk.Value))
	}
	if strings.Join(labels, " ") != "0 0.5 0.8 0.9 0.95" || !slices.Equal(at, []float64{0, 0.5, 0.8, 0.9, 0.95}) {
		t.Errorf("momentum ticks %q at %v", labels, at)
	}
	// The pixel rows of the ticks are equally spaced, cell 0.95 as tall as cell 0.
	m := newPixelMap(p, 0)
	_, r0 := m.at(1, 0)
	_, r1 := m.at(1, 1)
	_, r4 := m.at(1, 4)
	if d := r0 - r1; d < 20 || math.Abs(float64(r0-r4)-4*float64(d)) > 2 {
		t.Errorf("tick rows %d %d %d: not equally spaced", r0, r1, r4)
	}
	img := readPNG(t, out)
	s := NewScale(fig.Heat, false)
	px, py := m.at(1, 4) // momentum 0.95 at stepsize 1: 1/0.05 = 20
	if c := img.At(px, py); !closeColor(c, s.Color(20)) {
		t.Errorf("cell (1, 0.95) drawn %v, want %v", c, s.Color(20))
	}
}

// TestWherePrecision: a value written at the precision a legend shows (Compact: four
// significant digits) selects the logspace value it rounds from; a value that two stored
// values round to is an error naming both.
func TestWherePrecision(t *testing.T) {
	tb := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "init", Kind: results.Float}}}
	vals := []float64{0.001, 0.0031622776601683794, 0.01, 0.031622776601683794, 0.1, 0.031, 0.032}
	for k, v := range vals {
		tb.Rows = append(tb.Rows, []results.Value{{I: int64(k)}, {F: v}})
	}
	for typed, want := range map[string]float64{"0.03162": 0.031622776601683794, "3.162e-3": 0.0031622776601683794,
		"0.0316": 0.031622776601683794, "0.1": 0.1, "0.031": 0.031} {
		out, err := Filter(tb, where(t, "init="+typed))
		if err != nil || len(out.Rows) != 1 || out.Rows[0][1].F != want {
			t.Errorf("init=%s: %v, %v; want the row of %v", typed, err, out, want)
		}
	}
	_, err := Filter(tb, where(t, "init=0.03"))
	if err == nil || !strings.Contains(err.Error(), "ambiguous") || !strings.Contains(err.Error(), "from 0.031, 0.03162277660168379, 0.032;") {
		t.Errorf("init=0.03: %v, want ambiguous between 0.031 and 0.032 (and 0.0316...)", err)
	}
	if _, err := Filter(tb, where(t, "init=0.5")); err == nil || !strings.Contains(err.Error(), "no row has") {
		t.Errorf("init=0.5: %v", err)
	}
}
