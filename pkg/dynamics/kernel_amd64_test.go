package dynamics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withoutAVX2 runs f with the assembly kernels switched off (the portable Go kernels run).
func withoutAVX2(f func()) {
	saved := hasAVX2
	hasAVX2 = false
	defer func() { hasAVX2 = saved }()
	f()
}

// TestAsmKernelsMatchPortable: the AVX2 kernels (dot4, gradCols, theoryRun) give the bits of
// the portable Go kernels they replace, on random shapes (d mod 4 = 0..3, n not a multiple
// of 4, n = 1) and on the branch edges of the gain (|x| around 2^-27 and 2^-14.5, where x^2
// crosses log1p's 2^-54 and 2^-29, and around 1/16 where the vector path hands over to Go),
// with NaN and large gradients among them. The reference is the Go code itself, run with
// hasAVX2 = false; the Go code is checked against math.Log1p and the series by theory_test.go.
func TestAsmKernelsMatchPortable(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 1 + rng.IntN(45)
		d := 1 + rng.IntN(110)
		x := make([]float64, n*d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		y, beta := make([]float64, n), make([]float64, d)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		for j := range beta {
			beta[j] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
		}
		rA, rG := make([]float64, n), make([]float64, n)
		ssA := sumSquaredResiduals(x, y, beta, rA)
		var ssG float64
		withoutAVX2(func() { ssG = sumSquaredResiduals(x, y, beta, rG) })
		if i := firstBitDiff(rA, rG); i >= 0 || math.Float64bits(ssA) != math.Float64bits(ssG) {
			t.Fatalf("trial %d n=%d d=%d: residual %d: %v vs %v; ss %v vs %v", trial, n, d, i, rA, rG, ssA, ssG)
		}
		gA, gG := make([]float64, d), make([]float64, d)
		gradientRows(x, rA, nil, gA)
		withoutAVX2(func() { gradientRows(x, rG, nil, gG) })
		if i := firstBitDiff(gA, gG); i >= 0 {
			t.Fatalf("trial %d n=%d d=%d: gradient %d: %v vs %v", trial, n, d, i, gA[i], gG[i])
		}

		// The theory accumulators on gradients of every scale, with the branch edges.
		edges := []float64{0x1p-27, math.Sqrt(0x1p-29), 1.0 / 16, 0.25, 0.5, 1}
		g := make([]float64, d)
		gamma := math.Pow(10, float64(rng.IntN(5)-3))
		for j := range g {
			switch rng.IntN(6) {
			case 0:
				e := edges[rng.IntN(len(edges))]
				g[j] = e / gamma * (1 + (rng.Float64()-0.5)*1e-6) // either side of the edge
			case 1:
				g[j] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-20))
			case 2:
				if rng.IntN(20) == 0 {
					g[j] = math.NaN()
				} else {
					g[j] = rng.NormFloat64() / gamma
				}
			default:
				g[j] = rng.NormFloat64() * 0.01 / gamma
			}
			if rng.IntN(2) == 0 {
				g[j] = -g[j]
			}
		}
		run := func() *runner {
			r := &runner{gamma: gamma, g: g, gain: make([]float64, d), skew: make([]float64, d), maxGammaG: rng.Float64() * 0.01}
			for j := range r.gain {
				r.gain[j], r.skew[j] = rng.Float64(), rng.NormFloat64()
			}
			return r
		}
		seed := rng.Uint64()
		rng = rand.New(rand.NewPCG(seed, 3))
		ra := run()
		rng = rand.New(rand.NewPCG(seed, 3))
		rg := run()
		for range 3 {
			ra.accumulateTheory()
			withoutAVX2(rg.accumulateTheory)
		}
		if i := firstBitDiff(ra.gain, rg.gain); i >= 0 {
			t.Fatalf("trial %d d=%d: gain %d (x = %v): %v vs %v", trial, d, i, gamma*g[i], ra.gain[i], rg.gain[i])
		}
		if i := firstBitDiff(ra.skew, rg.skew); i >= 0 {
			t.Fatalf("trial %d d=%d: skew %d (x = %v): %v vs %v", trial, d, i, gamma*g[i], ra.skew[i], rg.skew[i])
		}
		if ra.maxGammaG != rg.maxGammaG {
			t.Fatalf("trial %d: maxGammaG %v vs %v", trial, ra.maxGammaG, rg.maxGammaG)
		}
	}
}

// TestTheoryBlockLanesMatchesGo: the batched theory accumulators with theoryLanes equal
// theoryBlockGo bit for bit, on blocks whose rows mix vectors of small |gamma g| with NaN, large
// values and the branch edges of the gain, for widths not a multiple of 4 and w < s.
func TestTheoryBlockLanesMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		d, w := 1+rng.IntN(12), 1+rng.IntN(40)
		s := w + rng.IntN(5)
		g, gamma := make([]float64, d*s), make([]float64, s)
		for b := range gamma {
			gamma[b] = math.Pow(10, float64(rng.IntN(5)-3))
		}
		for k := range g {
			x := rng.NormFloat64() * 0.01
			switch rng.IntN(40) {
			case 0:
				x = math.NaN()
			case 1:
				x = 0.3
			case 2:
				x = 0x1p-27 * (1 + (rng.Float64()-0.5)*1e-6)
			case 3:
				x = math.Sqrt(0x1p-29) * (1 + (rng.Float64()-0.5)*1e-6)
			case 4:
				x = 1.0 / 16 * (1 + (rng.Float64()-0.5)*1e-9)
			}
			g[k] = x / gamma[k%s]
		}
		acc := func() (gain, skew, m []float64) {
			gain, skew, m = make([]float64, d*s), make([]float64, d*s), make([]float64, s)
			for k := range gain {
				gain[k], skew[k] = float64(k), -float64(k)/3
			}
			return gain, skew, m
		}
		ga, sa, ma := acc()
		gg, sg, mg := acc()
		theoryBlockLanes(g, gamma, ga, sa, ma, d, s, w)
		theoryBlockGo(g, gamma, gg, sg, mg, d, s, w)
		for _, c := range []struct {
			name string
			a, b []float64
		}{{"gain", ga, gg}, {"skew", sa, sg}, {"max", ma, mg}} {
			if i := firstBitDiff(c.a, c.b); i >= 0 {
				t.Fatalf("trial %d d=%d s=%d w=%d: %s[%d] = %v, want %v", trial, d, s, w, c.name, i, c.a[i], c.b[i])
			}
		}
	}
}

// TestSimulateSameBitsWithoutAVX2: whole runs give the same State and Result with the AVX2
// kernels as with the Go kernels alone, for every optimiser that steps the uv model, at
// d mod 4 = 3, 2, 1 (the Go tails), for converging and diverging stepsizes.
func TestSimulateSameBitsWithoutAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
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
				stA, resA, errA := Simulate(context.Background(), c)
				var stG *State
				var resG Result
				var errG error
				withoutAVX2(func() { stG, resG, errG = Simulate(context.Background(), c) })
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

// BenchmarkTheoryLanes measures the batched gain/skew accumulators (theoryBlockLanes) on a
// 100 x 64 block of small gradients, the case of a converging sweep; ns/op per block step.
func BenchmarkTheoryLanes(b *testing.B) {
	const d, w = 100, 64
	rng := rand.New(rand.NewPCG(1, 1))
	g, gamma := make([]float64, d*w), make([]float64, w)
	gain, skew, m := make([]float64, d*w), make([]float64, d*w), make([]float64, w)
	for k := range g {
		g[k] = rng.NormFloat64() * 1e-3
	}
	for k := range gamma {
		gamma[k] = 0.01 * (1 + float64(k)/w)
	}
	for b.Loop() {
		theoryBlockLanes(g, gamma, gain, skew, m, d, w, w)
	}
}
