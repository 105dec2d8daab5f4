package results

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

func TestMergeSortsAndDeduplicates(t *testing.T) {
	dir := t.TempDir()
	// Shards out of order; point 4 is in both b and c, identical (NaN too).
	rowWithNaN := func(p int64) []Value {
		r := metricRow(p)
		r[3].F = math.Float64frombits(0x7ff8000000000042)
		return r
	}
	a := metricTable(6, 7, 8)
	b := metricTable(3, 4, 5)
	b.Rows[1] = rowWithNaN(4)
	c := &Table{Fields: metricFields, Rows: [][]Value{metricRow(2), rowWithNaN(4), metricRow(0), metricRow(1)}}
	shards := []string{
		mustWrite(t, dir, "a.parquet", a),
		mustWrite(t, dir, "b.parquet", b),
		mustWrite(t, dir, "c.parquet", c),
	}
	out := filepath.Join(dir, "merged", "results.parquet")
	meta := map[string]string{"spec_hash": "h1", "program_version": "v1"}
	n, err := Merge(shards, out, meta)
	if err != nil {
		t.Fatal(err)
	}
	if n != 9 {
		t.Errorf("Merge wrote %d rows, want 9", n)
	}
	want := metricTable(pointRange(0, 9, 1)...)
	want.Rows[4] = rowWithNaN(4)
	got := mustRead(t, out)
	assertEqual(t, got, want)
	if len(got.Meta) != 2 || got.Meta["spec_hash"] != "h1" || got.Meta["program_version"] != "v1" {
		t.Errorf("meta = %q, want %q", got.Meta, meta)
	}
	if names := dirNames(t, filepath.Dir(out)); !slices.Equal(names, []string{"results.parquet"}) {
		t.Errorf("output directory holds %q", names)
	}
}

// TestMergeInterleavedManyBatches uses strided shards (every shard is needed
// until the end) and small batches, so loading, releasing and batching are
// all exercised.
func TestMergeInterleavedManyBatches(t *testing.T) {
	withBatchRows(t, 64)
	dir := t.TempDir()
	var shards []string
	const nShards, nPoints = 5, 1000
	for s := range nShards {
		// Descending inside each shard, and shard 0 repeats shard 1's points.
		ps := pointRange(int64(s), nPoints, nShards)
		if s == 0 {
			ps = append(ps, pointRange(1, nPoints, nShards)...)
		}
		slices.Reverse(ps)
		shards = append(shards, mustWrite(t, dir, fmt.Sprintf("shard-%d.parquet", s), metricTable(ps...)))
	}
	slices.Reverse(shards)
	out := filepath.Join(dir, "results.parquet")
	n, err := Merge(shards, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != nPoints {
		t.Errorf("Merge wrote %d rows, want %d", n, nPoints)
	}
	assertEqual(t, mustRead(t, out), metricTable(pointRange(0, nPoints, 1)...))
}

// TestMergeStreams checks that contiguous shards are held in memory one or
// two at a time, not all at once.
func TestMergeStreams(t *testing.T) {
	withBatchRows(t, 50)
	dir := t.TempDir()
	var shards []string
	const nShards, perShard = 20, 30
	for s := nShards - 1; s >= 0; s-- {
		ps := pointRange(int64(s*perShard), int64((s+1)*perShard), 1)
		shards = append(shards, mustWrite(t, dir, fmt.Sprintf("shard-%02d.parquet", s), metricTable(ps...)))
	}
	out := filepath.Join(dir, "results.parquet")
	st, err := merge(shards, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.rows != nShards*perShard {
		t.Errorf("wrote %d rows, want %d", st.rows, nShards*perShard)
	}
	if st.peakLoaded != 1 {
		t.Errorf("peak %d shards in memory, want 1", st.peakLoaded)
	}
	assertEqual(t, mustRead(t, out), metricTable(pointRange(0, nShards*perShard, 1)...))
}

func TestMergeConflictingDuplicate(t *testing.T) {
	dir := t.TempDir()
	a := metricTable(0, 1, 2)
	b := metricTable(2, 3)
	b.Rows[0][3].F = 0.125 // loss of point 2 differs
	pa := mustWrite(t, dir, "a.parquet", a)
	pb := mustWrite(t, dir, "b.parquet", b)
	out := filepath.Join(dir, "results.parquet")
	_, err := Merge([]string{pa, pb}, out, nil)
	assertErrContains(t, err, "point 2", pa, pb, `"loss"`)
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("failed merge left files: %q", names)
	}

	// -0 and +0 are different bits, hence a conflict too.
	c := metricTable(2)
	c.Rows[0][3].F = 0
	d := metricTable(2)
	d.Rows[0][3].F = math.Copysign(0, -1)
	pc := mustWrite(t, dir, "c.parquet", c)
	pd := mustWrite(t, dir, "d.parquet", d)
	_, err = Merge([]string{pc, pd}, out, nil)
	assertErrContains(t, err, "point 2", pc, pd)
}

func TestMergeSchemaMismatch(t *testing.T) {
	dir := t.TempDir()
	ref := mustWrite(t, dir, "ref.parquet", metricTable(0))
	out := filepath.Join(dir, "results.parquet")
	variant := func(name string, edit func([]Field) []Field) string {
		fs := edit(slices.Clone(metricFields))
		tb := &Table{Fields: fs}
		row := make([]Value, len(fs))
		row[0].I = 1
		tb.Rows = [][]Value{row}
		return mustWrite(t, dir, name, tb)
	}
	cases := []struct {
		name, column string
		edit         func([]Field) []Field
	}{
		{"kind.parquet", "loss", func(fs []Field) []Field { fs[3].Kind = String; return fs }},
		{"missing.parquet", "optimizer", func(fs []Field) []Field { return fs[:4] }},
		{"extra.parquet", "grad_norm", func(fs []Field) []Field { return append(fs, Field{Name: "grad_norm", Kind: Float}) }},
		{"renamed.parquet", "lr", func(fs []Field) []Field { fs[2].Name = "learning_rate"; return fs }},
		{"order.parquet", "lr", func(fs []Field) []Field { fs[2], fs[3] = fs[3], fs[2]; return fs }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := variant(c.name, c.edit)
			_, err := Merge([]string{ref, bad}, out, nil)
			assertErrContains(t, err, bad, `"`+c.column+`"`)
		})
	}
}

func TestMergeNeedsPointColumn(t *testing.T) {
	dir := t.TempDir()
	tb := &Table{Fields: []Field{{Name: "loss", Kind: Float}, {Name: "point", Kind: Int}}, Rows: [][]Value{{{F: 1}, {I: 0}}}}
	p := mustWrite(t, dir, "a.parquet", tb)
	_, err := Merge([]string{p}, filepath.Join(dir, "out.parquet"), nil)
	assertErrContains(t, err, p, `"loss"`, `"point"`)
}

func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.parquet")
	_, err := Merge(nil, out, nil)
	assertErrContains(t, err, "no shards")

	missing := filepath.Join(dir, "missing.parquet")
	ok := mustWrite(t, dir, "ok.parquet", metricTable(0))
	_, err = Merge([]string{ok, missing}, out, nil)
	assertErrContains(t, err, missing)

	_, err = Merge([]string{ok}, out, map[string]string{arrowSchemaKey: "x"})
	assertErrContains(t, err, out, "reserved")
}

func TestMergeEmptyShards(t *testing.T) {
	dir := t.TempDir()
	e := mustWrite(t, dir, "empty.parquet", metricTable())
	a := mustWrite(t, dir, "a.parquet", metricTable(1, 0))
	out := filepath.Join(dir, "out.parquet")
	n, err := Merge([]string{e, a, e}, out, nil)
	if err != nil || n != 2 {
		t.Fatalf("Merge = %d, %v; want 2, nil", n, err)
	}
	assertEqual(t, mustRead(t, out), metricTable(0, 1))

	n, err = Merge([]string{e}, out, map[string]string{"k": "v"})
	if err != nil || n != 0 {
		t.Fatalf("Merge of empty shard = %d, %v; want 0, nil", n, err)
	}
	got := mustRead(t, out)
	assertEqual(t, got, metricTable())
	if got.Meta["k"] != "v" {
		t.Errorf("meta = %q", got.Meta)
	}
}

// BenchmarkMerge merges 3 shards x 50k rows x 30 columns.
func BenchmarkMerge(b *testing.B) {
	dir := b.TempDir()
	fields := []Field{{Name: "point", Kind: Int}}
	for j := range 4 {
		fields = append(fields, Field{Name: fmt.Sprintf("i%d", j), Kind: Int})
	}
	for j := range 22 {
		fields = append(fields, Field{Name: fmt.Sprintf("f%d", j), Kind: Float})
	}
	for j := range 3 {
		fields = append(fields, Field{Name: fmt.Sprintf("s%d", j), Kind: String})
	}
	const nShards, perShard = 3, 50_000
	var shards []string
	for s := range nShards {
		tb := &Table{Fields: fields}
		for k := range perShard {
			p := int64(k*nShards + s) // interleaved: the worst case for memory
			row := make([]Value, len(fields))
			for j, f := range fields {
				switch f.Kind {
				case Int:
					row[j].I = p + int64(j)
				case Float:
					row[j].F = float64(p) / float64(j+1)
				case String:
					row[j].S = fmt.Sprintf("opt-%d", (int(p)+j)%7)
				}
			}
			row[0].I = p
			tb.Rows = append(tb.Rows, row)
		}
		shards = append(shards, mustWrite(b, dir, fmt.Sprintf("shard-%d.parquet", s), tb))
	}
	out := filepath.Join(dir, "results.parquet")
	b.ResetTimer()
	for b.Loop() {
		n, err := Merge(shards, out, map[string]string{"spec_hash": "x"})
		if err != nil {
			b.Fatal(err)
		}
		if n != nShards*perShard {
			b.Fatalf("wrote %d rows", n)
		}
	}
}
