package phase

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// cellRect is cell (ix, iy) of g in plot coordinates: between the edges ex[ix], ex[ix+1]
// (ey[iy], ey[iy+1]) on an ordinary axis, its Span at the cell's level on a refined one
// (whose ex, ey are not used).
func (g *Grid) cellRect(ix, iy int, ex, ey []float64) (x0, x1, y0, y1 float64) {
	r := g.Refine
	l := 0
	if r != nil {
		l = max(0, r.Level[iy][ix])
	}
	if r != nil && r.X != nil {
		x0, x1 = r.X.Span(g.Xs[ix], l)
	} else {
		x0, x1 = ex[ix], ex[ix+1]
	}
	if r != nil && r.Y != nil {
		y0, y1 = r.Y.Span(g.Ys[iy], l)
	} else {
		y0, y1 = ey[iy], ey[iy+1]
	}
	return x0, x1, y0, y1
}

// cellOrder lists the cells of g that have runs in the order they are drawn: row by row, and
// on a refined grid level by level, coarsest first, so that finer cells paint over coarser.
func (g *Grid) cellOrder() [][2]int {
	var out [][2]int
	for iy := range g.Ys {
		for ix := range g.Xs {
			if g.N[iy][ix] > 0 {
				out = append(out, [2]int{ix, iy})
			}
		}
	}
	if r := g.Refine; r != nil {
		sort.SliceStable(out, func(a, b int) bool {
			return r.Level[out[a][1]][out[a][0]] < r.Level[out[b][1]][out[b][0]]
		})
	}
	return out
}

// dataRange is the extent of g's cells in plot coordinates: the edges' ends, or on a refined
// axis the outer edges of its coarse cells.
func (g *Grid) dataRange(ex, ey []float64) (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = ex[0], ex[len(ex)-1], ey[0], ey[len(ey)-1]
	if r := g.Refine; r != nil && r.X != nil {
		xmin, xmax = r.X.bounds()
	}
	if r := g.Refine; r != nil && r.Y != nil {
		ymin, ymax = r.Y.bounds()
	}
	return xmin, xmax, ymin, ymax
}

// maxRaster is the most samples of the raster a refined grid's contour and boundary are
// traced on (about 50 MB of it); a finer one is halved until it fits.
const maxRaster = 1 << 22

// raster samples a refined grid g on its finest half-cells: along a refined axis each coarse
// interval is cut into 2^(MaxLevel+1) equal parts (in the axis's coordinate), whose edges are
// every edge a cell of any level can have, and each part takes the value of the last cell
// drawn over it (cellOrder): the partition the figure shows. An ordinary axis keeps its
// cells. It returns the raster as a Grid (only its axes, Z and Bad are set; a part under no
// cell is Bad) and its edges in plot coordinates; Contour and Boundary trace it.
func (g *Grid) raster(ex, ey []float64) (*Grid, []float64, []float64) {
	sub := g.Refine.MaxLevel + 1
	for sub > 1 && rasterLen(g.Refine.X, len(g.Xs), sub)*rasterLen(g.Refine.Y, len(g.Ys), sub) > maxRaster {
		sub--
	}
	xs, rex := rasterAxis(g.Refine.X, g.Xs, ex, sub)
	ys, rey := rasterAxis(g.Refine.Y, g.Ys, ey, sub)
	r := &Grid{XName: g.XName, YName: g.YName, ZName: g.ZName, Xs: xs, Ys: ys, LogX: g.LogX, LogY: g.LogY, XCat: g.XCat, YCat: g.YCat}
	if g.Refine.X != nil {
		r.LogX = g.Refine.X.Log
	}
	if g.Refine.Y != nil {
		r.LogY = g.Refine.Y.Log
	}
	r.Z, r.Bad = make([][]float64, len(ys)), make([][]bool, len(ys))
	for iy := range ys {
		r.Z[iy] = slices.Repeat([]float64{math.NaN()}, len(xs))
		r.Bad[iy] = slices.Repeat([]bool{true}, len(xs))
	}
	// span is the samples of the cell index i of an axis between edges lo and hi: the one
	// sample of an ordinary axis, the parts whose centres lie within a refined cell.
	span := func(ref *RefinedAxis, edges []float64, i int, lo, hi float64) (int, int) {
		if ref == nil {
			return i, i + 1
		}
		mid := func(k int) float64 { return (edges[k] + edges[k+1]) / 2 }
		a := sort.Search(len(edges)-1, func(k int) bool { return mid(k) > lo })
		b := sort.Search(len(edges)-1, func(k int) bool { return mid(k) >= hi })
		return a, b
	}
	for _, c := range g.cellOrder() {
		ix, iy := c[0], c[1]
		x0, x1, y0, y1 := g.cellRect(ix, iy, ex, ey)
		a, b := span(g.Refine.X, rex, ix, x0, x1)
		c0, c1 := span(g.Refine.Y, rey, iy, y0, y1)
		for jy := c0; jy < c1; jy++ {
			for jx := a; jx < b; jx++ {
				r.Z[jy][jx], r.Bad[jy][jx] = g.Z[iy][ix], g.Bad[iy][ix]
			}
		}
	}
	return r, rex, rey
}

// rasterLen is the number of samples of an axis of n values in raster (a refined axis cut
// into 2^sub parts per coarse interval).
func rasterLen(ref *RefinedAxis, n, sub int) int {
	if ref == nil {
		return n
	}
	return len(ref.c) << sub
}

// rasterAxis is the sample values and edges (plot coordinates) of an axis of raster: on a
// refined axis 2^sub parts per coarse interval and 2^(sub-1) in the half intervals past the
// ends, sampled at their centres; else the values vs and their edges.
func rasterAxis(ref *RefinedAxis, vs, edges []float64, sub int) ([]float64, []float64) {
	if ref == nil {
		return vs, edges
	}
	n := len(ref.c)
	parts := 1 << sub
	u := []float64{ref.c[0] - ref.interval(0)/2}
	add := func(from, width float64, k int) {
		for j := 1; j <= k; j++ {
			u = append(u, from+float64(j)*width/float64(parts))
		}
	}
	add(u[0], ref.interval(0), parts/2)
	u[len(u)-1] = ref.c[0]
	for i := 0; i+1 < n; i++ {
		add(ref.c[i], ref.interval(i), parts)
		u[len(u)-1] = ref.c[i+1] // exact at the coarse values
	}
	add(ref.c[n-1], ref.interval(n-2), parts/2)
	var xs, es []float64
	for k := range u {
		es = append(es, ref.from(u[k]))
		if k > 0 {
			xs = append(xs, ref.from((u[k-1]+u[k])/2))
		}
	}
	return xs, es
}

// LevelStyle outlines the cells of a refined grid with --show-levels.
var LevelStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(0.75)}

// levelLegend adds (by add) an entry per refinement level of grids with the number of cells
// drawn at it, for --show-levels.
func levelLegend(add func(string, ...plot.Thumbnailer), grids []*Grid) {
	var counts []int
	for _, g := range grids {
		if g.Refine == nil {
			continue
		}
		for _, c := range g.cellOrder() {
			l := g.Refine.Level[c[1]][c[0]]
			for len(counts) <= l {
				counts = append(counts, 0)
			}
			counts[l]++
		}
	}
	for l, n := range counts {
		add(fmt.Sprintf("level %d: %d cells", l, n), levelThumb{level: l})
	}
}

// levelThumb is the legend entry of a refinement level: a white square outlined and cut
// into 2^level x 2^level parts (at most 8 x 8).
type levelThumb struct{ level int }

func (t levelThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	side := min(r.Max.X-r.Min.X, r.Max.Y-r.Min.Y)
	x0, y0 := r.Min.X, r.Min.Y
	c.FillPolygon(color.White, []vg.Point{{X: x0, Y: y0}, {X: x0 + side, Y: y0}, {X: x0 + side, Y: y0 + side}, {X: x0, Y: y0 + side}})
	n := 1 << min(t.level, 3)
	for i := 0; i <= n; i++ {
		d := side * vg.Length(i) / vg.Length(n)
		c.StrokeLine2(LevelStyle, x0+d, y0, x0+d, y0+side)
		c.StrokeLine2(LevelStyle, x0, y0+d, x0+side, y0+d)
	}
}

// CellRect is where a cell of a heat map is drawn: cell (IX, IY) of its Grid over X0..X1 and
// Y0..Y1, as fractions of the panel's data area (0 at its left and bottom edge, 1 at its right
// and top), linear on the page (in log10 on a log axis).
type CellRect struct {
	IX, IY         int
	X0, X1, Y0, Y1 float64
}

// CellRects are the cells of g that have runs as RenderHeat draws them, in its order (later
// ones paint over earlier ones: on a refined grid the finer cells, of their true size, over
// the coarser).
func (g *Grid) CellRects() []CellRect {
	ax, ay := g.xAxis(), g.yAxis()
	ex, ey := ax.Edges(), ay.Edges()
	fx, fy := g.fractions(ex, ey)
	var out []CellRect
	for _, c := range g.cellOrder() {
		x0, x1, y0, y1 := g.cellRect(c[0], c[1], ex, ey)
		out = append(out, CellRect{IX: c[0], IY: c[1], X0: fx(x0), X1: fx(x1), Y0: fy(y0), Y1: fy(y1)})
	}
	return out
}

// BoundaryLines are the segments of a status map's phase boundary as RenderHeat draws them:
// x0, y0, x1, y1 as fractions of the data area (as CellRects). On a refined grid the boundary
// follows the partition the figure shows (traced on its raster); on another it is Boundary's
// cell edges.
func (g *Grid) BoundaryLines() [][4]float64 {
	ax, ay := g.xAxis(), g.yAxis()
	ex, ey := ax.Edges(), ay.Edges()
	fx, fy := g.fractions(ex, ey)
	traced, tex, tey := g, ex, ey
	if g.Refine != nil {
		traced, tex, tey = g.raster(ex, ey)
	}
	segs := boundarySegments(traced, tex, tey)
	for i, s := range segs {
		segs[i] = [4]float64{fx(s[0]), fy(s[1]), fx(s[2]), fy(s[3])}
	}
	return segs
}

// Fraction is the point of values (x, y) of g's axes (as Xs and Ys) as fractions of the data
// area, as CellRects places cells: a tick of the axes at those values.
func (g *Grid) Fraction(x, y float64) (fx, fy float64) {
	ax, ay := g.xAxis(), g.yAxis()
	tx, ty := g.fractions(ax.Edges(), ay.Edges())
	return tx(ax.Plot(x)), ty(ay.Plot(y))
}

// fractions map plot coordinates of g's axes to fractions of the data area, which spans the
// cells (dataRange), linearly or in log10.
func (g *Grid) fractions(ex, ey []float64) (fx, fy func(float64) float64) {
	xmin, xmax, ymin, ymax := g.dataRange(ex, ey)
	f := func(lo, hi float64, log bool) func(float64) float64 {
		if log {
			lo, hi = math.Log10(lo), math.Log10(hi)
			return func(v float64) float64 { return (math.Log10(v) - lo) / (hi - lo) }
		}
		return func(v float64) float64 { return (v - lo) / (hi - lo) }
	}
	return f(xmin, xmax, g.xAxis().Log), f(ymin, ymax, g.yAxis().Log)
}
