package dynamics

import (
	"context"
	"fmt"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"
)

// TestSimulateSameBitsWithoutAVX2: whole runs give the same State and Result with the AVX2
// kernels as with the Go kernels alone, for every optimiser that steps the uv model, at
// d mod 4 = 3, 2, 1 (the Go tails), for converging and diverging stepsizes. Each run is given
// its kernels explicitly (simulateRun), so the test changes no package state.
func TestSimulateSameBitsWithoutAVX2(t *testing.T) {
	t.Parallel()
	if !kernel.Available() {
		t.Skip("no AVX2 here (CPU, GOARCH or the noasm tag)")
	}
	for _, opt := range []string{OptimizerGD, OptimizerSGD, OptimizerHB, OptimizerNAG, OptimizerSAM, OptimizerLabelNoise, OptimizerSGF} {
		for _, d := range []int{3, 30, 33} {
			for _, gamma := range []float64{0.05, 3} {
				c := Config{Optimizer: opt, Stepsize: gamma, Init: 0.1, N: 13, D: d, Sparsity: 2, Test: 7,
					Steps: 3000, DataSeed: 4, RunSeed: 5, Batch: 4, Momentum: 0.5, Rho: 0.01, Noise: 0.01}
				if opt != OptimizerSGD && opt != OptimizerLabelNoise {
					c.Batch = 0
				}
				name := fmt.Sprintf("%s/d=%d/gamma=%v", opt, d, gamma)
				data := mustGenerate(t, c)
				stA, resA, errA := simulateRun(context.Background(), c, data, nil, kernel.AVX2)
				stG, resG, errG := simulateRun(context.Background(), c, data, nil, kernel.Go)
				if errA != nil || errG != nil {
					t.Fatalf("%s: %v / %v", name, errA, errG)
				}
				if a, g := fmt.Sprintf("%+v", resA), fmt.Sprintf("%+v", resG); a != g {
					t.Errorf("%s: Result\n%s\nwant\n%s", name, a, g)
				}
				for _, f := range []struct {
					what string
					a, g []float64
				}{{"params", stA.Params, stG.Params}, {"gain", stA.Gain, stG.Gain}, {"skew", stA.Skew, stG.Skew}, {"beta", stA.Beta, stG.Beta}} {
					if i := firstBitDiff(f.a, f.g); i >= 0 {
						t.Errorf("%s: %s[%d] = %v, want %v", name, f.what, i, f.a[i], f.g[i])
					}
				}
			}
		}
	}
}
