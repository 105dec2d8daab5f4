package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradientFiniteDifference: grad L(beta) = X^T (X beta - y)/n (docs/science.md section 1)
// matches the central difference (L(beta + h e_j) - L(beta - h e_j)) / 2h. L is quadratic,
// so the central difference is exact up to rounding, about eps*L/h = 1e-11 with h = 1e-5;
// tolerance 1e-8 * max(1, |g_j|).
func TestGradientFiniteDifference(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.XMean, c.LabelNoise = 0.3, 0.2
	dt := mustGenerate(t, c)
	rng := rand.New(rand.NewPCG(1, 2))
	beta := make([]float64, c.D)
	for j := range beta {
		beta[j] = rng.NormFloat64()
	}
	g := make([]float64, c.D)
	loss := dt.Gradient(beta, g)
	if e := relErr(loss, dt.TrainLoss(beta)); e > 1e-15 {
		t.Errorf("Gradient returned loss %v, TrainLoss %v", loss, dt.TrainLoss(beta))
	}
	const h = 1e-5
	for j := range beta {
		b := append([]float64(nil), beta...)
		b[j] = beta[j] + h
		lp := dt.TrainLoss(b)
		b[j] = beta[j] - h
		lm := dt.TrainLoss(b)
		fd := (lp - lm) / (2 * h)
		if math.Abs(fd-g[j]) > 1e-8*math.Max(1, math.Abs(g[j])) {
			t.Errorf("g[%d] = %v, central difference %v", j, g[j], fd)
		}
	}
}

// TestMinibatchGradientFiniteDifference: the sgd kernel's gradient on rows B equals the
// central difference of the minibatch loss L_B(beta) = 1/(2b) ||X_B beta - y_B||^2
// (docs/science.md section 1), computed here with plain loops. Tolerance as above.
func TestMinibatchGradientFiniteDifference(t *testing.T) {
	c := baseConfig(OptimizerSGD, 5, 0.1)
	dt := mustGenerate(t, c)
	beta := make([]float64, c.D)
	for j := range beta {
		beta[j] = 0.1 * float64(j%7-3)
	}
	rows := []int{7, 2, 19, 0, 11}
	res := make([]float64, c.N)
	sumSquaredResiduals(dt.X, dt.Y, beta, res)
	g := make([]float64, c.D)
	gradientRows(dt.X, res, rows, g)
	lossB := func(b []float64) float64 {
		var ss float64
		for _, r := range naiveResidual(dt.X, dt.Y, dt.D, b, rows) {
			ss += r * r
		}
		return ss / float64(2*len(rows))
	}
	const h = 1e-5
	for j := range beta {
		b := append([]float64(nil), beta...)
		b[j] = beta[j] + h
		lp := lossB(b)
		b[j] = beta[j] - h
		lm := lossB(b)
		fd := (lp - lm) / (2 * h)
		if math.Abs(fd-g[j]) > 1e-8*math.Max(1, math.Abs(g[j])) {
			t.Errorf("g_B[%d] = %v, central difference %v", j, g[j], fd)
		}
	}
}

// TestUVPullbackFiniteDifference: the "uv" chain rule grad_u F = v (.) g, grad_v F = u (.) g
// (docs/science.md section 2) matches central differences of F(u, v) = L(u (.) v). F is quartic
// in w; with h = 1e-5 the truncation error is O(h^2) ~ 1e-10; tolerance 1e-7 * max(1, |.|).
func TestUVPullbackFiniteDifference(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	dt := mustGenerate(t, c)
	m := uvModel{}
	d := c.D
	rng := rand.New(rand.NewPCG(3, 4))
	w := make([]float64, m.numParams(d))
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	F := func(w []float64) float64 {
		beta := make([]float64, d)
		m.beta(w, beta)
		return dt.TrainLoss(beta)
	}
	beta := make([]float64, d)
	m.beta(w, beta)
	g := make([]float64, d)
	dt.Gradient(beta, g)
	gw := make([]float64, len(w))
	m.pullback(w, g, gw)
	const h = 1e-5
	for i := range w {
		p := append([]float64(nil), w...)
		p[i] = w[i] + h
		fp := F(p)
		p[i] = w[i] - h
		fm := F(p)
		fd := (fp - fm) / (2 * h)
		if math.Abs(fd-gw[i]) > 1e-7*math.Max(1, math.Abs(gw[i])) {
			t.Errorf("grad F[%d] = %v, central difference %v", i, gw[i], fd)
		}
	}
}

// TestGenerateDataDistribution checks the conventions of docs/science.md section 1 on one
// seeded dataset: support of beta* = first s coordinates; nested supports across s; the
// training design does not depend on s; y = X beta* exactly when sigma = 0 (up to summation
// order, 1e-12); with sigma > 0, y - X beta* = sigma*eps. Statistical checks use 5-standard-
// error tolerances (seeded, so deterministic): mean of x_ij = m with standard error
// 1/sqrt(N*D); std of eps = 1 with standard error about 1/sqrt(2N).
func TestGenerateDataDistribution(t *testing.T) {
	c := Config{N: 2000, D: 20, Sparsity: 4, Test: 500, XMean: 0.7, DataSeed: 5}
	dt := mustGenerate(t, c)
	for j, b := range dt.BetaStar {
		if (j < c.Sparsity) != (b != 0) {
			t.Errorf("beta*[%d] = %v with s = %d", j, b, c.Sparsity)
		}
	}
	for _, tc := range []struct {
		x    []float64
		name string
	}{{dt.X, "X"}, {dt.XTest, "X_test"}} {
		var mean float64
		for _, v := range tc.x {
			mean += v
		}
		mean /= float64(len(tc.x))
		if se := 1 / math.Sqrt(float64(len(tc.x))); math.Abs(mean-c.XMean) > 5*se {
			t.Errorf("mean of %s = %v, want %v +- %v", tc.name, mean, c.XMean, 5*se)
		}
	}
	for i, r := range naiveResidual(dt.X, dt.Y, c.D, dt.BetaStar, nil) {
		if math.Abs(r) > 1e-12 {
			t.Fatalf("noiseless y[%d] - <x_i, beta*> = %v", i, r)
		}
	}

	c2 := c
	c2.Sparsity = 6
	dt2 := mustGenerate(t, c2)
	for j := range c.Sparsity {
		if dt2.BetaStar[j] != dt.BetaStar[j] {
			t.Errorf("supports not nested: beta*[%d] = %v (s=4) vs %v (s=6)", j, dt.BetaStar[j], dt2.BetaStar[j])
		}
	}
	for k := range dt.X {
		if dt.X[k] != dt2.X[k] {
			t.Fatalf("X depends on sparsity at entry %d", k)
		}
	}

	c3 := c
	c3.LabelNoise = 0.5
	dt3 := mustGenerate(t, c3)
	var ss float64
	for _, r := range naiveResidual(dt3.X, dt3.Y, c.D, dt3.BetaStar, nil) {
		ss += r * r
	}
	std := math.Sqrt(ss/float64(c.N)) / c3.LabelNoise
	if se := 1 / math.Sqrt(2*float64(c.N)); math.Abs(std-1) > 5*se {
		t.Errorf("label noise std / sigma = %v, want 1 +- %v", std, 5*se)
	}
}

// TestNNZ checks nnz = #{i : |beta_i| > 1e-3 max|beta|} (docs/science.md section 7).
func TestNNZ(t *testing.T) {
	cases := []struct {
		beta []float64
		want int
	}{
		{[]float64{0, 0, 0}, 0},
		{[]float64{1, -1e-3, 1.1e-3, 0}, 2}, // 1e-3 is not > 1e-3*1
		{[]float64{-2, 2, 1e-2}, 3},
		{[]float64{math.NaN(), 1}, 1},
		{[]float64{math.Inf(1), 1}, 1},
	}
	for _, tc := range cases {
		if got := NNZ(tc.beta); got != tc.want {
			t.Errorf("NNZ(%v) = %d, want %d", tc.beta, got, tc.want)
		}
	}
}
