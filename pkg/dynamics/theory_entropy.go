package dynamics

import "math"

// HyperbolicEntropy returns the hyperbolic entropy of docs/science.md section 4 (Woodworth2020,
// Even2023), with one scale a_i > 0 per coordinate:
//
//	psi_a(beta) = 1/2 sum_i [ beta_i arcsinh(beta_i/a_i^2) - sqrt(beta_i^2 + a_i^4) + a_i^2 ].
//
// Gradient flow on "uv" from init alpha is mirror flow with the potential psi_alpha. Each term
// is evaluated as a_i^2 [t arcsinh t - t^2/(sqrt(1+t^2) + 1)]/2 with t = beta_i/a_i^2, which
// equals the formula above without its cancellation for |beta_i| << a_i^2. It panics if the
// lengths differ.
func HyperbolicEntropy(beta, a []float64) float64 {
	a = a[:len(beta)]
	var s float64
	for i, b := range beta {
		a2 := float64(a[i] * a[i])
		t := b / a2
		s += float64(a2 * (float64(t*math.Asinh(t)) - float64(t*t)/(math.Sqrt(1+float64(t*t))+1)))
	}
	return s / 2
}

// HyperbolicEntropyGrad sets dst = grad psi_a(beta) = arcsinh(beta/a^2)/2 (elementwise,
// docs/science.md section 4).
func HyperbolicEntropyGrad(dst, beta, a []float64) {
	a = a[:len(beta)]
	dst = dst[:len(beta)]
	for i, b := range beta {
		dst[i] = math.Asinh(b/float64(a[i]*a[i])) / 2
	}
}

// HyperbolicBregman returns the Bregman divergence of psi_a (docs/science.md section 4),
// D(beta, beta0) = psi_a(beta) - psi_a(beta0) - <grad psi_a(beta0), beta - beta0> >= 0, the
// objective whose minimiser over {X beta = y} is the implicit-bias prediction of Even2023
// (with a = alpha_inf, beta0 = beta~0).
func HyperbolicBregman(beta, beta0, a []float64) float64 {
	g := make([]float64, len(beta0))
	HyperbolicEntropyGrad(g, beta0, a)
	s := HyperbolicEntropy(beta, a) - HyperbolicEntropy(beta0, a)
	for i, b := range beta {
		s -= float64(g[i] * (b - beta0[i]))
	}
	return s
}
