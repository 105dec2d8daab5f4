package dynamics

import "math"

// uvModel is the "uv" diagonal linear network (docs/science.md section 2; Even2023, Pesme2021):
// beta = u (.) v, with w = [u; v] (u = w[:d], v = w[d:]). Initialisation u0 = sqrt(2)*alpha*1,
// v0 = 0, so beta0 = 0; equivalently w+- = (u +- v)/sqrt(2) start at alpha.
// Chain rule: grad_u F = v (.) g, grad_v F = u (.) g with g = grad L(beta).
type uvModel struct{}

func (uvModel) numParams(d int) int { return 2 * d }

func (uvModel) init(w []float64, alpha float64) {
	d := len(w) / 2
	u0 := math.Sqrt2 * alpha
	for i := range d {
		w[i] = u0
		w[d+i] = 0
	}
}

func (uvModel) beta(w, beta []float64) {
	d := len(beta)
	u, v := w[:d], w[d:2*d]
	for i := range beta {
		beta[i] = u[i] * v[i]
	}
}

func (uvModel) pullback(w, g, gw []float64) {
	d := len(g)
	u, v := w[:d], w[d:2*d]
	gu, gv := gw[:d], gw[d:2*d]
	for i, gi := range g {
		gu[i] = v[i] * gi
		gv[i] = u[i] * gi
	}
}
