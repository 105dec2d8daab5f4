package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// bruteSignedLSQ minimises ||X beta - y||^2 under the constraints of signedLeastSquares by
// enumeration: for every subset T of the allowed coordinates with |T| <= n it solves the
// unconstrained least squares on T (normal equations, skipped if singular), keeps it if it
// respects the signs, and returns the feasible solution of smallest loss. The constrained
// minimiser is the least-squares solution on its own support, so this is exact.
func bruteSignedLSQ(x []float64, n, d int, y, sign []float64) ([]float64, float64) {
	var allowed []int
	for i, s := range sign {
		if s != 0 {
			allowed = append(allowed, i)
		}
	}
	best, bestLoss := make([]float64, d), sumSq(x, y, n, d, make([]float64, d))
	for mask := 1; mask < 1<<len(allowed); mask++ {
		var cols []int
		for k, i := range allowed {
			if mask&(1<<k) != 0 {
				cols = append(cols, i)
			}
		}
		if len(cols) > n {
			continue
		}
		m := len(cols)
		g := mat.NewDense(m, m, nil)
		b := mat.NewVecDense(m, nil)
		for p, i := range cols {
			for q, j := range cols {
				var s float64
				for r := 0; r < n; r++ {
					s += x[r*d+i] * x[r*d+j]
				}
				g.Set(p, q, s)
			}
			var s float64
			for r := 0; r < n; r++ {
				s += x[r*d+i] * y[r]
			}
			b.SetVec(p, s)
		}
		var z mat.VecDense
		if err := z.SolveVec(g, b); err != nil {
			continue
		}
		beta := make([]float64, d)
		ok := true
		for p, i := range cols {
			beta[i] = z.AtVec(p)
			if sign[i]*beta[i] < -1e-12 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		if l := sumSq(x, y, n, d, beta); l < bestLoss {
			best, bestLoss = beta, l
		}
	}
	return best, bestLoss
}

// sumSq returns ||X beta - y||^2 with plain loops.
func sumSq(x, y []float64, n, d int, beta []float64) float64 {
	var ss float64
	for r := 0; r < n; r++ {
		s := -y[r]
		for i := 0; i < d; i++ {
			s += x[r*d+i] * beta[i]
		}
		ss += s * s
	}
	return ss
}

// TestSignedLeastSquaresBruteForce compares signedLeastSquares (Lawson-Hanson on flipped
// columns, the least squares of Pesme2023's algorithm, docs/science.md section 5) with
// enumeration of the active sets on 400 random problems: d = 6, n in {3, 5, 8} (under- and
// overdetermined), random signs in {-1, 0, +1}, cold start or a random feasible warm start.
// The loss must match to 1e-12 ||y||^2, the constraints hold exactly, and when n >= d (the
// minimiser is unique) beta must match to 1e-9.
func TestSignedLeastSquaresBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const d = 6
	var worstLoss, worstBeta float64
	for trial := 0; trial < 400; trial++ {
		n := []int{3, 5, 8}[trial%3]
		x := make([]float64, n*d)
		for k := range x {
			x[k] = rng.NormFloat64()
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		sign := make([]float64, d)
		for i := range sign {
			sign[i] = float64(rng.IntN(3) - 1)
		}
		var warm []float64
		if trial%2 == 1 {
			warm = make([]float64, d)
			for i := range warm {
				if sign[i] != 0 && rng.IntN(2) == 0 {
					warm[i] = sign[i] * rng.ExpFloat64()
				}
			}
		}
		got, err := signedLeastSquares(x, n, d, y, sign, warm)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		for i, b := range got {
			if (sign[i] == 0 && b != 0) || sign[i]*b < 0 {
				t.Fatalf("trial %d: beta_%d = %v violates sign %v", trial, i, b, sign[i])
			}
		}
		want, wantLoss := bruteSignedLSQ(x, n, d, y, sign)
		gotLoss := sumSq(x, y, n, d, got)
		e := math.Abs(gotLoss-wantLoss) / dot(y, y)
		worstLoss = max(worstLoss, e)
		if e > 1e-12 {
			t.Errorf("trial %d (n=%d): loss %.17g, brute force %.17g", trial, n, gotLoss, wantLoss)
		}
		if n >= d {
			for i := range got {
				worstBeta = max(worstBeta, math.Abs(got[i]-want[i]))
			}
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-9 {
					t.Errorf("trial %d: beta %v, brute force %v", trial, got, want)
					break
				}
			}
		}
	}
	t.Logf("worst loss error / ||y||^2 %.3g, worst beta error (n >= d) %.3g", worstLoss, worstBeta)
}

// TestSignedLeastSquaresRejects: bad signs and infeasible warm starts are errors.
func TestSignedLeastSquaresRejects(t *testing.T) {
	x := []float64{1, 0, 0, 1}
	y := []float64{1, 1}
	for name, c := range map[string]struct{ sign, warm []float64 }{
		"sign 2":          {[]float64{2, 1}, nil},
		"warm wrong sign": {[]float64{1, 1}, []float64{-1, 0}},
		"warm on zero":    {[]float64{0, 1}, []float64{1, 0}},
	} {
		if _, err := signedLeastSquares(x, 2, 2, y, c.sign, c.warm); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
