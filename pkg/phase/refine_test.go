package phase

import (
	"image"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/plot"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// refineFields are the columns of the refined tables below.
func refineFields() []results.Field {
	return []results.Field{{Name: "point", Kind: results.Int}, {Name: "stepsize", Kind: results.Float},
		{Name: "init", Kind: results.Float}, {Name: "level", Kind: results.Int}, {Name: "test_loss", Kind: results.Float},
		{Name: "status", Kind: results.String}}
}

// stepsizeRefined is a sweep refined along stepsize only (metadata axes: [stepsize]): coarse
// stepsize 10^-2, 10^-1.5, ..., 10^0 (half a decade apart) x init 1, 2, 3, refined between
// 10^-1 and 10^-0.5: level 1 adds 10^-0.75, level 2 10^-0.875 and 10^-0.625. test_loss is
// refineZ of the stepsize's rank among the eight, the same at every init, so that
// neighbouring cells differ in colour.
// In log10 stepsize the cells are then, finer painting over coarser (the regions nearest to
// each lattice point): -1 over [-1.25, -0.9375], -0.875 over [-0.9375, -0.8125], -0.75 over
// [-0.8125, -0.6875], -0.625 over [-0.6875, -0.5625], -0.5 over [-0.5625, -0.25].
func stepsizeRefined() *results.Table {
	t := &results.Table{Fields: refineFields(), Meta: map[string]string{MetaRefine: `{"axes": ["stepsize"], "levels": 2}`}}
	exps := []float64{-2, -1.5, -1, -0.875, -0.75, -0.625, -0.5, 0}
	levels := []int64{0, 0, 0, 2, 1, 2, 0, 0}
	p := int64(0)
	for rank, e := range exps {
		for _, init := range []float64{1, 2, 3} {
			t.Rows = append(t.Rows, []results.Value{{I: p}, {F: math.Pow(10, e)}, {F: init}, {I: levels[rank]}, {F: refineZ[rank]}, {S: "converged"}})
			p++
		}
	}
	return t
}

// refineZ is the test_loss of stepsizeRefined at each rank of the stepsize.
var refineZ = []float64{0, 10, 20, 60, 30, 70, 40, 50}

// runOf is the pixel columns around px on row py drawn in the colour of (px, py): the run of
// that colour from px to either side.
func runOf(img image.Image, px, py int) (lo, hi int) {
	c := img.At(px, py)
	lo, hi = px, px
	for closeColor(img.At(lo-1, py), c) {
		lo--
	}
	for closeColor(img.At(hi+1, py), c) {
		hi++
	}
	return lo, hi
}

// TestRefinedCellWidths: each cell of stepsizeRefined is drawn over the pixel columns of its
// predicted span (log10 edges above), within a pixel of anti-aliasing at each edge, in its
// colour; the unrefined init axis keeps its cells (edges 1.5 and 2.5).
func TestRefinedCellWidths(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", stepsizeRefined())
	out := filepath.Join(dir, "r.png")
	fig, err := Plot(path, Options{X: "stepsize", Y: "init", Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	if g.Refine == nil || g.Refine.X == nil || g.Refine.Y != nil || !g.Refine.X.Log || !g.LogX || g.XCat || g.Refine.MaxLevel != 2 {
		t.Fatalf("refinement %+v, log x %v cat %v; want stepsize refined on a log axis, init not", g.Refine, g.LogX, g.XCat)
	}
	img := readPNG(t, out)
	s := NewScale(fig.Heat, false)
	m := newPixelMap(heatPanel(g, s, fig.HeatOptions), 0)
	for _, c := range []struct {
		lo, hi, z float64 // log10 edges, value
	}{{-1.25, -0.9375, 20}, {-0.9375, -0.8125, 60}, {-0.8125, -0.6875, 30}, {-0.6875, -0.5625, 70}, {-0.5625, -0.25, 40}} {
		x0, x1 := m.col(math.Pow(10, c.lo)), m.col(math.Pow(10, c.hi))
		_, py := m.at(1, 2)
		if col := img.At((x0+x1)/2, py); !closeColor(col, s.Color(c.z)) {
			t.Errorf("cell [%g, %g] drawn %v at its centre, want %v", c.lo, c.hi, col, s.Color(c.z))
			continue
		}
		lo, hi := runOf(img, (x0+x1)/2, py)
		if abs(lo-x0) > 1 || abs(hi+1-x1) > 1 {
			t.Errorf("cell [%g, %g] (value %g) over pixel columns %d..%d, want %d..%d (%d wide)", c.lo, c.hi, c.z, lo, hi, x0, x1-1, x1-x0)
		}
	}
	// The init axis: the row of init 2 from 1.5 to 2.5.
	px, _ := m.at(math.Pow(10, -0.75), 2)
	_, r0 := m.at(1, 1.5)
	_, r1 := m.at(1, 2.5)
	cl := img.At(px, (r0+r1)/2)
	if !closeColor(img.At(px, r0-2), cl) || !closeColor(img.At(px, r1+2), cl) || closeColor(img.At(px, r0+3), s.Color(0)) {
		t.Errorf("the init cells are not those of an ordinary axis at rows %d..%d", r1, r0)
	}
}

// boundaryRefined is a sweep over x = stepsize and y = init, both linear with coarse values 0,
// 1, ..., 4, refined in 2-d near x = 2.3 (no metadata: both heat-map axes count as refined):
// level 1 adds the points of the lattice of spacing 1/2 with 1.5 <= x <= 3, level 2 those of
// spacing 1/4 with 2 <= x <= 2.75. test_loss is x; with diverge, runs with x > 2.3 diverged
// (their loss left at x as the dynamics do). The finest cells near x = 2.3 are 1/4 wide.
func boundaryRefined(diverge bool) *results.Table {
	t := &results.Table{Fields: refineFields(), Meta: map[string]string{}}
	p := int64(0)
	add := func(x, y float64, level int64) {
		st := "converged"
		if diverge && x > 2.3 {
			st = "diverged"
		}
		t.Rows = append(t.Rows, []results.Value{{I: p}, {F: x}, {F: y}, {I: level}, {F: x}, {S: st}})
		p++
	}
	on := func(v, h float64) bool { return math.Abs(v/h-math.Round(v/h)) < 1e-9 }
	for ix := 0; ix <= 16; ix++ {
		for iy := 0; iy <= 16; iy++ {
			x, y := float64(ix)/4, float64(iy)/4
			switch {
			case on(x, 1) && on(y, 1):
				add(x, y, 0)
			case on(x, 0.5) && on(y, 0.5) && x >= 1.5 && x <= 3:
				add(x, y, 1)
			case x >= 2 && x <= 2.75 && !(on(x, 0.5) && on(y, 0.5)):
				add(x, y, 2)
			}
		}
	}
	return t
}

// TestRefinedContourAndBoundary: the contour test_loss = 2.3 of boundaryRefined lies within
// one finest cell (1/4) of x = 2.3 everywhere, and is drawn there; the outcome boundary of
// --z status runs along x = 2.375, the edge between the last converged finest cell (x = 2.25)
// and the first diverged one, within one finest cell of 2.3, and nowhere else.
func TestRefinedContourAndBoundary(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", boundaryRefined(false))
	level := 2.3
	out := filepath.Join(dir, "c.png")
	fig, err := Plot(path, Options{X: "stepsize", Y: "init", Z: "test_loss", Contour: &level, Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	if g.Refine == nil || g.Refine.X == nil || g.Refine.Y == nil || g.Refine.X.Log || g.Refine.MaxLevel != 2 {
		t.Fatalf("refinement %+v, want both axes refined, linear, to level 2", g.Refine)
	}
	ex, ey := g.xAxis().Edges(), g.yAxis().Edges()
	r, _, _ := g.raster(ex, ey)
	segs := Contour(r, level)
	if len(segs) < 10 {
		t.Fatalf("%d contour segments", len(segs))
	}
	for _, sg := range segs {
		for _, x := range []float64{sg.X0, sg.X1} {
			if math.Abs(x-2.3) > 0.25 {
				t.Errorf("contour at x = %g, more than a finest cell (0.25) from 2.3", x)
			}
		}
	}
	img := readPNG(t, out)
	m := newPixelMap(heatPanel(g, NewScale(fig.Heat, false), fig.HeatOptions), 0)
	for _, y := range []float64{0.6, 2.1, 3.4} {
		px, py := m.at(2.3, y)
		if !hasColorNear(img, px, py, int(0.25*float64(m.col(1)-m.col(0))), contourStyle.Color) {
			t.Errorf("no contour near (2.3, %g) (pixel %d, %d)", y, px, py)
		}
		if px, py := m.at(1, y); hasColorNear(img, px, py, 3, contourStyle.Color) {
			t.Errorf("contour drawn at (1, %g)", y)
		}
	}
	// The status map's boundary.
	path = writeTable(t, dir, "status.parquet", boundaryRefined(true))
	out = filepath.Join(dir, "s.png")
	fig, err = Plot(path, Options{X: "stepsize", Y: "init", Z: ZStatus, Out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g = fig.Heat[0]
	r, rex, rey := g.raster(ex, ey)
	v, h := Boundary(r)
	if len(v) < 16 {
		t.Fatalf("boundary: %d vertical edges", len(v))
	}
	// Between y = -0.125 and 4.125 the level-2 points cover x = 2.25 and 2.375; past them
	// (the level-2 lattice ends at y = 0 and 4) coarser cells reach closer to x = 2.3, so the
	// boundary steps there, still within a finest cell of 2.3.
	inBand := func(y0, y1 float64) bool { return y0 >= -0.125-1e-9 && y1 <= 4.125+1e-9 }
	for _, e := range v {
		x, y0, y1 := rex[e[0]], rey[e[1]], rey[e[1]+1]
		if math.Abs(x-2.3) > 0.25 || (inBand(y0, y1) && math.Abs(x-2.375) > 1e-9) {
			t.Errorf("boundary edge at x = %g over y %g..%g, want 2.375 (past the band: within 0.25 of 2.3)", x, y0, y1)
		}
	}
	for _, e := range h {
		x0, x1, y := rex[e[0]], rex[e[0]+1], rey[e[1]]
		if x0 < 2.05 || x1 > 2.55 || (y > -0.125 && y < 4.125) {
			t.Errorf("horizontal boundary edge at y = %g over x %g..%g", y, x0, x1)
		}
	}
	img = readPNG(t, out)
	m = newPixelMap(heatPanel(g, NewScale(fig.Heat, false), fig.HeatOptions), 0)
	for _, y := range []float64{0.6, 2.1, 3.4} {
		px, py := m.at(2.375, y)
		if !hasColorNear(img, px, py, 1, BoundaryStyle.Color) {
			t.Errorf("no boundary at (2.375, %g) (pixel %d, %d): %v", y, px, py, img.At(px, py))
		}
		for _, x := range []float64{1.75, 2.125, 2.625} {
			if px, py := m.at(x, y); hasColorNear(img, px, py, 1, BoundaryStyle.Color) {
				t.Errorf("a boundary at (%g, %g)", x, y)
			}
		}
	}
}

// TestShowLevels: --show-levels outlines the cells (at the edge 10^-0.6875 between the
// level-1 cell at 10^-0.75 and the level-2 one at 10^-0.625 a pixel darker than both cells,
// where the plain figure has none) and counts them per level: stepsizeRefined has 5 x 3
// coarse cells, 3 of level 1 and 6 of level 2. It is an error on a table without a level
// column.
func TestShowLevels(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", stepsizeRefined())
	for _, show := range []bool{false, true} {
		out := filepath.Join(dir, "l.png")
		fig, err := Plot(path, Options{X: "stepsize", Y: "init", ShowLevels: show, Out: out, Force: true}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		img := readPNG(t, out)
		m := newPixelMap(heatPanel(fig.Heat[0], NewScale(fig.Heat, false), fig.HeatOptions), 0)
		px, py := m.at(math.Pow(10, -0.6875), 2)
		s := NewScale(fig.Heat, false)
		darkest := 255.0
		for dx := -1; dx <= 1; dx++ {
			darkest = min(darkest, luma(img.At(px+dx, py)))
		}
		cells := min(luma(s.Color(30)), luma(s.Color(70)))
		if got := darkest < cells-20; got != show {
			t.Errorf("show-levels %v: darkest pixel at the cell edge (%d, %d) %.0f, cells %.0f", show, px, py, darkest, cells)
		}
		if !show {
			continue
		}
		var names []string
		levelLegend(func(n string, _ ...plot.Thumbnailer) { names = append(names, n) }, fig.Heat)
		if want := []string{"level 0: 15 cells", "level 1: 3 cells", "level 2: 6 cells"}; !slices.Equal(names, want) {
			t.Errorf("level legend %q, want %q", names, want)
		}
	}
	path = writeTable(t, dir, "plain.parquet", sample())
	if _, err := Plot(path, Options{X: "width", Y: "lr", ShowLevels: true, Out: filepath.Join(dir, "p.png")}, io.Discard); err == nil {
		t.Error("--show-levels on a table without a level column: no error")
	}
}

// luma is the brightness of c, 0 to 255 (Rec. 601 weights).
func luma(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(b>>8))
}

// TestRefinedLineAxis: a line plot against a refined axis draws it as its coarse values would
// be (stepsizeRefined: log), not as the few uneven values it has become (categories).
func TestRefinedLineAxis(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", stepsizeRefined())
	fig, err := Plot(path, Options{X: "stepsize", By: "init", Out: filepath.Join(dir, "l.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if set := fig.Lines[0]; !set.LogX || set.XCat {
		t.Errorf("refined stepsize on a line plot: log %v categories %v, want a log axis", set.LogX, set.XCat)
	}
}

// TestRasterAxis: a log axis refined from coarse values 1, 10, 100 is sampled, at sub 2, in
// quarters of a decade from 10^-0.5 to 10^2.5 (half a coarse interval past each end): 12
// parts, edges at 10^(-0.5 + k/4), samples at their geometric centres. An ordinary axis
// keeps its values and edges. Span takes each side from its own coarse interval.
func TestRasterAxis(t *testing.T) {
	ref := newRefinedAxis([]float64{1, 10, 100}, true)
	xs, es := rasterAxis(ref, nil, nil, 2)
	if len(xs) != 12 || len(es) != 13 {
		t.Fatalf("%d samples, %d edges; want 12 and 13", len(xs), len(es))
	}
	for k, e := range es {
		if want := math.Pow(10, -0.5+float64(k)/4); !near(e, want) {
			t.Errorf("edge %d = %g, want %g", k, e, want)
		}
	}
	for k, x := range xs {
		if want := math.Pow(10, -0.5+(float64(k)+0.5)/4); !near(x, want) {
			t.Errorf("sample %d = %g, want %g", k, x, want)
		}
	}
	vs, ev := []float64{1, 2}, []float64{0.5, 1.5, 2.5}
	if xs, es := rasterAxis(nil, vs, ev, 2); !slices.Equal(xs, vs) || !slices.Equal(es, ev) {
		t.Errorf("ordinary axis: %v %v", xs, es)
	}
	// Span: 10^0.5 at level 1 in the interval [1, 10] is half a decade wide; 10 at level 1
	// spans a quarter decade on each side.
	if lo, hi := ref.Span(math.Sqrt(10), 1); !near(math.Log10(lo), 0.25) || !near(math.Log10(hi), 0.75) {
		t.Errorf("span of 10^0.5 at level 1: %g..%g", lo, hi)
	}
	if lo, hi := ref.Span(10, 1); !near(math.Log10(lo), 0.75) || !near(math.Log10(hi), 1.25) {
		t.Errorf("span of 10 at level 1: %g..%g", lo, hi)
	}
	// Uneven coarse intervals 0..1 and 1..3: the coarse value 1 at level 1 takes a quarter of
	// each, 1 - 1/4 to 1 + 2/4; 2 (level 1 inside 1..3) spans 1.5..2.5.
	lin := newRefinedAxis([]float64{0, 1, 3}, false)
	if lo, hi := lin.Span(1, 1); !near(lo, 0.75) || !near(hi, 1.5) {
		t.Errorf("span of 1 at level 1 between uneven intervals: %g..%g, want 0.75..1.5", lo, hi)
	}
	if lo, hi := lin.Span(2, 1); !near(lo, 1.5) || !near(hi, 2.5) {
		t.Errorf("span of 2 at level 1: %g..%g, want 1.5..2.5", lo, hi)
	}
}

// TestCellRects: the rectangles of stepsizeRefined's cells as fractions of the data area are
// those of its comment computed by hand: along log10 stepsize the data area spans the coarse
// cells' outer edges -2.25 .. 0.25, a coarse cell is 0.5 wide, one of level 1 0.25 and one of
// level 2 0.125 (before finer ones paint over it); along init (1, 2, 3, not refined) each row
// is a third. Coarser cells come first.
func TestCellRects(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", stepsizeRefined())
	fig, err := Plot(path, Options{X: "stepsize", Y: "init", Out: filepath.Join(dir, "r.svg")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := fig.Heat[0]
	exps := []float64{-2, -1.5, -1, -0.875, -0.75, -0.625, -0.5, 0}
	half := []float64{0.25, 0.25, 0.25, 0.0625, 0.125, 0.0625, 0.25, 0.25}
	rects := g.CellRects()
	if len(rects) != 8*3 {
		t.Fatalf("%d rectangles, want 24", len(rects))
	}
	level := -1
	for _, r := range rects {
		l := g.Refine.Level[r.IY][r.IX]
		if l < level {
			t.Errorf("cell (%d, %d) of level %d after one of level %d", r.IX, r.IY, l, level)
		}
		level = l
		e, h := exps[r.IX], half[r.IX]
		want := [4]float64{(e - h + 2.25) / 2.5, (e + h + 2.25) / 2.5, float64(r.IY) / 3, float64(r.IY+1) / 3}
		got := [4]float64{r.X0, r.X1, r.Y0, r.Y1}
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-12 {
				t.Errorf("cell (%d, %d): rectangle %v, want %v", r.IX, r.IY, got, want)
				break
			}
		}
	}
	if fx, fy := g.Fraction(0.1, 2); math.Abs(fx-1.25/2.5) > 1e-12 || math.Abs(fy-0.5) > 1e-12 {
		t.Errorf("Fraction(0.1, 2) = %g, %g, want 0.5, 0.5", fx, fy)
	}
}

// TestBoundaryLines: on the status map of stepsizeRefined with the stepsizes from 10^-0.75
// up diverged, the boundary is the one edge between the cells of 10^-0.875 (level 2) and
// 10^-0.75 (level 1), at log10 stepsize -0.8125 (by hand, as in stepsizeRefined's comment):
// the fraction (-0.8125 + 2.25) / 2.5 = 0.575 of the data area, over its whole height.
func TestBoundaryLines(t *testing.T) {
	tb := stepsizeRefined()
	for _, r := range tb.Rows {
		if r[1].F >= math.Pow(10, -0.75)*(1-1e-12) {
			r[5].S = "diverged"
		}
	}
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", tb)
	fig, err := Plot(path, Options{X: "stepsize", Y: "init", Z: ZStatus, Out: filepath.Join(dir, "s.svg")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	height := 0.0
	for _, s := range fig.Heat[0].BoundaryLines() {
		if math.Abs(s[0]-0.575) > 1e-9 || math.Abs(s[2]-0.575) > 1e-9 {
			t.Errorf("boundary segment %v, want one at x = 0.575", s)
		}
		height += math.Abs(s[3] - s[1])
	}
	if math.Abs(height-1) > 1e-9 {
		t.Errorf("the boundary spans %g of the height, want 1", height)
	}
}
