package phase

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// EffectiveStepsize is the derived column stepsize/(1-momentum)^2: with heavy-ball or
// Nesterov momentum mu, the implicit bias of gd on diagonal linear networks depends on the
// stepsize gamma and mu only through lambda = gamma/(1-mu)^2 (Papazov2024; Lyu2025), so runs
// with equal effective stepsize line up on this axis.
const EffectiveStepsize = "effective_stepsize"

// WithDerived returns t with a column appended for each name that is a derived column
// (EffectiveStepsize) and not already in t; other names are left alone. It is an error when
// the columns a derived one needs are missing. Derived values are rounded to 12 significant
// digits, so that points laid out at equal lambda (Lyu2025's stepsize = lambda (1 - mu)^2)
// share one value on the axis: 0.0004/(1-0.9)^2 is 0.04000000000000001 in floating point.
func WithDerived(t *results.Table, names ...string) (*results.Table, error) {
	tb := newTable(t)
	if !slices.Contains(names, EffectiveStepsize) {
		return t, nil
	}
	if _, ok := tb.idx[EffectiveStepsize]; ok {
		return t, nil
	}
	cols, err := tb.numCols("stepsize", "momentum")
	if err != nil {
		return nil, fmt.Errorf("%s = stepsize/(1-momentum)^2 needs numeric columns stepsize and momentum: %w", EffectiveStepsize, err)
	}
	out := &results.Table{Fields: append(slices.Clip(t.Fields), results.Field{Name: EffectiveStepsize, Kind: results.Float}), Meta: t.Meta}
	for k, r := range t.Rows {
		gamma, mu := tb.num(k, cols[0]), tb.num(k, cols[1])
		row := append(slices.Clip(r), results.Value{F: roundSig(gamma/math.Pow(1-mu, 2), 12)})
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// roundSig is v rounded to k significant digits.
func roundSig(v float64, k int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', k, 64), 64)
	if err != nil {
		return v
	}
	return r
}
