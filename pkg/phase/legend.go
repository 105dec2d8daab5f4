package phase

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
)

// Swatch is what a legend entry's thumbnail shows.
type Swatch string

// The swatches of legend entries.
const (
	SwatchFill    Swatch = "fill"    // a patch of Color (a status of a status map)
	SwatchHatched Swatch = "hatched" // a BadColor patch hatched in HatchColor: every run diverged or failed
	SwatchCorner  Swatch = "corner"  // a white patch with the MarkColor corner triangle
	SwatchOutline Swatch = "outline" // a white patch with the max_steps outline
	SwatchNoValue Swatch = "novalue" // a BadColor patch: no finite value
	SwatchLine    Swatch = "line"    // a short line in Style (a boundary, a --mark line, a --ref curve)
	SwatchSeries  Swatch = "series"  // a series: its line in Style (when Line) and a filled dot in its colour
	SwatchBand    Swatch = "band"    // a grey patch of BandAlpha
	SwatchHollow  Swatch = "hollow"  // a hollow black dot: some runs of a point diverged, failed or stopped at max_steps
	SwatchBad     Swatch = "bad"     // BadGlyph in black: every run of a point diverged or failed
)

// LegendEntry is one entry of a figure's legend: its text and its thumbnail. RenderHeat and
// RenderLines draw the entries HeatLegend and (*LineSet).Legend list; a page that draws the
// figure itself (pkg/webui) shows the same entries.
type LegendEntry struct {
	Label  string
	Swatch Swatch
	Color  color.Color    // SwatchFill's patch; nil for the others
	Style  draw.LineStyle // SwatchLine's and SwatchSeries' line
	Line   bool           // SwatchSeries: the series is drawn as a line (some two neighbouring points)
}

// The texts of the legend entries of the marks.
const (
	LegendHatched  = "all runs diverged / failed"
	LegendCorner   = "some diverged / failed (left out)"
	LegendOutline  = "some runs at max_steps"
	LegendNoValue  = "no finite value"
	LegendMixed    = "mixed (most common shown)"
	LegendBoundary = "boundary"
	LegendHollow   = "some runs max_steps or diverged"
)

// MarkLegend is an entry for each kind of cell mark (CellMarks) present in grids: on a status
// map the mixed cells; else hatched, corner, outline and no-value cells, in that order.
func MarkLegend(grids []*Grid) []LegendEntry {
	has := func(f func(CellMarks) bool) bool {
		return anyCell(grids, func(g *Grid, ix, iy int) bool { return f(g.Marks(ix, iy)) })
	}
	var out []LegendEntry
	if grids[0].ZName == ZStatus {
		if has(func(m CellMarks) bool { return m.Corner }) {
			out = append(out, LegendEntry{Label: LegendMixed, Swatch: SwatchCorner})
		}
		return out
	}
	for _, e := range []struct {
		on     func(CellMarks) bool
		label  string
		swatch Swatch
	}{
		{func(m CellMarks) bool { return m.Hatched }, LegendHatched, SwatchHatched},
		{func(m CellMarks) bool { return m.Corner }, LegendCorner, SwatchCorner},
		{func(m CellMarks) bool { return m.Outline }, LegendOutline, SwatchOutline},
		{func(m CellMarks) bool { return m.NoValue }, LegendNoValue, SwatchNoValue},
	} {
		if has(e.on) {
			out = append(out, LegendEntry{Label: e.label, Swatch: e.swatch})
		}
	}
	return out
}

// HeatLegend is the legend of a heat map of grids (without --show-levels and --contour, which
// RenderHeat adds after it): on a status map the statuses present (StatusCodes order, in
// StatusColors) and the boundary; then MarkLegend.
func HeatLegend(grids []*Grid) []LegendEntry {
	var out []LegendEntry
	if grids[0].ZName == ZStatus {
		for i, name := range StatusCodes {
			if anyCell(grids, func(g *Grid, ix, iy int) bool { return !g.Bad[iy][ix] && int(g.Z[iy][ix]) == i }) {
				out = append(out, LegendEntry{Label: name, Swatch: SwatchFill, Color: StatusColors[i]})
			}
		}
		out = append(out, LegendEntry{Label: LegendBoundary, Swatch: SwatchLine, Style: BoundaryStyle})
	}
	return append(out, MarkLegend(grids)...)
}

// SeriesName is the legend text of line i of set: "by = value", or the metric without --by.
func (set *LineSet) SeriesName(i int) string {
	if set.ByName != "" {
		return set.ByName + " = " + Compact(set.Lines[i].By)
	}
	return set.ZName
}

// Banded reports whether line i of set has its band drawn: some point has two or more values
// (a band over one run per point is no band) and the band is defined at two x or more
// (positive on a log y axis).
func (set *LineSet) Banded(i int) bool {
	ln := set.Lines[i]
	defined := 0
	for k := range ln.Xs {
		if bandAt(ln, k, set.LogY) {
			defined++
		}
	}
	return defined >= 2 && spread(ln)
}

// bandAt reports whether the band of ln is defined at Xs[k] (and positive on a log y axis).
func bandAt(ln Line, k int, logY bool) bool {
	return !math.IsNaN(ln.Lo[k]) && (!logY || ln.Lo[k] > 0)
}

// lineRuns are the runs of points of ln that its line joins: the points with a value, in
// order, broken at every Bad x.
func lineRuns(ln Line) [][]int {
	var runs [][]int
	open := false
	for k := range ln.Xs {
		switch {
		case ln.Bad[k]:
			open = false
		case !math.IsNaN(ln.Y[k]):
			if !open {
				runs = append(runs, nil)
				open = true
			}
			runs[len(runs)-1] = append(runs[len(runs)-1], k)
		}
	}
	return runs
}

// hasMark reports whether line ln of set gets its --mark line (a finite Mark, positive on a
// log x axis).
func (set *LineSet) hasMark(ln Line) bool {
	return !math.IsNaN(ln.Mark) && (!set.LogX || ln.Mark > 0)
}

// Legend is the legend of line set set, in RenderLines' order: per line its series (when some
// point has a value; SeriesStyle) and its --mark line, then the --ref curves, then the band
// (when some line is Banded), hollow points and crosses when present.
func (set *LineSet) Legend() []LegendEntry {
	var out []LegendEntry
	anyBand, anyPartial, anyBad := false, false, false
	for i, ln := range set.Lines {
		style := SeriesStyle(i)
		runs := lineRuns(ln)
		line := false
		for _, r := range runs {
			line = line || len(r) >= 2
			for _, k := range r {
				anyPartial = anyPartial || ln.Partial[k]
			}
		}
		for _, b := range ln.Bad {
			anyBad = anyBad || b
		}
		anyBand = anyBand || set.Banded(i)
		if len(runs) > 0 {
			out = append(out, LegendEntry{Label: set.SeriesName(i), Swatch: SwatchSeries, Style: style, Line: line})
		}
		if set.hasMark(ln) {
			label := set.MarkName
			if set.ByName != "" {
				label += " (" + Compact(ln.By) + ")"
			}
			ms := style
			ms.Dashes = markDashes
			out = append(out, LegendEntry{Label: label, Swatch: SwatchLine, Style: ms})
		}
	}
	for i, r := range set.Refs {
		out = append(out, LegendEntry{Label: refLabel(r, set), Swatch: SwatchLine, Style: refStyle(i)})
	}
	if anyBand {
		out = append(out, LegendEntry{Label: "band: " + aggregate.BandLabel(set.Band, set.BandOver), Swatch: SwatchBand})
	}
	if anyPartial {
		out = append(out, LegendEntry{Label: LegendHollow, Swatch: SwatchHollow})
	}
	if anyBad {
		out = append(out, LegendEntry{Label: LegendHatched, Swatch: SwatchBad})
	}
	return out
}

// thumbnails are what RenderHeat and RenderLines draw for entry e.
func (e LegendEntry) thumbnails() []plot.Thumbnailer {
	switch e.Swatch {
	case SwatchFill:
		return []plot.Thumbnailer{markThumb{fill: e.Color}}
	case SwatchHatched:
		return []plot.Thumbnailer{markThumb{fill: BadColor, hatched: true}}
	case SwatchCorner:
		return []plot.Thumbnailer{markThumb{fill: color.White, corner: true}}
	case SwatchOutline:
		return []plot.Thumbnailer{markThumb{fill: color.White, outline: true}}
	case SwatchNoValue:
		return []plot.Thumbnailer{markThumb{fill: BadColor}}
	case SwatchLine:
		return []plot.Thumbnailer{lineThumb{e.Style}}
	case SwatchSeries:
		if e.Line {
			return []plot.Thumbnailer{lineThumb{e.Style}, dotThumb{e.Style.Color}}
		}
		return []plot.Thumbnailer{dotThumb{e.Style.Color}}
	case SwatchBand:
		return []plot.Thumbnailer{bandThumb{}}
	case SwatchHollow:
		return []plot.Thumbnailer{hollowThumb{}}
	case SwatchBad:
		return []plot.Thumbnailer{badGlyphThumb{}}
	}
	return nil
}
