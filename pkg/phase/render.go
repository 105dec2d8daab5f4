package phase

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // png
	_ "gonum.org/v1/plot/vg/vgsvg" // svg
)

// BadColor fills diverged or failed cells; they are hatched with HatchColor as well. Neither is
// a colour of the scale (Kindlmann: no neutral greys between its black and white ends).
var (
	BadColor   = color.RGBA{R: 170, G: 170, B: 170, A: 255}
	HatchColor = color.RGBA{R: 90, G: 90, B: 90, A: 255}
)

// panel sizes of a figure.
const (
	panelW = 5 * vg.Inch
	panelH = 4 * vg.Inch
	barW   = 1.6 * vg.Inch
)

// Scale maps aggregates to colours, shared by the panels of a figure.
type Scale struct {
	Min, Max float64
	cmap     palette.ColorMap
}

// NewScale spans the cells of grids that are not Bad (0..1 if there is none).
func NewScale(grids []*Grid) *Scale {
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
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	return &Scale{Min: lo, Max: hi, cmap: colorMap(lo, hi)}
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
	c, err := s.cmap.At(v)
	if err != nil {
		return BadColor
	}
	return c
}

// Palette is n colours evenly spaced on the scale.
func (s *Scale) Palette(n int) []color.Color { return s.cmap.Palette(n).Colors() }

// CellColor is the fill of cell (ix, iy) of g: BadColor for a Bad cell, else its colour on s.
func (s *Scale) CellColor(g *Grid, ix, iy int) color.Color {
	if g.Bad[iy][ix] {
		return BadColor
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

// cells draws a grid's cells as rectangles: on the scale, or grey and hatched when Bad.
type cells struct {
	g      *Grid
	s      *Scale
	ex, ey []float64
}

func (c *cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return c.ex[0], c.ex[len(c.ex)-1], c.ey[0], c.ey[len(c.ey)-1]
}

func (c *cells) Plot(cv draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&cv)
	hatch := draw.LineStyle{Color: HatchColor, Width: vg.Points(0.8)}
	for iy := range c.g.Ys {
		for ix := range c.g.Xs {
			x0, x1 := trX(c.ex[ix]), trX(c.ex[ix+1])
			y0, y1 := trY(c.ey[iy]), trY(c.ey[iy+1])
			pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			cv.FillPolygon(c.s.CellColor(c.g, ix, iy), cv.ClipPolygonXY(pts))
			if !c.g.Bad[iy][ix] {
				continue
			}
			// Diagonal hatching, lines every 6 points, clipped to the cell.
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
				cv.StrokeLines(hatch, cv.ClipLinesXY([]vg.Point{a, b})...)
			}
		}
	}
}

// badThumb is the legend entry of Bad cells.
type badThumb struct{}

func (badThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	c.FillPolygon(BadColor, pts)
	c.StrokeLine2(draw.LineStyle{Color: HatchColor, Width: vg.Points(0.8)}, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
}

// segments draws contour segments.
type segments struct {
	segs  []Segment
	style draw.LineStyle
}

func (s *segments) Plot(cv draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&cv)
	for _, sg := range s.segs {
		pts := []vg.Point{{X: trX(sg.X0), Y: trY(sg.Y0)}, {X: trX(sg.X1), Y: trY(sg.Y1)}}
		cv.StrokeLines(s.style, cv.ClipLinesXY(pts)...)
	}
}

// Title is the title of a figure of metric z (aggregated by agg) with a facet panel's value.
func Title(z, agg, facetName, facet string) string {
	t := fmt.Sprintf("%s (%s)", z, agg)
	if facetName != "" {
		t += fmt.Sprintf(", %s = %s", facetName, facet)
	}
	return t
}

// HeatOptions are the optional parts of a heat map.
type HeatOptions struct {
	FacetName string   // the facet column (titles)
	Contour   *float64 // a contour level, or nil
}

// RenderHeat draws grids side by side (one panel each) with a colour bar and a legend, into
// path (.png or .svg).
func RenderHeat(grids []*Grid, opt HeatOptions, path string) error {
	if len(grids) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	s := NewScale(grids)
	contour := draw.LineStyle{Color: color.RGBA{R: 230, G: 20, B: 20, A: 255}, Width: vg.Points(2)}
	var plots []*plot.Plot
	for _, g := range grids {
		p := plot.New()
		p.Title.Text = Title(g.ZName, g.Agg, opt.FacetName, g.Facet)
		p.X.Label.Text, p.Y.Label.Text = g.XName, g.YName
		logAxes(p, g.LogX, g.LogY)
		p.Add(&cells{g: g, s: s, ex: edges(g.Xs, g.LogX), ey: edges(g.Ys, g.LogY)})
		if opt.Contour != nil {
			p.Add(&segments{segs: Contour(g, *opt.Contour), style: contour})
		}
		plots = append(plots, p)
	}
	bar := plot.New()
	bar.Add(&plotter.ColorBar{ColorMap: colorMap(s.Min, s.Max), Vertical: true})
	bar.HideX()
	bar.Y.Label.Text = grids[0].ZName
	bar.Title.Text = " "
	leg := plot.NewLegend()
	leg.Add("diverged / failed", badThumb{})
	if opt.Contour != nil {
		leg.Add(fmt.Sprintf("%s = %s", grids[0].ZName, strconv.FormatFloat(*opt.Contour, 'g', -1, 64)), contourThumb{contour})
	}
	return save(path, plots, func(c draw.Canvas) {
		h := c.Max.Y - c.Min.Y
		top := c
		top.Min.Y = c.Min.Y + h*0.3
		bar.Draw(top)
		bottom := c
		bottom.Max.Y = c.Min.Y + h*0.3
		leg.Left = true
		leg.Draw(bottom)
	})
}

type contourThumb struct{ style draw.LineStyle }

func (t contourThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(t.style, c.Min.X, y, c.Max.X, y)
}

// logAxes sets log scales and ticks.
func logAxes(p *plot.Plot, x, y bool) {
	if x {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if y {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
}

// RenderLines draws one panel per line set, each with one line per by value and its band,
// into path (.png or .svg).
func RenderLines(sets []*LineSet, facetName, path string) error {
	if len(sets) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	var plots []*plot.Plot
	for _, set := range sets {
		p := plot.New()
		p.Title.Text = Title(set.ZName, set.Agg, facetName, set.Facet)
		p.X.Label.Text, p.Y.Label.Text = set.XName, set.ZName
		logAxes(p, set.LogX, false)
		p.Legend.Top = true
		for i, ln := range set.Lines {
			col := plotutil.Color(i)
			var band, pts plotter.XYs
			for k, x := range ln.Xs {
				if !math.IsNaN(ln.Lo[k]) {
					band = append(band, plotter.XY{X: x, Y: ln.Hi[k]})
				}
				if !math.IsNaN(ln.Y[k]) {
					pts = append(pts, plotter.XY{X: x, Y: ln.Y[k]})
				}
			}
			for k := len(ln.Xs) - 1; k >= 0; k-- {
				if !math.IsNaN(ln.Lo[k]) {
					band = append(band, plotter.XY{X: ln.Xs[k], Y: ln.Lo[k]})
				}
			}
			if len(band) >= 3 {
				poly, err := plotter.NewPolygon(band)
				if err != nil {
					return err
				}
				r, g, b, _ := col.RGBA()
				poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 60}
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
			if len(pts) == 0 {
				continue
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			l.Color, sc.Color = col, col
			sc.Shape = draw.CircleGlyph{}
			p.Add(l, sc)
			name := ln.By
			if set.ByName != "" {
				name = set.ByName + " = " + ln.By
			} else {
				name = set.ZName
			}
			p.Legend.Add(name, l, sc)
		}
		plots = append(plots, p)
	}
	return save(path, plots, nil)
}

// save draws plots side by side, and side (if not nil) in a column at the right, into path.
func save(path string, plots []*plot.Plot, side func(draw.Canvas)) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("output %s: want a .png or .svg file", path)
	}
	w := panelW * vg.Length(len(plots))
	if side != nil {
		w += barW
	}
	cw, err := draw.NewFormattedCanvas(w, panelH, format)
	if err != nil {
		return err
	}
	dc := draw.New(cw)
	for i, p := range plots {
		c := dc
		c.Min.X = dc.Min.X + panelW*vg.Length(i)
		c.Max.X = c.Min.X + panelW
		p.Draw(c)
	}
	if side != nil {
		c := dc
		c.Min.X = dc.Max.X - barW
		side(c)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := cw.WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
