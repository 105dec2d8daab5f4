package dataset

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

var updateExample = flag.Bool("update-example", false, "rewrite examples/own_data/ from dynamics.GenerateData")

// exampleConfig is the dataset of examples/own_data/: a sparse regression drawn by
// dynamics.GenerateData (n = 20, d = 30, beta* 3-sparse, 50 test rows, no label noise), written
// out as CSV files of the directory layout.
var exampleConfig = dynamics.Config{N: 20, D: 30, Sparsity: 3, Test: 50, DataSeed: 20240601}

// writeCSV writes a rows x cols matrix (row-major) with header c0..c{cols-1}, or a vector
// with header name when cols == 1 and name != "", values in shortest round-trip form.
func writeCSV(path string, x []float64, cols int, header []string) error {
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for i := 0; i+cols <= len(x); i += cols {
		for j := 0; j < cols; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(x[i+j], 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// TestExampleDataset checks that examples/own_data/ reads back as exactly the data drawn for
// exampleConfig (go test ./pkg/dataset -update-example rewrites it).
func TestExampleDataset(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "own_data")
	want, err := dynamics.GenerateData(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	if *updateExample {
		cols := make([]string, want.D)
		for j := range cols {
			cols[j] = "x" + strconv.Itoa(j)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name string
			x    []float64
			cols int
			head []string
		}{
			{"X", want.X, want.D, cols}, {"y", want.Y, 1, []string{"y"}}, {"beta_star", want.BetaStar, 1, []string{"beta_star"}},
			{"X_test", want.XTest, want.D, cols}, {"y_test", want.YTest, 1, []string{"y"}},
		} {
			if err := writeCSV(filepath.Join(dir, f.name+".csv"), f.x, f.cols, f.head); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b []float64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if got.N != want.N || got.D != want.D || got.Test != want.Test || !same(got.X, want.X) || !same(got.Y, want.Y) ||
		!same(got.BetaStar, want.BetaStar) || !same(got.XTest, want.XTest) || !same(got.YTest, want.YTest) {
		t.Error("examples/own_data/ differs from the data it was drawn as (run with -update-example)")
	}
}
