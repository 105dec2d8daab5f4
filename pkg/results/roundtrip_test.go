package results

import (
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// specialFloats are values whose bits must survive a round trip.
var specialFloats = []float64{
	0, math.Copysign(0, -1), 1.5, -2.75e300,
	math.NaN(),                               // Go's NaN: 0x7ff8000000000001
	math.Float64frombits(0x7ff8000000000000), // canonical quiet NaN
	math.Float64frombits(0x7ff8000000000002), // quiet NaN, payload 2
	math.Float64frombits(0xfff8000000000abc), // negative NaN with payload
	math.Float64frombits(0x7ff0000000000001), // signalling NaN
	math.Inf(1), math.Inf(-1),
	math.SmallestNonzeroFloat64,              // subnormal
	math.Float64frombits(0x000fffffffffffff), // largest subnormal
	math.MaxFloat64,
}

// specialTable has every kind and awkward values in each.
func specialTable() *Table {
	t := &Table{
		Fields: []Field{
			{Name: "point", Kind: Int},
			{Name: "count", Kind: Int},
			{Name: "loss", Kind: Float},
			{Name: "name", Kind: String},
		},
		Meta: map[string]string{
			"spec_yaml":       "sweep:\n  lr: [0.1, 0.01]\n",
			"spec_hash":       "sha256:0123abcd",
			"program_version": "v0.1.0",
			"empty":           "",
		},
	}
	strs := []string{"", "adam", "héllo wörld ✓", "with\x00nul", "a,b;\"c\""}
	ints := []int64{0, -1, math.MinInt64, math.MaxInt64, 42}
	for k, f := range specialFloats {
		t.Rows = append(t.Rows, []Value{
			{I: int64(k)},
			{I: ints[k%len(ints)]},
			{F: f},
			{S: strs[k%len(strs)]},
		})
	}
	return t
}

func TestRoundTrip(t *testing.T) {
	want := specialTable()
	path := mustWrite(t, t.TempDir(), "t.parquet", want)
	got := mustRead(t, path)
	assertEqual(t, got, want)
	for k, f := range specialFloats {
		if g := got.Rows[k][2].F; math.Float64bits(g) != math.Float64bits(f) {
			t.Errorf("row %d: float bits %#x, want %#x", k, math.Float64bits(g), math.Float64bits(f))
		}
	}
	if len(got.Meta) != len(want.Meta) {
		t.Errorf("meta = %q, want %q", got.Meta, want.Meta)
	}
	for k, v := range want.Meta {
		if g, ok := got.Meta[k]; !ok || g != v {
			t.Errorf("meta[%q] = %q (present %t), want %q", k, g, ok, v)
		}
	}
}

func TestRoundTripManyBatches(t *testing.T) {
	withBatchRows(t, 100)
	want := metricTable(pointRange(0, 1234, 1)...)
	path := mustWrite(t, t.TempDir(), "t.parquet", want)
	assertEqual(t, mustRead(t, path), want)
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if n := pf.NumRowGroups(); n != 13 {
		t.Errorf("%d row groups, want 13 (one per batch of 100 rows)", n)
	}
}

func TestRoundTripEmpty(t *testing.T) {
	want := &Table{Fields: metricFields}
	path := mustWrite(t, t.TempDir(), "t.parquet", want)
	got := mustRead(t, path)
	assertEqual(t, got, want)
	if got.Meta == nil {
		t.Error("Meta is nil, want empty map")
	}
}

// TestParquetTypes checks, with the low-level Parquet reader rather than the
// Arrow layer, the column types DuckDB and pandas will see.
func TestParquetTypes(t *testing.T) {
	path := mustWrite(t, t.TempDir(), "t.parquet", specialTable())
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	sc := md.Schema
	if sc.NumColumns() != 4 {
		t.Fatalf("%d columns, want 4", sc.NumColumns())
	}
	for i, want := range []parquet.Type{parquet.Types.Int64, parquet.Types.Int64, parquet.Types.Double, parquet.Types.ByteArray} {
		col := sc.Column(i)
		if col.PhysicalType() != want {
			t.Errorf("column %q: physical type %v, want %v", col.Name(), col.PhysicalType(), want)
		}
		if r := col.SchemaNode().RepetitionType(); r != parquet.Repetitions.Required {
			t.Errorf("column %q: repetition %v, want required", col.Name(), r)
		}
		lt := col.LogicalType()
		switch want {
		case parquet.Types.ByteArray:
			if _, ok := lt.(schema.StringLogicalType); !ok {
				t.Errorf("column %q: logical type %v, want String", col.Name(), lt)
			}
			if col.ConvertedType() != schema.ConvertedTypes.UTF8 {
				t.Errorf("column %q: converted type %v, want UTF8", col.Name(), col.ConvertedType())
			}
		case parquet.Types.Int64:
			if !lt.IsNone() && !lt.Equals(schema.NewIntLogicalType(64, true)) {
				t.Errorf("column %q: logical type %v, want none or INT(64, signed)", col.Name(), lt)
			}
		default:
			if !lt.IsNone() {
				t.Errorf("column %q: logical type %v, want none", col.Name(), lt)
			}
		}
	}
	kv := md.KeyValueMetadata()
	if v := kv.FindValue("spec_hash"); v == nil || *v != "sha256:0123abcd" {
		t.Errorf("footer key-value spec_hash = %v", v)
	}
	if kv.FindValue(arrowSchemaKey) != nil {
		t.Errorf("footer has %s; files should not depend on Arrow-only metadata", arrowSchemaKey)
	}
	rg := md.RowGroup(0)
	for i := 0; i < sc.NumColumns(); i++ {
		cc, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Compression() != compress.Codecs.Zstd {
			t.Errorf("column %d: compression %v, want zstd", i, cc.Compression())
		}
	}
}

func TestWriteRejectsBadTables(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		table *Table
		want  string
	}{
		"nil":         {nil, "nil table"},
		"no fields":   {&Table{}, "no fields"},
		"empty name":  {&Table{Fields: []Field{{Name: "", Kind: Int}}}, "empty name"},
		"duplicate":   {&Table{Fields: []Field{{Name: "point", Kind: Int}, {Name: "point", Kind: Float}}}, `duplicate field "point"`},
		"bad kind":    {&Table{Fields: []Field{{Name: "point", Kind: Kind(9)}}}, `field "point"`},
		"short row":   {&Table{Fields: metricFields, Rows: [][]Value{metricRow(0), metricRow(1)[:2]}}, "row 1 has 2 values, want 5"},
		"reserved md": {&Table{Fields: metricFields, Meta: map[string]string{arrowSchemaKey: "x"}}, "reserved"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".parquet")
			err := WriteFile(path, c.table)
			assertErrContains(t, err, c.want, path)
		})
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("failed writes left files: %q", names)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.parquet")
	_, err := ReadFile(missing)
	assertErrContains(t, err, missing)

	garbage := filepath.Join(dir, "garbage.parquet")
	if err := writeAtomic(garbage, func(w io.Writer) error {
		_, err := w.Write([]byte("definitely not parquet"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(garbage)
	assertErrContains(t, err, garbage)
}
