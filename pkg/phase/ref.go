package phase

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Ref is a reference curve y = A x^P drawn on a line plot: 2/x against the stepsize is the
// edge of stability, where gd's final sharpness sits just below 2/gamma (Even2023;
// docs/science.md section 4, "Sharpness"); A*x^2 is a line of slope 2 on log-log axes, the
// error order of a second-order method (Lyu2025). P = 0 is the constant A.
type Ref struct {
	Expr string  // as written, without spaces
	A    float64 // the constant
	P    float64 // the power of x (0: a constant, -1: A/x)
}

// refNum is a number as ParseRef takes it (strconv.ParseFloat checks it afterwards).
const refNum = `[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?`

// The forms of --ref: A*x^p (A* and ^p optional, also x^p*A) and A/x^p (^p optional).
var (
	refTimes = regexp.MustCompile(`^(?:(` + refNum + `)\*)?x(?:\^\(?(` + refNum + `)\)?)?(?:\*(` + refNum + `))?$`)
	refOver  = regexp.MustCompile(`^(` + refNum + `)/x(?:\^\(?(` + refNum + `)\)?)?$`)
)

// ParseRef parses --ref: "A" (a constant), "A*x^p" (also "x^p", "A*x", "x*A"; p may be
// negative or fractional) or "A/x^p" (also "A/x"), A and p numbers.
func ParseRef(s string) (*Ref, error) {
	e := strings.ReplaceAll(s, " ", "")
	bad := fmt.Errorf("%q: want A, A*x^p or A/x^p with A and p numbers (A*x for p = 1, A/x for p = -1), e.g. 2/x or 0.5*x^2", s)
	num := func(t, def string) (float64, bool) {
		if t == "" {
			t = def
		}
		v, err := strconv.ParseFloat(t, 64)
		return v, err == nil && !math.IsInf(v, 0)
	}
	r := &Ref{Expr: e}
	var okA, okP bool
	switch {
	case refTimes.MatchString(e):
		m := refTimes.FindStringSubmatch(e)
		if m[1] != "" && m[3] != "" {
			return nil, bad // A*x*B
		}
		r.A, okA = num(m[1]+m[3], "1")
		r.P, okP = num(m[2], "1")
	case refOver.MatchString(e):
		m := refOver.FindStringSubmatch(e)
		r.A, okA = num(m[1], "")
		r.P, okP = num(m[2], "1")
		r.P = -r.P
	default:
		r.A, okA = num(e, "")
		okP = true
	}
	if !okA || !okP {
		return nil, bad
	}
	return r, nil
}

// At is the curve's value at x.
func (r *Ref) At(x float64) float64 {
	if r.P == 0 {
		return r.A
	}
	return r.A * math.Pow(x, r.P)
}

// Label is the legend text: the expression with x named, "2/stepsize", "0.5*stepsize^2",
// "stepsize^3" (A = 1).
func (r *Ref) Label(xName string) string {
	a := strconv.FormatFloat(r.A, 'g', -1, 64)
	pow := func(p float64) string {
		if p == 1 {
			return xName
		}
		return xName + "^" + strconv.FormatFloat(p, 'g', -1, 64)
	}
	switch {
	case r.P == 0:
		return a
	case r.P < 0:
		return a + "/" + pow(-r.P)
	case r.A == 1:
		return pow(r.P)
	}
	return a + "*" + pow(r.P)
}
