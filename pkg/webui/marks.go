package webui

// The marks of the page's heat map are those of `sweep plot`'s figure (phase.Grid.Marks,
// drawn by pkg/phase's RenderHeat): a grey hatched cell where every run diverged or failed, a
// corner triangle where some did (aggregated over the others), an inset dashed outline where
// some included runs stopped at max_steps, plain grey where no included run has a finite
// value; on a status map a corner where the statuses are mixed, and the phase boundary.

import "github.com/phasesweep/phasesweep/pkg/phase"

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

// legendEntry is one entry of the page's legend: a label and what its swatch shows.
type legendEntry struct {
	Label string
	// Kind is the swatch: "fill" (Color), "hatched", "corner", "outline", "novalue",
	// "boundary" (heat maps); "series" (Color, Dash), "band", "hollow", "bad" (line plots).
	Kind  string
	Color string    `json:",omitempty"`
	Dash  []float64 `json:",omitempty"` // a series' dash pattern in points (none: solid)
}

// The legend's texts for the marks, as RenderHeat labels them.
const (
	legendHatched = "all runs diverged / failed"
	legendCorner  = "some diverged / failed (left out)"
	legendOutline = "some runs at max_steps"
	legendNoValue = "no finite value"
	legendMixed   = "mixed (most common shown)"
	legendBound   = "boundary"
)

// heatLegend is the legend of a heat map of grids with the cells' marks marks (per panel, as
// heatPanel.Marks), in RenderHeat's order: on a status map the statuses present, the boundary
// and the mixed cells; else the kinds of mark present.
func heatLegend(grids []*phase.Grid, marks [][]int) []legendEntry {
	has := func(bit int) bool {
		for _, ms := range marks {
			for _, m := range ms {
				if m&bit != 0 {
					return true
				}
			}
		}
		return false
	}
	var out []legendEntry
	if grids[0].ZName == phase.ZStatus {
		for i, name := range phase.StatusCodes {
			present := false
			for _, g := range grids {
				for iy := range g.Ys {
					for ix := range g.Xs {
						present = present || !g.Bad[iy][ix] && int(g.Z[iy][ix]) == i
					}
				}
			}
			if present {
				out = append(out, legendEntry{Label: name, Kind: "fill", Color: hexColor(phase.StatusColors[i])})
			}
		}
		out = append(out, legendEntry{Label: legendBound, Kind: "boundary", Color: hexColor(phase.BoundaryStyle.Color)})
		if has(markCorner) {
			out = append(out, legendEntry{Label: legendMixed, Kind: "corner"})
		}
		return out
	}
	for _, e := range []struct {
		bit         int
		label, kind string
	}{{markHatched, legendHatched, "hatched"}, {markCorner, legendCorner, "corner"},
		{markOutline, legendOutline, "outline"}, {markNoValue, legendNoValue, "novalue"}} {
		if has(e.bit) {
			out = append(out, legendEntry{Label: e.label, Kind: e.kind})
		}
	}
	return out
}
