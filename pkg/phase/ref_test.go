package phase

import (
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// powerTable is a line plot's table over x = logspace(0.01, 1, 9) with z = x^3 (a line of
// slope 3 from 1e-6 to 1 on log-log axes), one run per x.
func powerTable() *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "x", Kind: results.Float},
		{Name: "z", Kind: results.Float}, {Name: "status", Kind: results.String}}}
	for i := range 9 {
		x := 0.01 * math.Pow(100, float64(i)/8)
		t.Rows = append(t.Rows, []results.Value{{I: int64(i)}, {F: x}, {F: x * x * x}, {S: "converged"}})
	}
	return t
}

// TestRefSlopeFromPixels: --ref 0.5*x^2 on log-log axes is a straight black line of slope 2.
// The test finds the line's pixels in 25 columns of the PNG, maps their rows back to values
// through the panel's axes and fits log y against log x: slope 2 and intercept log10 0.5
// within a pixel's worth. The data (slope 3, red) are never taken for the reference.
func TestRefSlopeFromPixels(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", powerTable())
	for _, c := range []struct {
		expr     string
		slope, a float64
	}{{"0.5*x^2", 2, 0.5}, {"0.01/x", -1, 0.01}, {"x^0.5*0.001", 0.5, 0.001}} {
		ref, err := ParseRef(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "ref.png")
		fig, err := Plot(path, Options{X: "x", Z: "z", Refs: []*Ref{ref}, LogZ: ptr(true), Out: out, Force: true}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		set := fig.Lines[0]
		if !set.LogX || !set.LogY {
			t.Fatalf("%s: axes log %v %v, want log-log", c.expr, set.LogX, set.LogY)
		}
		img := readPNG(t, out)
		p, m := linePixels(t, set)
		// Rows of the axis ends: log10 y is linear in the row between them.
		rowLo, rowHi := m.row(m.trY(p.Y.Min)), m.row(m.trY(p.Y.Max))
		yOf := func(row float64) float64 {
			f := (float64(rowLo) - row) / float64(rowLo-rowHi)
			return math.Log10(p.Y.Min) + f*(math.Log10(p.Y.Max)-math.Log10(p.Y.Min))
		}
		var lx, ly []float64
		for i := 1; i < 25; i++ {
			x := 0.01 * math.Pow(100, float64(i)/25)
			px := m.col(x)
			var rows []int
			for dx := -2; dx <= 2; dx++ { // the line is dashed: look two columns either side
				for row := m.top + 2; row < m.bot-2; row++ {
					if tinted(img.At(px+dx, row), color.Black) {
						rows = append(rows, row)
					}
				}
			}
			if len(rows) == 0 {
				continue
			}
			slices.Sort(rows)
			lx = append(lx, math.Log10(x))
			ly = append(ly, yOf(float64(rows[len(rows)/2])))
		}
		if len(lx) < 15 {
			t.Fatalf("%s: the reference found in %d of 24 columns", c.expr, len(lx))
		}
		slope, icept := fitLine(lx, ly)
		// One pixel is (log10 Ymax - log10 Ymin)/(rowLo - rowHi) decades of y; over the two
		// decades of x the slope is good to a few pixels' worth.
		px := (math.Log10(p.Y.Max) - math.Log10(p.Y.Min)) / float64(rowLo-rowHi)
		if math.Abs(slope-c.slope) > 3*px/2 || math.Abs(icept-math.Log10(c.a)) > 4*px {
			t.Errorf("%s: slope %.3f intercept 10^%.3f read from the pixels; want %g and 10^%.3f (one pixel: %.3f decades)",
				c.expr, slope, icept, c.slope, math.Log10(c.a), px)
		}
	}
}

// fitLine is the least-squares line y = slope x + icept through the points.
func fitLine(xs, ys []float64) (slope, icept float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	slope = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return slope, (sy - slope*sx) / n
}

// TestRefsLegend: several --ref curves each get a legend entry, with their slope on log-log
// axes, and dash patterns of their own.
func TestRefsLegend(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", powerTable())
	var refs []*Ref
	for _, e := range []string{"0.1*x", "0.5*x^2", "2/x"} {
		r, err := ParseRef(e)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	fig, err := Plot(path, Options{X: "x", Z: "z", Refs: refs, LogZ: ptr(true), Out: filepath.Join(dir, "r.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	nl, err := linePanel(fig.Lines[0], "", Style{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.1*x (slope 1)", "0.5*x^2 (slope 2)", "2/x (slope -1)"}
	var got []string
	for _, n := range nl.names {
		if strings.Contains(n, "slope") {
			got = append(got, n)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("legend entries %q, want %q among %q", got, want, nl.names)
	}
	for i := range refs {
		for j := range i {
			if slices.Equal(refStyle(i).Dashes, refStyle(j).Dashes) {
				t.Errorf("references %d and %d share a dash pattern", i, j)
			}
		}
	}
}
