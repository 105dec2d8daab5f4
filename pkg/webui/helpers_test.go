package webui

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// synthSpec is the spec of the synthetic tables: 5 stepsizes x 3 inits x 2 seeds.
const synthSpec = `name: synth
seed: 1
params: {n: 20, d: 30, sparsity: 3, steps: 100}
grid:
  stepsize: {logspace: [0.01, 1], num: 5}
  init: [0.01, 0.1, 1]
  seed: {range: 2}
`

// synthOutcome is the made-up outcome of a synthetic point: test_loss = stepsize*init*(seed+1);
// diverged at stepsize 1 with seed 1, and with both seeds at stepsize 1, init 1; failed at
// stepsize 0.01, init 0.01, seed 0; max_steps at init 1; converged elsewhere. So the cells at
// stepsize 1 (init < 1) and at stepsize 0.01, init 0.01 are partly diverged or failed, those
// at init 1 stopped at max_steps, and the cell stepsize 1, init 1 diverged entirely.
func synthOutcome(stepsize, init float64, seed int64) (loss float64, status string) {
	loss = stepsize * init * float64(seed+1)
	switch {
	case stepsize == 1 && (seed == 1 || init == 1):
		return math.Inf(1), dynamics.StatusDiverged
	case near(stepsize, 0.01) && init == 0.01 && seed == 0:
		return math.NaN(), results.StatusFailed
	case init == 1:
		return loss, dynamics.StatusMaxSteps
	}
	return loss, dynamics.StatusConverged
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Abs(b) }

// writeSynth writes the synthetic sweep of specText (whose grid has stepsize, init and seed)
// as results.parquet in dir, outcomes by synthOutcome, and returns its path.
func writeSynth(t testing.TB, dir, specText string) string {
	t.Helper()
	s, err := spec.Parse("synth.yaml", []byte(specText))
	if err != nil {
		t.Fatal(err)
	}
	g := grid.New(s)
	cols := g.Columns()
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	tab := &results.Table{Fields: results.SweepFields(cols), Meta: map[string]string{
		results.MetaSpec: specText, results.MetaSpecHash: s.Hash(), results.MetaVersion: "test"}}
	for p := range g.Count() {
		vals := g.Point(p).Values
		ss, in, seed := vals[idx["stepsize"]].Float, vals[idx["init"]].Float, vals[idx["seed"]].Int
		loss, status := synthOutcome(ss, in, seed)
		if status == results.StatusFailed {
			tab.Rows = append(tab.Rows, results.FailedRow(p, vals, "synthetic failure"))
			continue
		}
		tab.Rows = append(tab.Rows, results.SweepRow(p, vals, dynamics.Result{TrainLoss: loss / 2, TestLoss: loss, Status: status, Steps: 10}))
	}
	path := filepath.Join(dir, "results.parquet")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFile(path, tab); err != nil {
		t.Fatal(err)
	}
	return path
}

// fileSource is a Source of one sweep whose table is a file; it records control calls.
type fileSource struct {
	sweep Sweep
	table Table
	mu    sync.Mutex
	calls []Control
}

func (f *fileSource) Sweeps(context.Context) ([]Sweep, error) { return []Sweep{f.sweep}, nil }

func (f *fileSource) Sweep(_ context.Context, id string) (Sweep, error) {
	if id != f.sweep.ID {
		return Sweep{}, ErrUnknown
	}
	return f.sweep, nil
}

func (f *fileSource) Table(context.Context, string) (Table, error) { return f.table, nil }

func (f *fileSource) Control(_ context.Context, _ string, c Control) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	return nil
}

// newTestServer serves the synthetic sweep "sweep-synth" of synthSpec written under dir/out.
func newTestServer(t *testing.T, dir string, opt Options) (*httptest.Server, *fileSource) {
	t.Helper()
	ts, src, _ := serveSynth(t, filepath.Join(dir, "out"), synthSpec, "completed", opt)
	return ts, src
}

// serveSynth writes the synthetic sweep "sweep-synth" of specText into out and serves it, as
// a sweep of the given status, all its points done.
func serveSynth(t testing.TB, out, specText, status string, opt Options) (*httptest.Server, *fileSource, *Server) {
	t.Helper()
	res := writeSynth(t, out, specText)
	_, rows, err := results.ReadMeta(res)
	if err != nil {
		t.Fatal(err)
	}
	src := &fileSource{sweep: Sweep{ID: "sweep-synth", Status: status, Spec: specText, Out: out},
		table: Table{Results: res, Key: "k1", Partial: status == "running"}}
	src.sweep.Progress.Total, src.sweep.Progress.Done = int64(rows), int64(rows)
	srv, err := New(src, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	return ts, src, srv
}

// fetch GETs url and returns the status and body.
func fetch(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// getFigure fetches the figure JSON with query q.
func getFigure(t *testing.T, base, q string) figureOut {
	t.Helper()
	var f figureOut
	getFigureInto(t, base, q, &f)
	return f
}

// getFigureInto fetches the figure JSON with query q into v.
func getFigureInto(t *testing.T, base, q string, v any) {
	t.Helper()
	code, b := fetch(t, base+"/api/sweep/sweep-synth/figure?"+q)
	if code != http.StatusOK {
		t.Fatalf("figure?%s: %d %s", q, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// figureOut is the figure JSON as a client reads it (null aggregates are nil).
type figureOut struct {
	Kind, X, Y, Z, Agg string
	Statuses           []string
	Legend             []struct{ Label, Kind string }
	Panels             []struct {
		Facet  string
		Xs, Ys []float64
		Z      []*float64
		Bad    []bool
		N      []int
		Color  []string
		Marks  []int
		Counts [][]int
		Seeds  [][]int64
	}
	Lines []struct {
		Facet string
		Lines []struct {
			By, Color    string
			Xs           []float64
			Y            []*float64
			Bad, Partial []bool
			N            []int
		}
		Legend []struct{ Label, Kind string }
	}
}

// newBrowser starts headless Chromium for the test (skipped without one, except on CI) and
// returns its context.
func newBrowser(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: the browser tests need Debian's chromium package")
		}
		t.Skip("no chromium on PATH (apt-get install chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	alloc, cancelA := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.WindowSize(1300, 1000))...)
	bctx, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelB(); cancelA(); cancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	return bctx
}

// evalJSON evaluates js, an expression whose value is a JSON string, into v.
func evalJSON(t testing.TB, ctx context.Context, js string, v any) {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%.80s: %v", js, err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%.80s: %v", js, err)
	}
}

// tooltip is what the page's tooltip says of a heat-map cell or a line's point (its data
// attributes; By only for a line).
type tooltip struct {
	Hidden                bool
	X, Y, By, Facet, Z, N string
	Counts, Seeds, Bad    string
	Partial               string
	Here                  string // a line plot: the points shown, [line, index] in JSON
	Text                  string
}

// readTooltip moves the mouse to page coordinates (x, y) and reads the tooltip.
func readTooltip(t testing.TB, ctx context.Context, x, y float64) tooltip {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	var tip tooltip
	evalJSON(t, ctx, `(() => { const e = document.querySelector('#tooltip');
		return JSON.stringify(Object.assign({Hidden: e.hidden, Text: e.textContent},
			Object.fromEntries(Object.entries(e.dataset).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v])))); })()`, &tip)
	return tip
}

// cellStats are the runs of one cell or line point as the test counts them from a table.
type cellStats struct {
	Counts []int // by status: converged, max_steps, diverged, failed
	Sum    float64
	Kept   int // the runs in the mean (Sum / Kept): converged or max_steps
}

// statsOf groups the rows of tab by the values of columns a and b and counts them by status,
// with the sum of z over the runs that neither diverged nor failed (pkg/aggregate's rule).
func statsOf(tab *results.Table, a, b, z string) map[[2]float64]*cellStats {
	col := columnIndex(tab)
	out := map[[2]float64]*cellStats{}
	for _, r := range tab.Rows {
		k := [2]float64{number(tab.Fields[col[a]], r[col[a]]), number(tab.Fields[col[b]], r[col[b]])}
		c := out[k]
		if c == nil {
			c = &cellStats{Counts: make([]int, 4)}
			out[k] = c
		}
		st := r[col["status"]].S
		c.Counts[slices.Index([]string{"converged", "max_steps", "diverged", "failed"}, st)]++
		if st == "converged" || st == "max_steps" {
			c.Sum += r[col[z]].F
			c.Kept++
		}
	}
	return out
}
