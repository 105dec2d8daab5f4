package phase

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // png
	_ "gonum.org/v1/plot/vg/vgsvg" // svg

	"github.com/phasesweep/phasesweep/pkg/aggregate"
)

// Colours of a heat map's marks. BadColor fills cells without a value on the scale; cells
// whose runs all diverged or failed are hatched with HatchColor as well. MarkColor fills the
// corner triangle of a cell where some runs diverged or failed (aggregated over the others);
// a cell where some runs stopped at max_steps gets an inset outline of black and white
// dashes. None is a colour of the scale (Kindlmann: no neutral greys between its black and
// white ends).
var (
	BadColor   = color.RGBA{R: 170, G: 170, B: 170, A: 255}
	HatchColor = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	MarkColor  = color.RGBA{R: 255, G: 0, B: 255, A: 255}
)

// Scale maps aggregates to colours, shared by the panels of a figure. With Log the colour is
// linear in log10 of the value (--logz), and Min, Max must be positive. Min = Max is a
// constant field: one colour, one tick.
type Scale struct {
	Min, Max float64
	Log      bool
	cmap     palette.ColorMap // over [Min, Max] (widened when equal), in log10 with Log
}

// NewScale spans the cells of grids that are not Bad (0..1 if there is none); log draws the
// colours on a log scale (all those cells must then be positive).
func NewScale(grids []*Grid, log bool) *Scale {
	lo, hi := math.NaN(), math.NaN()
	for _, g := range grids {
		l, h := g.Range()
		if !math.IsNaN(l) && (math.IsNaN(lo) || l < lo) {
			lo = l
		}
		if !math.IsNaN(h) && (math.IsNaN(hi) || h > hi) {
			hi = h
		}
	}
	if math.IsNaN(lo) {
		lo, hi = 0, 1
	}
	return ScaleOver(lo, hi, log)
}

// ScaleOver is the scale from lo to hi (--zlim; lo <= hi), log when asked and lo > 0.
func ScaleOver(lo, hi float64, log bool) *Scale {
	s := &Scale{Min: lo, Max: hi, Log: log && lo > 0}
	a, b := s.at(lo), s.at(hi)
	if a == b {
		d := math.Max(math.Abs(a)*1e-3, 1e-3)
		a, b = a-d, b+d
	}
	s.cmap = colorMap(a, b)
	return s
}

// at is v in the colour map's units.
func (s *Scale) at(v float64) float64 {
	if s.Log {
		return math.Log10(v)
	}
	return v
}

// topFraction is the part of Kindlmann's map the data spans: its last 15% fade to white, which
// would look like an empty cell, so the map is stretched past the data's maximum.
const topFraction = 0.85

// colorMap is Kindlmann's map with lo at its black end and hi at topFraction of it.
func colorMap(lo, hi float64) palette.ColorMap {
	cm := moreland.Kindlmann()
	cm.SetMin(lo)
	cm.SetMax(lo + (hi-lo)/topFraction)
	return cm
}

// Color is the colour of value v on the scale (clamped to its range).
func (s *Scale) Color(v float64) color.Color {
	v = math.Max(s.Min, math.Min(s.Max, v))
	c, err := s.cmap.At(s.at(v))
	if err != nil {
		return BadColor
	}
	return c
}

// Stops are n >= 2 values from Min to Max evenly spaced in the scale's coordinate (log10 with
// Log): where a colour bar of the scale changes colour.
func (s *Scale) Stops(n int) []float64 {
	lo, hi := s.at(s.Min), s.at(s.Max)
	out := make([]float64, n)
	for i := range out {
		u := lo + float64(i)/float64(n-1)*(hi-lo)
		if s.Log {
			u = math.Pow(10, u)
		}
		out[i] = u
	}
	out[0], out[n-1] = s.Min, s.Max
	return out
}

// Palette is n colours evenly spaced on the scale.
func (s *Scale) Palette(n int) []color.Color { return s.cmap.Palette(n).Colors() }

// CellColor is the fill of cell (ix, iy) of g: BadColor for a Bad cell, its status's colour on
// a status map, else its colour on s.
func (s *Scale) CellColor(g *Grid, ix, iy int) color.Color {
	switch {
	case g.Bad[iy][ix]:
		return BadColor
	case g.ZName == ZStatus:
		return StatusColors[int(g.Z[iy][ix])]
	}
	return s.Color(g.Z[iy][ix])
}

// edges are the cell boundaries around centres vs: midpoints (geometric on a log axis), the
// ends extended by half a step.
func edges(vs []float64, log bool) []float64 {
	t, u := func(v float64) float64 { return v }, func(v float64) float64 { return v }
	if log {
		t, u = math.Log10, func(v float64) float64 { return math.Pow(10, v) }
	}
	n := len(vs)
	out := make([]float64, n+1)
	if n == 1 {
		w := 0.5
		if log {
			w = 0.25
		} else if vs[0] != 0 {
			w = math.Abs(vs[0]) / 2
		}
		out[0], out[1] = u(t(vs[0])-w), u(t(vs[0])+w)
		return out
	}
	for i := 1; i < n; i++ {
		out[i] = u((t(vs[i-1]) + t(vs[i])) / 2)
	}
	out[0] = u(t(vs[0]) - (t(vs[1])-t(vs[0]))/2)
	out[n] = u(t(vs[n-1]) + (t(vs[n-1])-t(vs[n-2]))/2)
	return out
}

// xAxis and yAxis are how g's axes are drawn; a refined axis is ticked as its coarse values
// would be.
func (g *Grid) xAxis() Axis {
	if g.Refine != nil && g.Refine.X != nil {
		return newAxis(g.Refine.X.Coarse, nil, g.LogX, false)
	}
	return newAxis(g.Xs, g.XLabels, g.LogX, g.XCat)
}

func (g *Grid) yAxis() Axis {
	if g.Refine != nil && g.Refine.Y != nil {
		return newAxis(g.Refine.Y.Coarse, nil, g.LogY, false)
	}
	return newAxis(g.Ys, g.YLabels, g.LogY, g.YCat)
}

// CellMarks are what a heat-map cell shows besides its colour, from its runs' statuses.
type CellMarks struct {
	Hatched  bool // every run diverged or failed: grey and hatched
	NoValue  bool // runs were included but none has a finite value: grey
	Corner   bool // some runs diverged or failed (left out), or on a status map mixed statuses
	Outline  bool // some included runs stopped at max_steps (not on a status map)
	Blank    bool // no run
	Excluded int  // the runs left out
}

// Marks are the marks of cell (ix, iy) of g.
func (g *Grid) Marks(ix, iy int) CellMarks {
	st := g.Stats[iy][ix]
	m := CellMarks{Excluded: st.Excluded()}
	switch {
	case st.Total() == 0:
		m.Blank = true
	case g.ZName == ZStatus:
		m.Corner = mixed(st.Counts)
	case IsOutcome(g.ZName):
	case st.Excluded() == st.Total():
		m.Hatched = true
	case g.Bad[iy][ix]:
		m.NoValue = true
		m.Corner = st.Excluded() > 0
	default:
		m.Corner = st.Excluded() > 0
		m.Outline = st.MaxSteps > 0
	}
	return m
}

// cells draws a grid's cells as rectangles with their marks (CellMarks), in cellOrder; a cell
// without runs is left blank. With levels each cell is outlined too (--show-levels).
type cells struct {
	g      *Grid
	s      *Scale
	ex, ey []float64 // edges in plot coordinates
	levels bool
}

func (c *cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return c.g.dataRange(c.ex, c.ey)
}

// markSize is the side of a cell's corner triangle.
const markSize = 9 * vg.Length(1)

func (c *cells) Plot(cv draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&cv)
	hatch := draw.LineStyle{Color: HatchColor, Width: vg.Points(0.8)}
	for _, cell := range c.g.cellOrder() { // cells without runs (a sparse grid, --where) stay blank
		ix, iy := cell[0], cell[1]
		m := c.g.Marks(ix, iy)
		ux0, ux1, uy0, uy1 := c.g.cellRect(ix, iy, c.ex, c.ey)
		x0, x1, y0, y1 := trX(ux0), trX(ux1), trY(uy0), trY(uy1)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		cv.FillPolygon(c.s.CellColor(c.g, ix, iy), cv.ClipPolygonXY(pts))
		small := min(x1-x0, y1-y0) // marks fit the cell: the finest cells of a refined grid are small
		if m.Hatched {
			hatchRect(cv, hatch, x0, y0, x1, y1)
		}
		if m.Outline && small >= 4*vg.Points(2) {
			outlineRect(cv, x0, y0, x1, y1)
		}
		if m.Corner {
			cornerMarkSized(cv, x1, y1, min(vg.Points(float64(markSize)), small/2))
		}
		if c.levels {
			cv.StrokeLines(LevelStyle, cv.ClipLinesXY(append(pts, pts[0]))...)
		}
	}
}

// hatchRect draws diagonal hatching every 6 points over a rectangle.
func hatchRect(cv draw.Canvas, style draw.LineStyle, x0, y0, x1, y1 vg.Length) {
	step := vg.Points(6)
	w, h := x1-x0, y1-y0
	for d := vg.Length(0); d < w+h; d += step {
		a := vg.Point{X: x0 + d, Y: y0}
		b := vg.Point{X: x0, Y: y0 + d}
		if d > w {
			a = vg.Point{X: x1, Y: y0 + (d - w)}
		}
		if d > h {
			b = vg.Point{X: x0 + (d - h), Y: y1}
		}
		cv.StrokeLines(style, cv.ClipLinesXY([]vg.Point{a, b})...)
	}
}

// outlineRect draws the max_steps mark: an outline inset by 2 points, black with white
// dashes, visible on the dark and the light end of the scale.
func outlineRect(cv draw.Canvas, x0, y0, x1, y1 vg.Length) {
	in := vg.Points(2)
	pts := []vg.Point{{X: x0 + in, Y: y0 + in}, {X: x1 - in, Y: y0 + in}, {X: x1 - in, Y: y1 - in}, {X: x0 + in, Y: y1 - in}, {X: x0 + in, Y: y0 + in}}
	cv.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(1.6)}, cv.ClipLinesXY(pts)...)
	cv.StrokeLines(draw.LineStyle{Color: color.White, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}, cv.ClipLinesXY(pts)...)
}

// cornerMark draws the partial-divergence mark: a MarkColor triangle with a black edge in
// the top right corner (x1, y1) of a cell.
func cornerMark(cv draw.Canvas, x1, y1 vg.Length) {
	cornerMarkSized(cv, x1, y1, vg.Points(float64(markSize)))
}

// cornerMarkSized is cornerMark with a triangle of side d.
func cornerMarkSized(cv draw.Canvas, x1, y1, d vg.Length) {
	tri := []vg.Point{{X: x1 - d, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y1 - d}}
	cv.FillPolygon(MarkColor, cv.ClipPolygonXY(tri))
	cv.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}, cv.ClipLinesXY(append(tri, tri[0]))...)
}

// markThumb is the legend entry of a cell mark.
type markThumb struct {
	fill    color.Color
	hatched bool
	corner  bool
	outline bool
}

func (t markThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	c.FillPolygon(t.fill, pts)
	if t.hatched {
		c.StrokeLine2(draw.LineStyle{Color: HatchColor, Width: vg.Points(0.8)}, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	}
	if t.outline {
		outlineRect(*c, r.Min.X-vg.Points(1), r.Min.Y-vg.Points(1), r.Max.X+vg.Points(1), r.Max.Y+vg.Points(1))
	}
	if t.corner {
		cornerMark(*c, r.Max.X, r.Max.Y)
	}
}

// segments draws contour segments (in values; mapped through the axes).
type segments struct {
	segs   []Segment
	ax, ay Axis
	style  draw.LineStyle
}

func (s *segments) Plot(cv draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&cv)
	for _, sg := range s.segs {
		pts := []vg.Point{{X: trX(s.ax.Plot(sg.X0)), Y: trY(s.ay.Plot(sg.Y0))}, {X: trX(s.ax.Plot(sg.X1)), Y: trY(s.ay.Plot(sg.Y1))}}
		cv.StrokeLines(s.style, cv.ClipLinesXY(pts)...)
	}
}

// boundary draws the lines between neighbouring cells of a status map with different codes:
// the phase boundary.
type boundary struct {
	g      *Grid
	ex, ey []float64
	style  draw.LineStyle
}

// BoundaryStyle draws the boundary of a status map.
var BoundaryStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(2.5)}

// Boundary lists the cell edges between neighbouring cells of a status map g whose codes
// differ (neither blank): vertical edges as (ix, iy) with ix the right cell, horizontal ones
// as (ix, iy) with iy the upper cell.
func Boundary(g *Grid) (vertical, horizontal [][2]int) {
	code := func(ix, iy int) float64 {
		if g.Bad[iy][ix] {
			return -1
		}
		return g.Z[iy][ix]
	}
	for iy := range g.Ys {
		for ix := range g.Xs {
			if ix > 0 && code(ix, iy) >= 0 && code(ix-1, iy) >= 0 && code(ix, iy) != code(ix-1, iy) {
				vertical = append(vertical, [2]int{ix, iy})
			}
			if iy > 0 && code(ix, iy) >= 0 && code(ix, iy-1) >= 0 && code(ix, iy) != code(ix, iy-1) {
				horizontal = append(horizontal, [2]int{ix, iy})
			}
		}
	}
	return vertical, horizontal
}

func (b *boundary) Plot(cv draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&cv)
	for _, sg := range boundarySegments(b.g, b.ex, b.ey) {
		pts := []vg.Point{{X: trX(sg[0]), Y: trY(sg[1])}, {X: trX(sg[2]), Y: trY(sg[3])}}
		cv.StrokeLines(b.style, cv.ClipLinesXY(pts)...)
	}
}

// boundarySegments are the edges of Boundary(g) as segments x0, y0, x1, y1 between the cell
// edges ex, ey (plot coordinates).
func boundarySegments(g *Grid, ex, ey []float64) [][4]float64 {
	v, h := Boundary(g)
	var out [][4]float64
	for _, e := range v {
		out = append(out, [4]float64{ex[e[0]], ey[e[1]], ex[e[0]], ey[e[1]+1]})
	}
	for _, e := range h {
		out = append(out, [4]float64{ex[e[0]], ey[e[1]], ex[e[0]+1], ey[e[1]]})
	}
	return out
}

// log10Ticks labels an axis whose values are log10 of the data (a log colour bar) with the
// data's values, as decadeTicks does.
type log10Ticks struct{}

// Ticks implements plot.Ticker.
func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	ts := decadeTicks{}.Ticks(math.Pow(10, min), math.Pow(10, max))
	for i := range ts {
		ts[i].Value = math.Log10(ts[i].Value)
	}
	return ts
}

// Title is the title of a figure of metric z (aggregated by agg) with a facet panel's value.
func Title(z, agg, facetName, facet string) string {
	t := fmt.Sprintf("%s (%s)", z, agg)
	switch z {
	case ZStatus:
		t = "outcome of the runs"
	case ZConverged, ZDiverged:
		t = "fraction of runs " + z
	}
	if facetName != "" {
		t += fmt.Sprintf(", %s = %s", facetName, Compact(facet))
	}
	return t
}

// HeatOptions are the optional parts of a heat map.
type HeatOptions struct {
	FacetName string      // the facet column (titles)
	Contour   *float64    // a contour level, or nil
	LogZ      bool        // colours on a log scale (if every cell drawn is positive)
	ZLim      *[2]float64 // the colour bar's range (--zlim), or nil: the data's
	Where     string      // the --where selection, for the titles ("" for none)
	// ShowLevels outlines every cell of a refined grid and counts its cells per level in the
	// legend (--show-levels).
	ShowLevels bool
	Style      Style
}

// contourStyle draws contours.
var contourStyle = draw.LineStyle{Color: color.RGBA{R: 230, G: 20, B: 20, A: 255}, Width: vg.Points(2)}

// heatPanel is the panel of one grid.
func heatPanel(g *Grid, s *Scale, opt HeatOptions) *plot.Plot {
	p := plot.New()
	p.Title.Text = opt.Style.panelTitle(Title(g.ZName, g.Agg, opt.FacetName, g.Facet), opt.FacetName, g.Facet, opt.Where)
	p.X.Label.Text, p.Y.Label.Text = or(opt.Style.XLabel, g.XName), or(opt.Style.YLabel, g.YName)
	ax, ay := g.xAxis(), g.yAxis()
	ax.set(&p.X)
	ay.set(&p.Y)
	ex, ey := ax.Edges(), ay.Edges()
	p.Add(&cells{g: g, s: s, ex: ex, ey: ey, levels: opt.ShowLevels})
	traced, tex, tey := g, ex, ey // what the boundary and contour follow
	if g.Refine != nil && (g.ZName == ZStatus || opt.Contour != nil) {
		traced, tex, tey = g.raster(ex, ey)
	}
	if g.ZName == ZStatus {
		p.Add(&boundary{g: traced, ex: tex, ey: tey, style: BoundaryStyle})
	} else if opt.Contour != nil {
		p.Add(&segments{segs: Contour(traced, *opt.Contour), ax: ax, ay: ay, style: contourStyle})
	}
	return p
}

// HeatScale is the colour scale RenderHeat colours grids by: opt.ZLim (--zlim) when given,
// 0..1 for the fractions of an outcome map (IsOutcome), else the range of the grids' values
// (NewScale), on a log scale with opt.LogZ.
func HeatScale(grids []*Grid, opt HeatOptions) *Scale {
	switch {
	case opt.ZLim != nil:
		return ScaleOver(opt.ZLim[0], opt.ZLim[1], opt.LogZ)
	case IsOutcome(grids[0].ZName):
		return ScaleOver(0, 1, false)
	}
	return NewScale(grids, opt.LogZ)
}

// RenderHeat draws grids side by side (one panel each) with a colour bar (a status map: its
// legend of statuses) and a legend of the marks present, into path (.png or .svg).
func RenderHeat(grids []*Grid, opt HeatOptions, path string) error {
	if len(grids) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	s := HeatScale(grids, opt)
	var plots []*plot.Plot
	for _, g := range grids {
		plots = append(plots, heatPanel(g, s, opt))
	}
	status := grids[0].ZName == ZStatus
	leg := plot.NewLegend()
	var legendNames []string
	add := func(name string, th ...plot.Thumbnailer) {
		leg.Add(name, th...)
		legendNames = append(legendNames, name)
	}
	for _, e := range HeatLegend(grids) {
		add(e.Label, e.thumbnails()...)
	}
	if opt.ShowLevels {
		levelLegend(add, grids)
	}
	if opt.Contour != nil && !status {
		add(fmt.Sprintf("%s = %s", grids[0].ZName, strconv.FormatFloat(*opt.Contour, 'g', -1, 64)), lineThumb{contourStyle})
	}
	var bar *plot.Plot
	if !status {
		bar = colorBar(s, or(opt.Style.ZLabel, grids[0].ZName))
	}
	widths := make([]vg.Length, len(plots)+1)
	for i := range plots {
		widths[i] = panelW
	}
	widths[len(plots)] = max(barW, legendWidth(&leg, legendNames))
	return saveLayout(path, widths, opt.Style, func(i int, c draw.Canvas) {
		if i < len(plots) {
			plots[i].Draw(c)
			return
		}
		h := c.Max.Y - c.Min.Y
		split := c.Min.Y + h*0.45
		if bar != nil {
			top := c
			top.Min.Y = split
			bar.Draw(top)
		} else {
			split = c.Max.Y - vg.Points(30)
		}
		bottom := c
		bottom.Max.Y = split
		leg.Left, leg.Top = true, true
		leg.Draw(bottom)
	})
}

// anyCell reports whether some cell of grids satisfies f.
func anyCell(grids []*Grid, f func(g *Grid, ix, iy int) bool) bool {
	for _, g := range grids {
		for iy := range g.Ys {
			for ix := range g.Xs {
				if f(g, ix, iy) {
					return true
				}
			}
		}
	}
	return false
}

// legendWidth is the width of a legend column holding entries names.
func legendWidth(leg *plot.Legend, names []string) vg.Length {
	w := vg.Length(0)
	for _, name := range names {
		w = max(w, leg.TextStyle.Width(name))
	}
	return w + leg.ThumbnailWidth + 2*leg.Padding + vg.Points(12)
}

// colorBar is the colour bar of s, labelled label (plus "(log scale)"), spanning the scale's
// range and no more: ticks by decadeTicks on a log scale, ShortLabels on a linear one, a
// single tick for a constant field.
func colorBar(s *Scale, label string) *plot.Plot {
	bar := plot.New()
	lo, hi := s.at(s.Min), s.at(s.Max)
	switch {
	case lo == hi:
		bar.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: lo, Label: ShortLabels([]float64{s.Min})[0]}})
		d := math.Max(math.Abs(lo)*1e-3, 1e-3)
		lo, hi = lo-d, hi+d
	case s.Log:
		bar.Y.Tick.Marker = log10Ticks{}
	default:
		bar.Y.Tick.Marker = linTicks{}
	}
	bar.Add(&plotter.ColorBar{ColorMap: barMap{ColorMap: colorMap(lo, hi), max: hi}, Vertical: true})
	bar.HideX()
	bar.Y.Label.Text = label
	if s.Log {
		bar.Y.Label.Text += " (log scale)"
	}
	bar.Title.Text = " "
	return bar
}

// barMap is a colour map drawn up to max only: the part of Kindlmann's map past topFraction
// is not on the colour bar, which spans the data.
type barMap struct {
	palette.ColorMap
	max float64
}

// Max implements palette.ColorMap.
func (b barMap) Max() float64 { return b.max }

// logAxes sets log scales and ticks.
func logAxes(p *plot.Plot, x, y bool) {
	if x {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, decadeTicks{}
	}
	if y {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, decadeTicks{}
	}
}

// countsNote describes how many runs of grids were left out of the statistics, for notes.
func countsNote(grids []*Grid) string {
	var c aggregate.Counts
	for _, g := range grids {
		for iy := range g.Ys {
			for ix := range g.Xs {
				st := g.Stats[iy][ix]
				c.Converged += st.Converged
				c.MaxSteps += st.MaxSteps
				c.Diverged += st.Diverged
				c.Failed += st.Failed
				c.Other += st.Other
			}
		}
	}
	return fmt.Sprintf("%d runs: %d converged, %d max_steps, %d diverged, %d failed", c.Total(), c.Converged, c.MaxSteps, c.Diverged, c.Failed+c.Other)
}
