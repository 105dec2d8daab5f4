package phase

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// maxCategories is the most unevenly spaced values drawn as a categorical axis; more are
// taken for a continuum (AxisKind).
const maxCategories = 12

// AxisKind decides how an axis of the distinct ascending values vs is drawn so that its ticks
// sit at the values: categorical (equally spaced, one tick per value) for at most two values
// or for up to maxCategories unevenly spaced ones (momentum 0, 0.5, 0.8, 0.9, 0.95), log for
// log-spaced values (IsLogSpaced), linear for evenly spaced ones (IsLinSpaced). More uneven
// values than maxCategories are a continuum: log when positive over more than two decades.
func AxisKind(vs []float64) (log, cat bool) {
	n := len(vs)
	switch {
	case n <= 2:
		return false, true
	case IsLogSpaced(vs):
		return true, false
	case IsLinSpaced(vs):
		return false, false
	case n <= maxCategories:
		return false, true
	}
	return vs[0] > 0 && vs[n-1] > 100*vs[0], false
}

// IsLinSpaced reports whether vs (ascending, distinct, at least three) have a constant
// difference (relative tolerance 1e-6 of it).
func IsLinSpaced(vs []float64) bool {
	if len(vs) < 3 {
		return false
	}
	d := vs[1] - vs[0]
	if !(d > 0) || math.IsInf(d, 0) {
		return false
	}
	for i := 2; i < len(vs); i++ {
		if math.Abs(vs[i]-vs[i-1]-d) > 1e-6*d {
			return false
		}
	}
	return true
}

// Axis is how one axis of a figure maps values to the plot: Values are the distinct values
// of the data (ascending); with Cat the plot coordinate of Values[i] is i (Labels[i] its tick
// label when set, else the value's ShortLabels), with Log the axis is logarithmic.
type Axis struct {
	Values []float64
	Labels []string
	Log    bool
	Cat    bool
	// Ticked labels the ticks at the values: a few evenly spaced values on a linear axis (at
	// most maxCategories), or log-spaced ones on a log axis (at most maxLogTicked).
	Ticked bool
}

// maxLogTicked is the most log-spaced values a log axis labels at the values themselves
// (lippl2024's n = 5, 10, 20, 40); more get decadeTicks.
const maxLogTicked = 6

// newAxis is the axis of values vs, drawn log, categorically or linearly.
func newAxis(vs []float64, labels []string, log, cat bool) Axis {
	ticked := !cat && len(vs) <= maxCategories && (len(vs) < 3 || IsLinSpaced(vs))
	if log {
		ticked = len(vs) <= maxLogTicked && IsLogSpaced(vs)
	}
	return Axis{Values: vs, Labels: labels, Log: log, Cat: cat, Ticked: ticked}
}

// Plot is the plot coordinate of value v: v, or on a categorical axis its fractional index,
// linear between neighbouring values (and past the ends by the nearest step).
func (a Axis) Plot(v float64) float64 {
	if !a.Cat {
		return v
	}
	vs := a.Values
	n := len(vs)
	if n == 1 {
		return v - vs[0]
	}
	i, _ := slices.BinarySearch(vs, v)
	i = max(1, min(n-1, i))
	return float64(i-1) + (v-vs[i-1])/(vs[i]-vs[i-1])
}

// Lin is v in the coordinate in which the axis is linear on the page: log10 v on a log axis,
// Plot(v) otherwise; Unlin is its inverse. Contours interpolate in it.
func (a Axis) Lin(v float64) float64 {
	if a.Log {
		return math.Log10(v)
	}
	return a.Plot(v)
}

// Unlin is the value at page-linear coordinate u (the inverse of Lin).
func (a Axis) Unlin(u float64) float64 {
	switch {
	case a.Log:
		return math.Pow(10, u)
	case !a.Cat:
		return u
	}
	vs := a.Values
	n := len(vs)
	if n == 1 {
		return vs[0] + u
	}
	i := max(1, min(n-1, int(math.Floor(u))+1))
	return vs[i-1] + (u-float64(i-1))*(vs[i]-vs[i-1])
}

// Edges are the cell boundaries around the values in plot coordinates: halfway between
// neighbours (geometrically on a log axis), the ends extended by half a step.
func (a Axis) Edges() []float64 {
	if !a.Cat {
		return edges(a.Values, a.Log)
	}
	out := make([]float64, len(a.Values)+1)
	for i := range out {
		out[i] = float64(i) - 0.5
	}
	return out
}

// set sets p's axis pa to a: scale and ticks.
func (a Axis) set(pa *plot.Axis) {
	switch {
	case a.Log && a.Ticked:
		pa.Scale, pa.Tick.Marker = plot.LogScale{}, valueTicks{values: a.Values}
	case a.Log:
		pa.Scale, pa.Tick.Marker = plot.LogScale{}, decadeTicks{}
	case a.Cat:
		labels := a.Labels
		if labels == nil {
			labels = ShortLabels(a.Values)
		}
		var ts []plot.Tick
		for i, l := range labels {
			ts = append(ts, plot.Tick{Value: float64(i), Label: l})
		}
		pa.Tick.Marker = plot.ConstantTicks(ts)
	case a.Ticked:
		var ts []plot.Tick
		for i, l := range ShortLabels(a.Values) {
			ts = append(ts, plot.Tick{Value: a.Values[i], Label: l})
		}
		pa.Tick.Marker = plot.ConstantTicks(ts)
	default:
		pa.Tick.Marker = linTicks{}
	}
}

// valueTicks label a log axis at its values, with decadeTicks' ticks unlabelled between them.
type valueTicks struct{ values []float64 }

// Ticks implements plot.Ticker.
func (v valueTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for i, l := range ShortLabels(v.values) {
		ts = append(ts, plot.Tick{Value: v.values[i], Label: l})
	}
	for _, t := range (decadeTicks{}).Ticks(min, max) {
		if !slices.ContainsFunc(v.values, func(x float64) bool { return math.Abs(x-t.Value) <= 1e-9*x }) {
			ts = append(ts, plot.Tick{Value: t.Value})
		}
	}
	return ts
}

// ShortLabels are labels of the values vs in the shortest form that tells them apart and does
// not round a short value: k significant digits, the fewest for which the labels differ but no
// fewer than a value's own digits up to three (0.05 and 0.2, not 0.00 and 0.25; 0.75 and 0.9,
// not 0.8 and 0.9; 0.0125; 0.0316 for 10^-1.5), written plainly from 1e-4 to 1e5 and in
// exponent form outside. A value so written selects the value it came from in --where
// (Filter).
func ShortLabels(vs []float64) []string {
	own := 1
	for _, v := range vs {
		own = max(own, min(3, sigDigits(strconv.FormatFloat(v, 'g', -1, 64))))
	}
	out := make([]string, len(vs))
	for k := own; k <= 17; k++ {
		seen := map[string]bool{}
		ok := true
		for i, v := range vs {
			out[i] = formatSig(v, k)
			if seen[out[i]] {
				ok = false
			}
			seen[out[i]] = true
		}
		if ok {
			break
		}
	}
	return out
}

// formatSig writes v with at most k significant digits (trailing zeros dropped), plainly
// when 1e-4 <= |v| < 1e5, else as 1e-05.
func formatSig(v float64, k int) string {
	s := strconv.FormatFloat(v, 'g', k, 64)
	if a := math.Abs(v); strings.Contains(s, "e") && a >= 1e-4 && a < 1e5 {
		r, _ := strconv.ParseFloat(s, 64)
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	return s
}

// linTicks are gonum's default ticks of a linear axis labelled by ShortLabels (gonum writes
// all labels with one precision: 0.00 and 0.25 for 0.05 and 0.2).
type linTicks struct{}

// Ticks implements plot.Ticker.
func (linTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	var major []float64
	for _, t := range ts {
		if t.Label != "" {
			major = append(major, t.Value)
		}
	}
	labels := ShortLabels(major)
	i := 0
	for k := range ts {
		if ts[k].Label != "" {
			ts[k].Label = labels[i]
			i++
		}
	}
	return ts
}

// decadeTicks marks a log axis with at least three labelled ticks: at the powers of ten in the
// range when there are three or more (every k-th when more than maxDecadeLabels), else at the
// first of the multiples {1, 3}, {1, 2, 5}, {1, ..., 9} of powers of ten that gives three,
// else at the range's ends and middle too. Unlabelled ticks mark the other decades and, over at
// most four decades, the multiples 2..9.
type decadeTicks struct{}

// maxDecadeLabels is the most labelled powers of ten on a log axis.
const maxDecadeLabels = 8

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	lo, hi := int(math.Floor(math.Log10(min)+1e-9)), int(math.Floor(math.Log10(max)+1e-9))
	in := func(v float64) bool { return v >= min*(1-1e-9) && v <= max*(1+1e-9) }
	var labelled []float64
	for _, ms := range [][]float64{{1}, {1, 3}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}} {
		labelled = labelled[:0]
		for e := lo; e <= hi; e++ {
			for _, m := range ms {
				if v := m * math.Pow(10, float64(e)); in(v) {
					labelled = append(labelled, v)
				}
			}
		}
		if len(labelled) >= 3 {
			break
		}
	}
	if len(labelled) < 3 { // less than a factor of two: the ends and the geometric middle
		labelled = []float64{min, math.Sqrt(min * max), max}
	}
	if n := len(labelled); n > maxDecadeLabels {
		every := (n + maxDecadeLabels - 1) / maxDecadeLabels
		var kept []float64
		for i, v := range labelled {
			if i%every == 0 {
				kept = append(kept, v)
			}
		}
		labelled = kept
	}
	labels := ShortLabels(labelled)
	var ts []plot.Tick
	for i, v := range labelled {
		ts = append(ts, plot.Tick{Value: v, Label: labels[i]})
	}
	for e := lo; e <= hi+1; e++ {
		for m := 1.0; m < 10; m++ {
			if m > 1 && hi-lo > 4 {
				break
			}
			v := m * math.Pow(10, float64(e))
			if in(v) && !slices.ContainsFunc(labelled, func(l float64) bool { return math.Abs(l-v) <= 1e-9*v }) {
				ts = append(ts, plot.Tick{Value: v})
			}
		}
	}
	return ts
}
