package dynamics

import (
	"math"

	"github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"
)

// GainQ returns q(x) = -ln|1 - x^2|, the per-step gain of Even2023 (docs/science.md section 4):
// a gd or sgd step with gradient g multiplies u+v by 1 - gamma g and u-v by 1 + gamma g, so
// |u^2 - v^2| is multiplied by |1 - (gamma g)^2| = exp(-q(gamma g)). q(x) >= 0 for |x| < 1,
// +Inf at |x| = 1, and negative for |x| > sqrt(2). It uses log1p(-x^2) for |x| < 1/2 and
// ln|(1-x)(1+x)| otherwise, both accurate to a few ulps.
func GainQ(x float64) float64 { return kernel.GainQ(x) }

// EffectiveInit sets dst_i = alpha_eff_i = sqrt(|u_i^2 - v_i^2| / 2) (Even2023, docs/science.md
// section 4), computed as sqrt(|(u_i + v_i)(u_i - v_i)| / 2) to avoid cancellation.
func EffectiveInit(dst, u, v []float64) {
	for i := range dst {
		dst[i] = math.Sqrt(math.Abs((u[i]+v[i])*(u[i]-v[i])) / 2)
	}
}

// PredictedEffectiveInit sets dst_i = alpha exp(-Gain_i / 2), which equals alpha_eff_i of a
// gd or sgd run on "uv" started at init alpha (the gain identity, Even2023, exact up to
// rounding).
func PredictedEffectiveInit(dst []float64, alpha float64, gain []float64) {
	for i := range dst {
		dst[i] = alpha * math.Exp(-gain[i]/2)
	}
}
