// Package results stores sweep results as Parquet tables.
//
// Each sweep point's metrics become one row; the first column is always
// "point" (Int), the index of the sweep point. Files use only standard
// Parquet types (INT64, DOUBLE, BYTE_ARRAY with the String logical type),
// all columns REQUIRED (no nulls), zstd compression, so that DuckDB and
// pandas read them without Arrow-specific metadata.
package results

import (
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Kind is the type of one column.
type Kind int

const (
	// Int is a column of int64 values (Parquet INT64).
	Int Kind = iota
	// Float is a column of float64 values (Parquet DOUBLE). NaN and ±Inf are
	// allowed: diverged runs produce them. Values are stored bit for bit.
	Float
	// String is a column of UTF-8 strings (Parquet BYTE_ARRAY, String logical type).
	String
)

// String returns the lowercase name of the kind ("int", "float", "string").
func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Float:
		return "float"
	case String:
		return "string"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Field names and types one column.
type Field struct {
	Name string
	Kind Kind
}

// Value is one cell; which member is meaningful depends on the column's Kind:
// I for Int, F for Float, S for String.
type Value struct {
	I int64
	F float64
	S string
}

// Table is a row-oriented table. Rows[k][j] is column Fields[j] of row k.
// By contract the first column is "point" (Int), the index of the sweep point.
type Table struct {
	Fields []Field
	Rows   [][]Value
	// Meta is the Parquet/Arrow schema key-value metadata (spec yaml, spec
	// hash, program version, ...).
	Meta map[string]string
}

// PointColumn is the name of the first column of every results table.
const PointColumn = "point"

// arrowSchemaKey is the metadata key under which Arrow writers may store a
// serialized Arrow schema; it is an encoding detail, not user metadata.
const arrowSchemaKey = "ARROW:schema"

// batchRows is the number of rows per Arrow record batch (and so per Parquet
// row group) when writing, and the batch size when reading. A variable so
// tests can exercise multi-batch paths with small tables.
var batchRows = 1 << 16

// arrowSchema builds the Arrow schema for fields, carrying meta as schema
// metadata (keys sorted, so output is deterministic). All fields are
// non-nullable, which becomes Parquet REQUIRED.
func arrowSchema(fields []Field, meta map[string]string) (*arrow.Schema, error) {
	if len(fields) == 0 {
		return nil, errors.New("no fields")
	}
	seen := make(map[string]bool, len(fields))
	afs := make([]arrow.Field, len(fields))
	for j, f := range fields {
		if f.Name == "" {
			return nil, fmt.Errorf("field %d has an empty name", j)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("duplicate field %q", f.Name)
		}
		seen[f.Name] = true
		dt, err := f.Kind.arrowType()
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Name, err)
		}
		afs[j] = arrow.Field{Name: f.Name, Type: dt, Nullable: false}
	}
	if _, ok := meta[arrowSchemaKey]; ok {
		return nil, fmt.Errorf("metadata key %q is reserved", arrowSchemaKey)
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = meta[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(afs, &md), nil
}

// arrowType is the Arrow type used to write a column of kind k.
func (k Kind) arrowType() (arrow.DataType, error) {
	switch k {
	case Int:
		return arrow.PrimitiveTypes.Int64, nil
	case Float:
		return arrow.PrimitiveTypes.Float64, nil
	case String:
		return arrow.BinaryTypes.String, nil
	}
	return nil, fmt.Errorf("unknown kind %v", k)
}

// kindOf maps an Arrow type read from a file back to a Kind.
func kindOf(dt arrow.DataType) (Kind, bool) {
	switch dt.ID() {
	case arrow.INT64:
		return Int, true
	case arrow.FLOAT64:
		return Float, true
	case arrow.STRING, arrow.LARGE_STRING:
		return String, true
	}
	return 0, false
}

// fieldsOf maps an Arrow schema read from a file to Fields, rejecting
// column types this package does not handle.
func fieldsOf(sc *arrow.Schema) ([]Field, error) {
	fields := make([]Field, sc.NumFields())
	for j, f := range sc.Fields() {
		k, ok := kindOf(f.Type)
		if !ok {
			return nil, fmt.Errorf("column %q has unsupported type %s", f.Name, f.Type)
		}
		fields[j] = Field{Name: f.Name, Kind: k}
	}
	return fields, nil
}

// writerProps are the Parquet writer properties for a table with fields.
// Dictionary encoding is disabled for Float columns: the dictionary memo
// table treats all NaNs as one value, which would lose NaN payload bits.
func writerProps(fields []Field) (*parquet.WriterProperties, pqarrow.ArrowWriterProperties) {
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
	}
	for _, f := range fields {
		if f.Kind == Float {
			opts = append(opts, parquet.WithDictionaryPath(parquet.ColumnPath{f.Name}, false))
		}
	}
	return parquet.NewWriterProperties(opts...), pqarrow.NewArrowWriterProperties()
}
