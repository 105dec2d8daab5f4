package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// TestBrowserMarks opens the synthetic sweep's heat map in Chromium and reads the canvas: the
// cell where every run diverged is hatched, those where some diverged or failed have the
// magenta corner (phase.MarkColor), those with max_steps runs the inset outline, the others
// one plain colour; the marks are expected by hand from the outcomes of results.parquet
// (pkg/phase's rules: diverged and failed runs left out, max_steps ones in), and the legend
// lists the three kinds.
func TestBrowserMarks(t *testing.T) {
	ctx, _, tab, want := openSynth(t, "", "heat")
	var cells []struct {
		IX, IY               int
		Centre, Edge, Corner []int
		Uniform              bool
	}
	evalJSON(t, ctx, `(() => { const c = document.querySelector('#figure canvas.heat'), d = c.dataset, g = c.getContext('2d'), k = devicePixelRatio;
		const px = (x, y) => Array.from(g.getImageData(Math.floor(x * k), Math.floor(y * k), 1, 1).data.slice(0, 3));
		const out = [], cw = +d.cw, ch = +d.ch, ny = +d.ny;
		for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < +d.nx; ix++) {
			const x0 = +d.left + ix * cw, y0 = +d.top + (ny - 1 - iy) * ch, ym = Math.floor(y0 + ch / 2) + 0.5, row = [];
			for (let x = x0 + 5; x < x0 + cw - 5; x++) row.push(px(x, ym).join());
			out.push({IX: ix, IY: iy, Centre: px(x0 + cw / 2, ym), Edge: px(x0 + 2, ym), Corner: px(x0 + cw - 2, y0 + 2), Uniform: row.every((v) => v === row[0])});
		}
		return JSON.stringify(out); })()`, &cells)
	xs, ys := axisValues(tab, "stepsize"), axisValues(tab, "init")
	if len(cells) != len(xs)*len(ys) {
		t.Fatalf("%d cells read, want %d", len(cells), len(xs)*len(ys))
	}
	magenta := []int{255, 0, 255}
	kinds := map[string]int{}
	for _, c := range cells {
		s := want[[2]float64{xs[c.IX], ys[c.IY]}]
		excluded := s.Counts[2] + s.Counts[3]
		hatched, corner, outline := s.Kept == 0, excluded > 0 && s.Kept > 0, s.Kept > 0 && s.Counts[1] > 0
		where := fmt.Sprintf("cell stepsize=%g init=%g (counts %v)", xs[c.IX], ys[c.IY], s.Counts)
		if c.Uniform == hatched {
			t.Errorf("%s: hatched %v, want %v", where, !c.Uniform, hatched)
		}
		if hatched {
			kinds["hatched"]++
			continue
		}
		if got := slices.Equal(c.Corner, magenta); got != corner {
			t.Errorf("%s: corner mark %v (pixel %v), want %v", where, got, c.Corner, corner)
		} else if !corner && !outline && !slices.Equal(c.Corner, c.Centre) {
			t.Errorf("%s: top right pixel %v differs from the fill %v without a mark", where, c.Corner, c.Centre)
		}
		if got := !slices.Equal(c.Edge, c.Centre); got != outline {
			t.Errorf("%s: outline %v (pixel %v, fill %v), want %v", where, got, c.Edge, c.Centre, outline)
		}
		if corner {
			kinds["corner"]++
		}
		if outline {
			kinds["outline"]++
		}
	}
	if kinds["hatched"] == 0 || kinds["corner"] == 0 || kinds["outline"] == 0 {
		t.Errorf("the synthetic table should have every kind of mark: %v", kinds)
	}
	var legend []string
	evalJSON(t, ctx, `document.querySelector('#figure canvas.cbar').dataset.legend`, &legend)
	if wantL := []string{"all runs diverged / failed", "some diverged / failed (left out)", "some runs at max_steps"}; !slices.Equal(legend, wantL) {
		t.Errorf("legend %q, want %q", legend, wantL)
	}
}

// TestBrowserLineHover hovers every point of the line plot of test_loss against stepsize, one
// line per init, and reads its tooltip against results.parquet: the x and series, the rows by
// outcome and the mean over the runs that did not diverge or fail (none: not drawn, a cross at
// the top edge).
func TestBrowserLineHover(t *testing.T) {
	ctx, base, _, want := openSynth(t, "?by=init", "lines")
	var fig figureOut
	getFigureInto(t, base, "by=init", &fig)
	checkLineTooltips(t, ctx, fig, want)
}

// openSynth serves the synthetic sweep, opens its page with query in Chromium and waits for
// a figure of kind; it returns the browser, the server's URL, results.parquet and its runs by
// (stepsize, init).
func openSynth(t *testing.T, query, kind string) (context.Context, string, *results.Table, map[[2]float64]*cellStats) {
	ts, src := newTestServer(t, t.TempDir(), Options{})
	tab, err := results.ReadFile(src.table.Results)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/sweep/sweep-synth"+query), chromedp.WaitReady(`#figure[data-kind="`+kind+`"]`)); err != nil {
		t.Fatal(err)
	}
	return ctx, ts.URL, tab, statsOf(tab, "stepsize", "init", "test_loss")
}

// checkLineTooltips hovers every point the page's line plot drew (fig, its JSON) and checks
// that the tooltip shows it (with any other point drawn at the same place) and that what it
// says of the first point it shows agrees with want, the runs by (x, by value).
func checkLineTooltips(t *testing.T, ctx context.Context, fig figureOut, want map[[2]float64]*cellStats) {
	t.Helper()
	var pts struct {
		Left, Top float64
		Points    [][4]float64 // line, index, x, y on the canvas
	}
	evalJSON(t, ctx, `(() => { const c = document.querySelector('#figure canvas.lines'), r = c.getBoundingClientRect();
		return JSON.stringify({Left: r.left, Top: r.top, Points: JSON.parse(c.dataset.points)}); })()`, &pts)
	key := func(li, k int) [2]float64 {
		l := fig.Lines[0].Lines[li]
		by, err := strconv.ParseFloat(l.By, 64)
		if err != nil {
			t.Fatalf("line %d: by %q", li, l.By)
		}
		return [2]float64{l.Xs[k], by}
	}
	drawn := map[[2]float64]bool{}
	for _, p := range pts.Points {
		drawn[key(int(p[0]), int(p[1]))] = true
	}
	if len(drawn) != len(pts.Points) || len(drawn) != len(want) {
		t.Fatalf("%d points drawn at %d (x, by) pairs; results.parquet has %d", len(pts.Points), len(drawn), len(want))
	}
	for _, p := range pts.Points {
		tip := readTooltip(t, ctx, pts.Left+p[2], pts.Top+p[3])
		var here [][2]int
		_ = json.Unmarshal([]byte(tip.Here), &here)
		if tip.Hidden || len(here) == 0 || !slices.Contains(here, [2]int{int(p[0]), int(p[1])}) {
			t.Fatalf("point %v: tooltip hidden=%v shows %v, not this point", p, tip.Hidden, here)
		}
		k := key(here[0][0], here[0][1])
		if x, _ := strconv.ParseFloat(tip.X, 64); x != k[0] || tip.By != fig.Lines[0].Lines[here[0][0]].By {
			t.Fatalf("point %v: tooltip x=%s by=%s, want %v", p, tip.X, tip.By, k)
		}
		s := want[k]
		where := fmt.Sprintf("point x=%g by=%g", k[0], k[1])
		counts, _ := json.Marshal(s.Counts)
		nRuns := 0
		for _, c := range s.Counts {
			nRuns += c
		}
		if tip.Counts != string(counts) || tip.N != strconv.Itoa(nRuns) || tip.Bad != strconv.FormatBool(s.Kept == 0) {
			t.Errorf("%s: tooltip n=%s counts=%s bad=%s, results.parquet %d %s %v", where, tip.N, tip.Counts, tip.Bad, nRuns, counts, s.Kept == 0)
		}
		if s.Kept == 0 {
			if tip.Z != "null" {
				t.Errorf("%s: every run diverged or failed, but the tooltip shows %s", where, tip.Z)
			}
			continue
		}
		mean := s.Sum / float64(s.Kept)
		if z, err := strconv.ParseFloat(tip.Z, 64); err != nil || math.Abs(z-mean) > 1e-12*math.Abs(mean) {
			t.Errorf("%s: tooltip mean %s, results.parquet %g over its %d runs that did not diverge", where, tip.Z, mean, s.Kept)
		}
	}
}

// axisValues are the distinct values of a numeric column, ascending.
func axisValues(tab *results.Table, name string) []float64 {
	j := columnIndex(tab)[name]
	var vs []float64
	for _, r := range tab.Rows {
		vs = append(vs, number(tab.Fields[j], r[j]))
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}
