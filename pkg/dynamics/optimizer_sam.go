package dynamics

import "math"

// sam is sharpness-aware minimisation (docs/science.md section 3; Andriushchenko2023 on
// diagonal networks):
//
//	w <- w - gamma grad F(w + rho grad F(w) / ||grad F(w)||_2),   rho = Config.Rho >= 0,
//
// the norm over the whole parameter vector w. When rho = 0 or grad F(w) = 0 (or its norm is
// not finite) the perturbation is dropped and the step is gd bit for bit: the ascent
// direction is undefined at a stationary point, and w itself is the natural limit.
//
// Gain bookkeeping: r.g is grad L at the perturbed point (the gradient the step applies).
// The exact gain identity of Even2023 does not hold for rho > 0, because the update of u uses
// the perturbed v.
type sam struct {
	rho float64
	y   []float64 // perturbed point
	ev  evalBuf
}

func newSAM(r *runner) optimizer {
	return &sam{rho: r.cfg.Rho, y: make([]float64, len(r.w)), ev: newEvalBuf(r)}
}

func (o *sam) step(r *runner) {
	r.k.GradientRows(r.data.X, r.res, nil, r.g)
	if o.rho == 0 {
		r.gradientStep()
		return
	}
	r.model.pullback(r.w, r.g, r.gw)
	w, gw, y := r.w, r.gw[:len(r.w)], o.y[:len(r.w)]
	var ss float64
	for _, x := range gw {
		ss += float64(x * x)
	}
	norm := math.Sqrt(ss)
	if norm == 0 || isNonFinite(norm) {
		for i := range w {
			w[i] -= float64(r.gamma * gw[i])
		}
		return
	}
	s := o.rho / norm
	for i, wi := range w {
		y[i] = wi + float64(s*gw[i])
	}
	o.ev.gradAt(r, y, r.g, r.gw)
	for i := range w {
		w[i] -= float64(r.gamma * gw[i])
	}
}
