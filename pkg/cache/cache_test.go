package cache

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// baseConfig is an arbitrary runnable configuration (values of no significance).
func baseConfig() dynamics.Config {
	return dynamics.Config{Model: "uv", Optimizer: "sgd", Stepsize: 0.1, Batch: 2, Init: 0.1,
		Momentum: dynamics.Unset, Noise: dynamics.Unset, Rho: dynamics.Unset, N: 10, D: 15, Sparsity: 3,
		Test: 200, Steps: 100, DataSeed: 11, RunSeed: 12, PretrainInit: dynamics.Unset, Rescale: 1}
}

func TestKeyOf(t *testing.T) {
	base := keyOf("dynamics/x", baseConfig(), "")
	if again := keyOf("dynamics/x", baseConfig(), ""); again != base {
		t.Fatalf("same inputs, different keys: %s vs %s", again, base)
	}
	if KeyOf(baseConfig(), "") == KeyOf(baseConfig(), "", spec.Record{GammaMax: true}) {
		t.Error("record options do not change the key")
	}
	tests := []struct {
		name    string
		version string
		change  func(*dynamics.Config)
		data    string
		same    bool // the change must keep the key
	}{
		{name: "dynamics version", version: "dynamics/y"},
		{name: "data hash", data: "ab12"},
		{name: "stepsize by one ulp", change: func(c *dynamics.Config) { c.Stepsize = math.Nextafter(c.Stepsize, 1) }},
		{name: "data seed", change: func(c *dynamics.Config) { c.DataSeed++ }},
		{name: "run seed", change: func(c *dynamics.Config) { c.RunSeed++ }},
		{name: "optimizer", change: func(c *dynamics.Config) { c.Optimizer = "gd" }},
		{name: "steps", change: func(c *dynamics.Config) { c.Steps++ }},
		{name: "rescale", change: func(c *dynamics.Config) { c.Rescale = 2 }},
		{name: "negative zero", change: func(c *dynamics.Config) { c.XMean = math.Copysign(0, -1) }},
		{name: "data path only", change: func(c *dynamics.Config) { c.DataFile = "/elsewhere/x.npz" }, same: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig()
			if tc.change != nil {
				tc.change(&c)
			}
			v := "dynamics/x"
			if tc.version != "" {
				v = tc.version
			}
			if got := keyOf(v, c, tc.data); (got == base) != tc.same {
				t.Errorf("key equal to the base key: %t, want %t", got == base, tc.same)
			}
		})
	}
	k, err := ParseKey(base.String())
	if err != nil || k != base {
		t.Errorf("ParseKey(String()) = %s, %v; want %s", k, err, base)
	}
}

var testFields = []results.Field{{Name: "train_loss", Kind: results.Float}, {Name: "status", Kind: results.String}, {Name: "steps", Kind: results.Int}}

func entry(i int) Entry {
	c := baseConfig()
	c.RunSeed = uint64(i)
	return Entry{Key: KeyOf(c, ""), Values: []results.Value{{F: float64(i) / 3}, {S: "converged"}, {I: int64(i)}}}
}

func TestPutGet(t *testing.T) {
	dir := t.TempDir()
	a, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	nan := entry(7)
	nan.Values[0].F = math.Float64frombits(0x7ff8000000000abc) // a NaN payload must survive
	if err := a.Put(testFields, []Entry{entry(1), entry(2), nan}); err != nil {
		t.Fatal(err)
	}
	b, err := New(dir) // another process
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Cache{a, b} {
		for _, e := range []Entry{entry(1), entry(2), nan} {
			got, ok := c.Get(e.Key, testFields)
			if !ok {
				t.Fatalf("entry %s not found", e.Key)
			}
			for j := range got {
				if got[j] != e.Values[j] && math.Float64bits(got[j].F) != math.Float64bits(e.Values[j].F) {
					t.Errorf("entry %s column %d: got %+v, want %+v", e.Key, j, got[j], e.Values[j])
				}
			}
		}
		if _, ok := c.Get(entry(3).Key, testFields); ok {
			t.Error("found a key never stored")
		}
	}
	// A subset of the columns, in another order, is found; a column not stored or of another
	// kind is a miss.
	if got, ok := b.Get(entry(2).Key, []results.Field{testFields[2], testFields[0]}); !ok || got[0].I != 2 || got[1].F != 2.0/3 {
		t.Errorf("subset: got %+v, %t", got, ok)
	}
	if _, ok := b.Get(entry(2).Key, append(testFields[:3:3], results.Field{Name: "error", Kind: results.String})); ok {
		t.Error("found an entry lacking a column")
	}
	if _, ok := b.Get(entry(2).Key, []results.Field{{Name: "steps", Kind: results.Float}}); ok {
		t.Error("found an entry whose column has another kind")
	}
}

func TestRefreshAndIdempotence(t *testing.T) {
	dir := t.TempDir()
	a, _ := New(dir)
	b, _ := New(dir)
	b.refreshEvery = 0
	if _, ok := b.Get(entry(1).Key, testFields); ok { // lists the empty directory
		t.Fatal("hit in an empty cache")
	}
	if err := a.Put(testFields, []Entry{entry(1), entry(2)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Get(entry(1).Key, testFields); !ok {
		t.Fatal("a file written by another process is not found")
	}
	// Storing the same points again, from either process, writes nothing new; a new point
	// with known ones makes one file of the new point only.
	if err := b.Put(testFields, []Entry{entry(2), entry(1)}); err != nil {
		t.Fatal(err)
	}
	c, _ := New(dir) // a process that has not listed the directory yet writes the same file
	if err := c.Put(testFields, []Entry{entry(1), entry(2)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(testFields, []Entry{entry(1), entry(3)}); err != nil {
		t.Fatal(err)
	}
	if n := len(parquetFiles(t, dir)); n != 2 {
		t.Errorf("%d files, want 2", n)
	}
	if n := b.Len(); n != 3 {
		t.Errorf("%d keys, want 3", n)
	}
}

func TestIgnoresForeignFiles(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "garbage.parquet"), []byte("not parquet"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, ".x.parquet.123.tmp"), []byte("half"), 0o644))
	// A results table is not a cache file.
	must(t, results.WriteFile(filepath.Join(dir, "results.parquet"), &results.Table{
		Fields: []results.Field{{Name: "point", Kind: results.Int}}, Rows: [][]results.Value{{{I: 1}}}}))
	a, _ := New(dir)
	if err := a.Put(testFields, []Entry{entry(1)}); err != nil {
		t.Fatal(err)
	}
	b, _ := New(dir)
	if _, ok := b.Get(entry(1).Key, testFields); !ok || b.Len() != 1 {
		t.Errorf("found %t, %d keys; want true, 1", ok, b.Len())
	}
	if err := a.Put(append(testFields[:1:1], results.Field{Name: KeyColumn, Kind: results.Int}), nil); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("a field named %q: got %v", KeyColumn, err)
	}
}

func TestRemovedFileIsAMiss(t *testing.T) {
	dir := t.TempDir()
	a, _ := New(dir)
	must(t, a.Put(testFields, []Entry{entry(1)}))
	for _, f := range parquetFiles(t, dir) {
		must(t, os.Remove(f))
	}
	if _, ok := a.Get(entry(1).Key, testFields); ok {
		t.Fatal("found an entry whose file was removed")
	}
	must(t, a.Put(testFields, []Entry{entry(1)})) // stored again
	if n := len(parquetFiles(t, dir)); n != 1 {
		t.Errorf("%d files, want 1", n)
	}
}

func TestOpenShares(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Open(filepath.Join(dir, "."))
	if a != b {
		t.Error("Open of one directory made two caches")
	}
}

func parquetFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	must(t, err)
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
