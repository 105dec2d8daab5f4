package webui

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

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
// diverged at stepsize 1 with seed 1; failed at stepsize 0.01, init 0.01, seed 0; max_steps
// at init 1; converged elsewhere.
func synthOutcome(stepsize, init float64, seed int64) (loss float64, status string) {
	loss = stepsize * init * float64(seed+1)
	switch {
	case stepsize == 1 && seed == 1:
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

// newTestServer serves the synthetic sweep "sweep-synth" written under dir/out.
func newTestServer(t *testing.T, dir string, opt Options) (*httptest.Server, *fileSource) {
	t.Helper()
	out := filepath.Join(dir, "out")
	res := writeSynth(t, out, synthSpec)
	src := &fileSource{sweep: Sweep{ID: "sweep-synth", Status: "completed", Spec: synthSpec, Out: out},
		table: Table{Results: res, Key: "k1"}}
	src.sweep.Progress.Total, src.sweep.Progress.Done = 30, 30
	srv, err := New(src, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	return ts, src
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
	code, b := fetch(t, base+"/api/sweep/sweep-synth/figure?"+q)
	if code != http.StatusOK {
		t.Fatalf("figure?%s: %d %s", q, code, b)
	}
	var f figureOut
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// figureOut is the figure JSON as a client reads it (null aggregates are nil).
type figureOut struct {
	Kind, X, Y, Z, Agg string
	Statuses           []string
	Panels             []struct {
		Facet  string
		Xs, Ys []float64
		Z      []*float64
		Bad    []bool
		N      []int
		Color  []string
		Counts [][]int
		Seeds  [][]int64
	}
}
