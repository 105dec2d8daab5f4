package dynamics

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// GammaBracket is the answer of GammaMax: a run of the Config converges at stepsize Lo and does
// not at Hi, with Lo < Hi <= Lo (1 + relTol); gamma_max is taken as Lo.
type GammaBracket struct {
	Lo, Hi float64
	Runs   int // runs taken
}

// GammaMax finds gamma_max (docs/science.md section 4, Even2023), the largest stepsize for which
// c still converges, by bisection on the stepsize: c is run (on one dataset) with Stepsize
// set to the trial value, and a trial succeeds when the run's status is "converged"
// (train_loss < StopLoss within Steps; "diverged" and "max_steps" both count as failure, so
// c.StopLoss must be > 0 and c.Steps large enough for the small stepsizes to converge).
//
// lo must succeed (else an error: lowering the stepsize further would only slow convergence
// down). If hi succeeds it is doubled until a trial fails (at most 60 times). Then the bracket
// is bisected geometrically, mid = sqrt(lo hi), until hi/lo <= 1 + relTol; lo only increases
// and hi only decreases. When convergence is not monotone in the stepsize (it need not be, at
// the edge of stability), the answer is one boundary point between a converging and a
// failing stepsize inside the initial bracket.
func GammaMax(ctx context.Context, c Config, lo, hi, relTol float64) (GammaBracket, error) {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return GammaBracket{}, fmt.Errorf("need 0 < lo < hi < inf, got lo = %v, hi = %v", lo, hi)
	}
	if !(relTol > 0) {
		return GammaBracket{}, fmt.Errorf("relTol must be > 0, got %v", relTol)
	}
	if !(c.StopLoss > 0) {
		return GammaBracket{}, errors.New("gamma_max needs stop_loss > 0 (convergence decides)")
	}
	c.Stepsize = lo
	if err := c.Validate(); err != nil {
		return GammaBracket{}, fmt.Errorf("invalid config: %w", err)
	}
	data, err := GenerateData(c)
	if err != nil {
		return GammaBracket{}, err
	}
	return gammaMaxOn(ctx, c, data, lo, hi, relTol, converged)
}

// converged and notDiverged are the success criteria of GammaMax, PointGammaMax (converged)
// and PointGammaDiv (notDiverged).
func converged(s string) bool   { return s == StatusConverged }
func notDiverged(s string) bool { return s != StatusDiverged }

// ThresholdScanFactor is the ratio of successive stepsizes of PointGammaMax's upward scan:
// small enough not to step over a band of non-convergence of ordinary width, large enough to
// cross its span in about a dozen runs.
const ThresholdScanFactor = 1.25

// ThresholdScanSpan is how far below gamma_div PointGammaMax's upward scan starts: gamma_max
// lies below gamma_div by the width of the oscillation band, a factor 1.4 to 1.8 on the
// Even2023 problem, and starting far lower only adds slowly converging runs.
const ThresholdScanSpan = 16

// PointGammaMax is gamma_max as Even2023 means it, the largest stepsize at which the run c on
// data (its stepsize ignored) still converges (train loss below c.StopLoss within c.Steps),
// to a relative precision relTol; see PointThresholds.
func PointGammaMax(ctx context.Context, c Config, data *Data, relTol float64) (float64, error) {
	gmax, _, err := PointThresholds(ctx, c, data, relTol)
	return gmax, err
}

// PointThresholds returns the convergence threshold gamma_max (Even2023) and the divergence
// threshold gamma_div (PointGammaDiv) of the run c on data, its stepsize ignored, each to a
// relative precision relTol. Between them lies a band where gd neither converges nor
// diverges (bounded oscillation, status max_steps); plots of Even2023 put gamma/gamma_max on
// the x axis, with gamma_max this convergence threshold.
//
// gamma_div comes first (PointGammaDiv). Convergence need not be monotone in the stepsize
// (small stepsizes may end at max_steps for lack of steps; near the edge of stability a
// converging stepsize may lie above an oscillating one), so gamma_max is the first failure
// above the small stepsizes: stepsizes gamma_div/ThresholdScanSpan q^k, q =
// ThresholdScanFactor, are run upwards until one converges (an error if one diverges first),
// then on until one fails to converge; the last bracket [converging, failing] is bisected
// geometrically to relTol. Every scanned stepsize between the first converging one and
// gamma_max converges. An error leaves gamma_max NaN (and gamma_div too when its own search
// fails).
//
// The trial runs use a run seed derived from the data seed, not c's, so that every point of
// one configuration (differing only in stepsize) gets the same answer.
func PointThresholds(ctx context.Context, c Config, data *Data, relTol float64) (gammaMax, gammaDiv float64, err error) {
	gammaMax = math.NaN()
	if gammaDiv, err = PointGammaDiv(ctx, c, data, relTol); err != nil {
		return gammaMax, gammaDiv, err
	}
	c, _, err = thresholdSetup(c, data)
	if err != nil {
		return gammaMax, gammaDiv, err
	}
	b := GammaBracket{}
	trial := func(gamma float64) (string, error) {
		cc := c
		cc.Stepsize = gamma
		_, res, err := SimulateData(ctx, cc, data)
		b.Runs++
		return res.Status, err
	}
	found := false
	start := gammaDiv / ThresholdScanSpan
	gamma := start
	for k := 0; ; k++ {
		if k == 400 {
			return gammaMax, gammaDiv, fmt.Errorf("gamma_max: no failing stepsize up to %v", gamma)
		}
		status, err := trial(gamma)
		if err != nil {
			return gammaMax, gammaDiv, err
		}
		if status == StatusConverged {
			found, b.Lo = true, gamma
		} else if found {
			b.Hi = gamma
			break
		} else if status == StatusDiverged {
			return gammaMax, gammaDiv, fmt.Errorf("gamma_max: no stepsize from %v up converges before one diverges at %v", start, gamma)
		}
		gamma *= ThresholdScanFactor
	}
	if err := bisectBracket(&b, relTol, func(g float64) (bool, error) {
		status, err := trial(g)
		return converged(status), err
	}); err != nil {
		return gammaMax, gammaDiv, err
	}
	return b.Lo, gammaDiv, nil
}

// PointGammaDiv is the divergence threshold gamma_div of the run c on data (its stepsize
// ignored), to a relative precision relTol: the largest stepsize at which the run does not
// diverge within c.Steps (converged or max_steps). It is bracketed from the curvature of the
// loss: lo = 0.05/lambda_max(H), hi = 4/lambda_max(H), H = X^T X / n (gd on a quadratic is
// stable below 2/lambda_max; the diagonal network's edge of stability lies above it, SGD's
// below, Even2023), hi doubled while it does not diverge; NaN with an error when lo diverges.
// gamma_div >= gamma_max (PointThresholds); the trial runs' seed is as there.
func PointGammaDiv(ctx context.Context, c Config, data *Data, relTol float64) (float64, error) {
	c, lam, err := thresholdSetup(c, data)
	if err != nil {
		return math.NaN(), err
	}
	b, err := gammaMaxOn(ctx, c, data, 0.05/lam, 4/lam, relTol, notDiverged)
	if err != nil {
		return math.NaN(), err
	}
	return b.Lo, nil
}

// thresholdSetup returns c with the trial runs' seed and lambda_max(H) of data, or an error
// when neither threshold can be found.
func thresholdSetup(c Config, data *Data) (Config, float64, error) {
	c.RunSeed = c.DataSeed ^ 0x9e3779b97f4a7c15
	lam := topEigenH(data)
	if !(lam > 0) {
		return c, 0, errors.New("gamma_max: X^T X has no positive eigenvalue")
	}
	if !(c.StopLoss > 0) {
		return c, 0, errors.New("gamma_max needs stop_loss > 0 (convergence decides)")
	}
	return c, lam, nil
}

// topEigenH is lambda_max(X^T X / n) by 200 power iterations from the all-ones vector.
func topEigenH(data *Data) float64 {
	n, d := data.N, data.D
	v, w, r := make([]float64, d), make([]float64, d), make([]float64, n)
	for i := range v {
		v[i] = 1 / math.Sqrt(float64(d))
	}
	lam := 0.0
	for it := 0; it < 200; it++ {
		for i := 0; i < n; i++ {
			r[i] = dot(data.X[i*d:(i+1)*d], v)
		}
		clear(w)
		for i := 0; i < n; i++ {
			addScaledRow(w, r[i]/float64(n), data.X[i*d:(i+1)*d])
		}
		norm := math.Sqrt(dot(w, w))
		if norm == 0 {
			return 0
		}
		lam = norm
		for i := range v {
			v[i] = w[i] / norm
		}
	}
	return lam
}

// gammaMaxOn is GammaMax on a given dataset, a trial succeeding when success(its status).
func gammaMaxOn(ctx context.Context, c Config, data *Data, lo, hi, relTol float64, success func(status string) bool) (GammaBracket, error) {
	b := GammaBracket{Lo: lo, Hi: hi}
	converges := func(gamma float64) (bool, error) {
		cc := c
		cc.Stepsize = gamma
		_, res, err := SimulateData(ctx, cc, data)
		b.Runs++
		if err != nil {
			return false, err
		}
		return success(res.Status), nil
	}
	ok, err := converges(lo)
	if err != nil {
		return b, err
	}
	if !ok {
		return b, fmt.Errorf("stepsize lo = %v fails", lo)
	}
	for i := 0; ; i++ {
		ok, err := converges(b.Hi)
		if err != nil {
			return b, err
		}
		if !ok {
			break
		}
		if i == 60 {
			return b, fmt.Errorf("every stepsize up to %v succeeds", b.Hi)
		}
		b.Lo, b.Hi = b.Hi, 2*b.Hi
	}
	err = bisectBracket(&b, relTol, converges)
	return b, err
}

// bisectBracket shrinks b (success at Lo, failure at Hi) geometrically, mid = sqrt(lo hi),
// until Hi/Lo <= 1 + relTol; Lo only increases and Hi only decreases.
func bisectBracket(b *GammaBracket, relTol float64, success func(gamma float64) (bool, error)) error {
	for b.Hi > b.Lo*(1+relTol) {
		mid := math.Sqrt(b.Lo) * math.Sqrt(b.Hi)
		if !(mid > b.Lo && mid < b.Hi) {
			break // the bracket is as small as float64 allows
		}
		ok, err := success(mid)
		if err != nil {
			return err
		}
		if ok {
			b.Lo = mid
		} else {
			b.Hi = mid
		}
	}
	return nil
}
