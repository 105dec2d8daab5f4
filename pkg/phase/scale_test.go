package phase

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// ratioTable is a line plot's table as Even2023's recipes draw it: x = gamma_rel =
// stepsize/gamma_max for stepsizes logspace(0.025, 0.8, 6) and three datasets of gamma_max
// 0.9, 2.3 and 4.3, so the x values (18 of them, from 0.0058 to 0.89) are positive, uneven and
// span more than two decades: AxisKind draws them on a log axis.
func ratioTable() *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "seed", Kind: results.Int},
		{Name: "gamma_rel", Kind: results.Float}, {Name: "test_loss", Kind: results.Float}, {Name: "status", Kind: results.String}}}
	p := int64(0)
	for s, gm := range []float64{0.9, 2.3, 4.3} {
		for i := range 6 {
			lr := 0.025 * math.Pow(32, float64(i)/5)
			t.Rows = append(t.Rows, []results.Value{{I: p}, {I: int64(s)}, {F: lr / gm}, {F: 0.01 + lr}, {S: "converged"}})
			p++
		}
	}
	return t
}

// TestXScaleLinear: --xscale linear draws gamma_rel on a linear axis (AxisKind alone picks a
// log one): equal steps of x are equal steps of pixels, and the labelled ticks are round
// values (0.2, 0.4, ...) at their own positions. --xscale log and auto keep the log axis, and
// an unknown scale or one contradicting --logx is a FlagError of --xscale.
func TestXScaleLinear(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", ratioTable())
	fig, err := Plot(path, Options{X: "gamma_rel", By: "seed", Out: filepath.Join(dir, "auto.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if set := fig.Lines[0]; !set.LogX || set.XCat {
		t.Fatalf("auto: log %v cat %v, want a log axis", set.LogX, set.XCat)
	}
	out := filepath.Join(dir, "lin.png")
	fig, err = Plot(path, Options{X: "gamma_rel", By: "seed", XScale: ScaleLinear, Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	set := fig.Lines[0]
	if set.LogX || set.XCat {
		t.Fatalf("linear: log %v cat %v", set.LogX, set.XCat)
	}
	p, m := linePixels(t, set)
	d1, d2 := m.col(0.4)-m.col(0.2), m.col(0.8)-m.col(0.6)
	if d1 < 50 || abs(d1-d2) > 1 {
		t.Errorf("x 0.2 -> 0.4 is %d pixels, 0.6 -> 0.8 is %d: not a linear axis", d1, d2)
	}
	var labels []string
	for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
			if k := float64(len(labels)); !near(tk.Value, 0.2*k) {
				t.Errorf("tick %q at %g, want at %g", tk.Label, tk.Value, 0.2*k)
			}
		}
	}
	if strings.Join(labels, " ") != "0.2 0.4 0.6 0.8" {
		t.Errorf("linear ticks %q, want 0.2 0.4 0.6 0.8", labels)
	}
	// The line of dataset 0 is drawn at its points: its last point (0.8/0.9, 0.81) is red.
	img := readPNG(t, out)
	px, py := m.at(0.8/0.9, 0.81)
	if !hasColorNear(img, px, py, 2, SeriesStyle(0).Color) {
		t.Errorf("no point of dataset 0 at pixel (%d, %d)", px, py)
	}
	// --xlim 0,1: the axis from 0 to 1, as Even2023 draws it.
	fig, err = Plot(path, Options{X: "gamma_rel", By: "seed", XScale: ScaleLinear, XLim: &[2]float64{0, 1}, Out: filepath.Join(dir, "lim.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := linePixels(t, fig.Lines[0]); p.X.Min != 0 || p.X.Max != 1 {
		t.Errorf("--xlim 0,1: x axis from %g to %g", p.X.Min, p.X.Max)
	}
	fig, err = Plot(path, Options{X: "gamma_rel", By: "seed", XScale: ScaleLog, Out: filepath.Join(dir, "log.png")}, io.Discard)
	if err != nil || !fig.Lines[0].LogX {
		t.Errorf("--xscale log: %v", err)
	}
	for _, c := range []struct {
		opt       Options
		flag, msg string
	}{
		{Options{X: "gamma_rel", By: "seed", XScale: "lin"}, "--xscale", `unknown scale "lin"`},
		{Options{X: "gamma_rel", By: "seed", YScale: "linaer"}, "--yscale", `unknown scale "linaer"`},
		{Options{X: "gamma_rel", By: "seed", XScale: ScaleLinear, LogX: true}, "--xscale", "contradicts --logx"},
		{Options{X: "gamma_rel", By: "seed", YScale: ScaleLinear, LogZ: ptr(true)}, "--yscale", "contradicts --logz"},
		{Options{X: "gamma_rel", By: "seed", XLim: &[2]float64{0, 1}}, "--xlim", "0 is not on the log axis"},
	} {
		c.opt.Out = filepath.Join(dir, "bad.png")
		_, err := Plot(path, c.opt, io.Discard)
		var fe *FlagError
		if !errors.As(err, &fe) || fe.Flag != c.flag || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v, want a %s error saying %q", c.opt, err, c.flag, c.msg)
		}
	}
}

// TestYScaleHeat: on a heat map --yscale linear draws the log-spaced lr of sample() on a
// linear axis (the cells' edges at the arithmetic midpoints, (0.01 + 0.1)/2 = 0.055), and on a
// line plot --yscale log is --logz.
func TestYScaleHeat(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", sample())
	fig, err := Plot(path, Options{X: "width", Y: "lr", YScale: ScaleLinear, Out: filepath.Join(dir, "h.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	if g.LogY || g.YCat || !near(g.yAxis().Edges()[2], 0.055) {
		t.Errorf("--yscale linear: log %v cat %v edges %v", g.LogY, g.YCat, g.yAxis().Edges())
	}
	fig, err = Plot(path, Options{X: "width", By: "optimizer", YScale: ScaleLog, Out: filepath.Join(dir, "l.png")}, io.Discard)
	if err != nil || !fig.Lines[0].LogY {
		t.Errorf("line plot --yscale log: %v, log y %v", err, err == nil && fig.Lines[0].LogY)
	}
	if _, err := Plot(path, Options{X: "optimizer", Y: "lr", XScale: ScaleLinear, Out: filepath.Join(dir, "s.png")}, io.Discard); err == nil || !strings.Contains(err.Error(), "string column") {
		t.Errorf("--xscale linear on a string column: %v", err)
	}
}

func abs(i int) int { return max(i, -i) }
