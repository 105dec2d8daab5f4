package dynamics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// lsqMaxCond is the largest condition number (gonum's 1-norm estimate of the QR factor) of the
// passive columns accepted by signedLeastSquares: a column whose addition makes the passive
// set more ill-conditioned than this is treated as linearly dependent and not added
// (convention).
const lsqMaxCond = 1e12

// lsqTolW is the relative tolerance of the Lawson-Hanson optimality test: a constrained
// coordinate i enters the passive set only if w_i = sigma_i x_i^T (y - X beta) exceeds
// lsqTolW * max_j ||x_j|| * ||y|| (x_j the columns of X) (convention). It is far below the
// gradient tolerance of SaddleToSaddle (saddleGradTol), so that a coordinate the least squares
// leaves at zero is never a spurious candidate of the next saddle.
const lsqTolW = 1e-13

// errLSQRank reports that the passive columns of a warm start are (numerically) dependent.
var errLSQRank = errors.New("passive columns are linearly dependent")

// signedLeastSquares solves the sign-constrained least squares of the saddle-to-saddle
// algorithm (Pesme2023, docs/science.md section 5):
//
//	minimise ||X beta - y||^2  subject to  sigma_i beta_i >= 0 where sign[i] = sigma_i in {-1, +1},
//	                                       beta_i = 0          where sign[i] = 0,
//
// with X the n x d row-major design. (The scaling 1/(2n) of L does not change the minimiser.)
// Flipping column i by sigma_i turns it into a non-negative least squares on the allowed
// columns, solved by the active-set method of Lawson and Hanson (Solving Least Squares
// Problems, 1974, ch. 23) with x = sigma (.) beta:
//
//	P = {i : x_i > 0} (the passive set; the warm start beta0 must be feasible)
//	inner: z = argmin ||A_P z - y|| (QR of the passive columns); while some z_i <= 0 (i in P):
//	       x += a (z - x) with a = min_{i in P, z_i <= 0} x_i / (x_i - z_i), drop from P every
//	       i with x_i <= 0, recompute z; then x = z
//	outer: w = A^T (y - A x); stop when w_i <= tol for every allowed i outside P, else add
//	       the argmax to P and run the inner loop
//
// so coordinates may leave the support. A column whose addition makes the passive columns
// numerically dependent (condition number above lsqMaxCond, or more than n columns), or
// whose least-squares coefficient comes out <= 0 (a rounding artefact: in exact arithmetic it
// is > 0), is not added; the next best candidate is tried instead. beta0 may be nil (start
// from 0); its entries of the wrong sign or outside the allowed set are an error. The
// result is exact up to the rounding of the QR solves.
func signedLeastSquares(x []float64, n, d int, y, sign, beta0 []float64) ([]float64, error) {
	if len(x) != n*d || len(y) != n || len(sign) != d || (beta0 != nil && len(beta0) != d) {
		return nil, fmt.Errorf("signedLeastSquares: shapes x %d, y %d, sign %d for n = %d, d = %d", len(x), len(y), len(sign), n, d)
	}
	// Allowed columns and the flipped warm start.
	var allowed []int
	for i, s := range sign {
		switch s {
		case 0:
			if beta0 != nil && beta0[i] != 0 {
				return nil, fmt.Errorf("signedLeastSquares: warm start has beta_%d = %v on a zero constraint", i, beta0[i])
			}
		case 1, -1:
			allowed = append(allowed, i)
		default:
			return nil, fmt.Errorf("signedLeastSquares: sign[%d] = %v, want -1, 0 or 1", i, s)
		}
	}
	m := len(allowed)
	a := make([]float64, n*m) // A = X[:, allowed] diag(sigma), row-major n x m
	var colMax float64
	for k, i := range allowed {
		var c float64
		for r := 0; r < n; r++ {
			v := sign[i] * x[r*d+i]
			a[r*m+k] = v
			c += float64(v * v)
		}
		colMax = max(colMax, math.Sqrt(c))
	}
	tolW := lsqTolW * colMax * math.Sqrt(dot(y, y))

	xs := make([]float64, m) // current feasible point, x >= 0
	passive := make([]bool, m)
	if beta0 != nil {
		for k, i := range allowed {
			v := sign[i] * beta0[i]
			if v < 0 || isNonFinite(v) {
				return nil, fmt.Errorf("signedLeastSquares: warm start beta_%d = %v violates its sign constraint", i, beta0[i])
			}
			if v > 0 {
				xs[k] = v
				passive[k] = true
			}
		}
	}
	ls := &passiveLSQ{a: a, n: n, m: m, y: y}
	if err := ls.inner(xs, passive); err != nil {
		if !errors.Is(err, errLSQRank) {
			return nil, err
		}
		// The warm start's support is dependent (never the case for a support produced by
		// this routine): start from 0.
		clear(xs)
		clear(passive)
	}

	w := make([]float64, m)
	res := make([]float64, n)
	rejected := make([]bool, m)
	for iter := 0; ; iter++ {
		if iter > 10*m+100 {
			return nil, fmt.Errorf("signedLeastSquares: no convergence after %d iterations", iter)
		}
		// w = A^T (y - A x)
		for r := 0; r < n; r++ {
			res[r] = y[r] - dot(a[r*m:(r+1)*m], xs)
		}
		for k := range w {
			var s float64
			for r := 0; r < n; r++ {
				s += float64(a[r*m+k] * res[r])
			}
			w[k] = s
		}
		t, best := -1, tolW
		for k := range w {
			if !passive[k] && !rejected[k] && w[k] > best {
				t, best = k, w[k]
			}
		}
		if t < 0 {
			break
		}
		passive[t] = true
		z, err := ls.solve(passive)
		if err != nil && !errors.Is(err, errLSQRank) {
			return nil, err
		}
		if err != nil || z[t] <= 0 {
			passive[t] = false
			rejected[t] = true
			continue
		}
		clear(rejected)
		if err := ls.innerFrom(xs, passive, z); err != nil {
			return nil, err
		}
	}

	beta := make([]float64, d)
	for k, i := range allowed {
		beta[i] = sign[i] * xs[k]
	}
	return beta, nil
}

// passiveLSQ solves the unconstrained least squares of the Lawson-Hanson iterations on a
// subset of the columns of A (row-major n x m).
type passiveLSQ struct {
	a    []float64
	n, m int
	y    []float64
}

// solve returns z with z_P = argmin ||A_P z_P - y|| (by QR) and 0 elsewhere; errLSQRank if the
// passive columns are more than n or their condition number exceeds lsqMaxCond.
func (p *passiveLSQ) solve(passive []bool) ([]float64, error) {
	var cols []int
	for k, in := range passive {
		if in {
			cols = append(cols, k)
		}
	}
	z := make([]float64, p.m)
	if len(cols) == 0 {
		return z, nil
	}
	if len(cols) > p.n {
		return nil, errLSQRank
	}
	sub := mat.NewDense(p.n, len(cols), nil)
	for r := 0; r < p.n; r++ {
		for c, k := range cols {
			sub.Set(r, c, p.a[r*p.m+k])
		}
	}
	var qr mat.QR
	qr.Factorize(sub)
	if c := qr.Cond(); !(c <= lsqMaxCond) {
		return nil, errLSQRank
	}
	var sol mat.Dense
	if err := qr.SolveTo(&sol, false, mat.NewDense(p.n, 1, append([]float64(nil), p.y...))); err != nil {
		return nil, errLSQRank
	}
	for c, k := range cols {
		z[k] = sol.At(c, 0)
	}
	return z, nil
}

// inner runs the Lawson-Hanson inner loop from the feasible xs (xs_i > 0 exactly on the
// passive set).
func (p *passiveLSQ) inner(xs []float64, passive []bool) error {
	z, err := p.solve(passive)
	if err != nil {
		return err
	}
	return p.innerFrom(xs, passive, z)
}

// innerFrom is inner with z already solved for passive: while z is not positive on the
// passive set, move xs towards z as far as feasibility allows, drop the coordinates that
// reach 0 and solve again; finally xs = z.
func (p *passiveLSQ) innerFrom(xs []float64, passive []bool, z []float64) error {
	for guard := 0; ; guard++ {
		if guard > p.m+1 {
			return fmt.Errorf("signedLeastSquares: inner loop did not terminate")
		}
		step, hit := 1.0, -1
		for k, in := range passive {
			if in && z[k] <= 0 {
				if s := xs[k] / (xs[k] - z[k]); s < step || hit < 0 {
					step, hit = s, k
				}
			}
		}
		if hit < 0 {
			copy(xs, z)
			return nil
		}
		for k, in := range passive {
			if in {
				xs[k] += float64(step * (z[k] - xs[k]))
			}
		}
		xs[hit] = 0
		for k, in := range passive {
			if in && xs[k] <= 0 {
				passive[k] = false
				xs[k] = 0
			}
		}
		var err error
		if z, err = p.solve(passive); err != nil {
			return err
		}
	}
}
