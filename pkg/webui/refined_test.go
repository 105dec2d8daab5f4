package webui

import (
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// refinedExps are log10 of the stepsizes of the refined synthetic table: the coarse values
// -2, -1.5, -1, -0.5, 0 (level 0), -0.75 (level 1) and -0.875, -0.625 (level 2), ascending.
var (
	refinedExps   = []float64{-2, -1.5, -1, -0.875, -0.75, -0.625, -0.5, 0}
	refinedLevels = []int64{0, 0, 0, 2, 1, 2, 0, 0}
	// refinedShown is the part of each stepsize's cell the figure shows, in log10 stepsize,
	// by hand: a cell of level L spans 0.5/2^L around its value (half the coarse spacing 0.5
	// on each side at level 0), and finer cells paint over coarser ones.
	refinedShown = [][2]float64{{-2.25, -1.75}, {-1.75, -1.25}, {-1.25, -0.9375}, {-0.9375, -0.8125},
		{-0.8125, -0.6875}, {-0.6875, -0.5625}, {-0.5625, -0.25}, {-0.25, 0.25}}
)

// writeRefined writes a refined sweep's table (a level column, metadata phasesweep.refine
// naming stepsize) into dir: the stepsizes 10^refinedExps x init 1, 2, 3 x seeds 0, 1, all
// converged, with test_loss = (rank of the stepsize + 1) * init * (seed + 1).
func writeRefined(t *testing.T, dir string) string {
	t.Helper()
	tab := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "stepsize", Kind: results.Float},
		{Name: "init", Kind: results.Float}, {Name: "seed", Kind: results.Int}, {Name: "level", Kind: results.Int},
		{Name: "train_loss", Kind: results.Float}, {Name: "test_loss", Kind: results.Float}, {Name: "status", Kind: results.String}},
		Meta: map[string]string{phase.MetaRefine: `{"axes": ["stepsize"], "levels": 2}`}}
	p := int64(0)
	for rank, e := range refinedExps {
		for _, init := range []float64{1, 2, 3} {
			for seed := range int64(2) {
				loss := float64(rank+1) * init * float64(seed+1)
				tab.Rows = append(tab.Rows, []results.Value{{I: p}, {F: math.Pow(10, e)}, {F: init}, {I: seed},
					{I: refinedLevels[rank]}, {F: loss / 2}, {F: loss}, {S: "converged"}})
				p++
			}
		}
	}
	path := filepath.Join(dir, "results.parquet")
	if err := results.WriteFile(path, tab); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserRefined opens the heat map of a refined table in Chromium: every cell is drawn
// over the pixel columns of the part of it the figure shows (refinedShown, by hand; within a
// pixel at each edge), in one colour, and hovering the middle of each cell, the fine ones
// among them, shows its stepsize, its init and the mean test_loss of its two seeds.
func TestBrowserRefined(t *testing.T) {
	dir := t.TempDir()
	res := writeRefined(t, dir)
	src := &fileSource{sweep: Sweep{ID: "sweep-synth", Status: "completed", Spec: "name: refined\n", Out: dir},
		table: Table{Results: res, Key: "r1"}}
	src.sweep.Progress.Total, src.sweep.Progress.Done = 48, 48
	srv, err := New(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })

	ctx := newBrowser(t, time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/sweep/sweep-synth?x=stepsize&y=init&z=test_loss"),
		chromedp.WaitReady(`#figure[data-kind="heat"]`)); err != nil {
		t.Fatal(err)
	}
	var box struct {
		Left, Top, W, H, PageX, PageY float64
		Cells                         int
	}
	evalJSON(t, ctx, `(() => { const c = document.querySelector('#figure canvas.heat'), d = c.dataset, r = c.getBoundingClientRect();
		return JSON.stringify({Left: +d.left, Top: +d.top, W: +d.w, H: +d.h, PageX: r.left + scrollX, PageY: r.top + scrollY,
			Cells: +document.querySelector('#figure').dataset.cells}); })()`, &box)
	if !(box.W > 0 && box.H > 0) || box.Cells != len(refinedExps)*3 {
		t.Fatalf("%d cells drawn in a data area of %g x %g px, want %d", box.Cells, box.W, box.H, len(refinedExps)*3)
	}
	// pixel x of log10 stepsize u: the data area spans the coarse cells' outer edges -2.25 .. 0.25.
	px := func(u float64) float64 { return box.Left + (u+2.25)/2.5*box.W }
	for iy, init := range []float64{1, 2, 3} {
		y := box.Top + (1-(float64(iy)+0.5)/3)*box.H
		for ix, shown := range refinedShown {
			lo, hi := px(shown[0]), px(shown[1])
			var run [2]float64 // the pixel columns around the middle with the middle's colour
			evalJSON(t, ctx, fmt.Sprintf(`(() => { const g = document.querySelector('#figure canvas.heat').getContext('2d'), k = devicePixelRatio;
				const at = (x) => Array.from(g.getImageData(Math.floor(x * k), Math.floor(%g * k), 1, 1).data.slice(0, 3)).join();
				const mid = %g, c = at(mid); let a = mid, b = mid;
				while (a > 0 && at(a - 1) === c) a--;
				while (b < 2000 && at(b + 1) === c) b++;
				return JSON.stringify([a, b + 1]); })()`, y, math.Floor((lo+hi)/2)+0.5), &run)
			where := fmt.Sprintf("cell stepsize=10^%g init=%g", refinedExps[ix], init)
			if !(math.Abs(run[0]-lo) <= 1.5 && math.Abs(run[1]-hi) <= 1.5) {
				t.Errorf("%s: drawn over pixels %v, want %.1f .. %.1f (log10 stepsize %v)", where, run, lo, hi, shown)
			}
			tip := readTooltip(t, ctx, box.PageX+(lo+hi)/2, box.PageY+y)
			x, _ := strconv.ParseFloat(tip.X, 64)
			yv, _ := strconv.ParseFloat(tip.Y, 64)
			z, _ := strconv.ParseFloat(tip.Z, 64)
			mean := float64(ix+1) * init * 1.5 // (rank + 1) * init * (1 + 2) / 2
			if tip.Hidden || x != math.Pow(10, refinedExps[ix]) || yv != init || math.Abs(z-mean) > 1e-12*mean || tip.N != "2" {
				t.Errorf("%s: tooltip hidden=%v x=%s y=%s z=%s n=%s, want x=%g y=%g mean %g of 2 rows", where, tip.Hidden, tip.X, tip.Y, tip.Z, tip.N,
					math.Pow(10, refinedExps[ix]), init, mean)
			}
		}
	}
}
