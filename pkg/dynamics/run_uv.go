package dynamics

// The uv model's per-step elementwise work with the kernels of internal/kernel (UVStep,
// UVBetaSum): the same operations as uvModel.pullback + runner.gradientStep and uvModel.beta +
// the sum in runner.evaluate, four coordinates per instruction in the assembly. The runner
// calls them when runner.uvAsm is set (the model is uvModel and its kernels are Vectorised).

// uvGradientStep is gradientStep for the uv model: gu = v g, gv = u g, u -= gamma gu,
// v -= gamma gv.
func (r *runner) uvGradientStep() {
	d := len(r.g)
	r.k.UVStep(r.w[:d], r.w[d:2*d], r.g, r.gw[:d], r.gw[d:2*d], r.gamma)
}

// uvBetaSum sets beta = u v and returns sum_i beta_i, added in index order from 0.
func (r *runner) uvBetaSum() float64 {
	d := len(r.beta)
	return r.k.UVBetaSum(r.w[:d], r.w[d:2*d], r.beta)
}
