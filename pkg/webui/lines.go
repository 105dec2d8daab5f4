package webui

// The page's line plots are drawn in the browser, as its heat maps are, from the lines
// pkg/phase computed (phase.Lines, the figure of `sweep plot`), in RenderLines' styles: the
// series' colours and dashes, the band, a filled point, a hollow one where some runs
// diverged, failed or stopped at max_steps, a cross at the top edge where all did. Every
// point carries its counts by outcome for the tooltip.

import (
	"math"

	"gonum.org/v1/plot/plotutil"

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
}

// line is one phase.Line (NaN as null) with its style and the counts of its points.
type line struct {
	By        string
	Name      string // its legend entry
	Color     string
	Dash      []float64 `json:",omitempty"`
	Xs        []float64
	Y, Lo, Hi []jsonFloat
	Bad       []bool
	Partial   []bool
	N         []int
	Band      bool // its band is drawn (RenderLines: two or more values at some x, defined at two x or more)
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
			LogX: ls.LogX, LogY: ls.LogY, XCat: ls.XCat, XLabels: ls.XLabels}
		for _, x := range xs {
			set.PX = append(set.PX, ax.Plot(x))
		}
		band, hollow, bad := false, false, false
		for i, l := range ls.Lines {
			ln := line{By: l.By, Name: ls.ZName, Color: hexColor(plotutil.Color(i)), Xs: l.Xs, Y: jsonFloats(l.Y),
				Lo: jsonFloats(l.Lo), Hi: jsonFloats(l.Hi), Bad: l.Bad, Partial: l.Partial, N: l.N, Mark: jsonFloat(l.Mark)}
			if ls.ByName != "" {
				ln.Name = ls.ByName + " = " + phase.Compact(l.By)
			}
			for _, d := range plotutil.Dashes(i / len(plotutil.DefaultColors)) {
				ln.Dash = append(ln.Dash, d.Points())
			}
			drawn, spread, defined := false, false, 0
			for k, st := range l.Stats {
				ln.Counts = append(ln.Counts, countsOf(st.Counts))
				spread = spread || st.N >= 2
				if !math.IsNaN(l.Lo[k]) && (!ls.LogY || l.Lo[k] > 0) {
					defined++
				}
				hollow = hollow || l.Partial[k]
				bad = bad || l.Bad[k]
				drawn = drawn || !l.Bad[k] && !math.IsNaN(l.Y[k])
			}
			ln.Band = spread && defined >= 2
			band = band || ln.Band
			set.Lines = append(set.Lines, ln)
			if drawn {
				set.Legend = append(set.Legend, legendEntry{Label: ln.Name, Kind: "series", Color: ln.Color, Dash: ln.Dash})
			}
		}
		// The entries RenderLines adds after the series, in its order.
		if band {
			set.Legend = append(set.Legend, legendEntry{Label: "band: " + aggregate.BandLabel(ls.Band, ls.BandOver), Kind: "band"})
		}
		if hollow {
			set.Legend = append(set.Legend, legendEntry{Label: "some runs max_steps or diverged", Kind: "hollow"})
		}
		if bad {
			set.Legend = append(set.Legend, legendEntry{Label: legendHatched, Kind: "bad"})
		}
		f.Lines = append(f.Lines, set)
	}
}

// countsOf is c in the order of statuses (failed with the unknown statuses).
func countsOf(c aggregate.Counts) []int {
	return []int{c.Converged, c.MaxSteps, c.Diverged, c.Failed + c.Other}
}
