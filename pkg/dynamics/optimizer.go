package dynamics

import "slices"

// Optimiser names accepted in Config.Optimizer (docs/science.md section 3).
const (
	OptimizerGD         = "gd"          // full-batch gradient descent
	OptimizerSGD        = "sgd"         // minibatch SGD, batch size Config.Batch
	OptimizerLabelNoise = "label_noise" // (S)GD on labels y + delta xi, delta = Config.Noise
	OptimizerHB         = "hb"          // heavy ball, momentum Config.Momentum
	OptimizerNAG        = "nag"         // Nesterov, momentum Config.Momentum
	OptimizerSAM        = "sam"         // sharpness-aware minimisation, radius Config.Rho
	OptimizerSGF        = "sgf"         // stochastic gradient flow (Euler-Maruyama), eta = Config.Noise
	OptimizerFlow       = "flow"        // gradient flow (adaptive Dormand-Prince)
	OptimizerHBFlow     = "hb_flow"     // heavy ball's flow to order Config.Order (Lyu2025)
)

// optimizer advances the parameters by one step. It is the seam for further optimisers
// (hb, nag, sam, sgf, label_noise, flow): add a type and a row in optimizerTable. An
// optimiser allocates its buffers in its constructor; step must not allocate.
type optimizer interface {
	// step performs one update of r.w from the current iterate. On entry r.beta, r.res
	// (the full training residual X beta - y) and r.loss describe the current iterate. On
	// exit r.g must hold the gradient of the loss w.r.t. beta that the step used (g_l in
	// the gain of Even2023; the minibatch gradient for sgd; each optimiser's doc says what
	// it stores, e.g. sgf its effective noisy gradient and flow 0).
	step(r *runner)
}

// optimizerSpec describes one optimiser.
type optimizerSpec struct {
	usesBatch bool                    // Config.Batch is used and validated
	requires  []string                // hyperparameters that must be given (momentum, noise, rho)
	build     func(*runner) optimizer // allocates the optimiser's state for a run; nil: not stepped
}

// optimizerTable maps Config.Optimizer to its optimiser.
var optimizerTable = map[string]optimizerSpec{
	OptimizerGD:  {build: func(*runner) optimizer { return gd{} }},
	OptimizerSGD: {usesBatch: true, build: newSGD},

	OptimizerLabelNoise: {usesBatch: true, requires: []string{paramNoise}, build: newLabelNoise},
	OptimizerHB:         {requires: []string{paramMomentum}, build: newHB},
	OptimizerNAG:        {requires: []string{paramMomentum}, build: newNAG},
	OptimizerSAM:        {requires: []string{paramRho}, build: newSAM},
	OptimizerSGF:        {requires: []string{paramNoise}, build: newSGF},
	OptimizerFlow:       {build: newFlow},
	OptimizerHBFlow:     {requires: []string{paramMomentum}, build: newHBFlow},
	// saddle is computed by simulateSaddle (saddle.go), never stepped: no build, and
	// newRunner refuses it.
	OptimizerSaddle: {},
}

// OptimizerNames returns the accepted values of Config.Optimizer, sorted.
func OptimizerNames() []string {
	names := make([]string, 0, len(optimizerTable))
	for name := range optimizerTable {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// gd is full-batch gradient descent (docs/science.md section 3): g = X^T (X beta - y)/n and
// w <- w - gamma grad F(w), i.e. u <- u - gamma v (.) g, v <- v - gamma u (.) g, both from
// the old (u, v).
type gd struct{}

func (gd) step(r *runner) {
	r.k.GradientRows(r.data.X, r.res, nil, r.g)
	r.gradientStep()
}

// sgd is minibatch SGD (docs/science.md section 3; Pesme2021, Even2023): the gd update with
// g = X_B^T (X_B beta - y_B)/b, B a uniform size-b subset of the rows drawn without
// replacement, independently at every step. B is the first b entries of perm after a partial
// Fisher-Yates shuffle: for j = 0..b-1, swap perm[j] with perm[j + IntN(n-j)], the draws taken
// from the run stream (RunSeed). perm is not reset between steps; the sample is uniform
// whatever its starting order. The gradient sums the rows in that drawn order.
type sgd struct {
	perm []int
	b    int
}

func newSGD(r *runner) optimizer {
	perm := make([]int, r.data.N)
	for i := range perm {
		perm[i] = i
	}
	return &sgd{perm: perm, b: r.cfg.Batch}
}

func (o *sgd) step(r *runner) {
	n := len(o.perm)
	for j := range o.b {
		k := j + r.rng.IntN(n-j)
		o.perm[j], o.perm[k] = o.perm[k], o.perm[j]
	}
	// The minibatch residuals are entries of the full residual at the same beta.
	r.k.GradientRows(r.data.X, r.res, o.perm[:o.b], r.g)
	r.gradientStep()
}
