package webui

// The marks of the page's heat map are those of `sweep plot`'s figure (phase.Grid.Marks,
// drawn by pkg/phase's RenderHeat): a grey hatched cell where every run diverged or failed, a
// corner triangle where some did (aggregated over the others), an inset dashed outline where
// some included runs stopped at max_steps, plain grey where no included run has a finite
// value; on a status map a corner where the statuses are mixed, and the phase boundary.

import (
	"image/color"

	"gonum.org/v1/plot/vg"

	"github.com/phasesweep/phasesweep/pkg/phase"
)

// The bits of a cell's Marks.
const (
	markHatched = 1 << iota // every run diverged or failed
	markCorner              // some runs diverged or failed; on a status map: mixed statuses
	markOutline             // some included runs stopped at max_steps
	markNoValue             // runs were included but none has a finite value
)

// cellMarks is the Marks of cell (ix, iy) of g as bits.
func cellMarks(g *phase.Grid, ix, iy int) int {
	m := g.Marks(ix, iy)
	bits := 0
	for _, b := range []struct {
		on  bool
		bit int
	}{{m.Hatched, markHatched}, {m.Corner, markCorner}, {m.Outline, markOutline}, {m.NoValue, markNoValue}} {
		if b.on {
			bits |= b.bit
		}
	}
	return bits
}

// legendEntry is one entry of the page's legend (a phase.LegendEntry): a label and what its
// swatch shows.
type legendEntry struct {
	Label string
	// Kind is the swatch (phase.Swatch): "fill" (Color), "hatched", "corner", "outline",
	// "novalue", "line" (Color, Width, Dash), "series" (the same, and Line), "band" (Color),
	// "hollow", "bad".
	Kind  string
	Color string    `json:",omitempty"`
	Width float64   `json:",omitempty"` // a line's width in points
	Dash  []float64 `json:",omitempty"` // a line's dash pattern in points (none: solid)
	Line  bool      `json:",omitempty"` // a series: its line is drawn, not its dot only
}

// legendOf is the page's legend of pkg/phase's entries es, colours as CSS.
func legendOf(es []phase.LegendEntry) []legendEntry {
	out := make([]legendEntry, 0, len(es))
	for _, e := range es {
		le := legendEntry{Label: e.Label, Kind: string(e.Swatch), Line: e.Line}
		switch e.Swatch {
		case phase.SwatchFill:
			le.Color = cssColor(e.Color)
		case phase.SwatchBand:
			le.Color = cssColor(phase.BandColor(color.Black))
		case phase.SwatchLine, phase.SwatchSeries:
			le.Color, le.Width, le.Dash = cssColor(e.Style.Color), e.Style.Width.Points(), dashes(e.Style.Dashes)
		}
		out = append(out, le)
	}
	return out
}

// dashes is a dash pattern in points.
func dashes(ds []vg.Length) []float64 {
	var out []float64
	for _, d := range ds {
		out = append(out, d.Points())
	}
	return out
}
