package dynamics

import (
	"math"
)

// The per-run metrics of docs/science.md section 7 added to Result by theoryMetrics:
//
//   - L2: ||beta||_2.
//   - Precision, Recall: of the estimated support S = {i : |beta_i| > NNZThreshold max|beta|}
//     (the coordinates NNZ counts) against T = supp(beta*) = {i : beta*_i != 0}:
//     Precision = |S n T| / |S|, Recall = |S n T| / |T|. The 0/0 cases are vacuous truths
//     (convention): Precision = 1 when S is empty (beta = 0 claims no coordinate, so none
//     wrongly), Recall = 1 when T is empty (beta* = 0, nothing to find).
//   - GainOn, GainOff: mean over i in T (resp. not in T) of ln(alpha/alpha_eff_i),
//     alpha_eff = sqrt(|u^2 - v^2|/2) (Even2023); NaN when the set is empty. For the
//     optimisers of implicitBiasOptimizers (gd, sgd, ...) the exact gain identity
//     ln(alpha/alpha_eff_i) = Gain_i/2 is used (GainOnOffFromGain): computed from the final
//     u, v, alpha_eff is lost to rounding once it falls below about 1e-8 |u| (u^2 - v^2
//     cancels; it then reads 0 and the log +Inf), while Gain stays accurate. Other
//     optimisers on "uv" use the final u, v (GainOnOff).
//   - MaxGammaG: max_k gamma ||g_k||_inf over the steps taken (0 for none), g_k the gradient
//     step k used. Below 1, no factor 1 -+ gamma g of the gain identity changes sign.
//   - PredErr: ||beta - ImplicitBiasPrediction||_2 (Even2023) for the optimisers of
//     implicitBiasOptimizers, for which the prediction holds exactly.
//   - GFErr: ||beta - GradientFlowSolution(alpha)||_2.
//   - Sharpness: Sharpness(u, v), the top Hessian eigenvalue of F at the final iterate.
//
// GainOn, GainOff, PredErr, GFErr and Sharpness are defined for model "uv" only and are NaN
// for other models; PredErr, GFErr and Sharpness are also NaN for a diverged or cancelled
// run, and PredErr and GFErr when their solve fails (no interpolator, e.g. n > d with label
// noise; see SolveMirror). These cost one SVD or O(n^2 d) Newton iterations and a Lanczos
// run, once per run.

// implicitBiasOptimizers are the optimisers whose steps are w <- w - gamma grad F(w) with a
// gradient g in the row space of X that the runner records in r.g, so that the Even2023
// prediction (ImplicitBiasPrediction from Gain and Skew) is exact for their limit. A new
// optimiser of that kind adds itself here.
var implicitBiasOptimizers = map[string]bool{
	OptimizerGD:         true,
	OptimizerSGD:        true,
	OptimizerLabelNoise: true, // gd/sgd on labels y + delta xi: g = X_B^T (r_B - delta xi_B)/b
}

// theoryMetrics sets the section 7 metrics listed above on res (whose Status is set).
func (r *runner) theoryMetrics(res *Result) {
	betaOnlyMetrics(res, r.beta, r.data.BetaStar)
	res.MaxGammaG = r.maxGammaG
	if mu, ok := modLossMomentum[r.cfg.Optimizer]; ok && res.Status != "" && res.Status != StatusDiverged {
		if mu < 0 {
			mu = r.cfg.Momentum
		}
		res.ModLoss = modifiedLoss(r, r.gamma, mu)
	}
	if _, ok := r.model.(uvModel); !ok {
		return
	}
	d := r.data.D
	u, v := r.w[:d], r.w[d:2*d]
	if implicitBiasOptimizers[r.cfg.Optimizer] {
		res.GainOn, res.GainOff = GainOnOffFromGain(r.gain, r.data.BetaStar)
	} else {
		res.GainOn, res.GainOff = GainOnOff(r.cfg.Init, u, v, r.data.BetaStar)
	}
	if res.Status == "" || res.Status == StatusDiverged {
		return
	}
	if implicitBiasOptimizers[r.cfg.Optimizer] {
		if p, err := ImplicitBiasPrediction(r.data, r.cfg.Init, r.gain, r.skew); err == nil {
			res.PredErr = distance(r.beta, p)
		}
	}
	if p, err := GradientFlowSolution(r.data, r.cfg.Init); err == nil {
		res.GFErr = distance(r.beta, p)
	}
	res.Sharpness = Sharpness(r.data, u, v)
}

// betaOnlyMetrics sets the metrics above that depend on beta alone (L2, Precision, Recall)
// and NaN for the others (GainOn, GainOff, MaxGammaG, PredErr, GFErr, Sharpness): for results
// that are not produced by stepping "uv" (e.g. the saddle algorithm).
func betaOnlyMetrics(res *Result, beta, betaStar []float64) {
	nan := math.NaN()
	res.L2, res.Precision, res.Recall = SupportMetrics(beta, betaStar)
	res.GainOn, res.GainOff, res.MaxGammaG, res.PredErr, res.GFErr, res.Sharpness = nan, nan, nan, nan, nan, nan
}

// SupportMetrics returns ||beta||_2 and the precision and recall of the estimated support of
// beta against supp(betaStar) (see the list above; NaN entries of beta are never in the
// support, as in NNZ).
func SupportMetrics(beta, betaStar []float64) (l2, precision, recall float64) {
	var ss float64
	for _, b := range beta {
		ss += float64(b * b)
	}
	s := estimatedSupport(beta)
	if len(betaStar) == 0 { // data from a file without beta* (data_file.go)
		return math.Sqrt(ss), math.NaN(), math.NaN()
	}
	var nS, nT, both int
	for i, in := range s {
		onT := betaStar[i] != 0
		if in {
			nS++
		}
		if onT {
			nT++
		}
		if in && onT {
			both++
		}
	}
	precision, recall = 1, 1
	if nS > 0 {
		precision = float64(both) / float64(nS)
	}
	if nT > 0 {
		recall = float64(both) / float64(nT)
	}
	return math.Sqrt(ss), precision, recall
}

// estimatedSupport returns the coordinates that NNZ counts: |beta_i| > NNZThreshold max|beta|
// (NaN ignored; if the max is +Inf, the infinite entries).
func estimatedSupport(beta []float64) []bool {
	s := make([]bool, len(beta))
	var top float64
	for _, b := range beta {
		if a := math.Abs(b); a > top {
			top = a
		}
	}
	if top == 0 {
		return s
	}
	cut := NNZThreshold * top
	for i, b := range beta {
		a := math.Abs(b)
		s[i] = a > cut || (math.IsInf(top, 1) && math.IsInf(a, 1))
	}
	return s
}

// GainOnOff returns the means of ln(alpha/alpha_eff_i), alpha_eff = sqrt(|u^2 - v^2|/2)
// (EffectiveInit), over supp(betaStar) and over its complement; NaN for an empty set.
func GainOnOff(alpha float64, u, v, betaStar []float64) (on, off float64) {
	aeff := make([]float64, len(betaStar))
	EffectiveInit(aeff, u, v)
	la := math.Log(alpha)
	for i, a := range aeff {
		aeff[i] = la - math.Log(a)
	}
	return meansOnOff(aeff, betaStar, 1)
}

// GainOnOffFromGain returns the means of Gain_i/2 over supp(betaStar) and over its
// complement (NaN for an empty set): GainOnOff for gd/sgd by the gain identity
// alpha_eff = alpha exp(-Gain/2) (Even2023).
func GainOnOffFromGain(gain, betaStar []float64) (on, off float64) {
	return meansOnOff(gain, betaStar, 0.5)
}

// meansOnOff returns the means of scale*x_i over supp(betaStar) and over its complement
// (NaN for an empty set).
func meansOnOff(x, betaStar []float64, scale float64) (on, off float64) {
	var sOn, sOff float64
	var nOn, nOff int
	if len(betaStar) == 0 { // data from a file without beta* (data_file.go)
		return math.NaN(), math.NaN()
	}
	for i, xi := range x {
		if betaStar[i] != 0 {
			sOn += scale * xi
			nOn++
		} else {
			sOff += scale * xi
			nOff++
		}
	}
	on, off = math.NaN(), math.NaN()
	if nOn > 0 {
		on = sOn / float64(nOn)
	}
	if nOff > 0 {
		off = sOff / float64(nOff)
	}
	return on, off
}

// distance returns ||a - b||_2.
func distance(a, b []float64) float64 {
	var s float64
	for i := range a {
		e := a[i] - b[i]
		s += float64(e * e)
	}
	return math.Sqrt(s)
}
