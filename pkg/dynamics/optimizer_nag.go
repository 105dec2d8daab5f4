package dynamics

import "slices"

// nag is Nesterov's accelerated gradient in the form of docs/science.md section 3:
//
//	y_k     = w_k + mu (w_k - w_{k-1})
//	w_{k+1} = y_k - gamma grad F(y_k),            mu = Config.Momentum in [0, 1),
//
// started at rest, w_{-1} = w_0. With mu = 0, y_k = w_k and the step is gd bit for bit.
// Papazov2024: small lambda = gamma/(1-mu)^2 favours sparsity.
//
// Gain bookkeeping: r.g is grad L(beta(y_k)), the gradient at the lookahead point that the
// step uses. The exact gain identity of Even2023 does not hold for mu > 0.
type nag struct {
	mu   float64
	prev []float64 // w_{k-1}
	y    []float64 // lookahead point
	ev   evalBuf
}

func newNAG(r *runner) optimizer {
	return &nag{mu: r.cfg.Momentum, prev: slices.Clone(r.w), y: make([]float64, len(r.w)), ev: newEvalBuf(r)}
}

func (o *nag) step(r *runner) {
	w := r.w
	y, prev := o.y[:len(w)], o.prev[:len(w)]
	for i, wi := range w {
		y[i] = wi + float64(o.mu*(wi-prev[i]))
	}
	o.ev.gradAt(r, y, r.g, r.gw)
	gw := r.gw[:len(w)]
	for i, wi := range w {
		prev[i] = wi
		w[i] = y[i] - float64(r.gamma*gw[i])
	}
}
