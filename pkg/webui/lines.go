package webui

// The page's line plots are drawn in the browser, as its heat maps are, from the lines
// pkg/phase computed (phase.Lines, the figure of `sweep plot`), in RenderLines' styles
// (phase.SeriesStyle, phase.BandColor), with the bands and the legend phase decides
// (phase.LineSet.Banded, phase.LineSet.Legend): a filled point, a hollow one where some runs
// diverged, failed or stopped at max_steps, a cross at the top edge where all did. Every
// point carries its counts by outcome for the tooltip.

import (
	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/phase"
)

// lineSet is one phase.LineSet: one panel of lines and its legend.
type lineSet struct {
	Facet   string
	Title   string
	LogX    bool
	LogY    bool
	XCat    bool      // a categorical x axis: PX are the indices
	XLabels []string  // a string x column: the value of each index
	PX      []float64 // the plot coordinate of each x (phase.Axis.Plot)
	Lines   []line
	Legend  []legendEntry
	Hollow  string // what a hollow point means (phase.LegendHollow), for the tooltip
}

// line is one phase.Line (NaN as null) with its style and the counts of its points.
type line struct {
	By        string
	Name      string // its legend entry (phase.LineSet.SeriesName)
	Color     string // phase.SeriesStyle
	Width     float64
	Dash      []float64 `json:",omitempty"`
	BandColor string    // its band's fill (phase.BandColor)
	Xs        []float64
	Y, Lo, Hi []jsonFloat
	Bad       []bool
	Partial   []bool
	N         []int
	Band      bool // its band is drawn (phase.LineSet.Banded)
	// Counts[k][s] is how many runs at Xs[k] have status Statuses[s].
	Counts [][]int
	Mark   jsonFloat
}

// addLines fills f with the line sets of a line plot.
func (f *figure) addLines(sets []*phase.LineSet) {
	s0 := sets[0]
	f.Kind, f.X, f.Z, f.Agg, f.By = "lines", s0.XName, s0.ZName, s0.Agg, s0.ByName
	for _, ls := range sets {
		var xs []float64
		if len(ls.Lines) > 0 {
			xs = ls.Lines[0].Xs
		}
		ax := phase.Axis{Values: xs, Labels: ls.XLabels, Log: ls.LogX, Cat: ls.XCat}
		set := lineSet{Facet: ls.Facet, Title: phase.Title(ls.ZName, ls.Agg, f.Facet, ls.Facet),
			LogX: ls.LogX, LogY: ls.LogY, XCat: ls.XCat, XLabels: ls.XLabels, Legend: legendOf(ls.Legend()), Hollow: phase.LegendHollow}
		for _, x := range xs {
			set.PX = append(set.PX, ax.Plot(x))
		}
		for i, l := range ls.Lines {
			st := phase.SeriesStyle(i)
			ln := line{By: l.By, Name: ls.SeriesName(i), Color: cssColor(st.Color), Width: st.Width.Points(), Dash: dashes(st.Dashes),
				BandColor: cssColor(phase.BandColor(st.Color)), Xs: l.Xs, Y: jsonFloats(l.Y), Lo: jsonFloats(l.Lo), Hi: jsonFloats(l.Hi),
				Bad: l.Bad, Partial: l.Partial, N: l.N, Mark: jsonFloat(l.Mark), Band: ls.Banded(i)}
			for _, st := range l.Stats {
				ln.Counts = append(ln.Counts, countsOf(st.Counts))
			}
			set.Lines = append(set.Lines, ln)
		}
		f.Lines = append(f.Lines, set)
	}
}

// countsOf is c in the order of statuses (failed with the unknown statuses).
func countsOf(c aggregate.Counts) []int {
	return []int{c.Converged, c.MaxSteps, c.Diverged, c.Failed + c.Other}
}
