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

// GammaMax finds gamma_max (REFERENCE.md section 4, Even2023), the largest stepsize for which
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
	data := GenerateData(c)
	b := GammaBracket{Lo: lo, Hi: hi}
	converges := func(gamma float64) (bool, error) {
		cc := c
		cc.Stepsize = gamma
		_, res, err := SimulateData(ctx, cc, data)
		b.Runs++
		if err != nil {
			return false, err
		}
		return res.Status == StatusConverged, nil
	}
	ok, err := converges(lo)
	if err != nil {
		return b, err
	}
	if !ok {
		return b, fmt.Errorf("stepsize lo = %v does not converge", lo)
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
			return b, fmt.Errorf("every stepsize up to %v converges", b.Hi)
		}
		b.Lo, b.Hi = b.Hi, 2*b.Hi
	}
	for b.Hi > b.Lo*(1+relTol) {
		mid := math.Sqrt(b.Lo) * math.Sqrt(b.Hi)
		if !(mid > b.Lo && mid < b.Hi) {
			break // the bracket is as small as float64 allows
		}
		ok, err := converges(mid)
		if err != nil {
			return b, err
		}
		if ok {
			b.Lo = mid
		} else {
			b.Hi = mid
		}
	}
	return b, nil
}
