package dynamics

import "slices"

// MaxFlowOrder is the highest Config.Order of hb_flow.
const MaxFlowOrder = 3

// hbFlow is the continuous-time model of heavy ball of Lyu2025: the flow dw/dt = f(w) whose
// solution, read at the heavy-ball times t_k = k gamma, follows the iterates of
//
//	w_{k+1} = w_k - gamma G(w_k) + mu (w_k - w_{k-1}),   w_{-1} = w_0   (hb, G = grad F)
//
// up to O(gamma^p) at a fixed time, p = Config.Order. With c = 1/(1 - mu), S = Hess F(w) and
// T(., .) the third derivative of F (curvedModel), f is the expansion
//
//	p = 1:  f = -c G
//	p = 2:  f = -c G - gamma (1 + mu) c^3 / 2  S G
//	           = -c grad [F + gamma (1 + mu) c^2 / 4 ||G||^2]   (the implicit regulariser)
//	p = 3:  f = (p = 2) + gamma^2 [(c^3/6 - (1 + mu)^2 c^5 / 2) S^2 G
//	                            + (c^3/6 - (1 + mu)^2 c^5 / 4) T(G, G)]
//
// obtained by asking the flow to satisfy heavy ball's recursion to the next order: with
// h = gamma, w(t + h) - w(t) - mu (w(t) - w(t - h)) = -h G(w(t)) reads
// (1 - mu) w^(1) + (1 + mu) h/2 w^(2) + (1 - mu) h^2/6 w^(3) + O(h^3) = -G, and
// w^(1) = f, w^(2) = Df f, w^(3) = D^2f(f, f) + Df Df f are expanded in powers of h
// (Lyu2025's counter terms). At mu = 0
// this is gd's modified equation, -G - h/2 S G - h^2 (S^2 G/3 + T(G, G)/12) (Hairer, Lubich &
// Wanner, Geometric Numerical Integration, IX.1).
//
// The start: heavy ball starts at rest and reaches the flow's velocity after about 1/(1 - mu)
// steps, so the flow must start where heavy ball's slow motion extrapolates back to at t = 0.
// Summing the recursion gives the exact invariant (1 - mu) w_K + mu (w_K - w_{K-1}) +
// h sum_{k<K} G(w_k) = (1 - mu) w_0, which the flow's samples keep up to the residual of the
// recursion. Matching it once heavy ball's transient e_k = -h mu^(k+1) c^2 G(w_0) has died out
// (whose gradients add h sum_k S e_k = -h^2 mu c^3 S G(w_0) to the sum) puts the start at
//
//	w~_0 = w_0 + gamma mu c^2 G(w_0)                         (p = 2)
//	     + gamma^2 mu (2 + mu) c^4 S(w_0) G(w_0)             (p = 3)
//
// (p = 1 starts at w_0). For G = lambda w both terms are the expansion of the weight of the
// slow root of r^2 - (1 + mu - gamma lambda) r + mu in heavy ball's solution. To first order
// the shift is a shift of the flow's time by gamma mu c, so without it the error of p >= 2
// falls back to O(gamma) (times the flow's velocity at the time compared, Lyu2025).
//
// The run's iterate at step k is the flow at time k gamma from w~_0, integrated by dopri at
// FlowTolerance, so steps, trajectories and their time line up with those of hb.
//
// Within the run a discrete heavy ball with the same stepsize and momentum is stepped
// alongside (bit for bit the iterates of optimizer hb), so that the result reports the
// discretisation gap hb_gap = ||beta_flow - beta_hb||_2 and hb_gap_w = ||w_flow - w_hb||_2 at
// the last step. Gain bookkeeping as flow: r.g = 0.
type hbFlow struct {
	dopri
	m     curvedModel
	mu    float64
	gamma float64
	order int
	split int     // intervals per step (hbFlowOptions.split)
	c     float64 // 1/(1 - mu)
	k1    float64 // (1 + mu) c^3 / 2
	a2    float64 // c^3/6 - (1 + mu)^2 c^5 / 2
	b2    float64 // c^3/6 - (1 + mu)^2 c^5 / 4

	ev              evalBuf
	g               []float64 // grad L at a stage, length d
	gw, sg, ssg, tt []float64 // G, S G, S^2 G, scratch (length 2d)
	tmp             []float64 // scratch, length 2d
	jd, z, z2       []float64 // scratch, length d
	xres, zeroN     []float64 // scratch X p and zeros, length n

	hb     []float64 // the discrete heavy ball's w_k
	hbPrev []float64 // its w_{k-1}
	hbG    []float64 // its grad L, length d
	hbGW   []float64 // its grad F, length 2d
	hbEv   evalBuf
}

// hbFlowOptions are settings of hbFlow that tests change (Config has no field for them).
type hbFlowOptions struct {
	tol     float64 // integrator tolerance (FlowTolerance)
	noShift bool    // start the flow at w_0 whatever the order
	split   int     // integrate each step as split intervals of stepsize/split (0 means 1)
}

func newHBFlow(r *runner) optimizer {
	return newHBFlowWith(r, hbFlowOptions{tol: FlowTolerance})
}

// newHBFlowWith builds hbFlow for the runner's initial w and moves r.w to the flow's start.
func newHBFlowWith(r *runner, opt hbFlowOptions) *hbFlow {
	p, d, n := len(r.w), r.data.D, r.data.N
	mu := r.cfg.Momentum
	c := 1 / (1 - mu)
	c3 := c * c * c
	o := &hbFlow{
		m: r.model.(curvedModel), mu: mu, gamma: r.gamma, order: r.cfg.Order, split: max(opt.split, 1), c: c,
		k1: (1 + mu) * c3 / 2,
		a2: c3/6 - (1+mu)*(1+mu)*c3*c*c/2,
		b2: c3/6 - (1+mu)*(1+mu)*c3*c*c/4,
		ev: newEvalBuf(r), g: make([]float64, d),
		gw: make([]float64, p), sg: make([]float64, p), ssg: make([]float64, p), tt: make([]float64, p), tmp: make([]float64, p),
		jd: make([]float64, d), z: make([]float64, d), z2: make([]float64, d),
		xres: make([]float64, n), zeroN: make([]float64, n),
		hb: slices.Clone(r.w), hbPrev: slices.Clone(r.w), hbG: make([]float64, d), hbGW: make([]float64, p), hbEv: newEvalBuf(r),
	}
	o.dopri = newDopri(p, opt.tol, func(y, out []float64) { o.rhs(r, y, out) })
	if o.order >= 2 && mu != 0 && !opt.noShift {
		o.shift(r, r.w)
	}
	return o
}

// shift moves w from heavy ball's start w_0 to the flow's start w~_0 (see hbFlow): the
// O(gamma) term for order >= 2, the O(gamma^2) one for order 3.
func (o *hbFlow) shift(r *runner, w []float64) {
	o.ev.gradAt(r, w, o.g, o.gw)
	a1 := float64(o.gamma*o.mu) * (o.c * o.c)
	if o.order >= 3 {
		o.hessVec(r, w, o.gw, o.sg, o.z)
		a2 := float64(o.gamma*o.gamma) * o.mu * (2 + o.mu) * (o.c * o.c * o.c * o.c)
		for i := range w {
			w[i] += float64(a2 * o.sg[i])
		}
	}
	for i := range w {
		w[i] += float64(a1 * o.gw[i])
	}
}

// applyH sets out = H x = X^T (X x) / n.
func (o *hbFlow) applyH(r *runner, x, out []float64) {
	r.k.SumSquaredResiduals(r.data.X, o.zeroN, x, o.xres)
	r.k.GradientRows(r.data.X, o.xres, nil, out)
}

// hessVec sets out = S(y) p, with o.g = grad L(beta(y)) already set, and z = H J p.
func (o *hbFlow) hessVec(r *runner, y, p, out, z []float64) {
	o.m.jvp(y, p, o.jd)
	o.applyH(r, o.jd, z)
	o.m.pullback(y, z, out)
	o.m.hessPull(y, p, o.g, o.tmp)
	for i := range out {
		out[i] += o.tmp[i]
	}
}

// rhs sets out = f(y), the flow's vector field at order o.order.
func (o *hbFlow) rhs(r *runner, y, out []float64) {
	o.ev.gradAt(r, y, o.g, o.gw)
	for i, gi := range o.gw {
		out[i] = -float64(o.c * gi)
	}
	if o.order < 2 {
		return
	}
	o.hessVec(r, y, o.gw, o.sg, o.z) // o.z = H J G
	e1 := o.gamma * o.k1
	for i, s := range o.sg {
		out[i] -= float64(e1 * s)
	}
	if o.order < 3 {
		return
	}
	o.hessVec(r, y, o.sg, o.ssg, o.z2) // S^2 G
	// T(G, G) = J^T H b2(G) + 2 hessPull(G, H J G) + third(G, g), into o.tt
	o.m.hess2(y, o.gw, o.jd)
	o.applyH(r, o.jd, o.z2)
	o.m.pullback(y, o.z2, o.tt)
	o.m.hessPull(y, o.gw, o.z, o.tmp)
	for i, x := range o.tmp {
		o.tt[i] += 2 * x
	}
	o.m.third(y, o.gw, o.g, o.tmp)
	for i, x := range o.tmp {
		o.tt[i] += x
	}
	e2 := o.gamma * o.gamma
	for i := range out {
		out[i] += float64(e2 * (float64(o.a2*o.ssg[i]) + float64(o.b2*o.tt[i])))
	}
}

func (o *hbFlow) step(r *runner) {
	clear(r.g)
	// the discrete heavy ball, as hb.step
	o.hbEv.gradAt(r, o.hb, o.hbG, o.hbGW)
	for i, wi := range o.hb {
		o.hb[i] = (wi - float64(r.gamma*o.hbGW[i])) + float64(o.mu*(wi-o.hbPrev[i]))
		o.hbPrev[i] = wi
	}
	for range o.split {
		o.advance(r.w, r.gamma/float64(o.split))
	}
}

// setMetrics sets hb_gap and hb_gap_w (see hbFlow) on res.
func (o *hbFlow) setMetrics(r *runner, res *Result) {
	r.model.beta(o.hb, o.hbEv.beta)
	res.HBGap = distance(r.beta, o.hbEv.beta)
	res.HBGapW = distance(r.w, o.hb)
}

// orderErrors checks order: a given order is 1..MaxFlowOrder whatever the optimiser (as
// depth), hb_flow needs one, and hb_flow needs a model with closed-form curvature (uv, deep).
func (c Config) orderErrors() []error {
	var errs []error
	switch {
	case c.Order != 0 && (c.Order < 1 || c.Order > MaxFlowOrder):
		errs = append(errs, paramErrorf("order", "must be 1, 2 or 3, got %d", c.Order))
	case c.Order == 0 && c.Optimizer == OptimizerHBFlow:
		errs = append(errs, paramErrorf("order", "must be set for optimizer %q (1, 2 or 3: the flow's order in the stepsize)", OptimizerHBFlow))
	}
	if c.Optimizer == OptimizerHBFlow && !isMultiTask(c.Model) {
		if m, ok := lookupModel(c.Model); ok {
			if _, curved := m(c).(curvedModel); !curved {
				errs = append(errs, paramErrorf("optimizer", "%q needs model %q or %q, got %q", OptimizerHBFlow, ModelUV, ModelDeep, c.Model))
			}
		}
	}
	return errs
}

// modLossMomentum lists the optimisers whose modified loss ModLoss reports, with their
// momentum (-1: Config.Momentum): gd is heavy ball at mu = 0.
var modLossMomentum = map[string]float64{OptimizerGD: 0, OptimizerHB: -1, OptimizerHBFlow: -1}

// modifiedLoss returns heavy ball's modified loss at the runner's current iterate w (Lyu2025),
//
//	F~(w) = F(w) + gamma (1 + mu) / (4 (1 - mu)^2) ||grad F(w)||^2,
//
// the loss whose gradient flow, sped up by 1/(1 - mu), is hb_flow at order 2 (see hbFlow):
// heavy ball's implicit regulariser is this penalty on the gradient norm, gd's
// (F + gamma/4 ||grad F||^2) with gamma replaced by gamma (1 + mu)/(1 - mu)^2. At an
// interpolating minimum the penalty vanishes; along a run it measures how far the iterate is
// from the flat directions the penalty prefers. It allocates its buffers.
func modifiedLoss(r *runner, gamma, mu float64) float64 {
	ev := newEvalBuf(r)
	g, gw := make([]float64, r.data.D), make([]float64, len(r.w))
	loss := ev.gradAt(r, r.w, g, gw)
	lam := gamma * (1 + mu) / (4 * (1 - mu) * (1 - mu))
	return loss + lam*dot(gw, gw)
}
