package dynamics

import "math"

// sgf is stochastic gradient flow (docs/science.md section 3; Pesme2021), integrated by
// Euler-Maruyama with dt = Config.Stepsize and eta = Config.Noise >= 0:
//
//	dw = -grad F(w) dt + sqrt(eta) sigma(w) dB_t,
//	sigma(w) dB = sqrt(2 L(beta)/n) J(w)^T X^T dB,   dB ~ N(0, dt I_n),
//
// J the Jacobian of beta(w); for uv, J^T z = [v (.) z; u (.) z] as in docs/science.md. One step,
// with xi ~ N(0, I_n) drawn from the run stream (n normals, row order) and dB = sqrt(dt) xi:
//
//	w <- w - dt J(w)^T g_eff,   g_eff = grad L(beta) - sqrt(2 eta L(beta) / (n dt)) X^T xi,
//
// which is the Euler-Maruyama step exactly (the noise term is J^T of a d-vector too). With
// eta = 0 nothing is drawn and the step is gd bit for bit. eta = gamma_SGD/b models SGD with
// stepsize gamma_SGD and batch b.
//
// Gain bookkeeping: r.g = g_eff. A step is then a gd step with gradient g_eff, so on uv the
// exact gain identity of Even2023 holds: alpha_eff = alpha exp(-Gain/2). Its mean increment
// per step is 2 eta H_ii L dt + O(dt^2), which is the shrinkage law of Pesme2021,
// alpha_eff,i(t) = alpha exp(-eta H_ii int_0^t L ds), in the limit dt -> 0 (int_loss is the
// left Riemann sum of that integral).
type sgf struct {
	eta float64
	xi  []float64 // n normals
	z   []float64 // X^T xi, length d
}

func newSGF(r *runner) optimizer {
	return &sgf{eta: r.cfg.Noise, xi: make([]float64, r.data.N), z: make([]float64, r.data.D)}
}

func (o *sgf) step(r *runner) {
	r.k.GradientRows(r.data.X, r.res, nil, r.g)
	if o.eta != 0 {
		d, n := len(o.z), len(o.xi)
		clear(o.z)
		for i := range o.xi {
			xi := r.rng.NormFloat64()
			o.xi[i] = xi
			addScaledRow(o.z, xi, r.data.X[i*d:(i+1)*d])
		}
		c := math.Sqrt(2 * o.eta * r.loss / (float64(n) * r.gamma))
		for j, zj := range o.z {
			r.g[j] -= float64(c * zj)
		}
	}
	r.gradientStep()
}
