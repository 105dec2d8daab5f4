package webui

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/phase"
)

// TestFigureMatchesPlot compares the page's figure with the figure phase.Plot (the function
// behind `sweep plot`) draws from the synthetic table, which has cells partly diverged or
// failed, cells at max_steps and one where every run diverged: for heat maps the same cells,
// values, colours and marks (phase.Grid.Marks); for line plots the same points, Bad and
// Partial marks; and a legend whose entries are the legend texts in phase.Plot's SVG.
func TestFigureMatchesPlot(t *testing.T) {
	dir := t.TempDir()
	ts, src := newTestServer(t, dir, Options{})
	for _, q := range []url.Values{
		{},
		{"z": {"train_loss"}, "agg": {"median"}},
		{"facet": {"seed"}},
		{"x": {"init"}, "y": {"stepsize"}, "logz": {"false"}},
		{"z": {"status"}},
		{"z": {"diverged"}, "where": {"init=0.01,init=0.1"}},
		{"by": {"init"}},
		{"by": {"seed"}, "where": {"init=0.1,init=1"}},
	} {
		name := q.Encode()
		var page figureOut
		getFigureInto(t, ts.URL, name, &page)
		p := plotQueryOf(q)
		svg := filepath.Join(dir, strings.NewReplacer("=", "-", "&", "-", ",", "-").Replace(name)+"f.svg")
		opt, err := p.options(svg)
		if err != nil {
			t.Fatal(err)
		}
		fig, err := phase.Plot(src.table.Results, opt, io.Discard)
		if err != nil {
			t.Fatalf("%s: phase.Plot: %v", name, err)
		}
		text, err := os.ReadFile(svg)
		if err != nil {
			t.Fatal(err)
		}
		var labels []string
		switch {
		case len(fig.Heat) > 0:
			sc := phase.HeatScale(fig.Heat, fig.HeatOptions)
			if page.Kind != "heat" || len(page.Panels) != len(fig.Heat) {
				t.Fatalf("%s: page draws %s with %d panels, phase.Plot a heat map with %d", name, page.Kind, len(page.Panels), len(fig.Heat))
			}
			for i, g := range fig.Heat {
				pp := page.Panels[i]
				for iy := range g.Ys {
					for ix := range g.Xs {
						c := iy*len(g.Xs) + ix
						m := g.Marks(ix, iy)
						wantMarks := bit(m.Hatched, markHatched) | bit(m.Corner, markCorner) | bit(m.Outline, markOutline) | bit(m.NoValue, markNoValue)
						if pp.Marks[c] != wantMarks || !samePageValue(pp.Z[c], g.Z[iy][ix]) || pp.N[c] != g.N[iy][ix] || pp.Color[c] != cssColor(sc.CellColor(g, ix, iy)) {
							t.Errorf("%s panel %d cell (%d, %d): page marks %b z %v n %d %s, phase %+v %g %d", name, i, ix, iy,
								pp.Marks[c], pp.Z[c], pp.N[c], pp.Color[c], m, g.Z[iy][ix], g.N[iy][ix])
						}
						if pp.N[c] > 0 && !svgHas(text, "fill", pp.Color[c]) {
							t.Errorf("%s panel %d cell (%d, %d): the page's colour %s fills nothing in sweep plot's figure", name, i, ix, iy, pp.Color[c])
						}
					}
				}
			}
			for _, e := range page.Legend {
				labels = append(labels, e.Label)
			}
		case len(fig.Lines) > 0:
			if page.Kind != "lines" || len(page.Lines) != len(fig.Lines) {
				t.Fatalf("%s: page draws %s with %d panels, phase.Plot lines with %d", name, page.Kind, len(page.Lines), len(fig.Lines))
			}
			for i, set := range fig.Lines {
				for j, l := range set.Lines {
					pl := page.Lines[i].Lines[j]
					if pl.By != l.By || !slices.Equal(pl.Xs, l.Xs) || !slices.Equal(pl.Bad, l.Bad) || !slices.Equal(pl.Partial, l.Partial) || !slices.Equal(pl.N, l.N) {
						t.Errorf("%s line %s: page differs from phase.Plot", name, l.By)
					}
					for k := range l.Y {
						if !samePageValue(pl.Y[k], l.Y[k]) {
							t.Errorf("%s line %s x=%g: page %v, phase %g", name, l.By, l.Xs[k], pl.Y[k], l.Y[k])
						}
					}
				}
				for _, l := range page.Lines[i].Lines {
					if !svgHas(text, "stroke", l.Color) {
						t.Errorf("%s line %s: the page's colour %s strokes nothing in sweep plot's figure", name, l.By, l.Color)
					}
				}
				for _, e := range page.Lines[i].Legend {
					labels = append(labels, e.Label)
				}
			}
		}
		// Every legend entry of the page is a text of phase.Plot's figure, and every mark
		// entry phase.Plot's legend has is on the page.
		for _, l := range labels {
			if !strings.Contains(string(text), ">"+l+"<") {
				t.Errorf("%s: the page's legend entry %q is not in sweep plot's figure", name, l)
			}
		}
		for _, l := range []string{phase.LegendHatched, phase.LegendCorner, phase.LegendOutline, phase.LegendNoValue,
			phase.LegendMixed, phase.LegendBoundary, phase.LegendHollow, "band: min-max over seeds"} {
			if strings.Contains(string(text), ">"+l+"<") && !slices.Contains(labels, l) {
				t.Errorf("%s: sweep plot's legend has %q, the page's %q", name, l, labels)
			}
		}
	}
}

// svgHas reports whether the SVG text has a style property ("fill", "stroke") of colour css
// (#rrggbb). vgsvg writes #RRGGBB, each channel truncated from 16 bits through a float (so
// one below at times), and leaves out a fill of black, its default.
func svgHas(text []byte, property, css string) bool {
	if css == "#000000" {
		return true
	}
	var want [3]int
	if _, err := fmt.Sscanf(css, "#%02x%02x%02x", &want[0], &want[1], &want[2]); err != nil {
		return false
	}
	for _, m := range regexp.MustCompile(property+`:#([0-9A-F]{6})`).FindAllStringSubmatch(string(text), -1) {
		var got [3]int
		_, _ = fmt.Sscanf(m[1], "%02X%02X%02X", &got[0], &got[1], &got[2])
		if got[0] >= want[0]-1 && got[0] <= want[0] && got[1] >= want[1]-1 && got[1] <= want[1] && got[2] >= want[2]-1 && got[2] <= want[2] {
			return true
		}
	}
	return false
}

// bit is b if on, else 0.
func bit(on bool, b int) int {
	if on {
		return b
	}
	return 0
}

// samePageValue compares a page value (nil for NaN) with phase's.
func samePageValue(page *float64, v float64) bool {
	if page == nil {
		return math.IsNaN(v)
	}
	return *page == v
}
