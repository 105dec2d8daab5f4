package spec

import (
	"fmt"
	"math"
)

// column holds the values of one parameter along an axis: a list as written in the YAML
// (which the YAML node tree has already materialised), or a generated sequence whose i-th
// value is computed when asked for, so that an axis of 10^8 values takes no memory.
type column struct {
	list []Value   // a written list; nil for a generated column
	gen  generator // a generated column (list == nil)
}

// shape is the kind of a generated sequence.
type shape int

const (
	linear    shape = iota // linspace: first + (last-first) i/(num-1)
	geometric              // logspace: first (last/first)^(i/(num-1))
	counting               // range: 0, 1, ..., num-1
)

// generator describes a linspace, logspace or range axis: its shape, endpoints (linear and
// geometric only), length, and the kind of the parameter it sweeps.
type generator struct {
	shape       shape
	first, last float64
	num         int
	kind        Kind
}

// len is the number of values in the column.
func (c column) len() int {
	if c.list != nil {
		return len(c.list)
	}
	return c.gen.num
}

// at returns the i-th value of the column (0 <= i < len()).
func (c column) at(i int) Value {
	if c.list != nil {
		return c.list[i]
	}
	return c.gen.at(i)
}

// at computes the i-th value of the sequence: for range i itself (as a float for a real
// parameter); for linspace and logspace spacedAt, rounded to the nearest integer for an
// integer parameter.
func (g generator) at(i int) Value {
	if g.shape == counting {
		if g.kind == Float {
			return FloatValue(float64(i))
		}
		return IntValue(int64(i))
	}
	x := spacedAt(g.first, g.last, g.num, i, g.shape == geometric)
	if g.kind == Int {
		return IntValue(int64(math.Round(x)))
	}
	return FloatValue(x)
}

// String writes the generator the way a grid override does (Override): linspace(a,b,k),
// logspace(a,b,k) or range(k).
func (g generator) String() string {
	switch g.shape {
	case counting:
		return fmt.Sprintf("range(%d)", g.num)
	case geometric:
		return fmt.Sprintf("logspace(%v,%v,%d)", g.first, g.last, g.num)
	default:
		return fmt.Sprintf("linspace(%v,%v,%d)", g.first, g.last, g.num)
	}
}

// spacedAt is the i-th of k values from a to b, evenly spaced (linear) or geometrically
// spaced (log): x_i = a + (b-a) t or x_i = a (b/a)^t with t = i/(k-1), except that the
// endpoints are a and b exactly (x_0 = a, x_{k-1} = b; for k = 1 both are position 0, and
// a = b there). Each value is computed on its own, with the same operations in the same
// order whatever the other values, so a value is the same bits however it is asked for.
func spacedAt(a, b float64, k, i int, log bool) float64 {
	switch i {
	case k - 1:
		return b
	case 0:
		return a
	}
	t := float64(i) / float64(k-1)
	if log {
		return a * math.Pow(b/a, t)
	}
	return a + (b-a)*t
}
