package phase

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SeriesStyle is the line style of series i of a panel (line plots, trajectories): the
// seven colours of plotutil, then the same colours dashed; 1.5 points wide.
func SeriesStyle(i int) draw.LineStyle {
	n := len(plotutil.DefaultColors)
	return draw.LineStyle{Color: plotutil.Color(i), Width: vg.Points(1.5), Dashes: plotutil.Dashes(i / n)}
}

// markDashes is the dash pattern of vertical marks (--mark, predicted jumps).
var markDashes = []vg.Length{vg.Points(5), vg.Points(3)}

// vline is a vertical line across the panel at X; it widens the x range only.
type vline struct {
	X     float64
	Style draw.LineStyle
}

func (v *vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.X, v.X, math.Inf(1), math.Inf(-1)
}

func (v *vline) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	x := trX(v.X)
	c.StrokeLines(v.Style, c.ClipLinesX([]vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})...)
}

// lineThumb is a legend entry drawn as a short line in a style.
type lineThumb struct{ style draw.LineStyle }

func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(t.style, c.Min.X, y, c.Max.X, y)
}

// BadGlyph marks a diverged or failed point of a line plot: a cross at the top edge of the
// panel, at the point's x, in the line's colour, never at a value of the y axis.
var BadGlyph = draw.CrossGlyph{}

// topMarks draws BadGlyph at the top edge of the panel at each of Xs; it widens the x range
// only.
type topMarks struct {
	Xs    []float64
	Style draw.GlyphStyle
}

func (m *topMarks) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, x := range m.Xs {
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
	}
	return xmin, xmax, math.Inf(1), math.Inf(-1)
}

func (m *topMarks) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	for _, x := range m.Xs {
		c.DrawGlyph(m.Style, vg.Point{X: trX(x), Y: c.Max.Y - m.Style.Radius})
	}
}

// refCurve draws a Ref over the panel's x range without widening the y range: a reference
// such as 2/x may run far above the data, and the data decide the axes.
type refCurve struct {
	ref   *Ref
	logX  bool
	style draw.LineStyle
}

func (r *refCurve) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	const n = 200
	var pts []vg.Point
	for i := 0; i <= n; i++ {
		f := float64(i) / n
		x := plt.X.Min + f*(plt.X.Max-plt.X.Min)
		if r.logX {
			x = plt.X.Min * math.Pow(plt.X.Max/plt.X.Min, f)
		}
		y := r.ref.At(x)
		if math.IsNaN(y) || math.IsInf(y, 0) || (plt.Y.Scale == (plot.LogScale{}) && y <= 0) {
			continue
		}
		// Keep the curve within a few panel heights so that clipping stays exact.
		y = math.Max(plt.Y.Min-10*(plt.Y.Max-plt.Y.Min), math.Min(plt.Y.Max+10*(plt.Y.Max-plt.Y.Min), y))
		if plt.Y.Scale == (plot.LogScale{}) {
			y = math.Max(y, plt.Y.Min/1e6)
		}
		pts = append(pts, vg.Point{X: trX(x), Y: trY(y)})
	}
	c.StrokeLines(r.style, c.ClipLinesXY(pts)...)
}

// RefStyle draws the first --ref curve; refStyle the others.
var RefStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}

// refDashes are the dash patterns of the --ref curves after the first: dashed, dash-dotted,
// long dashes, then again.
var refDashes = [][]vg.Length{
	{vg.Points(6), vg.Points(3)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
	{vg.Points(10), vg.Points(3)},
}

// refStyle is the style of the i-th --ref curve of a panel: black, each with its own dashes.
func refStyle(i int) draw.LineStyle {
	if i == 0 {
		return RefStyle
	}
	st := RefStyle
	st.Dashes = refDashes[(i-1)%len(refDashes)]
	return st
}

// refLabel is the legend entry of a reference curve: its expression, and on log-log axes its
// slope, which is what a power law is compared by there.
func refLabel(r *Ref, set *LineSet) string {
	l := r.Label(set.XName)
	if set.LogX && set.LogY && r.P != 0 {
		l += " (slope " + strconv.FormatFloat(r.P, 'g', -1, 64) + ")"
	}
	return l
}

// RenderLines draws one panel per line set, each with one line per by value and its band,
// into path (.png or .svg). An x whose runs all diverged or failed breaks its line and gets
// BadGlyph at the top edge; a Partial point is drawn hollow; a line's Mark is a vertical dashed
// line in its colour; each of the set's Refs a black curve with its own dashes. The legend says
// what the band is.
func RenderLines(sets []*LineSet, facetName, path string, st Style) error {
	if len(sets) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	var plots []*plot.Plot
	var legends []*legendColumn
	for _, set := range sets {
		nl, err := linePanel(set, facetName, st)
		if err != nil {
			return err
		}
		plots = append(plots, nl.p)
		legends = append(legends, sideLegend(nl))
	}
	return saveWithLegends(path, plots, legends, st)
}

// xAxis is how a line set's x axis is drawn.
func (set *LineSet) xAxis() Axis {
	var xs []float64
	if len(set.Lines) > 0 {
		xs = set.Lines[0].Xs
	}
	return newAxis(xs, set.XLabels, set.LogX, set.XCat)
}

// linePanel draws one line set.
func linePanel(set *LineSet, facetName string, st Style) (*namedLegend, error) {
	p := plot.New()
	leg := &namedLegend{p: p}
	p.Title.Text = st.panelTitle(Title(set.ZName, set.Agg, facetName, set.Facet), facetName, set.Facet, set.Where)
	p.X.Label.Text, p.Y.Label.Text = or(st.XLabel, set.XName), or(st.YLabel, or(st.ZLabel, set.ZName))
	ax := set.xAxis()
	ax.set(&p.X)
	logAxes(p, false, set.LogY)
	if !set.LogY {
		p.Y.Tick.Marker = linTicks{}
	}
	for i, ln := range set.Lines {
		style := SeriesStyle(i)
		if band := bandPolygon(ln, ax, set.LogY); set.Banded(i) {
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return nil, err
			}
			poly.Color = BandColor(style.Color)
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		var full, hollow plotter.XYs
		for _, run := range lineRuns(ln) {
			var pts plotter.XYs
			for _, k := range run {
				pt := plotter.XY{X: ax.Plot(ln.Xs[k]), Y: ln.Y[k]}
				pts = append(pts, pt)
				if ln.Partial[k] {
					hollow = append(hollow, pt)
				} else {
					full = append(full, pt)
				}
			}
			if len(pts) < 2 {
				continue
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			l.LineStyle = style
			p.Add(l)
		}
		for j, pts := range []plotter.XYs{full, hollow} {
			if len(pts) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, err
			}
			sc.Color, sc.Shape, sc.Radius = style.Color, draw.CircleGlyph{}, vg.Points(3)
			if j == 1 {
				sc.Shape = hollowGlyph{}
			}
			p.Add(sc)
		}
		var bad []float64
		for k, x := range ln.Xs {
			if ln.Bad[k] {
				bad = append(bad, ax.Plot(x))
			}
		}
		if len(bad) > 0 {
			p.Add(&topMarks{Xs: bad, Style: draw.GlyphStyle{Color: style.Color, Radius: vg.Points(4), Shape: BadGlyph}})
		}
		if set.hasMark(ln) {
			ms := style
			ms.Dashes = markDashes
			p.Add(&vline{X: ax.Plot(ln.Mark), Style: ms})
		}
	}
	for i, r := range set.Refs {
		p.Add(&refCurve{ref: r, logX: set.LogX, style: refStyle(i)})
	}
	for _, e := range set.Legend() {
		leg.add(e.Label, e.thumbnails()...)
	}
	fixLogRanges(p)
	if set.YLim != nil {
		p.Y.Min, p.Y.Max = set.YLim[0], set.YLim[1]
	}
	if set.XLim != nil {
		p.X.Min, p.X.Max = ax.Plot(set.XLim[0]), ax.Plot(set.XLim[1])
	}
	return leg, nil
}

// hollowGlyph is the marker of a Partial point: a ring with a white centre.
type hollowGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (hollowGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(sty.Color) // draw.Canvas.DrawGlyph sets it; a Thumbnail does not
	draw.CircleGlyph{}.DrawGlyph(c, sty, pt)
	inner := sty
	inner.Radius = sty.Radius * 0.5
	c.SetColor(color.White)
	draw.CircleGlyph{}.DrawGlyph(c, inner, pt)
}

// dotThumb is a series' marker in its legend entry: a filled circle in its colour.
type dotThumb struct{ c color.Color }

func (d dotThumb) Thumbnail(c *draw.Canvas) {
	mid := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: d.c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, mid)
}

// hollowThumb is the legend entry of a Partial point.
type hollowThumb struct{}

func (hollowThumb) Thumbnail(c *draw.Canvas) {
	mid := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	hollowGlyph{}.DrawGlyph(c, draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3)}, mid)
}

// BandAlpha is the opacity (of 255) of a band over its line's colour.
const BandAlpha = 60

// BandColor is the fill of the band of a series of colour c: c at BandAlpha.
func BandColor(c color.Color) color.NRGBA {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: BandAlpha}
}

// bandThumb is the legend entry of a band: a grey patch.
type bandThumb struct{}

func (bandThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(BandColor(color.Black), []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// spread reports whether some point of ln has two or more values: a band over one run per
// point is no band (and gets no legend entry).
func spread(ln Line) bool {
	for _, st := range ln.Stats {
		if st.N >= 2 {
			return true
		}
	}
	return false
}

// bandPolygon is the band of a line (Hi left to right, then Lo back), over the x values where
// it is defined (bandAt).
func bandPolygon(ln Line, ax Axis, logY bool) plotter.XYs {
	var band plotter.XYs
	in := func(k int) bool { return bandAt(ln, k, logY) }
	for k, x := range ln.Xs {
		if in(k) {
			band = append(band, plotter.XY{X: ax.Plot(x), Y: ln.Hi[k]})
		}
	}
	for k := len(ln.Xs) - 1; k >= 0; k-- {
		if in(k) {
			band = append(band, plotter.XY{X: ax.Plot(ln.Xs[k]), Y: ln.Lo[k]})
		}
	}
	return band
}

// badGlyphThumb is the legend entry of BadGlyph.
type badGlyphThumb struct{}

func (badGlyphThumb) Thumbnail(c *draw.Canvas) {
	mid := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: color.Black, Radius: vg.Points(4), Shape: BadGlyph}, mid)
}
