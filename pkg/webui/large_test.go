package webui

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// largeSpec is 100 stepsizes x 100 inits x 10 seeds: 10^5 points, 10^4 cells.
var largeSpec = strings.NewReplacer("num: 5", "num: 100", "init: [0.01, 0.1, 1]", "init: {logspace: [0.01, 1], num: 100}",
	"range: 2", "range: 10").Replace(synthSpec)

// TestLargeSweepTimings measures the page on a 10^5-point table (docs/ui.md has the figures):
// the first figure (read the table, draw it with phase.Plot, encode), an update (the table's
// key changed: read and draw again), a progress poll, and in Chromium (when there is one) the
// time from opening the sweep page to the heat map drawn. Run it with PHASESWEEP_UI_LARGE=1.
func TestLargeSweepTimings(t *testing.T) {
	if os.Getenv("PHASESWEEP_UI_LARGE") == "" {
		t.Skip("a measurement: set PHASESWEEP_UI_LARGE=1")
	}
	ts, src, srv := serveSynth(t, t.TempDir(), largeSpec, "running", Options{Refresh: time.Millisecond})
	base := ts.URL
	res := src.table.Results

	timed := func(what, path string) {
		start := time.Now()
		code, b := fetch(t, base+path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %.200s", what, code, b)
		}
		t.Logf("%s: %v, %d bytes", what, time.Since(start).Round(time.Millisecond), len(b))
	}
	start := time.Now()
	if _, err := results.ReadFile(res); err != nil {
		t.Fatal(err)
	}
	t.Logf("read the table alone: %v", time.Since(start).Round(time.Millisecond))
	timed("first figure (10^5 rows, 10^4 cells)", "/api/sweep/sweep-synth/figure")
	timed("same figure again (cached)", "/api/sweep/sweep-synth/figure")
	timed("progress poll", "/api/sweep/sweep-synth/progress")
	src.mu.Lock()
	src.table.Key = "k2" // a chunk finished: the table is read and drawn again
	src.mu.Unlock()
	time.Sleep(5 * time.Millisecond) // past Refresh
	timed("progress poll after a chunk (reads the table)", "/api/sweep/sweep-synth/progress")
	timed("figure after a chunk", "/api/sweep/sweep-synth/figure")
	timed("another z (draw only)", "/api/sweep/sweep-synth/figure?z=train_loss")
	timed("line plot, one line per init (10^4 points)", "/api/sweep/sweep-synth/figure?by=init")

	bctx := newBrowser(t, 2*time.Minute)
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/")); err != nil { // the browser up
		t.Fatal(err)
	}
	srv.tables.bySweep = map[string]*entry{} // cold: the page's first figure reads the table
	start = time.Now()
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/sweep/sweep-synth"),
		chromedp.WaitReady(`#figure[data-cells="10000"]`)); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser: sweep page opened to 10^4 cells drawn: %v", time.Since(start).Round(time.Millisecond))
	draw, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`(() => { const t0 = performance.now();
		document.querySelector('#figure').dispatchEvent(new Event('redraw')); return performance.now() - t0; })()`))
	if err == nil && draw > 0 {
		t.Logf("browser: redraw of the heat map from its JSON: %.0f ms", draw)
	}
	start = time.Now()
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/sweep/sweep-synth?by=init"),
		chromedp.WaitReady(`#figure[data-kind="lines"][data-cells="10000"]`)); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser: sweep page opened to the line plot of 100 lines drawn (figure cached): %v", time.Since(start).Round(time.Millisecond))
	draw, err = chromedp.Run(bctx, chromedp.Evaluate[float64](`(() => { const t0 = performance.now();
		document.querySelector('#figure').dispatchEvent(new Event('redraw')); return performance.now() - t0; })()`))
	if err == nil && draw > 0 {
		t.Logf("browser: redraw of the line plot from its JSON: %.0f ms", draw)
	}
}
