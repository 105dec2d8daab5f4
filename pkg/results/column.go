package results

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// stringArray is satisfied by both *array.String and *array.LargeString.
type stringArray interface {
	Value(i int) string
}

// column is a typed, null-free view on one Arrow array read from a file.
type column struct {
	kind   Kind
	ints   *array.Int64
	floats *array.Float64
	strs   stringArray
}

// newColumn wraps a (field name, kind) pair's Arrow array, rejecting nulls
// and types that do not match kind.
func newColumn(f Field, a arrow.Array) (column, error) {
	if n := a.NullN(); n > 0 {
		return column{}, fmt.Errorf("column %q has %d null values", f.Name, n)
	}
	c := column{kind: f.Kind}
	ok := false
	switch f.Kind {
	case Int:
		c.ints, ok = a.(*array.Int64)
	case Float:
		c.floats, ok = a.(*array.Float64)
	case String:
		switch s := a.(type) {
		case *array.String:
			c.strs, ok = s, true
		case *array.LargeString:
			c.strs, ok = s, true
		}
	}
	if !ok {
		return column{}, fmt.Errorf("column %q: arrow type %s does not match kind %v", f.Name, a.DataType(), f.Kind)
	}
	return c, nil
}

// value returns row i as a Value.
func (c column) value(i int) Value {
	switch c.kind {
	case Int:
		return Value{I: c.ints.Value(i)}
	case Float:
		return Value{F: c.floats.Value(i)}
	default:
		return Value{S: c.strs.Value(i)}
	}
}

// appendTo appends row i to b, which must be the builder for this kind.
func (c column) appendTo(b array.Builder, i int) {
	switch c.kind {
	case Int:
		b.(*array.Int64Builder).Append(c.ints.Value(i))
	case Float:
		b.(*array.Float64Builder).Append(c.floats.Value(i))
	default:
		b.(*array.StringBuilder).Append(c.strs.Value(i))
	}
}

// appendValue appends v, interpreted as kind k, to b.
func appendValue(b array.Builder, k Kind, v Value) {
	switch k {
	case Int:
		b.(*array.Int64Builder).Append(v.I)
	case Float:
		b.(*array.Float64Builder).Append(v.F)
	default:
		b.(*array.StringBuilder).Append(v.S)
	}
}

// sameValue reports whether a and b, both of kind k, are identical; floats
// compare bit for bit.
func sameValue(k Kind, a, b Value) bool {
	switch k {
	case Int:
		return a.I == b.I
	case Float:
		return math.Float64bits(a.F) == math.Float64bits(b.F)
	default:
		return a.S == b.S
	}
}

// formatValue renders v of kind k for error messages; floats whose text
// would hide a bit difference (NaN payloads, -0) also show their bits.
func formatValue(k Kind, v Value) string {
	switch k {
	case Int:
		return fmt.Sprint(v.I)
	case Float:
		if math.IsNaN(v.F) || v.F == 0 {
			return fmt.Sprintf("%v (bits %#016x)", v.F, math.Float64bits(v.F))
		}
		return fmt.Sprint(v.F)
	default:
		return fmt.Sprintf("%q", v.S)
	}
}
