package dynamics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"
)

// The implicit-bias prediction of Even2023 and the gradient-flow solution (docs/science.md
// section 4).
//
// A gd or sgd step with gradient g (any g in the row space of X: full batch, minibatch or
// noisy labels) multiplies w+ = (u+v)/sqrt(2) by 1 - x and w- = (u-v)/sqrt(2) by 1 + x,
// x = gamma g, coordinatewise. With q+-(x) = -+2x - ln((1 -+ x)^2) and Q+- = sum_l q+-(x_l),
//
//	w+^2 = alpha+^2 exp(-2 gamma G),  w-^2 = alpha-^2 exp(+2 gamma G),  G = sum_l g_l,
//	alpha+- = alpha exp(-Q+-/2),
//
// so beta = (w+^2 - w-^2)/2 = a^2 (.) sinh(theta0 + 2 X^T nu) for some nu in R^n, with
// a^2 = alpha_inf^2 = alpha+ alpha- and theta0 = arcsinh(beta~0/a^2),
// beta~0 = (alpha+^2 - alpha-^2)/2. An interpolating limit of that form is the minimiser of
// D_psi_a(beta, beta~0) subject to X beta = y (Even2023), which SolveMirror computes.
//
// The runner does not accumulate Q+ and Q- themselves: q+ + q- = 2q (q = GainQ), so
// Q+- = Gain +- Skew with Skew = sum_l s(x_l), s = (q+ - q-)/2 = GainSkew, an odd function of
// order x^3 that the runner accumulates next to Gain. Then alpha_inf = alpha exp(-Gain/2) (the
// effective init of the gain identity) and theta0 = -Skew exactly, with no cancellation
// between Q+ and Q-.

// GainSkew returns s(x) = (q+(x) - q-(x))/2 = ln|1 + x| - ln|1 - x| - 2x (Even2023, see
// above), = 2(artanh x - x) = 2 sum_{k>=0} x^(2k+3)/(2k+3) for |x| < 1, an odd function
// (computed on |x|, so exactly odd). For |x| < 1/16 it sums that series to x^17 (8 terms, the
// common case of a converging run: a few flops), for |x| < 1/4 to x^31 (15 terms; truncation
// below 2^-54 relative in both), then log1p(|x|) - log1p(-|x|) - 2|x| for |x| < 1 (cancellation
// at most 3/x^2 <= 48 ulps) and log1p(2/(|x|-1)) - 2|x| beyond; +Inf at |x| = 1.
func GainSkew(x float64) float64 { return kernel.GainSkew(x) }

// accumulateTheory adds the per-step gain and theory quantities of the gradient r.g that the
// last step used, x = gamma g: Gain_i += GainQ(x_i) (Even2023), Skew_i += GainSkew(x_i) and
// maxGammaG = max(maxGammaG, |x_i|) (kernel.Impl.AccumulateTheory, with the runner's
// kernels). It does not allocate. A NaN gradient leaves maxGammaG unchanged (the run diverges
// anyway).
func (r *runner) accumulateTheory() {
	r.k.AccumulateTheory(r.g, r.gain, r.skew, r.gamma, &r.maxGammaG)
}

// ImplicitBiasInit returns the parameters of the implicit-bias prediction of Even2023
// (docs/science.md section 4) of a gd/sgd run on "uv" from init alpha, given its accumulated Gain
// and Skew (State.Gain, State.Skew): alpha_inf_i = sqrt(alpha+_i alpha-_i) =
// alpha exp(-Gain_i/2) and beta~0_i = (alpha+_i^2 - alpha-_i^2)/2 = -alpha_inf_i^2 sinh(Skew_i),
// where alpha+- = alpha exp(-(Gain +- Skew)/2).
func ImplicitBiasInit(alpha float64, gain, skew []float64) (alphaInf, beta0 []float64) {
	alphaInf = make([]float64, len(gain))
	beta0 = make([]float64, len(gain))
	for i, g := range gain {
		a := alpha * math.Exp(-g/2)
		alphaInf[i] = a
		beta0[i] = -float64(a*a) * math.Sinh(skew[i])
	}
	return alphaInf, beta0
}

// ImplicitBiasPrediction returns the limit that Even2023 predicts for a gd/sgd run on "uv"
// from init alpha with accumulated Gain and Skew: argmin D_psi(alpha_inf)(beta, beta~0)
// subject to X beta = y (see ImplicitBiasInit and SolveMirror). For a converged run it equals
// the final beta up to the remaining residual.
func ImplicitBiasPrediction(dt *Data, alpha float64, gain, skew []float64) ([]float64, error) {
	if len(gain) != dt.D || len(skew) != dt.D {
		return nil, fmt.Errorf("gain and skew must have length d = %d", dt.D)
	}
	la := make([]float64, dt.D)
	theta0 := make([]float64, dt.D)
	l := 2 * math.Log(alpha)
	for i := range la {
		la[i] = l - gain[i] // ln alpha_inf^2
		theta0[i] = -skew[i]
	}
	return solveMirror(dt, la, theta0)
}

// GradientFlowSolution returns the limit of gradient flow on "uv" from init alpha,
// argmin psi_alpha(beta) subject to X beta = y (docs/science.md section 4, Woodworth2020): the
// solver of SolveMirror with a = alpha, beta~0 = 0. alpha may be as small as 1e-150 or as large
// as 1e150 (the solver works with ln a^2).
func GradientFlowSolution(dt *Data, alpha float64) ([]float64, error) {
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("alpha must be finite and > 0, got %v", alpha)
	}
	la := make([]float64, dt.D)
	l := 2 * math.Log(alpha)
	for i := range la {
		la[i] = l
	}
	return solveMirror(dt, la, make([]float64, dt.D))
}

// SolveMirror returns argmin D_psi_a(beta, beta0) subject to X beta = y (docs/science.md section
// 4; psi_a the hyperbolic entropy), a_i > 0 per coordinate. The minimiser has the form
//
//	beta(nu) = a^2 (.) sinh(theta0 + 2 X^T nu),  theta0 = arcsinh(beta0/a^2),
//
// (the optimality condition grad psi_a(beta) - grad psi_a(beta0) = X^T nu), and nu in R^n
// solves X beta(nu) = y. That is the stationarity condition of the strictly convex dual
//
//	phi(nu) = sum_i a_i^2 (cosh z_i - cosh theta0_i)/2 - <nu, y>,  z = theta0 + 2 X^T nu,
//
// grad phi = X beta(nu) - y, Hessian X diag(2 a^2 cosh z) X^T, which damped Newton minimises:
// Newton step (Cholesky; a small ridge if the Hessian is numerically singular), capped so that
// no z_i moves by more than 16 (this makes tiny a, whose solution has z_i ~ ln(1/a_i^2),
// take O(ln(1/a)) damped steps instead of overflowing), then Armijo backtracking on phi. The
// terms are evaluated as a^2 sinh((z+theta0)/2) sinh((z-theta0)/2) (no cancellation for
// large a) and in the log domain where a^2 or cosh z would under- or overflow. It stops when
// the residual ||X beta - y||_2 stagnates at rounding level.
//
// Errors (the metrics built on it are then NaN): no interpolator (n > d with label noise,
// detected by least squares), non-finite input, or a residual above
// mirrorTol * (||y||_2 + ||abs(X) abs(beta)||_2) after the iterations. When n > d and X has
// full column rank the interpolator is unique and returned directly (least squares).
func SolveMirror(dt *Data, a, beta0 []float64) ([]float64, error) {
	if len(a) != dt.D || len(beta0) != dt.D {
		return nil, fmt.Errorf("a and beta0 must have length d = %d", dt.D)
	}
	la := make([]float64, dt.D)
	theta0 := make([]float64, dt.D)
	for i, ai := range a {
		if !(ai > 0) || math.IsInf(ai, 0) {
			return nil, fmt.Errorf("a[%d] must be finite and > 0, got %v", i, ai)
		}
		la[i] = 2 * math.Log(ai)
		theta0[i] = math.Asinh(beta0[i] / float64(ai*ai))
	}
	return solveMirror(dt, la, theta0)
}

const (
	mirrorTol     = 1e-9 // accepted relative residual of SolveMirror
	mirrorMaxIter = 600  // Newton iterations
	mirrorZCap    = 16.0 // largest change of an exponent z_i in one Newton step
	mirrorSafeExp = 600.0
)

// errNoInterpolator is returned when X beta = y has no solution.
var errNoInterpolator = errors.New("no interpolator: y is not in the range of X")

// mirrorPoint is the evaluation of the dual at one nu.
type mirrorPoint struct {
	nu, beta, curv, r []float64 // curv = 2 a^2 cosh z; r = X beta - y
	phi, phiScale     float64   // phi(nu) and sum of the magnitudes of its terms
	rn, scale         float64   // ||r||_2 and ||y||_2 + ||abs(X) abs(beta)||_2
}

func newMirrorPoint(n, d int) *mirrorPoint {
	return &mirrorPoint{nu: make([]float64, n), beta: make([]float64, d), curv: make([]float64, d), r: make([]float64, n)}
}

// logSinh returns ln sinh(x) for x >= 0 (-Inf at 0).
func logSinh(x float64) float64 {
	if x > 20 {
		return x - math.Ln2 + math.Log1p(-math.Exp(-2*x))
	}
	return math.Log(math.Sinh(x))
}

// logCosh returns ln cosh(x).
func logCosh(x float64) float64 {
	x = math.Abs(x)
	return x - math.Ln2 + math.Log1p(math.Exp(-2*x))
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// eval fills p at p.nu; q is a d-vector of scratch.
func (p *mirrorPoint) eval(dt *Data, la, theta0, q []float64) {
	n, d := dt.N, dt.D
	xtMul(dt.X, n, d, p.nu, q) // q = X^T nu
	var phi, phiScale float64
	for i := range d {
		z := theta0[i] + 2*q[i]
		h := theta0[i] + q[i] // (z + theta0)/2; (z - theta0)/2 = q_i
		var term float64
		if l := la[i]; l > -mirrorSafeExp && l+math.Abs(z) < mirrorSafeExp && l+math.Abs(h) < mirrorSafeExp {
			a2 := math.Exp(l)
			p.beta[i] = a2 * math.Sinh(z)
			p.curv[i] = 2 * a2 * math.Cosh(z)
			term = float64(a2*math.Sinh(h)) * math.Sinh(q[i])
		} else {
			p.beta[i] = sign(z) * math.Exp(l+logSinh(math.Abs(z)))
			p.curv[i] = 2 * math.Exp(l+logCosh(z))
			term = sign(h) * sign(q[i]) * math.Exp(l+logSinh(math.Abs(h))+logSinh(math.Abs(q[i])))
		}
		phi += term
		phiScale += math.Abs(term)
	}
	ny := dot(p.nu, dt.Y)
	p.phi = phi - ny
	p.phiScale = phiScale + math.Abs(ny)
	var rr, ss, yy float64
	for k := range n {
		row := dt.X[k*d : (k+1)*d]
		var s float64
		for i, x := range row {
			s += math.Abs(float64(x * p.beta[i]))
		}
		rk := dot(row, p.beta) - dt.Y[k]
		p.r[k] = rk
		rr += float64(rk * rk)
		ss += float64(s * s)
		yy += float64(dt.Y[k] * dt.Y[k])
	}
	p.rn = math.Sqrt(rr)
	p.scale = math.Sqrt(yy) + math.Sqrt(ss)
}

// xtMul sets dst = X^T v for the row-major n x d matrix x.
func xtMul(x []float64, n, d int, v, dst []float64) {
	clear(dst[:d])
	for k := range n {
		addScaledRow(dst[:d], v[k], x[k*d:(k+1)*d])
	}
}

// solveMirror is SolveMirror with la = ln a^2 and theta0 = arcsinh(beta0/a^2) given.
func solveMirror(dt *Data, la, theta0 []float64) ([]float64, error) {
	n, d := dt.N, dt.D
	for i := range la {
		if math.IsNaN(la[i]) || math.IsInf(la[i], 0) || math.IsNaN(theta0[i]) || math.IsInf(theta0[i], 0) {
			return nil, fmt.Errorf("non-finite scale or shift at coordinate %d", i)
		}
	}
	if n > d {
		// H = X diag X^T is singular: decide on the interpolators by least squares first.
		beta, rank, err := leastSquares(dt)
		if err != nil {
			return nil, err
		}
		if rank == d {
			return beta, nil // the unique interpolator
		}
	}

	cur, trial := newMirrorPoint(n, d), newMirrorPoint(n, d)
	q := make([]float64, d)
	dq := make([]float64, d)
	step := make([]float64, n)
	w := mat.NewDense(n, d, nil)
	var h mat.SymDense
	var chol mat.Cholesky
	cur.eval(dt, la, theta0, q)
	if math.IsNaN(cur.phi) || math.IsInf(cur.phi, 0) {
		return nil, errors.New("mirror solve: non-finite start")
	}
	best := append([]float64(nil), cur.beta...)
	bestRN, bestScale := cur.rn, cur.scale
	sinceBest := 0
	for it := 0; it < mirrorMaxIter; it++ {
		if cur.rn <= 2*dblEps*cur.scale {
			break
		}
		// Newton step: (X diag(curv) X^T) step = -(X beta - y).
		for k := range n {
			row := dt.X[k*d : (k+1)*d]
			for i, x := range row {
				w.Set(k, i, x*math.Sqrt(cur.curv[i]))
			}
		}
		h.Reset()
		h.SymOuterK(1, w)
		if !factorRidge(&chol, &h) {
			break
		}
		rv := mat.NewVecDense(n, cur.r)
		sv := mat.NewVecDense(n, step)
		if err := chol.SolveVecTo(sv, rv); err != nil && !isConditionErr(err) {
			break
		}
		for k := range step {
			step[k] = -step[k]
		}
		slope := dot(cur.r, step)
		if !(slope < 0) {
			break
		}
		xtMul(dt.X, n, d, step, dq)
		var m float64
		for _, v := range dq {
			m = math.Max(m, 2*math.Abs(v))
		}
		t := 1.0
		if m > mirrorZCap {
			t = mirrorZCap / m
		}
		accepted := false
		for range 60 {
			for k := range n {
				trial.nu[k] = cur.nu[k] + t*step[k]
			}
			trial.eval(dt, la, theta0, q)
			if !math.IsNaN(trial.phi) && !math.IsInf(trial.phi, 0) &&
				trial.phi <= cur.phi+1e-4*t*slope+1e-12*cur.phiScale {
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			break
		}
		cur, trial = trial, cur
		if cur.rn < bestRN {
			copy(best, cur.beta)
			bestRN, bestScale = cur.rn, cur.scale
			sinceBest = 0
		} else if sinceBest++; sinceBest >= 4 && bestRN <= 1e-8*bestScale {
			break // stagnation at rounding level
		}
	}
	if !(bestRN <= mirrorTol*bestScale) {
		return nil, fmt.Errorf("mirror solve did not converge: residual %.3g (scale %.3g)", bestRN, bestScale)
	}
	return best, nil
}

const dblEps = 0x1p-52

// factorRidge factorises h, adding a ridge mu I (mu = 1e-13, 1e-11, ... times the largest
// diagonal entry) if h is numerically singular. It reports success.
func factorRidge(chol *mat.Cholesky, h *mat.SymDense) bool {
	if chol.Factorize(h) {
		return true
	}
	n := h.SymmetricDim()
	var top float64
	for k := range n {
		top = math.Max(top, h.At(k, k))
	}
	if !(top > 0) || math.IsInf(top, 0) {
		return false
	}
	hr := mat.NewSymDense(n, nil)
	for mu := 1e-13 * top; mu <= 1e-3*top; mu *= 100 {
		hr.CopySym(h)
		for k := range n {
			hr.SetSym(k, k, hr.At(k, k)+mu)
		}
		if chol.Factorize(hr) {
			return true
		}
	}
	return false
}

// isConditionErr reports whether err is gonum's warning of an ill-conditioned solve (the
// solution is still computed).
func isConditionErr(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}
