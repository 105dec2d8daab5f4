package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// FuzzKernelsMatchGo compares every kernel with assembly (SumSquaredResiduals, GradientRows,
// UVStep, UVBetaSum, AccumulateTheory, ResidualBlock, GradientBlock, GDUpdate, TheoryBlock)
// between AVX2 and Go, bit for bit (NaN included: the assembly claims the Go code's bits for
// every input, so a NaN's payload and sign must match too), on random shapes and values drawn
// from seed, with the fuzzer's value planted in the gradient (the branches of GainQ and
// GainSkew: |x| near 2^-27, 2^-14.5, 1/16, 1/4, 1, Inf, NaN) and in beta. Shapes: n in 1..48,
// d in 0..255 (past residJBlock), w in 0..71 (the 4-column and 16-column strips and an
// overlapping last strip), stride s = w + seed mod 5. Run it with
//
//	go test -run '^$' -fuzz FuzzKernelsMatchGo ./pkg/dynamics/internal/kernel
func FuzzKernelsMatchGo(f *testing.F) {
	for _, c := range []struct {
		seed    uint64
		n, d, w uint8
		x       float64
	}{
		{1, 7, 13, 12, 0.01}, {2, 1, 5, 16, 0x1p-27}, {3, 5, 1, 4, 1.0 / 16}, {4, 9, 23, 20, math.Sqrt(0x1p-29)},
		{5, 3, 100, 64, 0.25}, {6, 4, 6, 60, 1}, {7, 2, 3, 36, math.Inf(-1)}, {8, 6, 131, 32, math.NaN()},
		{9, 40, 200, 68, -0.7}, {10, 1, 0, 0, 0},
	} {
		f.Add(c.seed, c.n, c.d, c.w, c.x)
	}
	f.Fuzz(func(t *testing.T, seed uint64, n8, d8, w8 uint8, planted float64) {
		requireAsm(t)
		rng := rand.New(rand.NewPCG(seed, 99))
		n, d, w := 1+int(n8%48), int(d8), int(w8%72)
		s := w + int(seed%5)
		// fill draws normals of a random scale in [1e-8, 1].
		fill := func(k int) []float64 {
			a := make([]float64, k)
			scale := math.Pow(10, -8*rng.Float64())
			for i := range a {
				a[i] = rng.NormFloat64() * scale
			}
			return a
		}
		plant := func(a []float64) {
			if len(a) > 0 {
				a[rng.IntN(len(a))] = planted
			}
		}
		same := func(what string, a, b []float64) {
			t.Helper()
			if i := firstBitDiff(a, b); i >= 0 {
				t.Fatalf("%s (n=%d d=%d w=%d s=%d): [%d] avx2 %v (%#x), go %v (%#x)", what, n, d, w, s, i,
					a[i], math.Float64bits(a[i]), b[i], math.Float64bits(b[i]))
			}
		}

		// One run.
		x, y, beta := fill(n*d), fill(n), fill(d)
		plant(beta)
		rA, rG := make([]float64, n), make([]float64, n)
		ssA := AVX2.SumSquaredResiduals(x, y, beta, rA)
		ssG := Go.SumSquaredResiduals(x, y, beta, rG)
		same("SumSquaredResiduals r", rA, rG)
		same("SumSquaredResiduals ss", []float64{ssA}, []float64{ssG})
		gA, gG := make([]float64, d), make([]float64, d)
		AVX2.GradientRows(x, rA, nil, gA)
		Go.GradientRows(x, rG, nil, gG)
		same("GradientRows", gA, gG)
		u, v, g := fill(d), fill(d), fill(d)
		plant(g)
		u2, v2 := slices.Clone(u), slices.Clone(v)
		guA, gvA, guG, gvG := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
		gamma := math.Pow(10, -3*rng.Float64())
		AVX2.UVStep(u, v, g, guA, gvA, gamma)
		Go.UVStep(u2, v2, g, guG, gvG, gamma)
		same("UVStep u", u, u2)
		same("UVStep v", v, v2)
		same("UVStep gu", guA, guG)
		same("UVStep gv", gvA, gvG)
		bA, bG := make([]float64, d), make([]float64, d)
		sA, sG := AVX2.UVBetaSum(u, v, bA), Go.UVBetaSum(u2, v2, bG)
		same("UVBetaSum beta", bA, bG)
		same("UVBetaSum sum", []float64{sA}, []float64{sG})
		gainA, skewA := fill(d), fill(d)
		gainG, skewG := slices.Clone(gainA), slices.Clone(skewA)
		maxA := rng.Float64() * 0.01
		maxG := maxA
		for j := range g { // gamma g below 1/16 mostly, so that the vector path runs
			g[j] *= 0.01 / gamma
		}
		plant(g)
		AVX2.AccumulateTheory(g, gainA, skewA, gamma, &maxA)
		Go.AccumulateTheory(g, gainG, skewG, gamma, &maxG)
		same("AccumulateTheory gain", gainA, gainG)
		same("AccumulateTheory skew", skewA, skewG)
		same("AccumulateTheory max", []float64{maxA}, []float64{maxG})

		// A block of w runs with stride s.
		bb := fill(d * s)
		plant(bb)
		r1, ss1 := fill(n*s), fill(s)
		r2, ss2 := slices.Clone(r1), slices.Clone(ss1)
		acc := make([]float64, 4*n*s)
		AVX2.ResidualBlock(x, y, bb, r1, ss1, acc, n, d, s, w)
		Go.ResidualBlock(x, y, bb, r2, ss2, acc, n, d, s, w)
		same("ResidualBlock r", r1, r2)
		same("ResidualBlock ss", ss1, ss2)
		xt := fill(d * n)
		g1 := fill(d * s)
		g2 := slices.Clone(g1)
		AVX2.GradientBlock(xt, r1, g1, n, d, s, w)
		Go.GradientBlock(xt, r2, g2, n, d, s, w)
		same("GradientBlock", g1, g2)
		gammas := fill(s)
		for b := range gammas {
			gammas[b] = math.Abs(gammas[b])
		}
		bu, bv := fill(d*s), fill(d*s)
		bu2, bv2 := slices.Clone(bu), slices.Clone(bv)
		be1, bs1 := fill(d*s), fill(s)
		be2, bs2 := slices.Clone(be1), slices.Clone(bs1)
		AVX2.GDUpdate(bu, bv, g1, gammas, be1, bs1, d, s, w)
		Go.GDUpdate(bu2, bv2, g2, gammas, be2, bs2, d, s, w)
		same("GDUpdate u", bu, bu2)
		same("GDUpdate v", bv, bv2)
		same("GDUpdate beta", be1, be2)
		same("GDUpdate betaSum", bs1, bs2)
		plant(g1)
		tg1, ts1, tm1 := fill(d*s), fill(d*s), make([]float64, s)
		tg2, ts2, tm2 := slices.Clone(tg1), slices.Clone(ts1), make([]float64, s)
		AVX2.TheoryBlock(g1, gammas, tg1, ts1, tm1, d, s, w)
		Go.TheoryBlock(g1, gammas, tg2, ts2, tm2, d, s, w)
		same("TheoryBlock gain", tg1, tg2)
		same("TheoryBlock skew", ts1, ts2)
		same("TheoryBlock max", tm1, tm2)
	})
}
