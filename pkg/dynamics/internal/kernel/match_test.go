package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// requireAsm skips a test that compares the assembly with the Go code where there is no
// assembly (a CPU without AVX2, another GOARCH, the noasm tag): both sides would be Go.
func requireAsm(t testing.TB) {
	t.Helper()
	if !Available() {
		t.Skip("no AVX2 here (CPU, GOARCH or the noasm tag)")
	}
}

// firstBitDiff returns the first index where a and b differ in their bits, or -1 (NaN equals
// a NaN of the same bits). Lengths must be equal.
func firstBitDiff(a, b []float64) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestKernelsMatchGo: the AVX2 kernels of one run (SumSquaredResiduals with dot4,
// GradientRows with gradCols, AccumulateTheory with theoryRun) give the bits of the Go
// kernels, on random shapes (d mod 4 = 0..3, n not a multiple of 4, n = 1) and on the branch
// edges of the gain (|x| around 2^-27 and 2^-14.5, where x^2 crosses log1p's 2^-54 and 2^-29,
// and around 1/16 where the vector path hands over to Go), with NaN and large gradients among
// them. The reference is the Go code itself (Impl Go); package dynamics checks it against
// math.Log1p and the series (theory_test.go).
func TestKernelsMatchGo(t *testing.T) {
	t.Parallel()
	requireAsm(t)
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
		ssA := AVX2.SumSquaredResiduals(x, y, beta, rA)
		ssG := Go.SumSquaredResiduals(x, y, beta, rG)
		if i := firstBitDiff(rA, rG); i >= 0 || math.Float64bits(ssA) != math.Float64bits(ssG) {
			t.Fatalf("trial %d n=%d d=%d: residual %d: %v vs %v; ss %v vs %v", trial, n, d, i, rA, rG, ssA, ssG)
		}
		gA, gG := make([]float64, d), make([]float64, d)
		AVX2.GradientRows(x, rA, nil, gA)
		Go.GradientRows(x, rG, nil, gG)
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
		gainA, skewA := make([]float64, d), make([]float64, d)
		for j := range gainA {
			gainA[j], skewA[j] = rng.Float64(), rng.NormFloat64()
		}
		gainG, skewG := slices.Clone(gainA), slices.Clone(skewA)
		maxA := rng.Float64() * 0.01
		maxG := maxA
		for range 3 {
			AVX2.AccumulateTheory(g, gainA, skewA, gamma, &maxA)
			Go.AccumulateTheory(g, gainG, skewG, gamma, &maxG)
		}
		if i := firstBitDiff(gainA, gainG); i >= 0 {
			t.Fatalf("trial %d d=%d: gain %d (x = %v): %v vs %v", trial, d, i, gamma*g[i], gainA[i], gainG[i])
		}
		if i := firstBitDiff(skewA, skewG); i >= 0 {
			t.Fatalf("trial %d d=%d: skew %d (x = %v): %v vs %v", trial, d, i, gamma*g[i], skewA[i], skewG[i])
		}
		if maxA != maxG {
			t.Fatalf("trial %d: maxGammaG %v vs %v", trial, maxA, maxG)
		}
	}
}

// TestTheoryBlockMatchesGo: the lockstep theory accumulators with theoryLanes equal
// theoryBlockGo bit for bit, on blocks whose rows mix vectors of small |gamma g| with NaN, large
// values and the branch edges of the gain, for widths not a multiple of 4 and w < s.
func TestTheoryBlockMatchesGo(t *testing.T) {
	t.Parallel()
	requireAsm(t)
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
		AVX2.TheoryBlock(g, gamma, ga, sa, ma, d, s, w)
		Go.TheoryBlock(g, gamma, gg, sg, mg, d, s, w)
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

// TestLockstepKernelsMatchGo: the AVX2 lockstep kernels equal the Go ones bit for bit, on random
// blocks of many shapes (below), and the theory accumulators also on the edge cases of GainQ
// and skewSmall: x = +-0, |x| around the branches of math.log1p (x^2 near 2^-54 and 2^-29),
// around 1/16 (the skewSmall limit), up to the scalar range, Inf and NaN.
func TestLockstepKernelsMatchGo(t *testing.T) {
	t.Parallel()
	requireAsm(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const d, s, w = 13, 12, 12
	edge := []float64{0, math.Copysign(0, -1), 0x1p-27, 0x1p-27 * (1 - 0x1p-52), 0x1p-14, 0x1p-15 * 1.5,
		1.0 / 16, 1.0/16 - 0x1p-56, -1.0 / 16, 0.3, -0.7, 1, 2, math.Inf(1), math.NaN(), 1e-300}
	fill := func(k int) []float64 {
		a := make([]float64, k)
		for i := range a {
			a[i] = rng.NormFloat64() * math.Pow(10, -8*rng.Float64())
		}
		return a
	}
	for trial := range 50 {
		g, gamma := fill(d*s), fill(s)
		for i := range gamma {
			gamma[i] = math.Abs(gamma[i])
		}
		if trial%2 == 0 {
			for i := range g {
				g[i] = edge[(i+trial)%len(edge)]
				gamma[i%s] = 1
			}
		}
		gain1, skew1, max1 := fill(d*s), fill(d*s), make([]float64, s)
		gain2, skew2, max2 := slices.Clone(gain1), slices.Clone(skew1), make([]float64, s)
		AVX2.TheoryBlock(g, gamma, gain1, skew1, max1, d, s, w)
		Go.TheoryBlock(g, gamma, gain2, skew2, max2, d, s, w)
		for name, pair := range map[string][2][]float64{"gain": {gain1, gain2}, "skew": {skew1, skew2}, "max": {max1, max2}} {
			if i := firstBitDiff(pair[0], pair[1]); i >= 0 {
				t.Fatalf("trial %d: %s[%d] = %v, want %v", trial, name, i, pair[0][i], pair[1][i])
			}
		}
	}
	// The products and the gd update on shapes that reach every path of the assembly kernels:
	// odd d (d mod 4 = 1, 2, 3), odd n and n = 1 (a last single row), d < 4, widths below one
	// 16-column strip (4, 12), a last strip overlapping the one before (20, 36, 60), w < s, and
	// the benchmark's 64 columns, and d > residJBlock (the residual's passes over blocks of j).
	shapes := []struct{ n, d, s, w int }{{7, 13, 12, 12}, {1, 5, 16, 16}, {5, 1, 8, 4}, {9, 23, 24, 20},
		{3, 100, 64, 64}, {4, 6, 72, 60}, {2, 3, 40, 36}, {1, 1, 4, 4}, {6, 7, 20, 8}, {5, 261, 36, 32}}
	for trial := range 40 {
		sh := shapes[trial%len(shapes)]
		n, d, s, w := sh.n, sh.d, sh.s, sh.w
		gamma := fill(s)
		x, y, beta := fill(n*d), fill(n), fill(d*s)
		r1, r2, ss1, ss2 := fill(n*s), make([]float64, n*s), fill(s), make([]float64, s)
		copy(r2, r1)
		copy(ss2[w:], ss1[w:])
		acc := make([]float64, 4*n*s) // as a block's: the wide assembly kernels need 4n rows
		AVX2.ResidualBlock(x, y, beta, r1, ss1, acc, n, d, s, w)
		Go.ResidualBlock(x, y, beta, r2, ss2, acc, n, d, s, w)
		xt := fill(d * n)
		g1, g2 := fill(d*s), make([]float64, d*s)
		copy(g2, g1)
		AVX2.GradientBlock(xt, r1, g1, n, d, s, w)
		Go.GradientBlock(xt, r2, g2, n, d, s, w)
		u, v := fill(d*s), fill(d*s)
		u2, v2 := slices.Clone(u), slices.Clone(v)
		b1, bs1 := fill(d*s), fill(s)
		b2, bs2 := slices.Clone(b1), slices.Clone(bs1)
		AVX2.GDUpdate(u, v, g1, gamma, b1, bs1, d, s, w)
		Go.GDUpdate(u2, v2, g2, gamma, b2, bs2, d, s, w)
		for name, pair := range map[string][2][]float64{"r": {r1, r2}, "ss": {ss1, ss2}, "g": {g1, g2},
			"u": {u, u2}, "v": {v, v2}, "beta": {b1, b2}, "betaSum": {bs1, bs2}} {
			if i := firstBitDiff(pair[0], pair[1]); i >= 0 {
				t.Fatalf("trial %d (n=%d d=%d s=%d w=%d): %s[%d] = %v, want %v", trial, n, d, s, w, name, i, pair[0][i], pair[1][i])
			}
		}
	}
}

// BenchmarkTheoryLanes measures the lockstep gain/skew accumulators (TheoryBlock with
// kernel.Default) on a 100 x 64 block of small gradients, the case of a converging sweep;
// ns/op per block step.
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
		Default.TheoryBlock(g, gamma, gain, skew, m, d, w, w)
	}
}
