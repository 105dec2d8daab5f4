package workflows

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/dataset"
	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// generatedSpec draws its data (y = X beta* exactly: no label noise); ownDataSpec runs the
// same optimiser settings on that data written out to files. gd and hb use no randomness of
// their own, so every metric must agree bit for bit (sgd would not: the run seed hashes the
// point's values, which differ between the two specs).
const generatedSpec = `name: generated
seed: 5
params:
  n: 12
  d: 20
  sparsity: 3
  test: 40
  init: 0.1
  momentum: 0.5
  steps: 3000
  stop_loss: 1.0e-12
grid:
  optimizer: [gd, hb]
  stepsize: [0.02, 0.1, 2.5]
`

const ownDataSpec = `name: own
seed: 5
params:
  data: %s
  init: 0.1
  momentum: 0.5
  steps: 3000
  stop_loss: 1.0e-12
grid:
  optimizer: [gd, hb]
  stepsize: [0.02, 0.1, 2.5]
`

// TestSweepOnOwnData checks that a sweep on a dataset read from files (.npy directory, and a
// single CSV table) gives the same metrics, bit for bit, as the sweep on the generated
// dataset those files hold.
func TestSweepOnOwnData(t *testing.T) {
	gen := testGrid(t, generatedSpec)
	data, err := dynamics.GenerateData(gen.Point(0).Config)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	npyDir := filepath.Join(dir, "npy")
	if err := os.Mkdir(npyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		name       string
		x          []float64
		rows, cols int
	}{
		{"X", data.X, data.N, data.D}, {"y", data.Y, data.N, -1}, {"beta_star", data.BetaStar, data.D, -1},
		{"X_test", data.XTest, data.Test, data.D}, {"y_test", data.YTest, data.Test, -1},
	} {
		if err := dataset.WriteNpy(filepath.Join(npyDir, a.name+".npy"), a.x, a.rows, a.cols); err != nil {
			t.Fatal(err)
		}
	}
	// The same data as one Parquet table (no beta*): the metrics that need beta* are NaN.
	tab := &results.Table{}
	for j := 0; j < data.D; j++ {
		tab.Fields = append(tab.Fields, results.Field{Name: "x" + string(rune('a'+j)), Kind: results.Float})
	}
	tab.Fields = append(tab.Fields, results.Field{Name: "y", Kind: results.Float}, results.Field{Name: "split", Kind: results.String})
	add := func(x, y []float64, rows int, split string) {
		for i := 0; i < rows; i++ {
			var r []results.Value
			for j := 0; j < data.D; j++ {
				r = append(r, results.Value{F: x[i*data.D+j]})
			}
			tab.Rows = append(tab.Rows, append(r, results.Value{F: y[i]}, results.Value{S: split}))
		}
	}
	add(data.XTest[:data.D*data.Test/2], data.YTest, data.Test/2, "test") // test rows first and last: order must not matter
	add(data.X, data.Y, data.N, "train")
	add(data.XTest[data.D*data.Test/2:], data.YTest[data.Test/2:], data.Test-data.Test/2, "test")
	table := filepath.Join(dir, "table.parquet")
	if err := results.WriteFile(table, tab); err != nil {
		t.Fatal(err)
	}

	want := runToTable(t, gen, generatedSpec, "generated.yaml")
	noBeta := map[string]bool{"beta_err": true, "precision": true, "recall": true, "gain_on": true, "gain_off": true}
	for _, tc := range []struct {
		name, data string
		withBeta   bool
	}{{"npy directory", npyDir, true}, {"parquet table", table, false}} {
		t.Run(tc.name, func(t *testing.T) {
			src := fmtSpec(ownDataSpec, tc.data)
			specFile := filepath.Join(dir, "own.yaml")
			g := testGridAt(t, specFile, src)
			got := runToTable(t, g, src, specFile)
			compared := 0
			for _, f := range results.SweepFields(nil)[1:] {
				jw, jg := column(t, want, f.Name), column(t, got, f.Name)
				for k := range want.Rows {
					w, v := want.Rows[k][jw], got.Rows[k][jg]
					switch {
					case !tc.withBeta && noBeta[f.Name]:
						if !math.IsNaN(v.F) {
							t.Errorf("point %d: %s = %v without beta*, want NaN", k, f.Name, v.F)
						}
					case f.Kind == results.Float && math.Float64bits(w.F) != math.Float64bits(v.F),
						f.Kind != results.Float && w != v:
						t.Errorf("point %d: %s = %v from the file, %v generated", k, f.Name, v, w)
					default:
						compared++
					}
				}
			}
			if compared == 0 {
				t.Error("nothing compared")
			}
			t.Logf("%d cells equal bit for bit", compared)
		})
	}
}

// fmtSpec puts the data path into a spec template, as a YAML double-quoted string.
func fmtSpec(template, path string) string { return fmt.Sprintf(template, strconv.Quote(path)) }

// testGridAt parses and validates a spec as if read from file (relative data paths resolve
// against its directory).
func testGridAt(t *testing.T, file, source string) *grid.Grid {
	t.Helper()
	s, err := spec.Parse(file, []byte(source))
	if err != nil {
		t.Fatalf("parse spec: %v", err)
	}
	g := grid.New(s)
	if err := g.Validate(); err != nil {
		t.Fatalf("validate spec: %v", err)
	}
	return g
}

// runToTable runs the sweep of g (source, file) in the test environment, 2 points per chunk,
// and reads its results.parquet.
func runToTable(t *testing.T, g *grid.Grid, source, file string) *results.Table {
	t.Helper()
	in := SweepInput{Spec: source, SpecFile: file, OutDir: t.TempDir(), Points: g.Count(), ChunkSize: 2, Concurrency: 2, SweepID: testSweepID}
	out := runSweep(t, newEnv(t, &activities.Activities{}), in)
	tab, err := results.ReadFile(out.Results)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(tab.Rows)) != g.Count() {
		t.Fatalf("%d rows for %d points", len(tab.Rows), g.Count())
	}
	return tab
}
