package dynamics

// labelNoise is label-noise (S)GD (docs/science.md section 3; HaoChen2021): every step trains on
// the labels y_i + delta xi_i, delta = Config.Noise >= 0, with xi fresh N(0,1) draws each
// step from the run stream, i.e. g = X_B^T (X_B beta - y_B - delta xi_B)/b.
//
// The minibatch B is drawn exactly as sgd draws it (partial Fisher-Yates shuffle of b
// entries, b = Config.Batch), then one normal per row of B, in B's order. batch = n means
// full batch: all rows in index order, no shuffle, n normals in row order. With delta = 0 no
// normal is drawn, so the run equals sgd (batch < n) or gd (batch = n) bit for bit.
//
// Gain bookkeeping: r.g is the noisy-label gradient the step uses; a step is then a gd step
// with that gradient, so the exact gain identity of Even2023 holds for uv as it does for sgd.
type labelNoise struct {
	delta float64
	perm  []int
	b     int
	full  bool      // b = n: full batch
	res   []float64 // noisy residuals, indexed like r.res
}

func newLabelNoise(r *runner) optimizer {
	n := r.data.N
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	return &labelNoise{delta: r.cfg.Noise, perm: perm, b: r.cfg.Batch, full: r.cfg.Batch == n, res: make([]float64, n)}
}

func (o *labelNoise) step(r *runner) {
	var rows []int // nil: all rows
	if !o.full {
		n := len(o.perm)
		for j := range o.b {
			k := j + r.rng.IntN(n-j)
			o.perm[j], o.perm[k] = o.perm[k], o.perm[j]
		}
		rows = o.perm[:o.b]
	}
	res := r.res
	if o.delta != 0 {
		res = o.res
		if rows == nil {
			for i, ri := range r.res {
				res[i] = ri - float64(o.delta*r.rng.NormFloat64())
			}
		} else {
			for _, i := range rows {
				res[i] = r.res[i] - float64(o.delta*r.rng.NormFloat64())
			}
		}
	}
	r.k.GradientRows(r.data.X, res, rows, r.g)
	r.gradientStep()
}
