package phase

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// panel sizes of a figure at its natural size.
const (
	panelW = 5 * vg.Inch
	panelH = 4 * vg.Inch
	barW   = 1.9 * vg.Inch
)

// Style is what the user chose of a figure's look (--title, --xlabel, --ylabel, --zlabel,
// --size, --dpi); zero values keep the defaults: the metric's name and aggregation as the
// title, the columns' names as labels, 5 x 4 inches a panel plus the legend columns, and
// vgimg's 96 dpi.
type Style struct {
	Title, XLabel, YLabel, ZLabel string
	Width, Height                 vg.Length // the whole figure; 0: natural
	DPI                           int
}

// or is s, or def when s is "".
func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// panelTitle is the title of a panel: --title (then the facet's value) or the default title,
// then the --where selection on a second line.
func (st Style) panelTitle(def, facetName, facet, where string) string {
	t := def
	if st.Title != "" {
		t = st.Title
		if facetName != "" {
			t += fmt.Sprintf(", %s = %s", facetName, Compact(facet))
		}
	}
	if where != "" {
		t += "\n" + where
	}
	return t
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

// saveLayout draws columns of the given natural widths side by side, column i by
// drawCol(i, its canvas), into path (.png or .svg), at st's size and resolution: a given
// width scales every column alike.
func saveLayout(path string, widths []vg.Length, st Style, drawCol func(i int, c draw.Canvas)) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("output %s: want a .png or .svg file", path)
	}
	var w vg.Length
	for _, cw := range widths {
		w += cw
	}
	h := panelH
	if st.Width > 0 {
		f := st.Width / w
		for i := range widths {
			widths[i] *= f
		}
		w = st.Width
	}
	if st.Height > 0 {
		h = st.Height
	}
	var cw vg.CanvasWriterTo
	if format == "svg" {
		cw = vgsvg.New(w, h)
	} else {
		dpi := st.DPI
		if dpi <= 0 {
			dpi = vgimg.DefaultDPI
		}
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
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
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := cw.WriteTo(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// legendColumn is a plot's legend drawn in a column at its right, out of the data's way.
type legendColumn struct {
	leg   plot.Legend
	width vg.Length
}

// sideLegend moves the legend of a plot into a legendColumn as wide as its longest entry.
func sideLegend(nl *namedLegend) *legendColumn {
	p := nl.p
	lc := &legendColumn{leg: p.Legend, width: legendWidth(&p.Legend, nl.names)}
	lc.leg.Top, lc.leg.Left = true, true
	p.Legend = plot.NewLegend()
	return lc
}

// saveWithLegends draws each plot with its legend column at its right, side by side.
func saveWithLegends(path string, plots []*plot.Plot, legends []*legendColumn, st Style) error {
	var widths []vg.Length
	for _, l := range legends {
		widths = append(widths, panelW+l.width)
	}
	return saveLayout(path, widths, st, func(i int, c draw.Canvas) {
		pc := c
		pc.Max.X = c.Min.X + (c.Max.X-c.Min.X)*panelW/(panelW+legends[i].width)
		plots[i].Draw(pc)
		lc := c
		lc.Min.X = pc.Max.X + legendGap
		lc.Max.Y -= vg.Points(30)
		legends[i].leg.Draw(lc)
	})
}

// legendGap is the space between a panel and its legend column, so that a marker at the
// panel's right edge stays clear of the legend's first entry.
const legendGap = 8 * vg.Length(1)

// namedLegend is a plot whose legend entries' names are kept (plot.Legend keeps them private)
// to size its legend column.
type namedLegend struct {
	p     *plot.Plot
	names []string
}

// add adds an entry to the plot's legend.
func (n *namedLegend) add(name string, thumbs ...plot.Thumbnailer) {
	n.p.Legend.Add(name, thumbs...)
	n.names = append(n.names, name)
}
