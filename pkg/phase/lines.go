package phase

import (
	"fmt"
	"math"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// Line is a metric against one parameter for one value of the --by column. At Xs[i], Stats[i]
// are the statistics (pkg/aggregate) of the metric over the runs with that x (other
// parameters and seeds): diverged and failed runs left out and counted, max_steps runs in.
// Y[i] is the aggregate, NaN when no included run has a finite value; Bad[i] marks an x where
// every run diverged or failed, or none has a finite value; Partial[i] one where some runs
// diverged, failed or stopped at max_steps (drawn hollow). Lo[i], Hi[i] is the band (SetBand;
// min-max by default). An x without runs of this line (N[i] = 0: the x values are shared by
// the lines of a set) has Y NaN and is not Bad: the line skips it.
type Line struct {
	By        string // the value of the by column ("" without one)
	Xs        []float64
	Y, Lo, Hi []float64
	Bad       []bool
	Partial   []bool
	N         []int // runs per x
	Stats     []aggregate.Stats
	// Mark is the median of the LineSet's MarkName column over the line's rows (finite values
	// only; NaN if none or no MarkName): drawn as a vertical dashed line.
	Mark float64
}

// LineSet is the lines of one panel (one facet value).
type LineSet struct {
	XName, ZName, ByName, Agg string
	Facet                     string
	LogX, LogY                bool
	XCat                      bool     // a categorical x axis (AxisKind)
	XLabels                   []string // a string x column: the value of each index
	Lines                     []Line
	MarkName                  string      // the column of the lines' Mark ("" for none)
	Refs                      []*Ref      // reference curves (--ref), drawn over the data
	Where                     string      // the --where selection, for the title ("" for none)
	Band                      string      // the band drawn (aggregate.Bands)
	BandOver                  string      // what the runs of a point differ in, for the band's label
	YLim                      *[2]float64 // the y axis's range (--zlim), or nil: the data's
	XLim                      *[2]float64 // the x axis's range (--xlim), or nil: the data's
}

// SetBand sets the band of every line of set to band (aggregate.Bands) over its Stats.
func (set *LineSet) SetBand(band string) {
	set.Band = band
	for i := range set.Lines {
		ln := &set.Lines[i]
		for k, st := range ln.Stats {
			ln.Lo[k], ln.Hi[k] = st.Band(band)
			if ln.N[k] == 0 || IsOutcome(set.ZName) {
				ln.Lo[k], ln.Hi[k] = math.NaN(), math.NaN()
			}
		}
	}
}

// Lines computes, for each facet value (facet "" gives one set), one Line of column z (or an
// outcome fraction, IsOutcome) against column x per value of column by (by "": a single
// line), aggregated with agg, with a min-max band.
func Lines(t *results.Table, x, z, by, agg, facet string) ([]*LineSet, error) {
	if err := aggregate.CheckAgg(agg); err != nil {
		return nil, err
	}
	if z == ZStatus {
		return nil, fmt.Errorf("%s is categorical: a phase map needs two axes (give --y), or draw --z %s or --z %s against one", ZStatus, ZConverged, ZDiverged)
	}
	tb := newTable(t)
	ax, err := tb.axisOf(x)
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
	xs := ax.vals
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
		sax := &axisValues{tb: stb, j: ax.j, vals: ax.vals, labels: ax.labels, at: ax.at}
		bys, byRows, err := splitFacets(stb, by)
		if err != nil {
			return nil, err
		}
		set := &LineSet{XName: x, ZName: z, ByName: by, Agg: agg, Facet: f, XLabels: ax.labels,
			BandOver: varyingColumns(sub, x, by, facet)}
		set.LogX, set.XCat = ax.kind()
		if ra := tb.refinedAxis(x); ra != nil { // a refined axis: uneven values, never categories
			set.LogX, set.XCat = ra.Log, false
		}
		for _, b := range bys {
			ln := Line{By: b, Xs: xs, Mark: math.NaN()}
			vals := make([][]float64, len(xs))
			statuses := make([][]string, len(xs))
			for _, k := range byRows[b] {
				ix, ok := sax.index(k)
				if !ok {
					continue
				}
				v := stb.metric(k, jz)
				vals[ix], statuses[ix] = append(vals[ix], v), append(statuses[ix], stb.status(k))
			}
			for ix := range xs {
				st := aggregate.Of(vals[ix], statuses[ix])
				v := cellValue(st, z, agg)
				bad := st.Total() > 0 && (math.IsNaN(v) || math.IsInf(v, 0))
				if bad {
					v = math.NaN()
				}
				ln.Y, ln.Bad, ln.N, ln.Stats = append(ln.Y, v), append(ln.Bad, bad), append(ln.N, st.Total()), append(ln.Stats, st)
				ln.Partial = append(ln.Partial, !bad && !IsOutcome(z) && (st.Excluded() > 0 || st.MaxSteps > 0))
			}
			ln.Lo, ln.Hi = make([]float64, len(xs)), make([]float64, len(xs))
			set.Lines = append(set.Lines, ln)
		}
		set.SetBand("minmax")
		sets = append(sets, set)
	}
	return sets, nil
}

// varyingColumns names what the runs at one point of a line differ in, for the band's label:
// "seeds" when only the seed varies, else the swept columns (other than x, by and facet)
// that take several values at one point of a line, "seeds and init", or "runs" when nothing
// is known. A column that x and by decide (stepsize and steps on an effective_stepsize axis
// by momentum) varies along the line, not within a point, and is not named.
func varyingColumns(t *results.Table, x, by, facet string) string {
	tb := newTable(t)
	jx, jb := tb.idx[x], -1
	if j, ok := tb.idx[by]; ok && by != "" {
		jb = j
	}
	point := func(k int) string { // the point of a line row k belongs to
		if jb < 0 {
			return tb.str(k, jx)
		}
		return tb.str(k, jx) + "\x00" + tb.str(k, jb)
	}
	withinPoint := func(j int) bool {
		first := map[string]string{}
		for k := range t.Rows {
			p, v := point(k), tb.str(k, j)
			if f, ok := first[p]; ok && f != v {
				return true
			}
			first[p] = v
		}
		return false
	}
	var names []string
	seeds := false
	for _, c := range sweptColumns(t) {
		j, ok := tb.idx[c]
		if !ok || c == x || c == by || c == facet || len(tb.values(j)) < 2 || !withinPoint(j) {
			continue
		}
		if c == "seed" {
			seeds = true
		} else {
			names = append(names, c)
		}
	}
	switch {
	case seeds && len(names) == 0:
		return "seeds"
	case seeds:
		return "seeds and " + strings.Join(names, ", ")
	case len(names) > 0:
		return strings.Join(names, ", ")
	}
	return "runs"
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
			set.Lines[i].Mark = aggregate.MedianOf(vs)
		}
	}
	return nil
}
