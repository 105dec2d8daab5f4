package dynamics

// The uv model's per-step elementwise work with the AVX2 kernels (kernel_amd64.go): the same
// operations as uvModel.pullback + runner.gradientStep and uvModel.beta + the sum in
// runner.evaluate, four coordinates per instruction, the last d mod 4 in Go. The runner
// calls them when runner.uvAsm is set (the model is uvModel and the CPU has AVX2).

// uvGradientStep is gradientStep for the uv model: gu = v g, gv = u g, u -= gamma gu,
// v -= gamma gv.
func (r *runner) uvGradientStep() {
	d := len(r.g)
	u, v, gu, gv := r.w[:d], r.w[d:2*d], r.gw[:d], r.gw[d:2*d]
	d4 := d &^ 3
	if d4 > 0 {
		uvUpdate(&u[0], &v[0], &r.g[0], &gu[0], &gv[0], d4, r.gamma)
	}
	for i := d4; i < d; i++ {
		gi := r.g[i]
		gu[i], gv[i] = v[i]*gi, u[i]*gi
		u[i] -= float64(r.gamma * gu[i])
		v[i] -= float64(r.gamma * gv[i])
	}
}

// uvBetaSum sets beta = u v and returns sum_i beta_i, added in index order from 0.
func (r *runner) uvBetaSum() float64 {
	d := len(r.beta)
	u, v := r.w[:d], r.w[d:2*d]
	d4 := d &^ 3
	var s float64
	if d4 > 0 {
		s = uvBeta(&u[0], &v[0], &r.beta[0], d4, 0)
	}
	for i := d4; i < d; i++ {
		r.beta[i] = u[i] * v[i]
		s += r.beta[i]
	}
	return s
}
