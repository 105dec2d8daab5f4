package dynamics

// flow is gradient flow dw/dt = -grad F(w) (docs/science.md section 3), integrated accurately
// by the adaptive Dormand-Prince 5(4) Runge-Kutta pair (dopri, ode.go) at tolerance
// FlowTolerance. Config.Stepsize is not a step of the integrator but the time between
// recorded iterates: one "step" of the run integrates over [t, t + stepsize], so after k
// steps the time is k*stepsize, steps*stepsize is the horizon, and int_loss =
// sum_k stepsize L(t_k) is the left Riemann sum of int L dt on the recording grid.
//
// Gain bookkeeping: gradient flow on uv conserves u^2 - v^2, so alpha_eff = alpha exactly and
// the gain of Even2023 is 0 (it is O(gamma) for gd and vanishes as gamma -> 0). The step sets
// r.g = 0, so gain_l1 = 0 (exact for uv) and max_gamma_g = 0.
type flow struct {
	dopri
	g  []float64 // grad L at a stage, length d
	ev evalBuf
}

func newFlow(r *runner) optimizer {
	o := &flow{g: make([]float64, r.data.D), ev: newEvalBuf(r)}
	o.dopri = newDopri(len(r.w), FlowTolerance, func(y, out []float64) { o.rhs(r, y, out) })
	return o
}

// rhs sets out = -grad F(y).
func (o *flow) rhs(r *runner, y, out []float64) {
	o.ev.gradAt(r, y, o.g, out)
	for i, x := range out {
		out[i] = -x
	}
}

func (o *flow) step(r *runner) {
	clear(r.g)
	o.advance(r.w, r.gamma)
}
