// Package phase turns results tables into phase diagrams: grids of a metric aggregated over two
// parameters (heat maps, with diverged or failed cells flagged), lines of a metric against one
// parameter with a band over the rest, and figures of them (gonum/plot, PNG or SVG).
//
// The data-level functions (HeatGrid, HeatGrids, Lines, Contour) hold every decision a figure
// shows, so that tests can check them without looking at pixels; Render* only draws them.
package phase

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// StatusColumn is the results column holding a point's status.
const StatusColumn = "status"

// goodStatus are the statuses of runs whose metrics are drawn on the scale: converged, or
// stopped at max_steps. Any other (diverged, failed) makes a cell Bad.
var goodStatus = map[string]bool{"converged": true, "max_steps": true}

// Aggs are the accepted aggregations.
var Aggs = []string{"mean", "median", "min", "max"}

// Grid is a metric aggregated over two parameters. Z[iy][ix] is the aggregate of Z over the rows
// with x = Xs[ix] and y = Ys[iy] (all other parameters and seeds). Bad[iy][ix] marks cells that
// are not drawn on the colour scale: a row of the cell has a status other than converged or
// max_steps, the aggregate is not finite, or the cell has no row; Z of a Bad cell is NaN.
type Grid struct {
	XName, YName string    // the parameter columns on the axes
	ZName, Agg   string    // the metric column and the aggregation
	Facet        string    // the facet's value ("" without facets)
	Xs, Ys       []float64 // distinct axis values, ascending
	Z            [][]float64
	Bad          [][]bool
	N            [][]int // rows per cell
	LogX, LogY   bool    // the axis values are log-spaced (constant ratio)
}

// Range is the minimum and maximum of Z over the cells that are not Bad (NaN, NaN if none).
func (g *Grid) Range() (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for iy := range g.Ys {
		for ix := range g.Xs {
			if g.Bad[iy][ix] {
				continue
			}
			v := g.Z[iy][ix]
			if math.IsNaN(lo) || v < lo {
				lo = v
			}
			if math.IsNaN(hi) || v > hi {
				hi = v
			}
		}
	}
	return lo, hi
}

// table gives typed access to a results table's columns by name.
type table struct {
	t   *results.Table
	idx map[string]int
}

func newTable(t *results.Table) *table {
	tb := &table{t: t, idx: make(map[string]int)}
	for j, f := range t.Fields {
		tb.idx[f.Name] = j
	}
	return tb
}

// col returns the index of a column, or an error listing the columns.
func (tb *table) col(name string) (int, error) {
	j, ok := tb.idx[name]
	if !ok {
		var names []string
		for _, f := range tb.t.Fields {
			names = append(names, f.Name)
		}
		return 0, fmt.Errorf("no column %q in the results (columns: %v)", name, names)
	}
	return j, nil
}

// numCols returns the indices of numeric (int or float) columns, in the order named.
func (tb *table) numCols(names ...string) ([]int, error) {
	cols := make([]int, len(names))
	for i, name := range names {
		j, err := tb.numCol(name)
		if err != nil {
			return nil, err
		}
		cols[i] = j
	}
	return cols, nil
}

// numCol returns the index of a numeric (int or float) column.
func (tb *table) numCol(name string) (int, error) {
	j, err := tb.col(name)
	if err != nil {
		return 0, err
	}
	if tb.t.Fields[j].Kind == results.String {
		return 0, fmt.Errorf("column %q is not numeric", name)
	}
	return j, nil
}

// num is row k of numeric column j as a float64.
func (tb *table) num(k, j int) float64 {
	v := tb.t.Rows[k][j]
	if tb.t.Fields[j].Kind == results.Int {
		return float64(v.I)
	}
	return v.F
}

// str is row k of column j as a string (numbers in shortest form).
func (tb *table) str(k, j int) string {
	v := tb.t.Rows[k][j]
	switch tb.t.Fields[j].Kind {
	case results.Int:
		return strconv.FormatInt(v.I, 10)
	case results.Float:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	}
	return v.S
}

// good reports whether row k has a status drawn on the scale; a table without a status column
// counts every row as good.
func (tb *table) good(k int) bool {
	j, ok := tb.idx[StatusColumn]
	if !ok {
		return true
	}
	return goodStatus[tb.t.Rows[k][j].S]
}

// Aggregate reduces vs by agg (mean, median, min or max); NaN for no values. A NaN among vs
// makes every aggregate NaN, so that a non-finite run is never hidden.
func Aggregate(vs []float64, agg string) (float64, error) {
	if !slices.Contains(Aggs, agg) {
		return 0, fmt.Errorf("unknown aggregation %q (want one of %v)", agg, Aggs)
	}
	if len(vs) == 0 {
		return math.NaN(), nil
	}
	for _, v := range vs {
		if math.IsNaN(v) {
			return math.NaN(), nil
		}
	}
	switch agg {
	case "mean":
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s / float64(len(vs)), nil
	case "median":
		s := slices.Clone(vs)
		sort.Float64s(s)
		n := len(s)
		if n%2 == 1 {
			return s[n/2], nil
		}
		return (s[n/2-1] + s[n/2]) / 2, nil
	case "min":
		return slices.Min(vs), nil
	default:
		return slices.Max(vs), nil
	}
}

// IsLogSpaced reports whether vs (ascending, distinct) are positive with a constant ratio other
// than 1 (relative tolerance 1e-6), at least three of them: a logspace axis.
func IsLogSpaced(vs []float64) bool {
	if len(vs) < 3 {
		return false
	}
	for _, v := range vs {
		if !(v > 0) || math.IsInf(v, 0) {
			return false
		}
	}
	r := math.Log(vs[1] / vs[0])
	if r == 0 {
		return false
	}
	for i := 2; i < len(vs); i++ {
		if math.Abs(math.Log(vs[i]/vs[i-1])-r) > 1e-6*math.Abs(r) {
			return false
		}
	}
	return true
}

// distinct returns the sorted distinct values of vs (NaN dropped).
func distinct(vs []float64) []float64 {
	var out []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	sort.Float64s(out)
	return slices.Compact(out)
}

// HeatGrid aggregates column z over the (x, y) grid of t with agg (see Grid).
func HeatGrid(t *results.Table, x, y, z, agg string) (*Grid, error) {
	gs, err := HeatGrids(t, x, y, z, agg, "")
	if err != nil {
		return nil, err
	}
	return gs[0], nil
}

// HeatGrids is HeatGrid for each value of column facet (in order of first appearance for
// strings, ascending for numbers), with a shared set of axis values; facet "" gives one grid.
func HeatGrids(t *results.Table, x, y, z, agg, facet string) ([]*Grid, error) {
	if _, err := Aggregate(nil, agg); err != nil {
		return nil, err
	}
	if x == y {
		return nil, fmt.Errorf("x and y are both %q", x)
	}
	tb := newTable(t)
	cols, err := tb.numCols(x, y, z)
	if err != nil {
		return nil, err
	}
	jx, jy, jz := cols[0], cols[1], cols[2]
	facets, rowsOf, err := splitFacets(tb, facet)
	if err != nil {
		return nil, err
	}
	var xs, ys []float64
	for k := range t.Rows {
		xs = append(xs, tb.num(k, jx))
		ys = append(ys, tb.num(k, jy))
	}
	xs, ys = distinct(xs), distinct(ys)
	if len(xs) == 0 || len(ys) == 0 {
		return nil, fmt.Errorf("no rows to plot")
	}
	var grids []*Grid
	for _, f := range facets {
		g := &Grid{XName: x, YName: y, ZName: z, Agg: agg, Facet: f, Xs: xs, Ys: ys,
			LogX: IsLogSpaced(xs), LogY: IsLogSpaced(ys)}
		vals := make([][][]float64, len(ys))
		bad := make([][]bool, len(ys))
		for iy := range ys {
			vals[iy] = make([][]float64, len(xs))
			bad[iy] = make([]bool, len(xs))
		}
		for _, k := range rowsOf[f] {
			ix, _ := slices.BinarySearch(xs, tb.num(k, jx))
			iy, ok := slices.BinarySearch(ys, tb.num(k, jy))
			if !ok || ix >= len(xs) || xs[ix] != tb.num(k, jx) {
				continue // NaN coordinate
			}
			vals[iy][ix] = append(vals[iy][ix], tb.num(k, jz))
			if !tb.good(k) {
				bad[iy][ix] = true
			}
		}
		g.Z, g.Bad, g.N = make([][]float64, len(ys)), bad, make([][]int, len(ys))
		for iy := range ys {
			g.Z[iy] = make([]float64, len(xs))
			g.N[iy] = make([]int, len(xs))
			for ix := range xs {
				v, _ := Aggregate(vals[iy][ix], agg)
				g.N[iy][ix] = len(vals[iy][ix])
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad[iy][ix] = true
				}
				if bad[iy][ix] {
					v = math.NaN()
				}
				g.Z[iy][ix] = v
			}
		}
		grids = append(grids, g)
	}
	return grids, nil
}

// splitFacets lists the values of column facet and the rows of each ("" and all rows without
// a facet).
func splitFacets(tb *table, facet string) ([]string, map[string][]int, error) {
	rows := make(map[string][]int)
	if facet == "" {
		all := make([]int, len(tb.t.Rows))
		for k := range all {
			all[k] = k
		}
		rows[""] = all
		return []string{""}, rows, nil
	}
	j, err := tb.col(facet)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for k := range tb.t.Rows {
		s := tb.str(k, j)
		if _, ok := rows[s]; !ok {
			names = append(names, s)
		}
		rows[s] = append(rows[s], k)
	}
	if tb.t.Fields[j].Kind != results.String {
		sort.Slice(names, func(a, b int) bool { return tb.numOf(names[a]) < tb.numOf(names[b]) })
	}
	return names, rows, nil
}

func (tb *table) numOf(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
