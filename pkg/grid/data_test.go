package grid

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// dataSpec writes a CSV dataset and a spec next to it, and returns the spec's grid.
func dataSpec(t *testing.T, dir, csv, params string) (*Grid, error) {
	t.Helper()
	if csv != "" {
		if err := os.WriteFile(filepath.Join(dir, "d.csv"), []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := "name: own\nseed: 2\nparams:\n  stepsize: 0.1\n  data: d.csv\n" + params
	s, err := spec.Parse(filepath.Join(dir, "own.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	g := New(s)
	return g, g.Validate()
}

const smallCSV = "a,b,c,y,split\n1,0,0,1,train\n0,1,0,2,train\n0,0,1,3,test\n1,1,0,3,train\n"

func TestDataFromFile(t *testing.T) {
	dir := t.TempDir()
	g, err := dataSpec(t, dir, smallCSV, "grid:\n  seed: {range: 2}\n")
	if err != nil {
		t.Fatal(err)
	}
	p0, p1 := g.Point(0), g.Point(1)
	c := p0.Config
	if c.N != 3 || c.D != 3 || c.Test != 1 || c.DataFile != filepath.Join(dir, "d.csv") {
		t.Errorf("N, D, Test, DataFile = %d %d %d %q", c.N, c.D, c.Test, c.DataFile)
	}
	if p0.Config.DataSeed == p1.Config.DataSeed || p0.Config.RunSeed == p1.Config.RunSeed {
		t.Error("replicates share seeds")
	}
	data, err := g.Dataset(p0)
	if err != nil || data == nil || data.N != 3 {
		t.Fatalf("Dataset: %v %v", data, err)
	}
	if d1, _ := g.Dataset(p1); d1 != data {
		t.Error("the dataset is read again for another point")
	}

	// Same bytes elsewhere: same seeds and hash. Other bytes: other seeds and hash.
	moved := t.TempDir()
	g2, err := dataSpec(t, moved, smallCSV, "grid:\n  seed: {range: 2}\n")
	if err != nil {
		t.Fatal(err)
	}
	if g2.Point(0).Config.DataSeed != c.DataSeed || g2.Point(0).Config.RunSeed != c.RunSeed || g2.Hash() != g.Hash() {
		t.Error("moving the data changed the seeds or the hash")
	}
	g3, err := dataSpec(t, t.TempDir(), strings.Replace(smallCSV, "1,1,0,3", "1,1,0,4", 1), "grid:\n  seed: {range: 2}\n")
	if err != nil {
		t.Fatal(err)
	}
	if g3.Point(0).Config.DataSeed == c.DataSeed || g3.Point(0).Config.RunSeed == c.RunSeed || g3.Hash() == g.Hash() {
		t.Error("editing the data kept the seeds or the hash")
	}
	if g.Hash() == g.Spec().Hash() {
		t.Error("the grid hash of a spec with data is the bare spec hash")
	}
}

func TestDataErrors(t *testing.T) {
	tests := []struct {
		name, csv, params string
		want              []string
	}{
		{"missing file", "", "", []string{"params.data", "d.csv", "no such file"}},
		{"bad csv", "a,y\n1,x\n", "", []string{"params.data", "d.csv", "line 2, column 2 (y)"}},
		{"n with data", smallCSV, "  n: 3\n", []string{"params.n", "cannot be set together with data"}},
		{"swept sparsity", smallCSV, "grid:\n  sparsity: [1, 2]\n", []string{"grid.sparsity", "cannot be set together with data"}},
		{"batch > n from file", smallCSV, "  optimizer: sgd\n  batch: 4\n", []string{"batch", "n = 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dataSpec(t, t.TempDir(), tc.csv, tc.params)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
