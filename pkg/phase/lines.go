package phase

import (
	"fmt"
	"math"
	"slices"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// Line is a metric against one parameter for one value of the --by column. At Xs[i], Y[i] is the
// aggregate of the metric over the rows with that x (other parameters and seeds), NaN and Bad[i]
// when a row there has a status other than converged or max_steps or the aggregate is not
// finite; Lo[i], Hi[i] is the band: the min and max of the finite values of the good rows there
// (NaN if none). An x without rows of this line (N[i] = 0: the x values are shared by the lines
// of a set) has Y NaN and is not Bad: the line skips it.
type Line struct {
	By        string // the value of the by column ("" without one)
	Xs        []float64
	Y, Lo, Hi []float64
	Bad       []bool
	N         []int // rows per x
	// Mark is the median of the LineSet's MarkName column over the line's rows (finite values
	// only; NaN if none or no MarkName): drawn as a vertical dashed line.
	Mark float64
}

// LineSet is the lines of one panel (one facet value).
type LineSet struct {
	XName, ZName, ByName, Agg string
	Facet                     string
	LogX, LogY                bool
	Lines                     []Line
	MarkName                  string // the column of the lines' Mark ("" for none)
	Ref                       *Ref   // a reference curve, or nil
	Where                     string // the --where selection, for the title ("" for none)
}

// Lines computes, for each facet value (facet "" gives one set), one Line of column z against
// column x per value of column by (by "": a single line), aggregated with agg.
func Lines(t *results.Table, x, z, by, agg, facet string) ([]*LineSet, error) {
	if _, err := Aggregate(nil, agg); err != nil {
		return nil, err
	}
	tb := newTable(t)
	cols, err := tb.numCols(x, z)
	if err != nil {
		return nil, err
	}
	jx, jz := cols[0], cols[1]
	facets, rowsOf, err := splitFacets(tb, facet)
	if err != nil {
		return nil, err
	}
	var xs []float64
	for k := range t.Rows {
		xs = append(xs, tb.num(k, jx))
	}
	xs = distinct(xs)
	if len(xs) == 0 {
		return nil, fmt.Errorf("no rows to plot")
	}
	var sets []*LineSet
	for _, f := range facets {
		sub := &results.Table{Fields: t.Fields, Meta: t.Meta}
		for _, k := range rowsOf[f] {
			sub.Rows = append(sub.Rows, t.Rows[k])
		}
		stb := newTable(sub)
		bys, byRows, err := splitFacets(stb, by)
		if err != nil {
			return nil, err
		}
		set := &LineSet{XName: x, ZName: z, ByName: by, Agg: agg, Facet: f, LogX: IsLogSpaced(xs)}
		for _, b := range bys {
			ln := Line{By: b, Xs: xs, Mark: math.NaN()}
			vals := make([][]float64, len(xs))
			good := make([][]float64, len(xs))
			bad := make([]bool, len(xs))
			for _, k := range byRows[b] {
				ix, ok := slices.BinarySearch(xs, stb.num(k, jx))
				if !ok {
					continue
				}
				v := stb.num(k, jz)
				vals[ix] = append(vals[ix], v)
				if !stb.good(k) {
					bad[ix] = true
				} else if !math.IsNaN(v) && !math.IsInf(v, 0) {
					good[ix] = append(good[ix], v)
				}
			}
			for ix := range xs {
				v, _ := Aggregate(vals[ix], agg)
				if len(vals[ix]) > 0 && (math.IsNaN(v) || math.IsInf(v, 0)) {
					bad[ix] = true
				}
				if bad[ix] {
					v = math.NaN()
				}
				lo, hi := math.NaN(), math.NaN()
				if len(good[ix]) > 0 {
					lo, hi = slices.Min(good[ix]), slices.Max(good[ix])
				}
				ln.Y, ln.Lo, ln.Hi = append(ln.Y, v), append(ln.Lo, lo), append(ln.Hi, hi)
				ln.N = append(ln.N, len(vals[ix]))
			}
			ln.Bad = bad
			set.Lines = append(set.Lines, ln)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// MarkLines sets the Mark of every line of sets (computed by Lines from t with the same by and
// facet columns) to the median of column over the line's rows, finite values only, and names
// it in MarkName. The mark of a stepsize sweep is typically gamma_max (Even2023), which is
// the same for every row of a line when the line fixes everything but the stepsize.
func MarkLines(sets []*LineSet, t *results.Table, column, facet string) error {
	tb := newTable(t)
	jm, err := tb.numCol(column)
	if err != nil {
		return err
	}
	_, rowsOf, err := splitFacets(tb, facet)
	if err != nil {
		return err
	}
	for _, set := range sets {
		set.MarkName = column
		sub := &results.Table{Fields: t.Fields}
		for _, k := range rowsOf[set.Facet] {
			sub.Rows = append(sub.Rows, t.Rows[k])
		}
		stb := newTable(sub)
		_, byRows, err := splitFacets(stb, set.ByName)
		if err != nil {
			return err
		}
		for i := range set.Lines {
			var vs []float64
			for _, k := range byRows[set.Lines[i].By] {
				if v := stb.num(k, jm); !math.IsNaN(v) && !math.IsInf(v, 0) {
					vs = append(vs, v)
				}
			}
			set.Lines[i].Mark, _ = Aggregate(vs, "median")
		}
	}
	return nil
}
