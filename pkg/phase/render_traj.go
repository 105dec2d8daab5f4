package phase

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MinorColor draws the coordinates that stay negligible.
var MinorColor = color.RGBA{R: 190, G: 190, B: 190, A: 255}

// JumpColor draws predicted jumps on a coordinate panel (one point, many colours already).
var JumpColor = color.RGBA{R: 60, G: 60, B: 60, A: 255}

// plateauDashes is the dash pattern of the predicted plateau losses.
var plateauDashes = []vg.Length{vg.Points(1), vg.Points(2)}

// RenderTrajectories draws trajectory panels side by side into path (.png or .svg).
func RenderTrajectories(panels []*TrajPanel, path string, st Style) error {
	if len(panels) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	var plots []*plot.Plot
	var legends []*legendColumn
	for _, tp := range panels {
		nl, err := trajPanel(tp, st)
		if err != nil {
			return err
		}
		plots = append(plots, nl.p)
		legends = append(legends, sideLegend(nl))
	}
	return saveWithLegends(path, plots, legends, st)
}

// trajPanel draws one panel.
func trajPanel(tp *TrajPanel, st Style) (*namedLegend, error) {
	p := plot.New()
	leg := &namedLegend{p: p}
	p.Title.Text = or(st.Title, tp.Title)
	p.X.Label.Text, p.Y.Label.Text = or(st.XLabel, tp.XName), or(st.YLabel, or(st.ZLabel, tp.YName))
	logAxes(p, tp.LogX, tp.LogY)
	coords := tp.YName == "beta_i"
	colorOf := map[int64]draw.LineStyle{} // point -> style of its curve (metric panels)
	minor, major := 0, 0
	for _, c := range tp.Curves {
		style := SeriesStyle(major)
		if c.Minor {
			style = draw.LineStyle{Color: MinorColor, Width: vg.Points(0.8)}
		}
		n := 0
		for _, seg := range finiteRuns(c.Xs, c.Ys) {
			l, err := plotter.NewLine(seg)
			if err != nil {
				return nil, err
			}
			l.LineStyle = style
			p.Add(l)
			n++
		}
		switch {
		case c.Minor:
			minor++
		case n > 0 || !coords:
			if !coords {
				colorOf[c.Point] = style
			}
			leg.add(c.Label, lineThumb{style})
			major++
		}
	}
	if minor > 0 {
		leg.add(fmt.Sprintf("%d other coordinates", minor), lineThumb{draw.LineStyle{Color: MinorColor, Width: vg.Points(0.8)}})
	}
	// The end of the curves, where the last plateau stops, and their lowest value: on a log
	// axis a plateau far below it (the last saddle's loss, ~0) would squash the curves.
	lastX, lowY, firstX := 0.0, math.Inf(1), math.Inf(1)
	for _, c := range tp.Curves {
		for k, x := range c.Xs {
			lastX = math.Max(lastX, x)
			if x > 0 {
				firstX = math.Min(firstX, x)
			}
			if y := c.Ys[k]; !math.IsNaN(y) {
				lowY = math.Min(lowY, y)
			}
		}
	}
	floor := math.Inf(-1)
	if tp.LogY {
		floor = lowY / 10
	}
	for i, j := range tp.Jumps {
		style, ok := colorOf[j.Point]
		if !ok {
			style = draw.LineStyle{Color: JumpColor}
		}
		style.Width, style.Dashes = vg.Points(1), markDashes
		for _, t := range j.Times {
			if !tp.LogX || t > 0 {
				p.Add(&vline{X: t, Style: style})
			}
		}
		if i == 0 {
			leg.add("predicted jumps ln(1/init) t_k", lineThumb{draw.LineStyle{Color: JumpColor, Width: vg.Points(1), Dashes: markDashes}})
		}
		if tp.Plateaus {
			ps := style
			ps.Dashes, ps.Width = plateauDashes, vg.Points(1.5)
			if steps := plateauSteps(j, firstX, lastX, floor, tp.LogX); len(steps) > 1 {
				l, err := plotter.NewLine(steps)
				if err != nil {
					return nil, err
				}
				l.LineStyle = ps
				p.Add(l)
				if i == 0 {
					leg.add("predicted plateaus (saddle)", lineThumb{draw.LineStyle{Color: JumpColor, Width: vg.Points(1.5), Dashes: plateauDashes}})
				}
			}
		}
	}
	fixLogRanges(p)
	return leg, nil
}

// finiteRuns splits a curve into runs of finite points (a diverged run ends in Inf or NaN).
func finiteRuns(xs, ys []float64) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for k := range xs {
		if math.IsNaN(ys[k]) || math.IsInf(ys[k], 0) || math.IsNaN(xs[k]) || math.IsInf(xs[k], 0) {
			if len(cur) > 1 {
				runs = append(runs, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, plotter.XY{X: xs[k], Y: ys[k]})
	}
	if len(cur) > 1 {
		runs = append(runs, cur)
	}
	return runs
}

// plateauSteps is the staircase of predicted plateau losses: Plateaus[0] from the start (0,
// or on a log x axis the curves' first positive x if it is before the first jump, else a
// tenth of that jump)
// to Times[0], Plateaus[k] from Times[k-1] to Times[k], the last to end (or a bit past the
// last jump). Losses not above floor are left out.
func plateauSteps(j Jumps, first, end, floor float64, logX bool) plotter.XYs {
	if len(j.Times) == 0 || len(j.Plateaus) != len(j.Times)+1 {
		return nil
	}
	start := 0.0
	if logX {
		start = j.Times[0] / 10
		if first < j.Times[0] {
			start = first
		}
	}
	last := j.Times[len(j.Times)-1]
	end = math.Max(end, last*1.1)
	bounds := append(append([]float64{start}, j.Times...), end)
	var pts plotter.XYs
	for k, y := range j.Plateaus {
		if y <= floor || y <= 0 && floor > math.Inf(-1) {
			continue
		}
		pts = append(pts, plotter.XY{X: bounds[k], Y: y}, plotter.XY{X: bounds[k+1], Y: y})
	}
	return pts
}
