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

// Scale maps aggregates to colours, shared by the panels of a figure. With Log the colour is
// linear in log10 of the value (--logz), and Min, Max must be positive.
type Scale struct {
	Min, Max float64
	Log      bool
	cmap     palette.ColorMap // over [Min, Max], or [log10 Min, log10 Max] with Log
}

// NewScale spans the cells of grids that are not Bad (0..1 if there is none); log draws the
// colours on a log scale (all those cells must then be positive: see CheckLog).
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
	if log && !(lo > 0) {
		log = false
	}
	if math.IsNaN(lo) {
		lo, hi = 0, 1
	}
	if lo == hi {
		if log {
			lo, hi = lo/2, hi*2
		} else {
			lo, hi = lo-0.5, hi+0.5
		}
	}
	s := &Scale{Min: lo, Max: hi, Log: log}
	s.cmap = colorMap(s.at(lo), s.at(hi))
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

// cells draws a grid's cells as rectangles: on the scale, or grey and hatched when Bad; a
// cell without rows is left blank.
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
			if c.g.N != nil && c.g.N[iy][ix] == 0 {
				continue // no run there (a sparse grid, or --where): blank, not diverged
			}
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

// withWhere appends a --where selection to a title.
func withWhere(title, where string) string {
	if where == "" {
		return title
	}
	return title + "\n" + where
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

// decadeTicks marks a log axis: labelled ticks at powers of ten ("1e-05", "0.01", "1",
// "100"), every k-th decade when there are more than maxDecadeLabels, unlabelled ticks at
// the others and, over at most four decades, at their multiples 2..9. Over less than a
// decade it labels the multiples 1, 2 and 5 inside the range instead.
type decadeTicks struct{}

// maxDecadeLabels is the most labelled powers of ten on a log axis.
const maxDecadeLabels = 8

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	lo, hi := int(math.Ceil(math.Log10(min)-1e-9)), int(math.Floor(math.Log10(max)+1e-9))
	var ts []plot.Tick
	if hi-lo < 1 {
		for e := lo - 1; e <= hi; e++ {
			for _, m := range []float64{1, 2, 5} {
				if v := m * math.Pow(10, float64(e)); v >= min*(1-1e-9) && v <= max*(1+1e-9) {
					ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 3, 64)})
				}
			}
		}
		return ts
	}
	every := (hi - lo + maxDecadeLabels) / maxDecadeLabels
	for e := lo - 1; e <= hi; e++ {
		v := math.Pow(10, float64(e))
		if e >= lo && (e-lo)%every == 0 {
			ts = append(ts, plot.Tick{Value: v, Label: decadeLabel(e)})
		} else if v >= min {
			ts = append(ts, plot.Tick{Value: v})
		}
		if hi-lo <= 4 {
			for m := 2.0; m < 10; m++ {
				if w := m * v; w >= min && w <= max {
					ts = append(ts, plot.Tick{Value: w})
				}
			}
		}
	}
	return ts
}

// decadeLabel is the label of 10^e: plain from 0.001 to 1000, else "1e-05".
func decadeLabel(e int) string {
	if e >= -3 && e <= 3 {
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', -1, 64)
	}
	return fmt.Sprintf("1e%+03d", e)
}

// Title is the title of a figure of metric z (aggregated by agg) with a facet panel's value.
func Title(z, agg, facetName, facet string) string {
	t := fmt.Sprintf("%s (%s)", z, agg)
	if facetName != "" {
		t += fmt.Sprintf(", %s = %s", facetName, Compact(facet))
	}
	return t
}

// HeatOptions are the optional parts of a heat map.
type HeatOptions struct {
	FacetName string   // the facet column (titles)
	Contour   *float64 // a contour level, or nil
	LogZ      bool     // colours on a log scale (if every cell drawn is positive)
	Where     string   // the --where selection, for the titles ("" for none)
}

// contourStyle draws contours.
var contourStyle = draw.LineStyle{Color: color.RGBA{R: 230, G: 20, B: 20, A: 255}, Width: vg.Points(2)}

// heatPanel is the panel of one grid.
func heatPanel(g *Grid, s *Scale, opt HeatOptions) *plot.Plot {
	p := plot.New()
	p.Title.Text = withWhere(Title(g.ZName, g.Agg, opt.FacetName, g.Facet), opt.Where)
	p.X.Label.Text, p.Y.Label.Text = g.XName, g.YName
	logAxes(p, g.LogX, g.LogY)
	p.Add(&cells{g: g, s: s, ex: edges(g.Xs, g.LogX), ey: edges(g.Ys, g.LogY)})
	if opt.Contour != nil {
		p.Add(&segments{segs: Contour(g, *opt.Contour), style: contourStyle})
	}
	return p
}

// RenderHeat draws grids side by side (one panel each) with a colour bar and a legend, into
// path (.png or .svg).
func RenderHeat(grids []*Grid, opt HeatOptions, path string) error {
	if len(grids) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	s := NewScale(grids, opt.LogZ)
	var plots []*plot.Plot
	for _, g := range grids {
		plots = append(plots, heatPanel(g, s, opt))
	}
	bar := plot.New()
	bar.Add(&plotter.ColorBar{ColorMap: colorMap(s.at(s.Min), s.at(s.Max)), Vertical: true})
	bar.HideX()
	bar.Y.Label.Text = grids[0].ZName
	if s.Log {
		bar.Y.Label.Text += " (log scale)"
		bar.Y.Tick.Marker = log10Ticks{}
	}
	bar.Title.Text = " "
	leg := plot.NewLegend()
	leg.Add("diverged / failed", badThumb{})
	if opt.Contour != nil {
		leg.Add(fmt.Sprintf("%s = %s", grids[0].ZName, strconv.FormatFloat(*opt.Contour, 'g', -1, 64)), lineThumb{contourStyle})
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

// fixLogRanges widens an axis of p that is logarithmic and spans a single value (which
// gonum would widen by +-1, to 0 and below): to half and twice the value.
func fixLogRanges(p *plot.Plot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		if a.Scale == (plot.LogScale{}) && a.Min == a.Max && a.Min > 0 {
			a.Min, a.Max = a.Min/2, a.Max*2
		}
	}
}

// logAxes sets log scales and ticks.
func logAxes(p *plot.Plot, x, y bool) {
	if x {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, decadeTicks{}
	}
	if y {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, decadeTicks{}
	}
}

// save draws plots side by side, and side (if not nil) in a column at the right, into path.
func save(path string, plots []*plot.Plot, side func(draw.Canvas)) error {
	var widths []vg.Length
	for range plots {
		widths = append(widths, panelW)
	}
	if side != nil {
		widths = append(widths, barW)
	}
	return saveLayout(path, widths, func(i int, c draw.Canvas) {
		if i < len(plots) {
			plots[i].Draw(c)
		} else {
			side(c)
		}
	})
}

// saveLayout draws columns of the given widths side by side, column i by draw(i, its canvas),
// into path (.png or .svg).
func saveLayout(path string, widths []vg.Length, drawCol func(i int, c draw.Canvas)) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("output %s: want a .png or .svg file", path)
	}
	var w vg.Length
	for _, cw := range widths {
		w += cw
	}
	cw, err := draw.NewFormattedCanvas(w, panelH, format)
	if err != nil {
		return err
	}
	dc := draw.New(cw)
	x := dc.Min.X
	for i, colW := range widths {
		c := dc
		c.Min.X, c.Max.X = x, x+colW
		drawCol(i, c)
		x += colW
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
