package phase

import (
	"fmt"
	"strconv"
	"strings"
)

// Ref is a reference curve y = A/x, y = A*x or y = A drawn on a line plot, e.g. 2/x against
// the stepsize: the edge of stability, where gd's final sharpness sits just below 2/gamma
// (Even2023; docs/science.md section 4, "Sharpness").
type Ref struct {
	Expr string  // as written, without spaces
	A    float64 // the constant
	Op   byte    // '/' (A/x), '*' (A*x) or 0 (the constant A)
}

// ParseRef parses --ref: "A/x", "A*x" (also "x*A") or "A", A a number.
func ParseRef(s string) (*Ref, error) {
	e := strings.ReplaceAll(s, " ", "")
	bad := fmt.Errorf("%q: want A/x, A*x or A with A a number, e.g. 2/x", s)
	r := &Ref{Expr: e}
	num := e
	switch {
	case strings.HasSuffix(e, "/x"):
		r.Op, num = '/', strings.TrimSuffix(e, "/x")
	case strings.HasSuffix(e, "*x"):
		r.Op, num = '*', strings.TrimSuffix(e, "*x")
	case strings.HasPrefix(e, "x*"):
		r.Op, num = '*', strings.TrimPrefix(e, "x*")
	}
	a, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return nil, bad
	}
	r.A = a
	return r, nil
}

// At is the curve's value at x.
func (r *Ref) At(x float64) float64 {
	switch r.Op {
	case '/':
		return r.A / x
	case '*':
		return r.A * x
	}
	return r.A
}

// Label is the legend text: the expression with x named, "2/stepsize".
func (r *Ref) Label(xName string) string {
	a := strconv.FormatFloat(r.A, 'g', -1, 64)
	switch r.Op {
	case '/':
		return a + "/" + xName
	case '*':
		return a + "*" + xName
	}
	return a
}
