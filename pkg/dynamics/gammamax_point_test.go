package dynamics

import (
	"context"
	"math"
	"testing"
)

// TestPointGammaDivAgainstScan compares PointGammaDiv with an independent scan: 60 stepsizes,
// log-spaced from 0.05/lambda_max(H) to 16/lambda_max(H), are run one by one; where divergence is
// monotone in the stepsize (checked), gamma_div must lie between the last stable and the first
// diverging stepsize of the scan, and a run at the answer itself must not diverge.
func TestPointGammaDivAgainstScan(t *testing.T) {
	for _, opt := range []string{OptimizerGD, OptimizerSGD} {
		c := Config{Optimizer: opt, Stepsize: 0.1, Batch: 2, Init: 0.1, N: 10, D: 15, Sparsity: 2,
			Test: 50, Steps: 3000, StopLoss: 1e-6, DataSeed: 4, RunSeed: 5}
		data := mustGenerate(t, c)
		got, err := PointGammaDiv(context.Background(), c, data, 1e-3)
		if err != nil {
			t.Fatalf("%s: %v", opt, err)
		}
		lam := topEigenH(data)
		scan := c
		scan.RunSeed = c.DataSeed ^ 0x9e3779b97f4a7c15 // the trial runs' seed, as documented
		lastOK, firstFail := 0.0, math.Inf(1)
		for k := 0; k < 60; k++ {
			scan.Stepsize = 0.05 / lam * math.Pow(320, float64(k)/59) // up to 16/lambda_max
			_, res, err := SimulateData(context.Background(), scan, data)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusDiverged {
				if !math.IsInf(firstFail, 1) {
					t.Skipf("%s: convergence is not monotone in the stepsize here; the scan cannot bracket", opt)
				}
				lastOK = scan.Stepsize
			} else if math.IsInf(firstFail, 1) {
				firstFail = scan.Stepsize
			}
		}
		if !(got >= lastOK && got < firstFail) {
			t.Errorf("%s: gamma_div %v outside the scan's bracket [%v, %v)", opt, got, lastOK, firstFail)
		}
		scan.Stepsize = got
		if _, res, _ := SimulateData(context.Background(), scan, data); res.Status == StatusDiverged {
			t.Errorf("%s: a run at gamma_div %v ends %s", opt, got, res.Status)
		}
		t.Logf("%s: gamma_div %.5g in [%.5g, %.5g); 2/lambda_max(H) = %.5g", opt, got, lastOK, firstFail, 2/lam)
	}
}

// bandConfig is gd on the Even2023 problem (n = 20, d = 30, s = 3, alpha = 0.1) with a dataset
// whose oscillation band is wide: converged up to about 1.08, bounded oscillation (max_steps)
// above, divergence only above about 1.88 (found by a scan of data seeds 1..8, all of which
// have a band).
func bandConfig() Config {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.Steps, c.StopLoss, c.DataSeed = 20000, 1e-9, 3
	return c
}

// statusAt is the status of c's trial run (the run seed PointGammaMax uses) at stepsize gamma.
func statusAt(t *testing.T, c Config, data *Data, gamma float64) string {
	t.Helper()
	c.Stepsize, c.RunSeed = gamma, c.DataSeed^0x9e3779b97f4a7c15
	_, res, err := SimulateData(context.Background(), c, data)
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

// TestPointGammaMaxConverges: gamma_max is the convergence threshold of Even2023, so a run at
// gamma_max converges and one at 1.05 gamma_max does not (fails on the divergence threshold
// that PointGammaMax returned before: the run there ends max_steps).
func TestPointGammaMaxConverges(t *testing.T) {
	c := bandConfig()
	data := mustGenerate(t, c)
	g, err := PointGammaMax(context.Background(), c, data, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	at, above := statusAt(t, c, data, g), statusAt(t, c, data, 1.05*g)
	t.Logf("gamma_max %.5g: %s; at 1.05 gamma_max: %s", g, at, above)
	if at != StatusConverged || above == StatusConverged {
		t.Errorf("gamma_max %v: run at it %s, at 1.05 gamma_max %s; want converged, then not", g, at, above)
	}
}

// TestGammaThresholdsBand: on a configuration with an oscillation band, gamma_max <
// gamma_div / 1.2; the run at 1.05 gamma_max oscillates (max_steps, neither converged nor
// diverged) and the run at gamma_div does not diverge; and an independent scan (factor 1.07
// from 0.05/lambda_max(H), another grid than PointGammaMax's) finds every stepsize from its
// first converging one up to gamma_max converging.
func TestGammaThresholdsBand(t *testing.T) {
	c := bandConfig()
	data := mustGenerate(t, c)
	gmax, err := PointGammaMax(context.Background(), c, data, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	gdiv, err := PointGammaDiv(context.Background(), c, data, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gamma_max %.5g, gamma_div %.5g (ratio %.3f)", gmax, gdiv, gdiv/gmax)
	if !(gmax < gdiv/1.2) {
		t.Errorf("gamma_max %v not below gamma_div %v / 1.2", gmax, gdiv)
	}
	if s := statusAt(t, c, data, 1.05*gmax); s != StatusMaxSteps {
		t.Errorf("1.05 gamma_max: %s, want max_steps (the band)", s)
	}
	if s := statusAt(t, c, data, gdiv); s == StatusDiverged {
		t.Errorf("gamma_div %v: the run diverges", gdiv)
	}
	first := 0.0
	for g := 0.05 / topEigenH(data); g < gmax; g *= 1.07 {
		s := statusAt(t, c, data, g)
		switch {
		case s == StatusConverged && first == 0:
			first = g
		case s != StatusConverged && first > 0:
			t.Errorf("stepsize %.5g between the first converging %.5g and gamma_max %.5g: %s", g, first, gmax, s)
		}
	}
	if first == 0 {
		t.Errorf("no stepsize below gamma_max %v converges", gmax)
	}
}
