package dynamics

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Sharpness returns the top (largest algebraic) eigenvalue of the Hessian of
// F(u, v) = L(u (.) v) at (u, v) (docs/science.md section 4): with H = X^T X / n,
// D_x = diag(x) and D_g = diag(grad L(beta)), beta = u (.) v,
//
//	Hess F = [[D_v H D_v, D_v H D_u + D_g], [D_u H D_v + D_g, D_u H D_u]].
//
// It never forms the matrix: the product with (a, b) is t = v (.) a + u (.) b,
// s = X^T (X t)/n, (v (.) s + g (.) b, u (.) s + g (.) a), O(nd), and the eigenvalue comes
// from Lanczos iteration with full reorthogonalisation (see lanczosTop). Edge of stability
// (Even2023): a converged gd run with stepsize gamma ends with Sharpness <= 2/gamma (up to
// the tolerance of the last steps). NaN if u or v has a non-finite entry.
func Sharpness(dt *Data, u, v []float64) float64 {
	d := dt.D
	beta := make([]float64, d)
	for i := range beta {
		beta[i] = u[i] * v[i]
		if math.IsNaN(beta[i]) || math.IsInf(beta[i], 0) || math.IsInf(u[i], 0) || math.IsInf(v[i], 0) {
			return math.NaN()
		}
	}
	g := make([]float64, d)
	dt.Gradient(beta, g)
	op := &uvHessian{x: dt.X, n: dt.N, d: d, u: u[:d], v: v[:d], g: g,
		t: make([]float64, d), s: make([]float64, d), xt: make([]float64, dt.N)}
	return lanczosTop(op.apply, 2*d, 1e-12)
}

// uvHessian applies the Hessian of F on "uv" (see Sharpness) to a vector.
type uvHessian struct {
	x          []float64 // n x d row-major
	n, d       int
	u, v, g    []float64
	t, s, xt   []float64 // scratch
	applyCount int
}

// apply sets dst = Hess F src (len 2d each).
func (h *uvHessian) apply(dst, src []float64) {
	d := h.d
	a, b := src[:d], src[d:2*d]
	for i := range d {
		h.t[i] = float64(h.v[i]*a[i]) + float64(h.u[i]*b[i])
	}
	for k := range h.n {
		h.xt[k] = dot(h.x[k*d:(k+1)*d], h.t)
	}
	gradientRows(h.x, h.xt, nil, h.s) // s = X^T X t / n
	top, bot := dst[:d], dst[d:2*d]
	for i := range d {
		top[i] = float64(h.v[i]*h.s[i]) + float64(h.g[i]*b[i])
		bot[i] = float64(h.u[i]*h.s[i]) + float64(h.g[i]*a[i])
	}
	h.applyCount++
}

// lanczosTop returns the largest eigenvalue of the symmetric operator apply on R^m by the
// Lanczos iteration with full reorthogonalisation (Gram-Schmidt twice against every Lanczos
// vector), from a fixed pseudo-random unit start (PCG seeds 1, 2: the result is
// deterministic). Every 4 steps, and at the end, it takes the eigen-decomposition of the
// tridiagonal T_j (gonum mat.EigenSym on a j x j matrix, j <= m) and stops when the residual
// bound |b_j s_j| of the top Ritz pair (s_j the last component of its eigenvector of T_j) is at
// most tol * max|Ritz value|, when b_j vanishes (an invariant subspace: the Ritz values are
// exact), or after m steps (then T is similar to the operator itself).
func lanczosTop(apply func(dst, src []float64), m int, tol float64) float64 {
	if m == 0 {
		return math.NaN()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	q := make([][]float64, 0, m)
	q0 := make([]float64, m)
	for i := range q0 {
		q0[i] = rng.NormFloat64()
	}
	scaleVec(q0, 1/math.Sqrt(dot(q0, q0)))
	q = append(q, q0)
	alpha := make([]float64, 0, m)
	beta := make([]float64, 0, m)
	w := make([]float64, m)
	var top, size float64 // size: max |alpha_i|, b_i so far, a lower bound of the norm
	for j := 0; j < m; j++ {
		apply(w, q[j])
		aj := dot(q[j], w)
		alpha = append(alpha, aj)
		for range 2 {
			for _, qi := range q {
				c := dot(qi, w)
				for k := range w {
					w[k] -= float64(c * qi[k])
				}
			}
		}
		bj := math.Sqrt(dot(w, w))
		beta = append(beta, bj)
		size = math.Max(size, math.Max(math.Abs(aj), bj))
		if j+1 == m || (j+1)%4 == 0 || bj <= 1e-14*size {
			theta, s, scale := tridiagTop(alpha, beta[:j])
			top = theta
			if j+1 == m || bj <= 1e-14*scale || math.Abs(bj*s) <= tol*scale {
				return top
			}
		}
		q = append(q, scaledCopy(w, 1/bj))
	}
	return top
}

// tridiagTop returns the largest eigenvalue of the symmetric tridiagonal matrix with diagonal
// alpha and off-diagonal off (len(alpha)-1), the last component of its unit eigenvector, and
// max |eigenvalue|.
func tridiagTop(alpha, off []float64) (theta, last, scale float64) {
	k := len(alpha)
	t := mat.NewSymDense(k, nil)
	for i := range k {
		t.SetSym(i, i, alpha[i])
		if i+1 < k {
			t.SetSym(i, i+1, off[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(t, true) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	theta = vals[k-1]
	last = vecs.At(k-1, k-1)
	scale = math.Max(math.Abs(vals[0]), math.Abs(theta))
	return theta, last, scale
}

func scaleVec(x []float64, c float64) {
	for i := range x {
		x[i] *= c
	}
}

func scaledCopy(x []float64, c float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = v * c
	}
	return y
}
