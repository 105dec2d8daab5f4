package results

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// metricFields is a typical results schema: point, an int, floats, a string.
var metricFields = []Field{
	{Name: "point", Kind: Int},
	{Name: "seed", Kind: Int},
	{Name: "lr", Kind: Float},
	{Name: "loss", Kind: Float},
	{Name: "optimizer", Kind: String},
}

// metricRow is a deterministic row for point p of metricFields.
func metricRow(p int64) []Value {
	return []Value{
		{I: p},
		{I: p * 7 % 13},
		{F: math.Pow(10, -float64(p%5))},
		{F: 1 / float64(p+1)},
		{S: []string{"adam", "sgd", "lion"}[p%3]},
	}
}

// metricTable builds a table of metricFields with the given points in order.
func metricTable(points ...int64) *Table {
	t := &Table{Fields: metricFields}
	for _, p := range points {
		t.Rows = append(t.Rows, metricRow(p))
	}
	return t
}

// pointRange returns the points lo, lo+step, ... below hi.
func pointRange(lo, hi, step int64) []int64 {
	var ps []int64
	for p := lo; p < hi; p += step {
		ps = append(ps, p)
	}
	return ps
}

// mustWrite writes t to dir/name and returns the path.
func mustWrite(tb testing.TB, dir, name string, t *Table) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := WriteFile(path, t); err != nil {
		tb.Fatalf("WriteFile(%s): %v", name, err)
	}
	return path
}

// mustRead reads path.
func mustRead(tb testing.TB, path string) *Table {
	tb.Helper()
	t, err := ReadFile(path)
	if err != nil {
		tb.Fatalf("ReadFile: %v", err)
	}
	return t
}

// assertEqual fails if got and want differ.
func assertEqual(tb testing.TB, got, want *Table) {
	tb.Helper()
	if ok, diff := Equal(got, want); !ok {
		tb.Fatalf("tables differ: %s", diff)
	}
}

// assertErrContains fails unless err is non-nil and mentions every part.
func assertErrContains(tb testing.TB, err error, parts ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			tb.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// dirNames lists the names in dir.
func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// withBatchRows sets batchRows for the duration of the test.
func withBatchRows(tb testing.TB, n int) {
	tb.Helper()
	old := batchRows
	batchRows = n
	tb.Cleanup(func() { batchRows = old })
}

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "results-example")
	defer os.RemoveAll(dir)
	t := &Table{
		Fields: []Field{{Name: "point", Kind: Int}, {Name: "loss", Kind: Float}},
		Rows:   [][]Value{{{I: 0}, {F: 0.25}}, {{I: 1}, {F: math.NaN()}}},
		Meta:   map[string]string{"spec_hash": "abc123"},
	}
	path := filepath.Join(dir, "shard-0000.parquet")
	if err := WriteFile(path, t); err != nil {
		fmt.Println(err)
		return
	}
	back, err := ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, _ := Equal(t, back)
	fmt.Println(ok, len(back.Rows), back.Meta["spec_hash"])
	// Output: true 2 abc123
}
