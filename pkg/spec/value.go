package spec

import "strconv"

// Kind is the type of a parameter's values.
type Kind int

// The kinds of parameter values.
const (
	Int    Kind = iota // integers (n, d, steps, ...)
	Float              // reals (stepsize, init, ...)
	String             // categories (optimizer, model)
)

// String names the kind as it appears in error messages.
func (k Kind) String() string {
	switch k {
	case Int:
		return "integer"
	case Float:
		return "number"
	default:
		return "string"
	}
}

// Value is one parameter value; the member that matters is chosen by Kind.
type Value struct {
	Kind  Kind
	Int   int64
	Float float64
	Str   string
}

// IntValue, FloatValue and StringValue build values of each kind.
func IntValue(i int64) Value { return Value{Kind: Int, Int: i} }

// FloatValue builds a Float value.
func FloatValue(f float64) Value { return Value{Kind: Float, Float: f} }

// StringValue builds a String value.
func StringValue(s string) Value { return Value{Kind: String, Str: s} }

// Num is the value as a float64 (0 for strings).
func (v Value) Num() float64 {
	if v.Kind == Int {
		return float64(v.Int)
	}
	return v.Float
}

// String formats the value the way a user would write it, exactly (floats round-trip).
func (v Value) String() string {
	switch v.Kind {
	case Int:
		return strconv.FormatInt(v.Int, 10)
	case Float:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	default:
		return v.Str
	}
}

// Canonical is an unambiguous encoding of the value (kind and exact bits), used for hashes.
func (v Value) Canonical() string { return string(v.appendCanonical(nil)) }

// appendCanonical appends Canonical to dst, without the intermediate strings (a hash streams
// the values of axes of up to MaxPoints values).
func (v Value) appendCanonical(dst []byte) []byte {
	switch v.Kind {
	case Int:
		return strconv.AppendInt(append(dst, "i:"...), v.Int, 10)
	case Float:
		return strconv.AppendFloat(append(dst, "f:"...), v.Float, 'x', -1, 64)
	default:
		return strconv.AppendQuote(append(dst, "s:"...), v.Str) // as fmt's %q
	}
}
