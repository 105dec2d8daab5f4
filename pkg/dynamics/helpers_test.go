package dynamics

import (
	"math"
	"testing"
)

// baseConfig is the Even2023 sparse-regression setting (docs/science.md section 8): n=20, d=30,
// s=3, alpha=0.1, centered Gaussian design, noiseless.
func baseConfig(opt string, batch int, gamma float64) Config {
	return Config{
		Model: ModelUV, Optimizer: opt, Stepsize: gamma, Batch: batch, Init: 0.1,
		N: 20, D: 30, Sparsity: 3, Test: 200, Steps: 1000,
		DataSeed: 11, RunSeed: 12,
	}
}

// relErr returns |got - want| / |want| (|got - want| when want = 0).
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// naiveResidual returns X beta - y with plain loops over the rows in rows (all rows if nil),
// independently of the package kernels.
func naiveResidual(x, y []float64, d int, beta []float64, rows []int) []float64 {
	if rows == nil {
		rows = make([]int, len(y))
		for i := range rows {
			rows[i] = i
		}
	}
	r := make([]float64, len(rows))
	for k, i := range rows {
		s := -y[i]
		for j := 0; j < d; j++ {
			s += x[i*d+j] * beta[j]
		}
		r[k] = s
	}
	return r
}

// naiveGradient returns X_B^T (X_B beta - y_B) / |B| and the loss 1/(2|B|) ||X_B beta - y_B||^2
// with plain loops (all rows if rows is nil).
func naiveGradient(dt *Data, beta []float64, rows []int) ([]float64, float64) {
	if rows == nil {
		rows = make([]int, dt.N)
		for i := range rows {
			rows[i] = i
		}
	}
	r := naiveResidual(dt.X, dt.Y, dt.D, beta, rows)
	g := make([]float64, dt.D)
	var ss float64
	for k, i := range rows {
		ss += r[k] * r[k]
		for j := range g {
			g[j] += dt.X[i*dt.D+j] * r[k]
		}
	}
	b := float64(len(rows))
	for j := range g {
		g[j] /= b
	}
	return g, ss / (2 * b)
}

// firstBitDiff returns the first index where a and b (len(b) >= len(a)) differ in their bits,
// or -1.
func firstBitDiff(a, b []float64) int {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// mustGenerate returns GenerateData(c), failing tb on an error.
func mustGenerate(tb testing.TB, c Config) *Data {
	tb.Helper()
	dt, err := GenerateData(c)
	if err != nil {
		tb.Fatal(err)
	}
	return dt
}
