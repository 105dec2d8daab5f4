package phase

import (
	"errors"
	"image/color"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

func where(t *testing.T, s string) []Cond {
	t.Helper()
	c, err := ParseWhere(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlotHeatWhere: --where optimizer=gd keeps the gd rows of sample() before aggregating
// (3 seeds a cell, not 6), the diverged cell stays Bad and is drawn grey and hatched, a good
// cell in its colour on the scale.
func TestPlotHeatWhere(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", sample())
	out := dir + "/heat.png"
	fig, err := Plot(path, Options{X: "width", Y: "lr", Where: where(t, "optimizer=gd"), Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(fig.Heat) != 1 || fig.Path != out {
		t.Fatalf("figure %+v", fig)
	}
	g := fig.Heat[0]
	if len(g.Xs) != 4 || len(g.Ys) != 3 || g.N[0][0] != 3 {
		t.Fatalf("grid %v x %v, %d rows a cell (want 4 x 3, 3)", g.Xs, g.Ys, g.N[0][0])
	}
	// gd at (w = 2, lr = 0.01): mean over seeds {0, 1, 5} of 0.01*2 + seed = 0.02 + 2.
	if !near(g.Z[1][1], 2.02) {
		t.Errorf("cell (2, 0.01) = %g, want 2.02", g.Z[1][1])
	}
	if !g.Bad[2][2] || fig.HeatOptions.Where != "optimizer=gd" {
		t.Errorf("diverged cell bad %v, where %q", g.Bad[2][2], fig.HeatOptions.Where)
	}
	img := readPNG(t, out)
	s := NewScale(fig.Heat, fig.HeatOptions.LogZ)
	m := newPixelMap(heatPanel(g, s, fig.HeatOptions), 0)
	// The diverged cell (w = 3, lr = 0.1): grey or hatched all over, never a colour of the scale.
	px, py := m.at(3, 0.1)
	for _, d := range [][2]int{{0, 0}, {5, 3}, {-6, 4}, {3, -5}} {
		c := img.At(px+d[0], py+d[1])
		if !closeColor(c, BadColor) && !closeColor(c, HatchColor) {
			t.Errorf("diverged cell pixel (%d, %d) is %v", px+d[0], py+d[1], c)
		}
	}
	px, py = m.at(2, 0.01)
	if c := img.At(px, py); !closeColor(c, s.Color(2.02)) {
		t.Errorf("cell (2, 0.01) drawn %v, want %v", c, s.Color(2.02))
	}
	// Without --where both optimizers are in every cell.
	fig, err = Plot(path, Options{X: "width", Y: "lr", Out: out}, io.Discard)
	if err != nil || fig.Heat[0].N[0][0] != 6 {
		t.Errorf("without --where: %v, %d rows a cell", err, fig.Heat[0].N[0][0])
	}
}

// TestHeatEmptyCell: a cell without rows is Bad (no value, no contour through it) but drawn
// blank, unlike a diverged cell.
func TestHeatEmptyCell(t *testing.T) {
	tb := sample()
	var kept [][]results.Value
	for _, r := range tb.Rows {
		if !(r[2].F == 0.01 && r[3].I == 1) { // drop every row at (lr = 0.01, width = 1)
			kept = append(kept, r)
		}
	}
	tb.Rows = kept
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", tb)
	fig, err := Plot(path, Options{X: "width", Y: "lr", Out: dir + "/h.png"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	if !g.Bad[1][0] || g.N[1][0] != 0 {
		t.Fatalf("empty cell: bad %v n %d", g.Bad[1][0], g.N[1][0])
	}
	img := readPNG(t, dir+"/h.png")
	m := newPixelMap(heatPanel(g, NewScale(fig.Heat, false), fig.HeatOptions), 0)
	px, py := m.at(1, 0.01)
	for _, d := range [][2]int{{0, 0}, {5, 3}, {-6, 4}, {3, -5}} {
		if c := img.At(px+d[0], py+d[1]); !closeColor(c, color.White) {
			t.Errorf("empty cell pixel drawn %v, want white", c)
		}
	}
}

// TestPlotFlagErrors: bad options are FlagErrors naming the flag and what is wrong.
func TestPlotFlagErrors(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", sample())
	out := dir + "/x.png"
	for _, c := range []struct {
		opt       Options
		flag, msg string
	}{
		{Options{X: "width", Y: "lr", Where: where(t, "optimiser=gd")}, "--where", `no column "optimiser"`},
		{Options{X: "width", Y: "lr", Where: where(t, "lr=0.5")}, "--where", "no row has lr = 0.5 (values: 0.001, 0.01, 0.1)"},
		{Options{X: "width", Y: "lr", Where: where(t, "lr=fast")}, "--where", "not a number"},
		{Options{X: "width", Y: "lr", Mark: "test_loss"}, "--mark/--ref", "only for line plots"},
		{Options{X: EffectiveStepsize, By: "optimizer"}, "--x", "needs numeric columns stepsize and momentum"},
		{Options{X: "width", Y: "lr", Agg: "sum"}, "--agg", "unknown aggregation"},
		{Options{X: "seed", By: "optimizer", LogX: true}, "--logx", "seed has a value 0 <= 0"},
		{Options{X: "width", By: "optimizer", Where: where(t, "optimizer=gd"), LogZ: ptr(true), Agg: "min", Z: "seed"}, "--logz", "<= 0"},
	} {
		c.opt.Out = out
		_, err := Plot(path, c.opt, io.Discard)
		var fe *FlagError
		if !errors.As(err, &fe) || fe.Flag != c.flag || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: error %v, want a %s error saying %q", c.opt, err, c.flag, c.msg)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// momentumTable is a line-plot fixture: gd (momentum 0) and hb (momentum 0.5, 0.9) over
// stepsize {0.01, 0.1, 1} and seeds {0, 1}; test_loss = 10 stepsize + seed + momentum;
// sharpness = 1.5/stepsize; gamma_max 0.4 (seed 0) and 0.6 (seed 1) for gd, 0.2, 0.3 and
// NaN... for hb; gd at stepsize 1, seed 1 diverged (test_loss +Inf).
func momentumTable() *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "optimizer", Kind: results.String},
		{Name: "stepsize", Kind: results.Float}, {Name: "momentum", Kind: results.Float}, {Name: "seed", Kind: results.Int},
		{Name: "test_loss", Kind: results.Float}, {Name: "sharpness", Kind: results.Float}, {Name: "gamma_max", Kind: results.Float},
		{Name: "status", Kind: results.String}}}
	p := int64(0)
	for _, om := range []struct {
		opt string
		mu  float64
	}{{"gd", 0}, {"hb", 0.5}, {"hb", 0.9}} {
		for _, lr := range []float64{0.01, 0.1, 1} {
			for _, s := range []int64{0, 1} {
				loss, st := 10*lr+float64(s)+om.mu, "converged"
				gm := []float64{0.4, 0.6}[s]
				if om.opt == "hb" {
					gm = []float64{0.2, 0.3}[s]
					if om.mu == 0.9 && s == 1 {
						gm = math.NaN()
					}
				}
				if om.opt == "gd" && lr == 1 {
					loss, st = math.Inf(1), "diverged"
				}
				t.Rows = append(t.Rows, []results.Value{{I: p}, {S: om.opt}, {F: lr}, {F: om.mu}, {I: s},
					{F: loss}, {F: 1.5 / lr}, {F: gm}, {S: st}})
				p++
			}
		}
	}
	return t
}

// TestPlotLinesMarksRefBad: a line plot by optimizer with --mark gamma_max and --ref 2/x: the
// diverged x is Bad and drawn as a cross at the top edge in the line's colour; each mark sits
// at the median of gamma_max over the line's rows (gd: median{0.4, 0.6, ...} = 0.5; hb:
// median{0.2, 0.3, 0.2, NaN...} over finite values = 0.2) as a vertical dashed line in the
// line's colour; the reference curve 2/x is drawn in black.
func TestPlotLinesMarksRefBad(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", momentumTable())
	out := dir + "/lines.png"
	ref, err := ParseRef("2/x")
	if err != nil {
		t.Fatal(err)
	}
	fig, err := Plot(path, Options{X: "stepsize", Z: "sharpness", By: "optimizer", Mark: "gamma_max", Refs: []*Ref{ref}, Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	set := fig.Lines[0]
	if len(fig.Lines) != 1 || len(set.Lines) != 2 || !set.LogX || set.LogY || len(set.Refs) != 1 || set.Refs[0] != ref || set.MarkName != "gamma_max" {
		t.Fatalf("line set %+v", set)
	}
	gd, hb := set.Lines[0], set.Lines[1]
	// hb's gamma_max: 0.2 (mu 0.5 seed 0) 0.3 (mu 0.5 seed 1) 0.2 (mu 0.9 seed 0) at each of
	// 3 stepsizes, the NaNs left out: 6 values 0.2 and 3 values 0.3, median 0.2.
	if gd.By != "gd" || !near(gd.Mark, 0.5) || hb.By != "hb" || !near(hb.Mark, 0.2) {
		t.Errorf("marks: %s %g, %s %g; want gd 0.5, hb 0.2", gd.By, gd.Mark, hb.By, hb.Mark)
	}
	if !gd.Bad[2] || !math.IsNaN(gd.Y[2]) || gd.Bad[1] || hb.Bad[2] {
		t.Errorf("bad: gd %v hb %v; want only gd at stepsize 1", gd.Bad, hb.Bad)
	}
	if set.Refs[0].Label("stepsize") != "2/stepsize" {
		t.Errorf("ref label %q", set.Refs[0].Label("stepsize"))
	}
	img := readPNG(t, out)
	nl, err := linePanel(set, "", Style{})
	if err != nil {
		t.Fatal(err)
	}
	m := newPixelMap(nl.p, 0)
	gdColor, hbColor := SeriesStyle(0).Color, SeriesStyle(1).Color
	// The cross of the diverged point: at x = 1, just under the top edge (radius 4 points).
	if px, r := m.col(1), int(vg4Dots()); !hasColorNear(img, px, m.top+r, r, gdColor) {
		t.Errorf("no diverged marker at the top edge above x = 1 (pixel %d, %d)", px, m.top+r)
	}
	// And not at a value: nothing of gd's colour along x = 1 below it (its sharpness there
	// would be 1.5, the bottom of the axis).
	if n := columnHits(img, m.col(1), m.top+3*int(vg4Dots()), m.bot-3, gdColor); n > 0 {
		t.Errorf("%d pixels of gd's colour below the marker at x = 1", n)
	}
	// The marks: dashed (5 on, 3 off) vertical lines, so well over a third of the column.
	h := m.bot - m.top
	for _, c := range []struct {
		x   float64
		col color.Color
	}{{0.5, gdColor}, {0.2, hbColor}} {
		if n := columnHits(img, m.col(c.x), m.top, m.bot, c.col); n < h/3 {
			t.Errorf("mark at %g: %d of %d rows in the line's colour", c.x, n, h)
		}
	}
	// The reference 2/x, black, dotted: hit at most x of a log grid where it is in range.
	hits, tries := 0, 0
	for i := 0; i <= 20; i++ {
		x := 0.02 * math.Pow(50, float64(i)/20)
		px, py := m.at(x, 2/x)
		if py < m.top || py > m.bot {
			continue
		}
		tries++
		if hasColorNear(img, px, py, 2, RefStyle.Color) {
			hits++
		}
	}
	if tries < 15 || hits < tries*2/3 {
		t.Errorf("reference curve found at %d of %d places", hits, tries)
	}
}

// vg4Dots is the radius of BadGlyph markers (4 points) in PNG pixels.
func vg4Dots() float64 { return 4 * float64(dpi) / 72 }

// TestPlotEffectiveStepsize: --x effective_stepsize is stepsize/(1-momentum)^2, one set of x
// values per momentum (a line skips the x values of the other lines, without calling them
// Bad); the axis is logarithmic because the stepsizes are log-spaced.
func TestPlotEffectiveStepsize(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", momentumTable())
	fig, err := Plot(path, Options{X: EffectiveStepsize, By: "momentum", Where: where(t, "optimizer=hb"), Out: dir + "/e.png"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	set := fig.Lines[0]
	// 0.01, 0.1, 1 over (1-0.5)^2 = 0.25 and (1-0.9)^2 = 0.01.
	want := []float64{0.04, 0.4, 1, 4, 10, 100}
	if len(set.Lines) != 2 || len(set.Lines[0].Xs) != len(want) || !set.LogX {
		t.Fatalf("set %+v", set)
	}
	for i, x := range want {
		if !near(set.Lines[0].Xs[i], x) {
			t.Errorf("x %d = %g, want %g", i, set.Lines[0].Xs[i], x)
		}
	}
	half := set.Lines[0] // momentum 0.5: at 0.04 the mean over seeds of 0.1 + seed + 0.5 = 1.1
	if half.By != "0.5" || !near(half.Y[0], 1.1) || half.N[2] != 0 || half.Bad[2] || !math.IsNaN(half.Y[2]) {
		t.Errorf("momentum 0.5: by %s Y %v N %v Bad %v", half.By, half.Y, half.N, half.Bad)
	}
}

// TestLogZ: AutoLog wants positive values spanning more than three decades; --logz on a heat
// map colours by log10 (the middle of the scale is the geometric mean of its ends).
func TestLogZ(t *testing.T) {
	for _, c := range []struct {
		vs   []float64
		want bool
	}{
		{[]float64{1e-6, 1e-2, 0.5}, true},
		{[]float64{1, 999}, false},
		{[]float64{1, 1001, math.Inf(1), math.NaN()}, true},
		{[]float64{0, 1e-6, 1}, false},
	} {
		if got := AutoLog(c.vs); got != c.want {
			t.Errorf("AutoLog(%v) = %v", c.vs, got)
		}
	}
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", sample())
	fig, err := Plot(path, Options{X: "width", Y: "lr", Agg: "min", LogZ: ptr(true), Out: dir + "/h.png"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScale(fig.Heat, fig.HeatOptions.LogZ)
	// min over seeds and optimizers is lr*w: 0.001 .. 0.4, except at (3, 0.1) where every gd
	// run diverged: the min over sgd's, 0.3 + 100.
	if !s.Log || !near(s.Min, 0.001) || !near(s.Max, 100.3) {
		t.Fatalf("scale %+v", s)
	}
	mid := math.Sqrt(s.Min * s.Max)
	want, _ := colorMap(math.Log10(s.Min), math.Log10(s.Max)).At((math.Log10(s.Min) + math.Log10(s.Max)) / 2)
	if !closeColor(s.Color(mid), want) {
		t.Errorf("geometric mean coloured %v, want the middle of the log scale %v", s.Color(mid), want)
	}
}

func TestCompact(t *testing.T) {
	for in, want := range map[string]string{
		"stepsize=0.031622776601683794 optimizer=gd": "stepsize=0.03162 optimizer=gd",
		"init=1e-06 seed=12":                         "init=1e-06 seed=12",
		"0.30000000000000004":                        "0.3",
	} {
		if got := Compact(in); got != want {
			t.Errorf("Compact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseWhereRef(t *testing.T) {
	c, err := ParseWhere("optimizer=gd, init=1e-6,optimizer=sgd")
	if err != nil || len(c) != 2 || c[0].String() != "optimizer=gd|sgd" || c[1].String() != "init=1e-6" {
		t.Errorf("ParseWhere: %v %v", c, err)
	}
	for _, bad := range []string{"optimizer", "=gd", "a=1,,b=2"} {
		if _, err := ParseWhere(bad); err == nil {
			t.Errorf("ParseWhere(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		expr  string
		x, y  float64
		label string
	}{{"2/x", 4, 0.5, "2/gamma"}, {"0.5*x", 4, 2, "0.5*gamma"}, {"x * 3", 2, 6, "3*gamma"}, {"1e-3", 7, 1e-3, "0.001"},
		{"0.5*x^2", 4, 8, "0.5*gamma^2"}, {"x^3", 2, 8, "gamma^3"}, {"x^2*0.25", 2, 1, "0.25*gamma^2"},
		{"2*x^-1", 4, 0.5, "2/gamma"}, {"8/x^3", 2, 1, "8/gamma^3"}, {"3*x^(0.5)", 4, 6, "3*gamma^0.5"}} {
		r, err := ParseRef(c.expr)
		if err != nil || r.At(c.x) != c.y || r.Label("gamma") != c.label {
			t.Errorf("ParseRef(%q): %v, at %g = %v, label %q", c.expr, err, c.x, r.At(c.x), r.Label("gamma"))
		}
	}
	for _, bad := range []string{"2/y", "x^", "", "a*x", "2*x*3", "x^y", "2**x", "1e999*x"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) accepted", bad)
		}
	}
}
