package dynamics

import (
	"context"
	"math"
	"testing"
)

// TestPointGammaMaxAgainstScan compares PointGammaMax with an independent scan: 60 stepsizes,
// log-spaced from 0.05/lambda_max(H) to 16/lambda_max(H), are run one by one; where divergence is
// monotone in the stepsize (checked), gamma_max must lie between the last stable and the first
// diverging stepsize of the scan, and a run at the answer itself must not diverge.
func TestPointGammaMaxAgainstScan(t *testing.T) {
	for _, opt := range []string{OptimizerGD, OptimizerSGD} {
		c := Config{Optimizer: opt, Stepsize: 0.1, Batch: 2, Init: 0.1, N: 10, D: 15, Sparsity: 2,
			Test: 50, Steps: 3000, StopLoss: 1e-6, DataSeed: 4, RunSeed: 5}
		data := GenerateData(c)
		got, err := PointGammaMax(context.Background(), c, data, 1e-3)
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
			t.Errorf("%s: gamma_max %v outside the scan's bracket [%v, %v)", opt, got, lastOK, firstFail)
		}
		scan.Stepsize = got
		if _, res, _ := SimulateData(context.Background(), scan, data); res.Status == StatusDiverged {
			t.Errorf("%s: a run at gamma_max %v ends %s", opt, got, res.Status)
		}
		t.Logf("%s: gamma_max %.5g in [%.5g, %.5g); 2/lambda_max(H) = %.5g", opt, got, lastOK, firstFail, 2/lam)
	}
}
