package refine

import (
	"math"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// scale gives the value of one refined axis at every position, in units of the finest cell
// (res per coarse cell; position res k is the axis's k-th value).
//
// A linspace or logspace axis takes the value the denser axis with the same endpoints and
// res times as many gaps has there (spec.Axis.Dense): that is the arithmetic or geometric
// midpoint of its neighbours up to rounding, and bit for bit the value of a dense sweep that
// contains it. A written list has no denser form: the value between two neighbours at level
// l is their mean by the list's spacing (spec.Axis.Spacing), (a + b) / 2 or sqrt(a) sqrt(b),
// computed from the values of level l - 1.
type scale struct {
	ax        spec.Axis
	res       int64
	dense     spec.Axis
	generated bool
	geometric bool
	memo      map[int64]float64 // list axes: values computed so far
}

func newScale(ax spec.Axis, res int64) *scale {
	s := &scale{ax: ax, res: res, geometric: ax.Spacing() == spec.Geometric, memo: map[int64]float64{}}
	s.dense, s.generated = ax.Dense(int(res))
	return s
}

// at is the value at position q (0 <= q <= res (len - 1)).
func (s *scale) at(q int64) float64 {
	if s.generated {
		return s.dense.At(int(q), 0).Float
	}
	if q%s.res == 0 {
		return s.ax.At(int(q/s.res), 0).Float
	}
	if v, ok := s.memo[q]; ok {
		return v
	}
	// q is an odd multiple of step, its lowest set bit: its neighbours q -+ step are
	// positions of the level before.
	step := q & -q
	v := midpoint(s.at(q-step), s.at(q+step), s.geometric)
	s.memo[q] = v
	return v
}

// midpoint is the arithmetic or geometric mean of a and b.
func midpoint(a, b float64, geometric bool) float64 {
	if geometric {
		return math.Sqrt(a) * math.Sqrt(b) // sqrt(ab) without overflow or underflow of ab
	}
	return a + (b-a)/2
}
