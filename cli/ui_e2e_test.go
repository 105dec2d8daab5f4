package main

// End-to-end test of sweep ui: a real sweep on the embedded server, the ui joined to it, and
// the sweep page in headless Chromium (Debian's chromium package, driven by chromedp). Run it
// alone: go test -run TestUIBrowser ./cli (set UI_SCREENSHOT=docs/ui.png to keep the
// screenshot of the sweep page).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/summary"
)

// uiSpec is 12 stepsizes x 8 inits x 2 seeds of short runs (the largest stepsizes diverge,
// the smallest inits stop at max_steps), with trajectories: about 25 s in chunks
// of 2 points one at a time, so that the page sees it grow.
const uiSpec = `name: uie2e
seed: 3
params:
  n: 20
  d: 30
  sparsity: 3
  steps: 4000
  stop_loss: 1.0e-8
record:
  every: 400
grid:
  stepsize: {logspace: [0.01, 3], num: 12}
  init: {logspace: [0.001, 1], num: 8}
  seed: {range: 2}
`

// findChromium is the browser of the test: skipped when there is none, except on CI.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: the browser test needs Debian's chromium package (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH: install Debian's chromium package (apt-get install chromium) to run the browser test")
	return ""
}

// startUI starts `sweep ui args...` in dir and returns the URL it prints.
func startUI(t *testing.T, ctx context.Context, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, bins.sweep, append([]string{"ui"}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("sweep ui printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	u, _, ok := strings.Cut(strings.TrimPrefix(line, "sweep ui: "), " ")
	if !ok || !strings.HasPrefix(u, "http://") {
		t.Fatalf("sweep ui printed %q, want its address", line)
	}
	return strings.TrimSuffix(u, "/")
}

// uiSweep is a sweep of uiSpec run on the embedded server in dir with `sweep ui` joined to it.
type uiSweep struct {
	dir, base, id string
	run           *exec.Cmd
	runErr        fmt.Stringer // the sweep run's stderr
}

// startUISweep runs uiSpec in chunks of chunk points one at a time (state in dir/state, output
// in dir/out), waits for its server, and starts `sweep ui` on it with uiArgs.
func startUISweep(t *testing.T, ctx context.Context, chunk string, uiArgs ...string) uiSweep {
	t.Helper()
	u := uiSweep{dir: t.TempDir()}
	specPath := writeSpec(t, u.dir, uiSpec)
	run, _, runErr := sweepCmd(ctx, u.dir, "run", specPath, "--state", "state", "--out", "out",
		"--chunk", chunk, "--concurrency", "1", "--no-cache")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Process.Kill(); _ = run.Wait() })
	u.run, u.runErr = run, runErr
	for !fileExists(filepath.Join(u.dir, "state", addressFile)) {
		if ctx.Err() != nil {
			t.Fatalf("the sweep's server did not start: %s", runErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.base = startUI(t, ctx, u.dir, append([]string{"--state", "state", "--port", "0"}, uiArgs...)...)
	var err error
	if u.id, err = sweepID(specPath); err != nil {
		t.Fatal(err)
	}
	return u
}

// newBrowser starts headless Chromium (findChromium's) for the test and returns its context.
func newBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findChromium(t)), chromedp.NoSandbox, chromedp.WindowSize(1300, 1000))...)
	bctx, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelB(); cancelAlloc() })
	return bctx
}

// pageState is what the test reads off the sweep page.
type pageState struct {
	Done, Total, Cells int
	Status             string
}

func TestUIBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bctx := newBrowser(t, ctx)
	u := startUISweep(t, ctx, "2", "--refresh", "500ms", "--temporal-ui", "http://temporal-ui.example:8233/")
	dir, base, id, run, runErr := u.dir, u.base, u.id, u.run, u.runErr
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("sweep ui listens on %s, want 127.0.0.1 by default", base)
	}
	for !strings.Contains(get(t, base+"/api/sweeps"), id) {
		if ctx.Err() != nil {
			t.Fatalf("the sweep %s never showed on the sweeps page: %s", id, runErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Read-only: the control endpoints refuse.
	for _, a := range []string{"pause", "resume", "cancel", "concurrency"} {
		resp, err := http.Post(base+"/api/sweep/"+id+"/"+a, "application/x-www-form-urlencoded", strings.NewReader("n=1"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without --allow-control: %d, want 403", a, resp.StatusCode)
		}
	}

	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/sweep/"+id)); err != nil {
		t.Fatal(err)
	}

	// The progress count and the cells drawn grow while the sweep runs and end at the totals.
	const cells = 12 * 8
	var seen []pageState
	deadline := time.Now().Add(4 * time.Minute)
	for {
		var st pageState
		js, err := chromedp.Run(bctx, chromedp.Evaluate[string](`JSON.stringify({Done: +document.querySelector('#done').textContent,
			Total: +document.querySelector('#total').textContent, Cells: +document.querySelector('#figure').dataset.cells,
			Status: document.querySelector('#status').textContent})`))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(js), &st); err != nil {
			t.Fatal(err)
		}
		if len(seen) == 0 || st != seen[len(seen)-1] {
			seen = append(seen, st)
		}
		if st.Status == "completed" && st.Done == st.Total && st.Cells == cells {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not reach the end of the sweep: %+v\nsweep run: %s", seen, runErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("page states: %+v", seen)
	var doneMid, cellsMid []int
	for i, st := range seen {
		if st.Total != 192 {
			t.Fatalf("total %d on the page, want 192", st.Total)
		}
		if i > 0 && (st.Done < seen[i-1].Done || st.Cells < seen[i-1].Cells) {
			t.Errorf("the page went back from %+v to %+v", seen[i-1], st)
		}
		if st.Done > 0 && st.Done < st.Total && !slices.Contains(doneMid, st.Done) {
			doneMid = append(doneMid, st.Done)
		}
		if st.Cells > 0 && st.Cells < cells && !slices.Contains(cellsMid, st.Cells) {
			cellsMid = append(cellsMid, st.Cells)
		}
	}
	if len(doneMid) < 3 || len(cellsMid) < 2 {
		t.Errorf("the page showed %d progress counts and %d cell counts between none and all (want >= 3 and >= 2): %+v", len(doneMid), len(cellsMid), seen)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("sweep run: %v\n%s", err, runErr)
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}

	checkTooltips(t, bctx, tab)
	checkSweepsList(t, base, id, tab)
	if path := os.Getenv("UI_SCREENSHOT"); path != "" {
		hoverCell(t, bctx, 7, 5)
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checkFigureMatchesPlot(t, base, id, filepath.Join(dir, "out", "results.parquet"))

	// Clicking a cell lists its points; a point's page has its parameters and trajectory.
	x, y := cellCentre(t, bctx, 3, 2)
	if err := chromedp.Do(bctx, chromedp.MouseClickXY(x, y), chromedp.WaitVisible("#points")); err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('#points tbody tr').length`))
	if err != nil || n != 2 {
		t.Fatalf("points page of a cell: %d rows (%v), want its 2 seeds", n, err)
	}
	if err := chromedp.Do(bctx, chromedp.Click("#points tbody a"), chromedp.WaitVisible("#point")); err != nil {
		t.Fatal(err)
	}
	var point struct {
		Point  int64
		Params map[string]string
		Width  int
	}
	for range 100 { // the trajectory image loads after the page
		js, err := chromedp.Run(bctx, chromedp.Evaluate[string](`JSON.stringify({Point: +document.querySelector('#point').textContent,
			Params: Object.fromEntries([...document.querySelectorAll('#params tr')].map(r => [r.cells[0].textContent, r.cells[1].textContent])),
			Width: document.querySelector('#trajectory').naturalWidth})`))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(js), &point); err != nil {
			t.Fatal(err)
		}
		if point.Width > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if point.Width == 0 {
		t.Error("the point page's trajectory image did not load")
	}
	row := tab.Rows[point.Point]
	col := columnIndex(tab)
	for _, name := range []string{"stepsize", "init", "seed"} {
		j := col[name]
		if want := summary.FormatValue(tab.Fields[j].Kind, row[j]); point.Params[name] != want {
			t.Errorf("point %d page: %s = %q, results.parquet has %q", point.Point, name, point.Params[name], want)
		}
	}
	checkLineTooltips(t, bctx, base, id, tab)
}

// checkSweepsList checks the sweeps page's row of the finished sweep: 192/192 points, its
// counts by outcome those of results.parquet, and its link to the Temporal Web UI.
func checkSweepsList(t *testing.T, base, id string, tab *results.Table) {
	var list struct {
		Sweeps []struct {
			ID, Status  string
			TemporalURL string
			Counts      []int
			Progress    struct{ Done, Total int64 }
		}
		Statuses []string
	}
	if err := json.Unmarshal([]byte(get(t, base+"/api/sweeps")), &list); err != nil {
		t.Fatal(err)
	}
	want := make([]int, len(list.Statuses))
	j := columnIndex(tab)["status"]
	for _, r := range tab.Rows {
		want[slices.Index(list.Statuses, r[j].S)]++
	}
	for _, s := range list.Sweeps {
		if s.ID != id {
			continue
		}
		if s.Status != "completed" || s.Progress.Done != 192 || s.Progress.Total != 192 || !slices.Equal(s.Counts, want) {
			t.Errorf("sweeps page: %s %d/%d counts %v, want completed 192/192 %v (%v)", s.Status, s.Progress.Done, s.Progress.Total, s.Counts, want, list.Statuses)
		}
		if want := "http://temporal-ui.example:8233/namespaces/default/workflows/" + id; s.TemporalURL != want {
			t.Errorf("sweeps page: Temporal Web UI link %q, want %q", s.TemporalURL, want)
		}
		if !strings.Contains(get(t, base+"/"), `href="/sweep/`+id+`"`) {
			t.Error("the sweeps page has no link to the sweep")
		}
		return
	}
	t.Errorf("the sweeps page does not list %s", id)
}

// fileExists reports whether a local file exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// get is the body of a GET.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// cellCentre is the page coordinates of the centre of heat map cell (ix, iy) of the first panel.
func cellCentre(t *testing.T, ctx context.Context, ix, iy int) (float64, float64) {
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const c = document.querySelector('#figure canvas.heat');
		const r = c.getBoundingClientRect(); return JSON.stringify({x: r.left, y: r.top, d: c.dataset}); })()`))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		X, Y float64
		D    map[string]string
	}
	if err := json.Unmarshal([]byte(js), &g); err != nil {
		t.Fatal(err)
	}
	f := func(k string) float64 { v, _ := strconv.ParseFloat(g.D[k], 64); return v }
	return g.X + f("left") + (float64(ix)+0.5)*f("cw"), g.Y + f("top") + (f("ny")-1-float64(iy)+0.5)*f("ch")
}

// tooltip is what the page's tooltip says of a heat-map cell or a line's point (its data
// attributes; By only for a line).
type tooltip struct {
	Hidden             bool
	X, Y, By, Z, N     string
	Counts, Seeds, Bad string
	Here               string // a line plot: the points shown, [line, index] in JSON
	Text               string
}

// readTooltip moves the mouse to page coordinates (x, y) and reads the tooltip.
func readTooltip(t *testing.T, ctx context.Context, x, y float64) tooltip {
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector('#tooltip');
		return JSON.stringify(Object.assign({Hidden: e.hidden, Text: e.textContent}, Object.fromEntries(Object.entries(e.dataset).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v])))); })()`))
	if err != nil {
		t.Fatal(err)
	}
	var tip tooltip
	if err := json.Unmarshal([]byte(js), &tip); err != nil {
		t.Fatal(err)
	}
	return tip
}

// hoverCell moves the mouse over cell (ix, iy) and reads the tooltip.
func hoverCell(t *testing.T, ctx context.Context, ix, iy int) tooltip {
	x, y := cellCentre(t, ctx, ix, iy)
	return readTooltip(t, ctx, x, y)
}

// runs are the rows of results.parquet at one cell (or line point) as the test counts them.
type runs struct {
	counts []int // by status: converged, max_steps, diverged, failed
	seeds  []int64
	n      int
	sum    float64
	kept   int // the runs in the mean: converged or max_steps (pkg/aggregate's rule)
}

// mean is the status-aware mean of test_loss, and whether there is none (every run diverged
// or failed, or the mean is not finite).
func (r *runs) mean() (float64, bool) {
	m := r.sum / float64(r.kept)
	return m, r.kept == 0 || math.IsNaN(m) || math.IsInf(m, 0)
}

// runsBy groups the rows of tab by (stepsize, init): the cells of the default heat map and
// the points of the line plot --by init alike.
func runsBy(tab *results.Table) map[[2]float64]*runs {
	col := columnIndex(tab)
	statuses := []string{"converged", "max_steps", "diverged", "failed"}
	out := map[[2]float64]*runs{}
	for _, r := range tab.Rows {
		k := [2]float64{r[col["stepsize"]].F, r[col["init"]].F}
		c := out[k]
		if c == nil {
			c = &runs{counts: make([]int, len(statuses))}
			out[k] = c
		}
		st := r[col["status"]].S
		c.counts[slices.Index(statuses, st)]++
		c.seeds = append(c.seeds, r[col["seed"]].I)
		c.n++
		if st == "converged" || st == "max_steps" {
			c.sum += r[col["test_loss"]].F
			c.kept++
		}
	}
	return out
}

// checkTip checks a tooltip's rows, counts and aggregate against the runs of its cell or
// point (and its seeds, when withSeeds).
func checkTip(t *testing.T, where string, tip tooltip, r *runs, withSeeds bool) (bad bool) {
	mean, bad := r.mean()
	wantCounts, _ := json.Marshal(r.counts)
	wantSeeds, _ := json.Marshal(r.seeds)
	if tip.N != strconv.Itoa(r.n) || tip.Counts != string(wantCounts) || withSeeds && tip.Seeds != string(wantSeeds) || tip.Bad != strconv.FormatBool(bad) {
		t.Errorf("%s: tooltip n=%s counts=%s seeds=%s bad=%s, results.parquet: %d %s %s %v", where, tip.N, tip.Counts, tip.Seeds, tip.Bad, r.n, wantCounts, wantSeeds, bad)
	}
	if bad {
		if tip.Z != "null" {
			t.Errorf("%s: every run diverged or failed, but the tooltip shows the aggregate %s", where, tip.Z)
		}
		return true
	}
	if z, err := strconv.ParseFloat(tip.Z, 64); err != nil || math.Abs(z-mean) > 1e-12*math.Abs(mean) {
		t.Errorf("%s: tooltip mean test_loss %s, results.parquet %g over its %d runs that did not diverge", where, tip.Z, mean, r.kept)
	}
	return false
}

// checkTooltips hovers every cell and reads its tooltip against results.parquet: the mean of
// test_loss over the cell's rows that did not diverge or fail (none drawn when none is left),
// the number of rows by status and the seeds.
func checkTooltips(t *testing.T, ctx context.Context, tab *results.Table) {
	want := runsBy(tab)
	xs, ys := distinctValues(tab, "stepsize"), distinctValues(tab, "init")
	badCells := 0
	for iy, yv := range ys {
		for ix, xv := range xs {
			tip := hoverCell(t, ctx, ix, iy)
			where := fmt.Sprintf("cell stepsize=%g init=%g", xv, yv)
			tx, _ := strconv.ParseFloat(tip.X, 64)
			ty, _ := strconv.ParseFloat(tip.Y, 64)
			if tip.Hidden || tx != xv || ty != yv {
				t.Fatalf("%s: tooltip hidden=%v at x=%s y=%s", where, tip.Hidden, tip.X, tip.Y)
			}
			if checkTip(t, where, tip, want[[2]float64{xv, yv}], true) {
				badCells++
			}
		}
	}
	if badCells == 0 || badCells == len(xs)*len(ys) {
		t.Errorf("%d of %d cells diverged: the spec should have some of both", badCells, len(xs)*len(ys))
	}
}

// checkLineTooltips opens the line plot of test_loss against stepsize, one line per init, and
// hovers every point drawn: the tooltip shows it (with any other point drawn at the same
// place), and what it says of the first point it shows (x, series, rows by outcome, mean)
// agrees with results.parquet.
func checkLineTooltips(t *testing.T, ctx context.Context, base, id string, tab *results.Table) {
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/sweep/"+id+"?by=init"), chromedp.WaitReady(`#figure[data-kind="lines"]`)); err != nil {
		t.Fatal(err)
	}
	var fig struct {
		Lines []struct {
			Lines []struct {
				By string
				Xs []float64
			}
		}
	}
	if err := json.Unmarshal([]byte(get(t, base+"/api/sweep/"+id+"/figure?by=init")), &fig); err != nil {
		t.Fatal(err)
	}
	key := func(li, k int) [2]float64 {
		l := fig.Lines[0].Lines[li]
		by, err := strconv.ParseFloat(l.By, 64)
		if err != nil {
			t.Fatalf("line %d: by %q", li, l.By)
		}
		return [2]float64{l.Xs[k], by}
	}
	want := runsBy(tab)
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const c = document.querySelector('#figure canvas.lines'), r = c.getBoundingClientRect();
		return JSON.stringify({Left: r.left, Top: r.top, Points: JSON.parse(c.dataset.points)}); })()`))
	if err != nil {
		t.Fatal(err)
	}
	var pts struct {
		Left, Top float64
		Points    [][4]float64 // line, index, x, y on the canvas
	}
	if err := json.Unmarshal([]byte(js), &pts); err != nil {
		t.Fatal(err)
	}
	drawn := map[[2]float64]bool{}
	for _, p := range pts.Points {
		drawn[key(int(p[0]), int(p[1]))] = true
	}
	if len(drawn) != len(pts.Points) || len(drawn) != len(want) {
		t.Fatalf("the line plot drew %d points at %d (stepsize, init) pairs, results.parquet has %d", len(pts.Points), len(drawn), len(want))
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
		checkTip(t, fmt.Sprintf("line init=%g stepsize=%g", k[1], k[0]), tip, want[k], false)
	}
}

// distinctValues are the distinct values of a float column, ascending.
func distinctValues(tab *results.Table, name string) []float64 {
	j := columnIndex(tab)[name]
	var vs []float64
	for _, r := range tab.Rows {
		vs = append(vs, r[j].F)
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}

// checkFigureMatchesPlot compares the page's figure with the one `sweep plot` computes for the
// same table and options: same grids, values, row counts, colours and marks (phase.Grid.Marks:
// hatched, corner, outline, no value) for heat maps, same lines and Bad and Partial marks for
// line plots, and legend entries that are those of sweep plot's SVG.
func checkFigureMatchesPlot(t *testing.T, base, id, table string) {
	kinds := map[int]int{} // cells by marks, over the heat maps
	for _, opts := range [][]string{
		nil,
		{"--z", "train_loss", "--agg", "median"},
		{"--x", "init", "--y", "stepsize", "--agg", "max", "--logz=false"},
		{"--facet", "seed", "--where", "init=0.001,init=1"},
		{"--agg", "mean", "--where", "seed=1"},
		{"--by", "init", "--where", "seed=0"},
		{"--x", "stepsize", "--by", "seed", "--agg", "min"},
	} {
		name := strings.Join(opts, " ")
		var fig *phase.Figure
		svg := filepath.Join(t.TempDir(), "f.svg")
		cmd := newPlotCmd(&IOStreams{Out: io.Discard, ErrOut: io.Discard}, func(f *phase.Figure) { fig = f })
		cmd.SetArgs(append([]string{table, "--out", svg}, opts...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("sweep plot %s: %v", name, err)
		}
		q := make([]string, 0, len(opts))
		for i := 0; i < len(opts); i++ {
			k, v, ok := strings.Cut(strings.TrimPrefix(opts[i], "--"), "=")
			if !ok {
				i++
				v = opts[i]
			}
			q = append(q, k+"="+url.QueryEscape(v))
		}
		type legend []struct{ Label string }
		var page struct {
			Kind   string
			Legend legend
			Panels []struct {
				Facet  string
				Xs, Ys []float64
				Z      []*float64
				Bad    []bool
				N      []int
				Color  []string
				Marks  []int // bits: 1 hatched, 2 corner, 4 outline, 8 no value
			}
			Lines []struct {
				Facet string
				Lines []struct {
					By           string
					Xs           []float64
					Y            []*float64
					Bad, Partial []bool
					N            []int
				}
				Legend legend
			}
		}
		if err := json.Unmarshal([]byte(get(t, base+"/api/sweep/"+id+"/figure?"+strings.Join(q, "&"))), &page); err != nil {
			t.Fatalf("page figure %s: %v", name, err)
		}
		switch {
		case len(fig.Heat) > 0:
			sc := phase.HeatScale(fig.Heat, fig.HeatOptions)
			if page.Kind != "heat" || len(page.Panels) != len(fig.Heat) {
				t.Fatalf("%s: page draws %s with %d panels, sweep plot a heat map with %d", name, page.Kind, len(page.Panels), len(fig.Heat))
			}
			for i, g := range fig.Heat {
				p := page.Panels[i]
				if p.Facet != g.Facet || !slices.Equal(p.Xs, g.Xs) || !slices.Equal(p.Ys, g.Ys) {
					t.Fatalf("%s panel %d: axes differ from sweep plot's", name, i)
				}
				for iy := range g.Ys {
					for ix := range g.Xs {
						c := iy*len(g.Xs) + ix
						r, gg, b, _ := sc.CellColor(g, ix, iy).RGBA()
						col := fmt.Sprintf("#%02x%02x%02x", r>>8, gg>>8, b>>8)
						if g.N[iy][ix] == 0 {
							col = ""
						}
						m := g.Marks(ix, iy)
						marks := 0
						for b, on := range []bool{m.Hatched, m.Corner, m.Outline, m.NoValue} {
							if on {
								marks |= 1 << b
							}
						}
						if !sameValue(p.Z[c], g.Z[iy][ix]) || p.Bad[c] != g.Bad[iy][ix] || p.N[c] != g.N[iy][ix] || p.Color[c] != col || p.Marks[c] != marks {
							t.Errorf("%s panel %d cell (%d, %d): page %s bad %v n %d %s marks %04b, sweep plot %g bad %v n %d %s marks %+v", name, i, ix, iy,
								pageValue(p.Z[c]), p.Bad[c], p.N[c], p.Color[c], p.Marks[c], g.Z[iy][ix], g.Bad[iy][ix], g.N[iy][ix], col, m)
						}
						kinds[marks]++
					}
				}
			}
		case len(fig.Lines) > 0:
			if page.Kind != "lines" || len(page.Lines) != len(fig.Lines) {
				t.Fatalf("%s: page draws %s with %d panels, sweep plot lines with %d", name, page.Kind, len(page.Lines), len(fig.Lines))
			}
			for i, set := range fig.Lines {
				for j, l := range set.Lines {
					pl := page.Lines[i].Lines[j]
					if pl.By != l.By || !slices.Equal(pl.Xs, l.Xs) || !slices.Equal(pl.Bad, l.Bad) || !slices.Equal(pl.Partial, l.Partial) || !slices.Equal(pl.N, l.N) {
						t.Errorf("%s line %s: page differs from sweep plot", name, l.By)
					}
					for k := range l.Y {
						if !sameValue(pl.Y[k], l.Y[k]) {
							t.Errorf("%s line %s x=%g: page %s, sweep plot %g", name, l.By, l.Xs[k], pageValue(pl.Y[k]), l.Y[k])
						}
					}
				}
			}
		default:
			t.Fatalf("%s: sweep plot drew nothing", name)
		}
		// The page's legend entries are texts of sweep plot's figure.
		text, err := os.ReadFile(svg)
		if err != nil {
			t.Fatal(err)
		}
		labels := page.Legend
		for _, set := range page.Lines {
			labels = append(labels, set.Legend...)
		}
		for _, l := range labels {
			if !strings.Contains(string(text), ">"+l.Label+"<") {
				t.Errorf("%s: the page's legend entry %q is not in sweep plot's figure", name, l.Label)
			}
		}
	}
	// The sweep has cells where some runs diverged and cells with max_steps runs (bits 2, 4).
	if kinds[2]+kinds[6] == 0 || kinds[4]+kinds[6] == 0 || kinds[1] == 0 {
		t.Errorf("cells by marks %v: the spec should give hatched cells, corners and outlines", kinds)
	}
}

// sameValue compares a page value (nil for NaN) with sweep plot's.
func sameValue(page *float64, plot float64) bool {
	if page == nil {
		return math.IsNaN(plot)
	}
	return *page == plot
}

// pageValue formats a page value (nil: null).
func pageValue(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// columnIndex maps a table's column names to their indices.
func columnIndex(t *results.Table) map[string]int {
	m := map[string]int{}
	for j, f := range t.Fields {
		m[f.Name] = j
	}
	return m
}

// uiProgress is the part of the progress the control test reads.
type uiProgress struct {
	Done        int64
	Paused      bool
	Concurrency int
}

// TestUIControl: with --allow-control the page's buttons pause, resume and set the
// concurrency of a real sweep, and a cancel request cancels it (its table marked partial).
func TestUIControl(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bctx := newBrowser(t, ctx)
	u := startUISweep(t, ctx, "1", "--allow-control")
	dir, base, id, run, runErr := u.dir, u.base, u.id, u.run, u.runErr
	progress := func() (string, uiProgress) {
		var r struct {
			Sweep struct {
				Status   string
				Progress uiProgress
			}
		}
		_ = json.Unmarshal([]byte(get(t, base+"/api/sweep/"+id+"/progress")), &r)
		return r.Sweep.Status, r.Sweep.Progress
	}
	waitFor := func(what string, ok func(string, int64, int) bool) {
		for {
			st, p := progress()
			if ok(st, p.Done, p.Concurrency) {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("never %s (status %s, %+v): %s", what, st, p, runErr)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFor("running with points done", func(st string, done int64, _ int) bool { return st == "running" && done > 0 })

	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/sweep/"+id), chromedp.Click(`button[data-action="pause"]`)); err != nil {
		t.Fatal(err)
	}
	waitFor("paused", func(st string, _ int64, _ int) bool { return st == "paused" })
	_, p := progress()
	time.Sleep(3 * time.Second) // a running chunk of one point may still finish
	_, p1 := progress()
	time.Sleep(2 * time.Second)
	_, p2 := progress()
	if p2.Done != p1.Done || p2.Done >= 192 {
		t.Errorf("paused sweep went on: %d, %d, then %d points done", p.Done, p1.Done, p2.Done)
	}
	if err := chromedp.Do(bctx, chromedp.SetValue("#concurrency", "3"), chromedp.Click(`button[data-action="concurrency"]`)); err != nil {
		t.Fatal(err)
	}
	waitFor("concurrency 3", func(_ string, _ int64, c int) bool { return c == 3 })
	if err := chromedp.Do(bctx, chromedp.Click(`button[data-action="resume"]`)); err != nil {
		t.Fatal(err)
	}
	waitFor("resumed", func(st string, done int64, _ int) bool { return st == "running" && done > p2.Done })
	// Cancel asks for a confirmation in the page; the endpoint is the same.
	req, _ := http.NewRequest(http.MethodPost, base+"/api/sweep/"+id+"/cancel", nil)
	req.Header.Set("Origin", base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	_ = run.Wait()
	waitFor("cancelled", func(st string, _ int64, _ int) bool { return st == "cancelled" })
	meta, rows, err := results.ReadMeta(filepath.Join(dir, "out", "results.parquet"))
	if err != nil || meta[results.MetaPartial] != "true" || rows >= 192 {
		t.Errorf("cancelled sweep's table: %d rows, partial=%q (%v)", rows, meta[results.MetaPartial], err)
	}
}
