// Package phase turns results tables into phase diagrams: grids of a metric aggregated over two
// parameters (heat maps, with diverged or failed runs left out, counted and marked), maps of
// the runs' outcome (converged, max_steps, diverged), lines of a metric against one parameter
// with a band over the rest, and figures of them (gonum/plot, PNG or SVG). Every aggregate is
// pkg/aggregate's, so a figure agrees with `sweep summarize`.
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

	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/columns"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// StatusColumn is the results column holding a point's status.
const StatusColumn = "status"

// Aggs are the accepted aggregations (pkg/aggregate).
var Aggs = aggregate.Aggs

// Grid is a metric aggregated over two parameters. Z[iy][ix] is the aggregate (pkg/aggregate)
// of Z over the runs with x = Xs[ix] and y = Ys[iy] (all other parameters and seeds) whose
// status is converged or max_steps and whose value is finite; Stats[iy][ix] holds those
// statistics and the runs of the cell by status. Bad[iy][ix] marks cells without a value on
// the colour scale (Z NaN): every run diverged or failed, no included run has a finite value,
// or the cell has no run (N 0: drawn blank).
//
// An outcome metric (Outcome: status, converged, diverged) is not a column: Z is then the
// fraction of the cell's runs with that status, or for status the code of the cell's most
// common status (StatusCodes), over every run of the cell.
//
// A string parameter on an axis has Xs (or Ys) 0, 1, ... and the strings in XLabels
// (YLabels), in order of first appearance; XCat (YCat) draws an axis categorically: its
// values equally spaced, ticked at each (AxisKind decides, from the values).
type Grid struct {
	XName, YName     string    // the parameter columns on the axes
	ZName, Agg       string    // the metric column and the aggregation
	Facet            string    // the facet's value ("" without facets)
	Xs, Ys           []float64 // distinct axis values, ascending
	XLabels, YLabels []string  // string axes: the value of each index
	Z                [][]float64
	Bad              [][]bool
	N                [][]int // runs per cell
	Stats            [][]aggregate.Stats
	LogX, LogY       bool // log axes (log-spaced values)
	XCat, YCat       bool // categorical axes
	// Refine lays out the cells of a refined sweep (a table with a level column; nil for
	// any other): cells of their true size, finer ones over coarser ones. Xs and Ys are then
	// the values of every level, and most cells of their product have no run (N 0).
	Refine *Refinement
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

// col returns the index of a column, or an error naming the closest columns.
func (tb *table) col(name string) (int, error) {
	if j, ok := tb.idx[name]; ok {
		return j, nil
	}
	return columns.Index(tb.t.Fields, name, "")
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

// metricCol is the index of the numeric column of metric z, or -1 for an outcome metric
// (IsOutcome), which is not a column.
func (tb *table) metricCol(z string) (int, error) {
	if IsOutcome(z) {
		return -1, nil
	}
	return tb.numCol(z)
}

// metric is row k's value of the metric column jz (metricCol): NaN for an outcome.
func (tb *table) metric(k, jz int) float64 {
	if jz < 0 {
		return math.NaN()
	}
	return tb.num(k, jz)
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

// status is row k's status ("" without a status column: every run counts as converged).
func (tb *table) status(k int) string {
	j, ok := tb.idx[StatusColumn]
	if !ok {
		return ""
	}
	return tb.t.Rows[k][j].S
}

// good reports whether row k enters the statistics (aggregate.Included).
func (tb *table) good(k int) bool { return aggregate.Included(tb.status(k)) }

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
	if err := aggregate.CheckAgg(agg); err != nil {
		return nil, err
	}
	if x == y {
		return nil, fmt.Errorf("x and y are both %q", x)
	}
	tb := newTable(t)
	ax, err := tb.axisOf(x)
	if err != nil {
		return nil, err
	}
	ay, err := tb.axisOf(y)
	if err != nil {
		return nil, err
	}
	jz, err := tb.metricCol(z)
	if err != nil {
		return nil, err
	}
	facets, rowsOf, err := splitFacets(tb, facet)
	if err != nil {
		return nil, err
	}
	if len(ax.vals) == 0 || len(ay.vals) == 0 {
		return nil, fmt.Errorf("no rows to plot")
	}
	rx, ry := tb.refinedAxis(x), tb.refinedAxis(y)
	var grids []*Grid
	for _, f := range facets {
		g := &Grid{XName: x, YName: y, ZName: z, Agg: agg, Facet: f, Xs: ax.vals, Ys: ay.vals,
			XLabels: ax.labels, YLabels: ay.labels}
		g.LogX, g.XCat = ax.kind()
		g.LogY, g.YCat = ay.kind()
		if rx != nil || ry != nil {
			g.Refine = tb.refinement(rx, ry, ax, ay, rowsOf[f])
			if rx != nil {
				g.LogX, g.XCat = rx.Log, false
			}
			if ry != nil {
				g.LogY, g.YCat = ry.Log, false
			}
		}
		type cell struct {
			vals     []float64
			statuses []string
		}
		cells := make([][]cell, len(ay.vals))
		for iy := range cells {
			cells[iy] = make([]cell, len(ax.vals))
		}
		for _, k := range rowsOf[f] {
			ix, okx := ax.index(k)
			iy, oky := ay.index(k)
			if !okx || !oky {
				continue // NaN coordinate
			}
			c := &cells[iy][ix]
			v := tb.metric(k, jz)
			c.vals, c.statuses = append(c.vals, v), append(c.statuses, tb.status(k))
		}
		g.Z, g.Bad, g.N, g.Stats = make([][]float64, len(ay.vals)), make([][]bool, len(ay.vals)), make([][]int, len(ay.vals)), make([][]aggregate.Stats, len(ay.vals))
		for iy := range ay.vals {
			g.Z[iy], g.Bad[iy] = make([]float64, len(ax.vals)), make([]bool, len(ax.vals))
			g.N[iy], g.Stats[iy] = make([]int, len(ax.vals)), make([]aggregate.Stats, len(ax.vals))
			for ix := range ax.vals {
				c := cells[iy][ix]
				st := aggregate.Of(c.vals, c.statuses)
				v := cellValue(st, z, agg)
				g.Stats[iy][ix], g.N[iy][ix] = st, st.Total()
				g.Bad[iy][ix] = math.IsNaN(v) || math.IsInf(v, 0)
				if g.Bad[iy][ix] {
					v = math.NaN()
				}
				g.Z[iy][ix] = v
			}
		}
		grids = append(grids, g)
	}
	return grids, nil
}

// cellValue is what a group of runs with statistics st shows for metric z: the aggregate agg,
// or for an outcome metric the fraction or the status code (see Grid).
func cellValue(st aggregate.Stats, z, agg string) float64 {
	switch z {
	case ZStatus:
		return StatusCode(st.Counts)
	case ZConverged:
		return st.Fraction(aggregate.Converged)
	case ZDiverged:
		return st.Fraction(aggregate.Diverged)
	}
	return st.Value(agg)
}

// axisValues are the distinct values of a column on an axis: numbers ascending, or strings
// (labels) in order of first appearance with values 0, 1, ...
type axisValues struct {
	tb     *table
	j      int
	vals   []float64
	labels []string       // strings only
	at     map[string]int // strings only: the index of each
}

// axisOf lists the values of column name for an axis.
func (tb *table) axisOf(name string) (*axisValues, error) {
	j, err := tb.col(name)
	if err != nil {
		return nil, err
	}
	a := &axisValues{tb: tb, j: j}
	if tb.t.Fields[j].Kind == results.String {
		a.at = map[string]int{}
		for k := range tb.t.Rows {
			s := tb.t.Rows[k][j].S
			if _, ok := a.at[s]; !ok {
				a.at[s] = len(a.labels)
				a.vals = append(a.vals, float64(len(a.labels)))
				a.labels = append(a.labels, s)
			}
		}
		return a, nil
	}
	var vs []float64
	for k := range tb.t.Rows {
		vs = append(vs, tb.num(k, j))
	}
	a.vals = distinct(vs)
	return a, nil
}

// index is the position of row k's value among a.vals (false for NaN).
func (a *axisValues) index(k int) (int, bool) {
	if a.at != nil {
		i, ok := a.at[a.tb.t.Rows[k][a.j].S]
		return i, ok
	}
	v := a.tb.num(k, a.j)
	i, ok := slices.BinarySearch(a.vals, v)
	return i, ok
}

// kind is how the axis is drawn: log or categorical (AxisKind; strings are categorical).
func (a *axisValues) kind() (log, cat bool) {
	if a.labels != nil {
		return false, true
	}
	return AxisKind(a.vals)
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
