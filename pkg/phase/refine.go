package phase

import (
	"encoding/json"
	"math"
	"slices"
	"sort"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// LevelColumn is the column of a refined sweep's results: the refinement level that added
// the point, 0 for the points of the coarse grid.
const LevelColumn = "level"

// MetaRefine is the metadata key of a refined sweep's table: the JSON of its spec's refine
// section, whose "axes" are the one or two refined parameters.
const MetaRefine = "phasesweep.refine"

// Refinement is how the cells of a refined sweep's heat map are laid out. Refinement works
// on vertices: the coarse values of a refined axis are its distinct level-0 values, and level
// L adds midpoints (geometric on a log axis) so that the lattice spacing at level L is the
// coarse spacing / 2^L where it was refined. So along a refined axis a point of level L in
// the coarse interval [c_i, c_i+1] (in log10 for a log axis) is the centre of a cell of
// half-width (c_i+1 - c_i)/2^(L+1); one exactly at c_i takes its left half from the interval
// on its left and its right half from the one on its right (at the ends, the one interval
// there). Cells are drawn coarsest first, so that finer ones paint over the coarser ones they
// overlap; what shows is the partition into the regions nearest to each lattice point.
type Refinement struct {
	X, Y *RefinedAxis // the refined axes of the figure (nil: laid out as an ordinary axis)
	// Level[iy][ix] is the level of the cell's runs (the lowest, should they differ: a
	// coarser cell is painted first and leaves no gap); -1 for a cell without runs.
	Level    [][]int
	MaxLevel int
}

// RefinedAxis is one refined axis: its coarse values and the coordinate its midpoints are
// taken in.
type RefinedAxis struct {
	Coarse []float64 // the level-0 values, ascending (at least two)
	Log    bool      // geometric midpoints: spans are computed in log10
	c      []float64 // Coarse in that coordinate
}

// newRefinedAxis is the refined axis of coarse values cs (ascending, distinct; nil if fewer
// than two); log says its midpoints are geometric.
func newRefinedAxis(cs []float64, log bool) *RefinedAxis {
	if len(cs) < 2 {
		return nil
	}
	a := &RefinedAxis{Coarse: cs, Log: log}
	for _, v := range cs {
		a.c = append(a.c, a.to(v))
	}
	return a
}

// to and from map values to the axis's coordinate (log10 on a log axis) and back.
func (a *RefinedAxis) to(v float64) float64 {
	if a.Log {
		return math.Log10(v)
	}
	return v
}

func (a *RefinedAxis) from(u float64) float64 {
	if a.Log {
		return math.Pow(10, u)
	}
	return u
}

// interval is the width of coarse interval i, clamped to the first and last.
func (a *RefinedAxis) interval(i int) float64 {
	i = max(0, min(len(a.c)-2, i))
	return a.c[i+1] - a.c[i]
}

// Span is the cell of a point at value v and level: its edges, as values.
func (a *RefinedAxis) Span(v float64, level int) (lo, hi float64) {
	u := a.to(v)
	i := sort.SearchFloat64s(a.c, u) // the first coarse value >= u
	var left, right float64
	switch {
	case i < len(a.c) && a.c[i]-u <= 1e-9*a.interval(i):
		left, right = a.interval(i-1), a.interval(i) // at a coarse value
	case i > 0 && u-a.c[i-1] <= 1e-9*a.interval(i-1):
		left, right = a.interval(i-2), a.interval(i-1)
	default:
		left = a.interval(i - 1) // inside interval i-1 (or past an end: the end's)
		right = left
	}
	f := math.Ldexp(1, -(level + 1))
	return a.from(u - left*f), a.from(u + right*f)
}

// bounds are the outer edges of the coarse cells.
func (a *RefinedAxis) bounds() (lo, hi float64) {
	n := len(a.c)
	return a.from(a.c[0] - a.interval(0)/2), a.from(a.c[n-1] + a.interval(n-2)/2)
}

// refinedNames are the refined parameters a table's metadata names (MetaRefine's "axes"),
// or nil when it names none: then both axes of a heat map count as refined.
func refinedNames(t *results.Table) []string {
	var sec struct {
		Axes []string `json:"axes"`
	}
	if err := json.Unmarshal([]byte(t.Meta[MetaRefine]), &sec); err != nil {
		return nil
	}
	return sec.Axes
}

// refinedAxis is the refinement of column name, from the rows of the table: nil if the table
// has no level column, if name is not among the refined axes its metadata names, is a string
// column or has fewer than two coarse values. Whether its midpoints are geometric is
// read from the values: log-spaced coarse values are a log axis, evenly spaced ones a linear
// one; otherwise the coordinate in which more refined points sit at dyadic fractions of their
// coarse interval.
func (tb *table) refinedAxis(name string) *RefinedAxis {
	jl, ok := tb.idx[LevelColumn]
	j, okc := tb.idx[name]
	if !ok || !okc || tb.t.Fields[j].Kind == results.String || tb.t.Fields[jl].Kind == results.String {
		return nil
	}
	if names := refinedNames(tb.t); names != nil && !slices.Contains(names, name) {
		return nil
	}
	var coarse, fine []float64
	for k := range tb.t.Rows {
		if tb.num(k, jl) == 0 {
			coarse = append(coarse, tb.num(k, j))
		} else {
			fine = append(fine, tb.num(k, j))
		}
	}
	cs := distinct(coarse)
	if len(cs) < 2 {
		return nil
	}
	positive := cs[0] > 0
	switch {
	case IsLogSpaced(cs):
		return newRefinedAxis(cs, true)
	case IsLinSpaced(cs) || !positive:
		return newRefinedAxis(cs, false)
	}
	lin, log := newRefinedAxis(cs, false), newRefinedAxis(cs, true)
	if log.dyadic(fine) > lin.dyadic(fine) {
		return log
	}
	if lin.dyadic(fine) > log.dyadic(fine) {
		return lin
	}
	l, _ := AxisKind(cs)
	return newRefinedAxis(cs, l)
}

// dyadic counts the values of vs that sit at a fraction k/2^L (L <= 30) of their coarse
// interval in the axis's coordinate.
func (a *RefinedAxis) dyadic(vs []float64) int {
	n := 0
	for _, v := range vs {
		u := a.to(v)
		i := max(1, min(len(a.c)-1, sort.SearchFloat64s(a.c, u)))
		f := (u - a.c[i-1]) / (a.c[i] - a.c[i-1])
		if g := math.Ldexp(f, 30); f >= 0 && f <= 1 && math.Abs(g-math.Round(g)) < 1e-3 {
			n++
		}
	}
	return n
}

// refinement is the Refinement of the cells of rows (a facet's) on the axes ax, ay, of which
// rx, ry are refined (nil: not).
func (tb *table) refinement(rx, ry *RefinedAxis, ax, ay *axisValues, rows []int) *Refinement {
	jl := tb.idx[LevelColumn]
	r := &Refinement{X: rx, Y: ry, Level: make([][]int, len(ay.vals))}
	for iy := range r.Level {
		r.Level[iy] = slices.Repeat([]int{-1}, len(ax.vals))
	}
	for _, k := range rows {
		ix, okx := ax.index(k)
		iy, oky := ay.index(k)
		if !okx || !oky {
			continue
		}
		l := max(0, int(tb.num(k, jl)))
		if r.Level[iy][ix] < 0 || l < r.Level[iy][ix] {
			r.Level[iy][ix] = l
		}
		r.MaxLevel = max(r.MaxLevel, l)
	}
	return r
}
