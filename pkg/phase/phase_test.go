package phase

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// sample builds a results table: optimizer x lr (log) x width (linear) x seed, test_loss =
// lr*width + seed (+100 for sgd); (gd, lr=0.1, width=3) diverged with NaN loss.
func sample() *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "optimizer", Kind: results.String},
		{Name: "lr", Kind: results.Float}, {Name: "width", Kind: results.Int}, {Name: "seed", Kind: results.Int},
		{Name: "test_loss", Kind: results.Float}, {Name: "status", Kind: results.String}}}
	p := int64(0)
	for _, opt := range []string{"gd", "sgd"} {
		for _, lr := range []float64{0.001, 0.01, 0.1} {
			for _, w := range []int64{1, 2, 3, 4} {
				for _, s := range []int64{0, 1, 5} {
					v, st := lr*float64(w)+float64(s), "converged"
					if opt == "sgd" {
						v += 100
						st = "max_steps"
					}
					if opt == "gd" && lr == 0.1 && w == 3 {
						v, st = math.NaN(), "diverged"
					}
					t.Rows = append(t.Rows, []results.Value{{I: p}, {S: opt}, {F: lr}, {I: w}, {I: s}, {F: v}, {S: st}})
					p++
				}
			}
		}
	}
	return t
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestHeatGridAggregations(t *testing.T) {
	tb := sample()
	// Over optimizer and seed: at (lr, w) the values are lr*w + {0,1,5} and lr*w + {100,101,105}.
	want := map[string]func(b float64) float64{
		"mean":   func(b float64) float64 { return b + (0+1+5+100+101+105)/6.0 },
		"median": func(b float64) float64 { return b + (5+100)/2.0 },
		"min":    func(b float64) float64 { return b },
		"max":    func(b float64) float64 { return b + 105 },
	}
	for agg, f := range want {
		g, err := HeatGrid(tb, "width", "lr", "test_loss", agg)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Xs) != 4 || len(g.Ys) != 3 || len(g.Z) != 3 || len(g.Z[0]) != 4 {
			t.Fatalf("%s: grid %dx%d, Z %dx%d", agg, len(g.Xs), len(g.Ys), len(g.Z), len(g.Z[0]))
		}
		if g.Xs[0] != 1 || g.Xs[3] != 4 || g.Ys[0] != 0.001 || g.Ys[2] != 0.1 {
			t.Fatalf("axes %v %v", g.Xs, g.Ys)
		}
		if g.LogX || !g.LogY {
			t.Errorf("log detection: x %v y %v, want false true", g.LogX, g.LogY)
		}
		for iy, lr := range g.Ys {
			for ix, w := range g.Xs {
				if lr == 0.1 && w == 3 {
					// gd's three runs diverged: the aggregate is over sgd's, lr*w + {100, 101, 105}.
					sgd := map[string]float64{"mean": 102, "median": 101, "min": 100, "max": 105}[agg]
					if st := g.Stats[iy][ix]; g.Bad[iy][ix] || !near(g.Z[iy][ix], lr*w+sgd) || st.Diverged != 3 || st.N != 3 || !g.Marks(ix, iy).Corner {
						t.Errorf("%s: partly diverged cell: bad %v, %v, stats %+v", agg, g.Bad[iy][ix], g.Z[iy][ix], st)
					}
					continue
				}
				if g.Bad[iy][ix] || !near(g.Z[iy][ix], f(lr*w)) || g.N[iy][ix] != 6 {
					t.Errorf("%s: cell (%g, %g) = %g bad %v n %d, want %g", agg, w, lr, g.Z[iy][ix], g.Bad[iy][ix], g.N[iy][ix], f(lr*w))
				}
			}
		}
	}
	if _, err := HeatGrid(tb, "width", "lr", "test_loss", "sum"); err == nil {
		t.Error("unknown aggregation accepted")
	}
	// A string x axis is categorical, in order of first appearance.
	if g, err := HeatGrid(tb, "optimizer", "lr", "test_loss", "mean"); err != nil || !g.XCat || strings.Join(g.XLabels, ",") != "gd,sgd" || g.Xs[1] != 1 {
		t.Errorf("string x axis: %v %+v", err, g)
	}
}

func TestBadStatusWithFiniteLoss(t *testing.T) {
	tb := sample()
	// A diverged status makes a cell Bad even when its loss is finite.
	for _, r := range tb.Rows {
		if r[1].S == "sgd" && r[2].F == 0.001 && r[3].I == 1 {
			r[6].S = "failed"
		}
	}
	gs, err := HeatGrids(tb, "width", "lr", "test_loss", "min", "optimizer")
	if err != nil {
		t.Fatal(err)
	}
	if !gs[1].Bad[0][0] || gs[0].Bad[0][0] {
		t.Errorf("failed row: sgd bad %v, gd bad %v", gs[1].Bad[0][0], gs[0].Bad[0][0])
	}
}

func TestLogSpacing(t *testing.T) {
	for _, c := range []struct {
		vs   []float64
		want bool
	}{
		{[]float64{1e-4, 1e-3, 1e-2, 1e-1}, true},
		{[]float64{0.5, 1, 2, 4}, true},
		{[]float64{1, 2, 3, 4}, false},
		{[]float64{1, 10}, false},
		{[]float64{0, 1, 10}, false},
		{[]float64{1, 10, 101}, false},
	} {
		if got := IsLogSpaced(c.vs); got != c.want {
			t.Errorf("IsLogSpaced(%v) = %v, want %v", c.vs, got, c.want)
		}
	}
}

func TestFacets(t *testing.T) {
	gs, err := HeatGrids(sample(), "width", "lr", "test_loss", "mean", "optimizer")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || gs[0].Facet != "gd" || gs[1].Facet != "sgd" {
		t.Fatalf("facets %d", len(gs))
	}
	// gd: mean over seeds of lr*w + {0,1,5} = lr*w + 2; sgd + 100.
	if !near(gs[0].Z[1][1], 0.01*2+2) || !near(gs[1].Z[1][1], 0.01*2+102) {
		t.Errorf("facet cells %g %g", gs[0].Z[1][1], gs[1].Z[1][1])
	}
	if !gs[0].Bad[2][2] || gs[1].Bad[2][2] {
		t.Errorf("diverged cell only in gd: %v %v", gs[0].Bad[2][2], gs[1].Bad[2][2])
	}
	if gs[0].N[0][0] != 3 {
		t.Errorf("rows per facet cell %d, want 3", gs[0].N[0][0])
	}
}

func TestBadCellOffScale(t *testing.T) {
	gs, err := HeatGrids(sample(), "width", "lr", "test_loss", "mean", "optimizer")
	if err != nil {
		t.Fatal(err)
	}
	s := NewScale(gs, false)
	if !near(s.Min, 0.001+2) || !near(s.Max, 0.1*4+102) {
		t.Errorf("scale [%g, %g], want [%g, %g]", s.Min, s.Max, 0.001+2, 0.4+102)
	}
	bad := s.CellColor(gs[0], 2, 2)
	if bad != BadColor {
		t.Fatalf("bad cell colour %v", bad)
	}
	br, bg, bb, _ := bad.RGBA()
	for _, c := range s.Palette(1024) {
		r, g, b, _ := c.RGBA()
		if r == br && g == bg && b == bb {
			t.Fatalf("BadColor %v is on the scale", bad)
		}
	}
	if s.CellColor(gs[0], 0, 0) == BadColor {
		t.Error("good cell drawn as bad")
	}
}

func TestContour(t *testing.T) {
	// z = x on a 4x3 grid, level 2.5: crossed between x = 2 and x = 3 only.
	g := &Grid{Xs: []float64{1, 2, 3, 4}, Ys: []float64{1, 2, 3}}
	for range g.Ys {
		g.Z = append(g.Z, []float64{1, 2, 3, 4})
		g.Bad = append(g.Bad, make([]bool, 4))
	}
	segs := Contour(g, 2.5)
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2", len(segs))
	}
	for _, s := range segs {
		if s.IX != 1 || !near(s.X0, 2.5) || !near(s.X1, 2.5) {
			t.Errorf("segment %+v, want x = 2.5 in column square 1", s)
		}
	}
	// A Bad corner removes the squares around it.
	g.Bad[0][1] = true
	if segs := Contour(g, 2.5); len(segs) != 1 || segs[0].IY != 1 {
		t.Errorf("with a bad corner: %+v", segs)
	}
	// Log axis: interpolation in log10: between 1 and 100 at the midpoint is 10.
	g2 := &Grid{Xs: []float64{1, 100}, Ys: []float64{1, 2}, LogX: true,
		Z: [][]float64{{0, 1}, {0, 1}}, Bad: [][]bool{{false, false}, {false, false}}}
	if segs := Contour(g2, 0.5); len(segs) != 1 || !near(segs[0].X0, 10) {
		t.Errorf("log contour %+v", segs)
	}
}

func TestLines(t *testing.T) {
	sets, err := Lines(sample(), "lr", "test_loss", "optimizer", "mean", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 1 || len(sets[0].Lines) != 2 || !sets[0].LogX {
		t.Fatalf("sets %+v", sets)
	}
	gd := sets[0].Lines[0]
	if gd.By != "gd" || len(gd.Xs) != 3 {
		t.Fatalf("line %+v", gd)
	}
	// lr = 0.01 over width 1..4 and seeds {0,1,5}: mean 0.01*2.5 + 2, band [0.01, 0.04 + 5].
	if !near(gd.Y[1], 0.025+2) || !near(gd.Lo[1], 0.01) || !near(gd.Hi[1], 5.04) {
		t.Errorf("gd at 0.01: %g [%g, %g]", gd.Y[1], gd.Lo[1], gd.Hi[1])
	}
	// lr = 0.1 has diverged runs (width 3): left out, the point Partial, the mean over widths
	// 1, 2, 4 and seeds {0, 1, 5}: 0.1*7/3 + 2, band over the same rows.
	if gd.Bad[2] || !gd.Partial[2] || !near(gd.Y[2], 0.1*7/3+2) || !near(gd.Lo[2], 0.1) || !near(gd.Hi[2], 5.4) || gd.Stats[2].Diverged != 3 {
		t.Errorf("gd at 0.1: bad %v partial %v %g [%g, %g]", gd.Bad[2], gd.Partial[2], gd.Y[2], gd.Lo[2], gd.Hi[2])
	}
	if sgd := sets[0].Lines[1]; sgd.Bad[2] || !near(sgd.Y[0], 0.0025+102) {
		t.Errorf("sgd %+v", sgd)
	}
	fs, err := Lines(sample(), "width", "test_loss", "", "max", "optimizer")
	if err != nil || len(fs) != 2 || len(fs[1].Lines) != 1 || !near(fs[1].Lines[0].Y[0], 0.1+105) || fs[0].LogX {
		t.Errorf("faceted lines: %v %+v", err, fs)
	}
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	gs, err := HeatGrids(sample(), "width", "lr", "test_loss", "mean", "optimizer")
	if err != nil {
		t.Fatal(err)
	}
	sets, err := Lines(sample(), "lr", "test_loss", "optimizer", "median", "")
	if err != nil {
		t.Fatal(err)
	}
	level := 50.0
	for _, ext := range []string{"png", "svg"} {
		heat := filepath.Join(dir, "heat."+ext)
		if err := RenderHeat(gs, HeatOptions{FacetName: "optimizer", Contour: &level}, heat); err != nil {
			t.Fatal(err)
		}
		line := filepath.Join(dir, "line."+ext)
		if err := RenderLines(sets, "", line, Style{}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{heat, line} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if ext == "png" {
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if f == heat && img.Bounds().Dx() <= img.Bounds().Dy() {
					t.Errorf("two facets should be side by side: %v", img.Bounds())
				}
			} else if !bytes.HasPrefix(b, []byte("<?xml")) && !bytes.HasPrefix(b, []byte("<svg")) {
				t.Errorf("%s does not start as SVG: %q", f, b[:min(len(b), 40)])
			}
		}
	}
	if err := RenderHeat(gs, HeatOptions{}, filepath.Join(dir, "x.pdf")); err == nil {
		t.Error("pdf accepted")
	}
}
