package dynamics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// The two limits of the hyperbolic entropy (docs/science.md section 4, Woodworth2020): gradient
// flow converges to the min-l2 interpolator as alpha -> inf (kernel regime) and to the min-l1
// interpolator as alpha -> 0 (rich regime).

// interpTol is the relative residual up to which a least-squares solution counts as an
// interpolator: ||X beta - y||_2 <= interpTol (||y||_2 + ||abs(X) abs(beta)||_2).
const interpTol = 1e-9

// MinL2Interpolator returns the minimum-norm interpolator pinv(X) y (docs/science.md section 4,
// the alpha -> inf limit of gradient flow), by a thin SVD of X with singular values below
// max(n, d) eps s_max treated as zero. Error if X beta = y has no solution.
func MinL2Interpolator(dt *Data) ([]float64, error) {
	beta, _, err := leastSquares(dt)
	return beta, err
}

// MinL1Interpolator returns a minimiser of ||beta||_1 subject to X beta = y (docs/science.md
// section 4, the alpha -> 0 limit of gradient flow), by the linear program
//
//	minimise sum_i (p_i + m_i) subject to X (p - m) = y, p, m >= 0,  beta = p - m,
//
// solved by gonum's simplex (lp.Simplex, reduced-cost tolerance 1e-10). The simplex returns a
// vertex; when the minimiser is not unique it is one of them. It needs X of full row rank
// (generic for n <= d); when n > d and X has full column rank the interpolator is unique and
// returned directly. Error if there is no interpolator or the simplex fails.
func MinL1Interpolator(dt *Data) ([]float64, error) {
	n, d := dt.N, dt.D
	if n > d {
		beta, rank, err := leastSquares(dt)
		if err != nil {
			return nil, err
		}
		if rank == d {
			return beta, nil
		}
		return nil, errors.New("min-l1 interpolator: n > d with rank-deficient X is not supported")
	}
	a := mat.NewDense(n, 2*d, nil)
	for k := range n {
		for i := range d {
			x := dt.X[k*d+i]
			a.Set(k, i, x)
			a.Set(k, d+i, -x)
		}
	}
	c := make([]float64, 2*d)
	for i := range c {
		c[i] = 1
	}
	_, x, err := lp.Simplex(c, a, append([]float64(nil), dt.Y...), 1e-10, nil)
	if err != nil {
		return nil, fmt.Errorf("min-l1 interpolator: %w", err)
	}
	beta := make([]float64, d)
	for i := range beta {
		beta[i] = x[i] - x[d+i]
	}
	if rn, scale := residualScale(dt, beta); !(rn <= interpTol*scale) {
		return nil, fmt.Errorf("min-l1 interpolator: simplex solution has residual %.3g", rn)
	}
	return beta, nil
}

// leastSquares returns the minimum-norm least-squares solution pinv(X) y and the numerical
// rank of X; errNoInterpolator if its residual exceeds interpTol.
func leastSquares(dt *Data) ([]float64, int, error) {
	n, d := dt.N, dt.D
	for _, v := range dt.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, errors.New("least squares: non-finite X")
		}
	}
	x := mat.NewDense(n, d, append([]float64(nil), dt.X...))
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		return nil, 0, errors.New("least squares: SVD failed")
	}
	s := svd.Values(nil)
	rank := 0
	cut := float64(max(n, d)) * dblEps * s[0]
	for _, v := range s {
		if v > cut {
			rank++
		}
	}
	if rank == 0 {
		beta := make([]float64, d)
		if rn, scale := residualScale(dt, beta); !(rn <= interpTol*scale) {
			return nil, 0, errNoInterpolator
		}
		return beta, 0, nil
	}
	var sol mat.Dense
	svd.SolveTo(&sol, mat.NewDense(n, 1, append([]float64(nil), dt.Y...)), rank)
	beta := make([]float64, d)
	for i := range beta {
		beta[i] = sol.At(i, 0)
	}
	if rn, scale := residualScale(dt, beta); !(rn <= interpTol*scale) {
		return nil, rank, fmt.Errorf("%w (least-squares residual %.3g)", errNoInterpolator, rn)
	}
	return beta, rank, nil
}

// residualScale returns ||X beta - y||_2 and ||y||_2 + ||abs(X) abs(beta)||_2 (the size of
// the rounding error of the residual, divided by eps).
func residualScale(dt *Data, beta []float64) (rn, scale float64) {
	d := dt.D
	var rr, ss, yy float64
	for k := range dt.N {
		row := dt.X[k*d : (k+1)*d]
		var s float64
		for i, x := range row {
			s += math.Abs(float64(x * beta[i]))
		}
		rk := dot(row, beta) - dt.Y[k]
		rr += float64(rk * rk)
		ss += float64(s * s)
		yy += float64(dt.Y[k] * dt.Y[k])
	}
	return math.Sqrt(rr), math.Sqrt(yy) + math.Sqrt(ss)
}
