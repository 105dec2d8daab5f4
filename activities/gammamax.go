package activities

import (
	"context"
	"math"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// gammaMaxRelTol is the relative precision of the gamma_max and gamma_div columns
// (record.gamma_max).
const gammaMaxRelTol = 1e-3

// thresholds are a configuration's gamma_max (the largest stepsize that converges, Even2023)
// and gamma_div (the largest that does not diverge).
type thresholds struct{ max, div float64 }

// gammaMaxes remembers the thresholds per configuration within a chunk: points that differ
// only in their stepsize (and so in their run seed) share them (dynamics.PointGammaMax,
// dynamics.PointGammaDiv).
type gammaMaxes map[dynamics.Config]thresholds

// of returns the thresholds of the point c on data; NaN where a search has no answer (no
// stepsize converges before one diverges, the smallest stepsize diverges, or every stepsize
// succeeds).
func (m gammaMaxes) of(ctx context.Context, c dynamics.Config, data *dynamics.Data) thresholds {
	key := c
	key.Stepsize, key.RunSeed = 0, 0
	if th, ok := m[key]; ok {
		return th
	}
	th := thresholds{max: math.NaN(), div: math.NaN()}
	if g, err := dynamics.PointGammaMax(ctx, c, data, gammaMaxRelTol); err == nil {
		th.max = g
	}
	if g, err := dynamics.PointGammaDiv(ctx, c, data, gammaMaxRelTol); err == nil {
		th.div = g
	}
	m[key] = th
	return th
}
