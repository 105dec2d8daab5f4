package activities

import (
	"context"
	"math"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// gammaMaxRelTol is the relative precision of the gamma_max column (record.gamma_max).
const gammaMaxRelTol = 1e-3

// gammaMaxes remembers gamma_max per configuration within a chunk: points that differ only in
// their stepsize (and so in their run seed) share it (dynamics.PointGammaMax).
type gammaMaxes map[dynamics.Config]float64

// of returns gamma_max for the point c on data; NaN where the bisection has no answer (the
// smallest stepsize does not converge within the run's steps, or every stepsize converges).
func (m gammaMaxes) of(ctx context.Context, c dynamics.Config, data *dynamics.Data) float64 {
	key := c
	key.Stepsize, key.RunSeed = 0, 0
	if g, ok := m[key]; ok {
		return g
	}
	g, err := dynamics.PointGammaMax(ctx, c, data, gammaMaxRelTol)
	if err != nil {
		g = math.NaN()
	}
	m[key] = g
	return g
}
