package dynamics

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// OptimizerSaddle is the alpha -> 0 limit of gradient flow on "uv" (Pesme2023, docs/science.md
// sections 3 and 5), computed exactly by SaddleToSaddle instead of by stepping.
const OptimizerSaddle = "saddle"

// saddleGradTol is the relative gradient tolerance of SaddleToSaddle (convention): grad L(beta)
// counts as zero, and a zero coordinate i is no candidate, when |grad_i L| <=
// saddleGradTol * G, G = max_j ||x_j||_2 ||y||_2 / n (x_j the columns of X), the bound on
// ||grad L(0)||_inf given by Cauchy-Schwarz.
const saddleGradTol = 1e-10

// statusSaddleFailed is the Status of a saddle run whose least squares failed (never seen on
// data in general position); docs/science.md section 7 calls it "failed".
const statusSaddleFailed = "failed"

// MaxSaddles returns the default bound on the number of saddles SaddleToSaddle visits for
// dimension d: 2d + 10 (convention). In general position every saddle of the algorithm has a
// strictly smaller loss; in practice (measured up to n = 200, d = 2000) a run visits at most
// about 2 min(n, d) saddles (coordinates enter once and rarely leave).
func MaxSaddles(d int) int { return 2*d + 10 }

// Saddles is the output of SaddleToSaddle: the k-th saddle (k = 1, 2, ...) is Betas[k-1],
// reached at the algorithm's time Times[k-1], with loss Losses[k-1] = L(Betas[k-1]). The
// origin beta_0 = 0 at t_0 = 0, with loss InitialLoss = L(0), is not listed. Gradient flow on
// "uv" started at scale alpha jumps to saddle k near time ln(1/alpha) Times[k-1] and stays
// on it (at loss Losses[k-1]) until the next jump (Pesme2023).
type Saddles struct {
	Times       []float64   // t_k, non-decreasing
	Betas       [][]float64 // beta_k, each of length d
	Losses      []float64   // L(beta_k) = 1/(2n) ||X beta_k - y||^2
	InitialLoss float64     // L(0) = ||y||^2 / (2n)
	// Converged reports that the algorithm stopped because grad L(beta) = 0 (within
	// saddleGradTol) at the last saddle (or at the origin, when there is no saddle).
	// Otherwise it stopped after the maximum number of saddles.
	Converged bool
}

// Final returns the last saddle (the origin if there is none), a fresh slice of length d.
func (s Saddles) Final(d int) []float64 {
	if len(s.Betas) == 0 {
		return make([]float64, d)
	}
	return slices.Clone(s.Betas[len(s.Betas)-1])
}

// SaddleToSaddle runs the saddle-to-saddle algorithm of Pesme2023 (docs/science.md section 5,
// written for L(beta) = 1/(2n) ||X beta - y||^2) on the n x d row-major design X and labels y,
// for at most MaxSaddles(d) saddles:
//
//	t = 0, beta = 0, s = 0 (in R^d)
//	while grad L(beta) != 0:
//	    g = -grad L(beta) = X^T (y - X beta) / n
//	    for each i with beta_i == 0:
//	        delta_i = (1 - s_i)/g_i if g_i > 0;  (1 + s_i)/|g_i| if g_i < 0;  +inf otherwise
//	    j = argmin delta_i; delta = delta_j
//	    t += delta; s += delta * g            (all coordinates)
//	    beta = argmin L(beta) subject to: beta_i >= 0 where beta_i > 0, beta_i <= 0 where
//	           beta_i < 0, sign(beta_j) = sign(s_j), every other zero coordinate stays 0
//
// Termination: grad L = 0 (Converged), or MaxSaddles(d) saddles visited, or no candidate
// (every delta_i infinite), which cannot happen after a correct least squares (the gradient
// would vanish) and is reported as an error. Numerical conventions: grad L = 0 and "g_i = 0"
// mean |.| <= saddleGradTol * G (see saddleGradTol).
// delta_i is clamped at 0 (s_i may exceed 1 by rounding), ties go to the smallest index, and
// s_j is set to sign(g_j) exactly after the update. The least squares is signedLeastSquares,
// warm-started at the current beta; sign(beta_j) = sign(s_j) is imposed as
// sign(s_j) beta_j >= 0. s(t) = X^T (integral of the residual) / n is the dual certificate:
// |s_i| <= 1, and s_i = sign(beta_i) on the support.
//
// Errors: inconsistent shapes, non-finite inputs, a failed least squares, or no candidate.
func SaddleToSaddle(X, y []float64, n, d int) (Saddles, error) {
	return saddleToSaddle(context.Background(), X, y, n, d, MaxSaddles(d))
}

// saddleToSaddle is SaddleToSaddle with at most maxSaddles saddles and cancellation (checked
// before every saddle). On error it returns the saddles found so far.
func saddleToSaddle(ctx context.Context, X, y []float64, n, d, maxSaddles int) (Saddles, error) {
	if n < 1 || d < 1 || len(X) != n*d || len(y) != n {
		return Saddles{}, fmt.Errorf("SaddleToSaddle: X has %d entries and y %d, want n*d = %d and n = %d", len(X), len(y), n*d, n)
	}
	for _, v := range X {
		if isNonFinite(v) {
			return Saddles{}, fmt.Errorf("SaddleToSaddle: X is not finite")
		}
	}
	for _, v := range y {
		if isNonFinite(v) {
			return Saddles{}, fmt.Errorf("SaddleToSaddle: y is not finite")
		}
	}
	var colMax float64
	for j := 0; j < d; j++ {
		var c float64
		for i := 0; i < n; i++ {
			c += float64(X[i*d+j] * X[i*d+j])
		}
		colMax = max(colMax, math.Sqrt(c))
	}
	tol := saddleGradTol * colMax * math.Sqrt(dot(y, y)) / float64(n)

	beta := make([]float64, d)
	s := make([]float64, d)
	g := make([]float64, d)
	res := make([]float64, n)
	sign := make([]float64, d)
	var t float64
	out := Saddles{InitialLoss: sumSquaredResiduals(X, y, beta, res) / float64(2*n)}
	for {
		// g = -grad L(beta) = X^T (y - X beta) / n; res holds X beta - y.
		gradientRows(X, res, nil, g)
		var gmax float64
		for i := range g {
			g[i] = -g[i]
			gmax = max(gmax, math.Abs(g[i]))
		}
		if gmax <= tol {
			out.Converged = true
			return out, nil
		}
		if len(out.Betas) >= maxSaddles {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		j, delta := -1, math.Inf(1)
		for i, b := range beta {
			if b != 0 || math.Abs(g[i]) <= tol {
				continue
			}
			var di float64
			if g[i] > 0 {
				di = (1 - s[i]) / g[i]
			} else {
				di = (1 + s[i]) / -g[i]
			}
			di = max(di, 0)
			if di < delta {
				j, delta = i, di
			}
		}
		if j < 0 {
			// No candidate: every zero coordinate has a vanishing gradient, so the gradient
			// above tolerance is on the support, where the least squares should have zeroed
			// it (not expected in floating point on data in general position).
			return out, fmt.Errorf("SaddleToSaddle: after %d saddles |grad L| = %.3g > tolerance %.3g on the support, and no zero coordinate is a candidate", len(out.Betas), gmax, tol)
		}
		t += delta
		for i := range s {
			s[i] += float64(delta * g[i])
		}
		s[j] = math.Copysign(1, g[j])
		for i, b := range beta {
			switch {
			case b > 0:
				sign[i] = 1
			case b < 0:
				sign[i] = -1
			default:
				sign[i] = 0
			}
		}
		sign[j] = s[j]
		nb, err := signedLeastSquares(X, n, d, y, sign, beta)
		if err != nil {
			return out, fmt.Errorf("SaddleToSaddle: saddle %d: %w", len(out.Betas)+1, err)
		}
		beta = nb
		loss := sumSquaredResiduals(X, y, beta, res) / float64(2*n)
		out.Times = append(out.Times, t)
		out.Betas = append(out.Betas, slices.Clone(beta))
		out.Losses = append(out.Losses, loss)
	}
}

// simulateSaddle is SimulateData for Optimizer "saddle" (c valid, data generated for c): it
// runs saddleToSaddle on the training set with at most min(MaxSaddles(D), Steps) saddles and
// reports the last saddle. Ignored fields: Stepsize (still required and validated, since the
// spec requires it of every point), Init (the algorithm is the alpha -> 0 limit), Batch,
// StopLoss and RunSeed. Result:
//
//   - TrainLoss, TestLoss, BetaErr, L1, NNZ: of the last saddle, as for any run.
//   - Steps: the number of saddles visited (= Jumps).
//   - Status: "converged" when grad L = 0 at the last saddle, "max_steps" when the bound on the
//     number of saddles stopped it, "failed" when the least squares failed (the metrics are
//     then those of the last saddle reached).
//   - IntLoss: sum_k L(beta_{k-1}) (t_k - t_{k-1}) over the saddles visited, the area under
//     the limiting loss curve up to the last jump in the algorithm's time (gradient flow's
//     integral of the loss up to that jump, divided by ln(1/alpha), as alpha -> 0).
//   - GainL1, GainOn, GainOff, MaxGammaG: 0 (gradient flow has no gain: sum_l q(gamma g_l)
//     -> 0 as gamma -> 0, and u^2 - v^2 is conserved, so alpha_eff = alpha).
//   - L2, Precision, Recall: SupportMetrics of the last saddle.
//   - PredErr, GFErr, Sharpness: NaN (they need a finite alpha, or u and v).
//   - Jumps, JumpTimes (t_1, t_2, ...), PlateauLosses (L(0), L(beta_1), L(beta_2), ...: one
//     more than the jumps).
//
// The State has Beta (the last saddle), Gain (zeros) and Data; Params, U and V are nil.
//
// With rc not nil it records the origin and every saddle reached (SimulateRecorded), unless
// the run was cancelled.
func simulateSaddle(ctx context.Context, c Config, data *Data, rc *recording) (*State, Result, error) {
	maxSaddles := min(MaxSaddles(c.D), c.Steps)
	sad, err := saddleToSaddle(ctx, data.X, data.Y, data.N, data.D, maxSaddles)
	status := StatusMaxSteps
	switch {
	case ctx.Err() != nil && err != nil:
		status = ""
	case err != nil:
		status = statusSaddleFailed
	case sad.Converged:
		status = StatusConverged
	}
	if rc != nil && status != "" {
		rc.saddles(sad)
	}
	beta := sad.Final(data.D)
	res := Result{
		TrainLoss: data.TrainLoss(beta),
		TestLoss:  data.TestLoss(beta),
		NNZ:       NNZ(beta),
		Status:    status,
		Steps:     len(sad.Betas),
	}
	extraMetricsUnset(&res)
	res.BetaErr = squaredError(beta, data.BetaStar) // NaN without beta* (data_file.go)
	for _, b := range beta {
		res.L1 += math.Abs(b)
	}
	prevT, prevL := 0.0, sad.InitialLoss
	for k, tk := range sad.Times {
		res.IntLoss += float64(prevL * (tk - prevT))
		prevT, prevL = tk, sad.Losses[k]
	}
	res.L2, res.Precision, res.Recall = SupportMetrics(beta, data.BetaStar)
	res.PredErr, res.GFErr, res.Sharpness = math.NaN(), math.NaN(), math.NaN()
	res.Jumps = len(sad.Times)
	res.JumpTimes = slices.Clone(sad.Times)
	res.PlateauLosses = append([]float64{sad.InitialLoss}, sad.Losses...)
	st := &State{Data: data, Beta: beta, Gain: make([]float64, data.D)}
	if status == "" {
		return st, res, fmt.Errorf("saddle run cancelled after %d saddles: %w", len(sad.Betas), err)
	}
	return st, res, nil
}

// saddleErrors checks the combinations that optimizer "saddle" rejects: its algorithm is the
// limit of the depth-2 "uv" model only (Pesme2023).
func (c Config) saddleErrors() []error {
	if c.Optimizer != OptimizerSaddle {
		return nil
	}
	if m := c.Model; m != "" && m != ModelUV {
		return []error{paramErrorf("model", "must be %q for optimizer %q (the saddle-to-saddle limit of Pesme2023), got %q", ModelUV, OptimizerSaddle, m)}
	}
	return nil
}
