package dynamics

import "math"

// Run statuses (docs/science.md section 7).
const (
	StatusConverged = "converged" // train_loss < stop_loss
	StatusDiverged  = "diverged"  // non-finite, or train_loss > DivergenceFactor * initial loss
	StatusMaxSteps  = "max_steps" // Config.Steps steps taken
)

// NNZThreshold is the relative threshold of nnz: coordinate i counts when
// |beta_i| > NNZThreshold * max_j |beta_j| (docs/science.md section 7).
const NNZThreshold = 1e-3

// Result holds the metrics of one finished run (docs/science.md section 7).
//
//   - TrainLoss: L(beta) = 1/(2n) ||X beta - y||^2 at the final iterate.
//   - TestLoss: 1/(2 n_test) ||X_test beta - y_test||^2.
//   - BetaErr: ||beta - beta*||_2^2.
//   - L1: ||beta||_1.
//   - IntLoss: sum_k gamma L_k over the steps taken, L_k the full training loss at the
//     iterate before step k (the integral of the loss along the run).
//   - GainL1: ||Gain||_1, Gain_i = sum_l q(gamma g_{l,i}), q(x) = -ln|1 - x^2|, g_l the
//     gradient used at step l (the minibatch one for sgd) (Even2023).
//   - NNZ: #{i : |beta_i| > NNZThreshold * max_j |beta_j|}; 0 if beta = 0.
//   - Status: StatusConverged, StatusDiverged or StatusMaxSteps ("" if cancelled).
//   - Steps: steps taken.
//
// For a diverged run the metrics are those of the last iterate and may be Inf or NaN.
type Result struct {
	TrainLoss, TestLoss, BetaErr, L1, IntLoss, GainL1 float64
	NNZ                                               int
	Status                                            string // "converged", "diverged", "max_steps"
	Steps                                             int    // steps taken

	// Section 7 metrics of theory_metrics.go (L2, Precision, Recall, GainOn, GainOff,
	// MaxGammaG, PredErr, GFErr, Sharpness); see there for definitions and NaN cases.
	L2, Precision, Recall, GainOn, GainOff, MaxGammaG, PredErr, GFErr, Sharpness float64

	// Saddle runs only (optimizer "saddle", see simulateSaddle; other runs leave them zero):
	// the number of jumps, the jump times t_k of Pesme2023's algorithm, and the plateau
	// losses L(0), L(beta_1), ... (len = Jumps + 1).
	Jumps         int
	JumpTimes     []float64
	PlateauLosses []float64

	// MultiTask holds the multi-task metrics (models stl, mtl, ptft, lp; multitask.go); nil
	// for other models. MultiTaskColumns reads it with NaN for nil.
	MultiTask *MultiTaskMetrics

	// GammaMax is the point's gamma_max, the largest stepsize at which its configuration
	// converges (PointGammaMax, Even2023), GammaDiv the largest at which it does not diverge
	// (PointGammaDiv), and GammaRel = Stepsize/GammaMax, the x axis of Even2023's plots, when
	// the spec asks for them (record.gamma_max); NaN otherwise. The run itself does not set
	// them (SetThresholds).
	GammaMax, GammaDiv, GammaRel float64

	// hb_flow runs only (Lyu2025; optimizer_hbflow.go), NaN otherwise: HBGap is
	// ||beta_flow - beta_hb||_2 and HBGapW ||w_flow - w_hb||_2 at the last step, w_hb the
	// discrete heavy ball with the same stepsize and momentum on the same data.
	HBGap, HBGapW float64

	// ModLoss is heavy ball's modified loss at the final iterate (Lyu2025; gd as mu = 0),
	// F + gamma (1 + mu) / (4 (1 - mu)^2) ||grad F||^2, for optimizers gd, hb and hb_flow;
	// NaN for other optimisers and for a diverged or cancelled run (modifiedLoss).
	ModLoss float64
}

// extraMetricsUnset sets the metrics that only some runs define (HBGap, HBGapW, ModLoss) to
// NaN; a run that defines them overwrites them.
func extraMetricsUnset(res *Result) {
	res.HBGap, res.HBGapW, res.ModLoss = math.NaN(), math.NaN(), math.NaN()
}

// result computes the metrics of the current iterate (evaluate must have been called).
func (r *runner) result(status string) Result {
	beta := r.beta
	var l1, gainL1 float64
	betaErr := squaredError(beta, r.data.BetaStar) // NaN without beta* (data_file.go)
	for _, b := range beta {
		l1 += math.Abs(b)
	}
	for _, gi := range r.gain {
		gainL1 += math.Abs(gi)
	}
	res := Result{
		TrainLoss: r.loss,
		TestLoss:  r.data.TestLoss(beta),
		BetaErr:   betaErr,
		L1:        l1,
		IntLoss:   r.intLoss,
		GainL1:    gainL1,
		NNZ:       NNZ(beta),
		Status:    status,
		Steps:     r.steps,
	}
	extraMetricsUnset(&res)
	r.theoryMetrics(&res)
	if m, ok := r.opt.(interface{ setMetrics(*runner, *Result) }); ok {
		m.setMetrics(r, &res)
	}
	return res
}

// NNZ returns #{i : |beta_i| > NNZThreshold * max_j |beta_j|} (docs/science.md section 7), 0
// when beta is all zero. For a diverged beta: NaN entries are ignored (never counted, not in
// the max), and when the max is +Inf the infinite entries are the ones counted.
func NNZ(beta []float64) int {
	var top float64
	for _, b := range beta {
		if a := math.Abs(b); a > top {
			top = a
		}
	}
	if top == 0 {
		return 0
	}
	cut := NNZThreshold * top
	n := 0
	for _, b := range beta {
		if a := math.Abs(b); a > cut || (math.IsInf(top, 1) && math.IsInf(a, 1)) {
			n++
		}
	}
	return n
}

// SetThresholds sets GammaMax, GammaDiv and GammaRel = stepsize/gammaMax (NaN values give
// NaN).
func (r *Result) SetThresholds(stepsize, gammaMax, gammaDiv float64) {
	r.GammaMax, r.GammaDiv, r.GammaRel = gammaMax, gammaDiv, stepsize/gammaMax
}
