package dynamics

// curvedModel is a model whose beta(w) is coordinate-wise, beta_i = B(x_i) with x_i the
// pair (w_i, w_{d+i}), and which also gives the derivatives DB, D2B, D3B of B: what the
// Hessian-vector products of F(w) = L(beta(w)) need (hb_flow, optimizer_hbflow.go). With the
// quadratic loss L (Hessian H = X^T X / n, gradient g) and p a direction in w:
//
//	S p        = J^T H (J p) + sum_i g_i D2B(x_i) p_i                          (Hessian of F)
//	T(p, p)    = J^T H b2(p) + 2 sum_i (H J p)_i D2B(x_i) p_i + sum_i g_i D3B(x_i)[p_i, p_i, .]
//
// (third derivative of F contracted twice), J the Jacobian of beta(w), b2(p)_i =
// p_i^T D2B(x_i) p_i and p_i = (p_i, p_{d+i}). uv and deep implement it.
type curvedModel interface {
	model
	// jvp sets out = J(w) p (length d), the derivative of beta in direction p.
	jvp(w, p, out []float64)
	// hessPull sets out (length 2d) to sum_i s_i D2B(x_i) p_i, pair by pair.
	hessPull(w, p, s, out []float64)
	// hess2 sets out_i = p_i^T D2B(x_i) p_i (length d).
	hess2(w, p, out []float64)
	// third sets out (length 2d) to sum_i s_i D3B(x_i)[p_i, p_i, .], pair by pair.
	third(w, p, s, out []float64)
}

// uv: B(u, v) = u v, DB = (v, u), D2B = [[0, 1], [1, 0]], D3B = 0.

func (uvModel) jvp(w, p, out []float64) {
	d := len(out)
	u, v := w[:d], w[d:2*d]
	for i := range out {
		out[i] = float64(v[i]*p[i]) + float64(u[i]*p[d+i])
	}
}

func (uvModel) hessPull(w, p, s, out []float64) {
	d := len(s)
	for i, si := range s {
		out[i] = float64(si * p[d+i])
		out[d+i] = float64(si * p[i])
	}
}

func (uvModel) hess2(w, p, out []float64) {
	d := len(out)
	for i := range out {
		out[i] = 2 * float64(p[i]*p[d+i])
	}
}

func (uvModel) third(w, p, s, out []float64) { clear(out[:2*len(s)]) }

// deep: B(a, b) = a^D - b^D, DB = (D a^(D-1), -D b^(D-1)), D2B = diag(D (D-1) a^(D-2),
// -D (D-1) b^(D-2)), D3B = diag(D (D-1) (D-2) a^(D-3), -D (D-1) (D-2) b^(D-3)).

// deriv returns the k-th derivative of x^D, D (D-1) ... (D-k+1) x^(D-k) (0 for k > D).
func (m deepModel) deriv(x float64, k int) float64 {
	if k > m.depth {
		return 0
	}
	c := 1.0
	for j := range k {
		c *= float64(m.depth - j)
	}
	return float64(c * powInt(x, m.depth-k))
}

func (m deepModel) jvp(w, p, out []float64) {
	d := len(out)
	for i := range out {
		out[i] = float64(m.deriv(w[i], 1)*p[i]) - float64(m.deriv(w[d+i], 1)*p[d+i])
	}
}

func (m deepModel) hessPull(w, p, s, out []float64) {
	d := len(s)
	for i, si := range s {
		out[i] = float64(si * float64(m.deriv(w[i], 2)*p[i]))
		out[d+i] = -float64(si * float64(m.deriv(w[d+i], 2)*p[d+i]))
	}
}

func (m deepModel) hess2(w, p, out []float64) {
	d := len(out)
	for i := range out {
		a, b := p[i], p[d+i]
		out[i] = float64(m.deriv(w[i], 2)*float64(a*a)) - float64(m.deriv(w[d+i], 2)*float64(b*b))
	}
}

func (m deepModel) third(w, p, s, out []float64) {
	d := len(s)
	for i, si := range s {
		a, b := p[i], p[d+i]
		out[i] = float64(si * float64(m.deriv(w[i], 3)*float64(a*a)))
		out[d+i] = -float64(si * float64(m.deriv(w[d+i], 3)*float64(b*b)))
	}
}
