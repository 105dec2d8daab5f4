package phase

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// dpi is the resolution of the PNGs save writes (vgimg's default).
const dpi = vgimg.DefaultDPI

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// pixelMap maps data coordinates of plot p, drawn by saveLayout in the column starting at
// left (points), to pixels of the PNG: the same layout computation plot.Draw does
// (DataCanvas), with y flipped and points scaled to dots.
type pixelMap struct {
	trX, trY func(float64) vg.Length
	top, bot int // the data area's top and bottom rows
}

func newPixelMap(p *plot.Plot, left vg.Length) pixelMap {
	c := draw.New(vgimg.New(left+panelW, panelH))
	c.Min.X = left
	c.Max.X = left + panelW
	dc := p.DataCanvas(c)
	trX, trY := p.Transforms(&dc)
	m := pixelMap{trX: trX, trY: trY}
	m.top = m.row(dc.Max.Y)
	m.bot = m.row(dc.Min.Y)
	return m
}

func (m pixelMap) row(y vg.Length) int { return int((panelH - y).Dots(dpi)) }

// at is the pixel of data point (x, y).
func (m pixelMap) at(x, y float64) (int, int) {
	return int(m.trX(x).Dots(dpi)), m.row(m.trY(y))
}

// linePixels is the panel of line set set as RenderLines draws it (its legend moved into the
// column beside it) and the map of its data coordinates to the PNG's pixels.
func linePixels(t *testing.T, set *LineSet) (*plot.Plot, pixelMap) {
	t.Helper()
	nl, err := linePanel(set, "", Style{})
	if err != nil {
		t.Fatal(err)
	}
	sideLegend(nl)
	return nl.p, newPixelMap(nl.p, 0)
}

// col is the pixel column of data x.
func (m pixelMap) col(x float64) int { return int(m.trX(x).Dots(dpi)) }

// close reports whether two colours differ by at most 40 in every 8-bit channel
// (anti-aliasing blends edges).
func closeColor(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) bool { return int(x>>8)-int(y>>8) <= 40 && int(y>>8)-int(x>>8) <= 40 }
	return d(ar, br) && d(ag, bg) && d(ab, bb)
}

// tinted reports whether pixel colour p is colour c blended over white with weight at least
// 0.35: an anti-aliased line one or two pixels wide is such a blend. Each channel gives the
// weight (255 - p)/(255 - c); they must agree within 0.15.
func tinted(p, c color.Color) bool {
	pr, pg, pb, _ := p.RGBA()
	cr, cg, cb, _ := c.RGBA()
	lo, hi := 2.0, -1.0
	for _, ch := range [][2]uint32{{pr >> 8, cr >> 8}, {pg >> 8, cg >> 8}, {pb >> 8, cb >> 8}} {
		pv, cv := float64(ch[0]), float64(ch[1])
		if 255-cv < 30 {
			if 255-pv > 40 {
				return false
			}
			continue
		}
		w := (255 - pv) / (255 - cv)
		lo, hi = min(lo, w), max(hi, w)
	}
	return hi >= 0 && hi-lo <= 0.15 && lo >= 0.35
}

// hasColorNear reports whether a pixel within r of (px, py) has colour want (tinted).
func hasColorNear(img image.Image, px, py, r int, want color.Color) bool {
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if tinted(img.At(px+dx, py+dy), want) {
				return true
			}
		}
	}
	return false
}

// columnHits counts the rows from y0 to y1 where pixel column px (or a neighbour) has colour
// want (tinted).
func columnHits(img image.Image, px, y0, y1 int, want color.Color) int {
	n := 0
	for y := y0; y <= y1; y++ {
		if hasColorNear(img, px, y, 1, want) {
			n++
		}
	}
	return n
}

// writeTable writes t into dir/name and returns the path.
func writeTable(t *testing.T, dir, name string, tb *results.Table) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if tb.Meta == nil {
		tb.Meta = map[string]string{}
	}
	if err := results.WriteFile(path, tb); err != nil {
		t.Fatal(err)
	}
	return path
}
