package dynamics

import "slices"

// hb is Polyak's heavy-ball method (docs/science.md section 3; Lyu2025, Papazov2024):
//
//	w_{k+1} = w_k - gamma grad F(w_k) + mu (w_k - w_{k-1}),   mu = Config.Momentum in [0, 1),
//
// started at rest, w_{-1} = w_0. Evaluated as (w_k - gamma grad F(w_k)) + mu (w_k - w_{k-1}),
// so mu = 0 is gd bit for bit. Papazov2024: the trajectory is governed by gamma/(1-mu)^2.
//
// Gain bookkeeping: r.g is grad L(beta(w_k)), the gradient the step evaluates. The exact gain
// identity of Even2023 does not hold for mu > 0 (the update is not a product of factors
// (1 -+ gamma g)), so gain_l1 is then only the gd-style sum of q(gamma g_k).
type hb struct {
	mu   float64
	prev []float64 // w_{k-1}
}

func newHB(r *runner) optimizer {
	return &hb{mu: r.cfg.Momentum, prev: slices.Clone(r.w)}
}

func (o *hb) step(r *runner) {
	r.k.GradientRows(r.data.X, r.res, nil, r.g)
	r.model.pullback(r.w, r.g, r.gw)
	gw, prev := r.gw[:len(r.w)], o.prev[:len(r.w)]
	for i, wi := range r.w {
		r.w[i] = (wi - float64(r.gamma*gw[i])) + float64(o.mu*(wi-prev[i]))
		prev[i] = wi
	}
}
