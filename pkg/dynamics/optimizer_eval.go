package dynamics

// evalBuf holds the buffers to evaluate the full-batch loss gradient at a parameter vector
// other than the current iterate (the lookahead of nag, the perturbed point of sam, the stages
// of flow), without touching the runner's own buffers.
type evalBuf struct {
	beta []float64 // beta(y), length d
	res  []float64 // residual X beta(y) - y_train, length n
}

func newEvalBuf(r *runner) evalBuf {
	return evalBuf{beta: make([]float64, r.data.D), res: make([]float64, r.data.N)}
}

// gradAt sets g = grad L(beta(y)) = X^T (X beta(y) - y)/n and gw = grad F(y) = J(y)^T g
// (docs/science.md sections 1-2), and returns L(beta(y)). It allocates nothing.
func (e *evalBuf) gradAt(r *runner, y, g, gw []float64) float64 {
	r.model.beta(y, e.beta)
	ss := r.k.SumSquaredResiduals(r.data.X, r.data.Y, e.beta, e.res)
	r.k.GradientRows(r.data.X, e.res, nil, g)
	r.model.pullback(y, g, gw)
	return ss / float64(2*r.data.N)
}
