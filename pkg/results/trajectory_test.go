package results

import (
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// trajRow is a deterministic trajectory row of (point, step) with beta of length 3.
func trajRow(point int64, step int) []Value {
	x := float64(point*1000 + int64(step))
	return TrajectoryRow(point, step, float64(step)*0.1, 1/(x+1), 2/(x+1), x/7, []float64{x, -x / 3, 0})
}

// trajTable builds a trajectory table (beta recorded) of the given (point, step) keys in order.
func trajTable(keys ...[2]int64) *Table {
	t := &Table{Fields: TrajectoryFields(true)}
	for _, k := range keys {
		t.Rows = append(t.Rows, trajRow(k[0], int(k[1])))
	}
	return t
}

// TestMergeKeyedTrajectories: shards holding many rows per point, out of order (shards given
// last first, rows inside a shard unsorted), with identical duplicates of (point, step) both
// across shards and inside one, merge to one row per (point, step) sorted by point then step.
func TestMergeKeyedTrajectories(t *testing.T) {
	dir := t.TempDir()
	withBatchRows(t, 2) // several batches per shard and in the output
	a := trajTable([2]int64{1, 10}, [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{0, 10}, [2]int64{0, 15})
	b := trajTable([2]int64{2, 0}, [2]int64{1, 10}, [2]int64{2, 5}, [2]int64{1, 20}, [2]int64{2, 5})
	c := trajTable([2]int64{3, 7}, [2]int64{3, 0}, [2]int64{0, 10})
	pa, pb, pc := mustWrite(t, dir, "a.parquet", a), mustWrite(t, dir, "b.parquet", b), mustWrite(t, dir, "c.parquet", c)
	out := filepath.Join(dir, "trajectories.parquet")
	meta := map[string]string{"phasesweep.spec_hash": "abc"}
	n, err := MergeKeyed([]string{pc, pb, pa}, out, meta, TrajectoryKeyColumns)
	if err != nil {
		t.Fatal(err)
	}
	want := trajTable([2]int64{0, 0}, [2]int64{0, 10}, [2]int64{0, 15}, [2]int64{1, 0}, [2]int64{1, 10},
		[2]int64{1, 20}, [2]int64{2, 0}, [2]int64{2, 5}, [2]int64{3, 0}, [2]int64{3, 7})
	if n != len(want.Rows) {
		t.Errorf("MergeKeyed wrote %d rows, want %d", n, len(want.Rows))
	}
	got := mustRead(t, out)
	assertEqual(t, got, want)
	if got.Meta["phasesweep.spec_hash"] != "abc" {
		t.Errorf("meta = %v", got.Meta)
	}
	m, rows, err := ReadMeta(out)
	if err != nil || rows != int64(len(want.Rows)) || m["phasesweep.spec_hash"] != "abc" {
		t.Errorf("ReadMeta = %v, %d, %v", m, rows, err)
	}
}

// TestMergeKeyedConflict: two shards with the same (point, step) but different values fail,
// naming the point, the step, both files and the column, and leave no output.
func TestMergeKeyedConflict(t *testing.T) {
	dir := t.TempDir()
	a := trajTable([2]int64{0, 0}, [2]int64{2, 10})
	b := trajTable([2]int64{2, 10}, [2]int64{2, 20})
	b.Rows[0][4].F = 0.5 // test_loss of (2, 10) differs
	pa, pb := mustWrite(t, dir, "a.parquet", a), mustWrite(t, dir, "b.parquet", b)
	out := filepath.Join(dir, "trajectories.parquet")
	_, err := MergeKeyed([]string{pb, pa}, out, nil, TrajectoryKeyColumns)
	assertErrContains(t, err, "point 2 step 10", pa, pb, `"test_loss"`)
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("failed merge left files: %q", names)
	}

	// Rows of one point at different steps are no conflict with a key of 2 columns, but are
	// with Merge's key (point alone).
	if _, err := Merge([]string{mustWrite(t, dir, "c.parquet", trajTable([2]int64{2, 10}, [2]int64{2, 20}))}, out, nil); err == nil {
		t.Error("Merge of two rows of one point at different steps: no error")
	}
}

// TestMergeKeyedWidthOne: MergeKeyed with one key column is Merge.
func TestMergeKeyedWidthOne(t *testing.T) {
	dir := t.TempDir()
	pa := mustWrite(t, dir, "a.parquet", metricTable(3, 1, 2))
	pb := mustWrite(t, dir, "b.parquet", metricTable(2, 0))
	o1, o2 := filepath.Join(dir, "o1.parquet"), filepath.Join(dir, "o2.parquet")
	n1, err1 := Merge([]string{pa, pb}, o1, nil)
	n2, err2 := MergeKeyed([]string{pa, pb}, o2, nil, 1)
	if err1 != nil || err2 != nil || n1 != 4 || n2 != 4 {
		t.Fatalf("Merge: %d, %v; MergeKeyed: %d, %v", n1, err1, n2, err2)
	}
	assertEqual(t, mustRead(t, o2), mustRead(t, o1))
}

// TestMergeKeyedErrors: unsupported key widths, and a second key column that is not Int.
func TestMergeKeyedErrors(t *testing.T) {
	dir := t.TempDir()
	p := mustWrite(t, dir, "a.parquet", trajTable([2]int64{0, 0}))
	out := filepath.Join(dir, "out.parquet")
	for _, k := range []int{0, 3} {
		if _, err := MergeKeyed([]string{p}, out, nil, k); err == nil {
			t.Errorf("key width %d: no error", k)
		}
	}
	// metricFields' second column is Int (seed), the third Float: make a table whose second
	// column is a Float.
	bad := &Table{Fields: []Field{{"point", Int}, {"time", Float}}, Rows: [][]Value{{{I: 0}, {F: 1}}}}
	pbad := mustWrite(t, dir, "bad.parquet", bad)
	_, err := MergeKeyed([]string{pbad}, out, nil, 2)
	assertErrContains(t, err, pbad, "key column 1")
}

// TestTrajectorySchema: the columns and a row round trip, beta as JSON (null for NaN).
func TestTrajectorySchema(t *testing.T) {
	names := func(fs []Field) []string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Name)
		}
		return s
	}
	if got, want := names(TrajectoryFields(false)), []string{"point", "step", "time", "train_loss", "test_loss", "l1"}; !slices.Equal(got, want) {
		t.Errorf("TrajectoryFields(false) = %q, want %q", got, want)
	}
	if got := TrajectoryFields(true); got[len(got)-1] != (Field{"beta", String}) || len(got) != 7 {
		t.Errorf("TrajectoryFields(true) = %v", got)
	}
	dir := t.TempDir()
	tab := &Table{Fields: TrajectoryFields(true), Rows: [][]Value{
		TrajectoryRow(4, 100, 1.5, 0.25, 0.5, 3, []float64{1.5, math.NaN(), -2e-300}),
	}}
	got := mustRead(t, mustWrite(t, dir, "t.parquet", tab))
	assertEqual(t, got, tab)
	if s := got.Rows[0][6].S; s != "[1.5,null,-2e-300]" {
		t.Errorf("beta = %s", s)
	}
	if r := TrajectoryRow(4, 100, 1.5, 0.25, 0.5, 3, nil); len(r) != 6 {
		t.Errorf("row without beta has %d values, want 6", len(r))
	}
}
