package dynamics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Tests of the theory of docs/science.md section 4 (theory_*.go) and the section 7 metrics built
// on it.

// norm2 returns ||x||_2.
func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// diff returns a - b.
func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// covarianceTop returns lambda_max(H), H = X^T X / n, by a dense eigendecomposition.
func covarianceTop(t *testing.T, dt *Data) float64 {
	t.Helper()
	x := mat.NewDense(dt.N, dt.D, dt.X)
	h := mat.NewSymDense(dt.D, nil)
	h.SymOuterK(1/float64(dt.N), x.T())
	var es mat.EigenSym
	if !es.Factorize(h, false) {
		t.Fatal("eigen of H failed")
	}
	v := es.Values(nil)
	return v[len(v)-1]
}

// rowSpaceResidual returns the relative distance of w from the row space of X,
// min_nu ||X^T nu - w|| / ||w|| (least squares with gonum, independent of the solvers).
func rowSpaceResidual(t *testing.T, dt *Data, w []float64) float64 {
	t.Helper()
	xt := mat.DenseCopyOf(mat.NewDense(dt.N, dt.D, dt.X).T())
	var nu mat.Dense
	if err := nu.Solve(xt, mat.NewDense(dt.D, 1, w)); err != nil {
		t.Fatal(err)
	}
	var r mat.Dense
	r.Mul(xt, &nu)
	res := make([]float64, dt.D)
	for i := range res {
		res[i] = r.At(i, 0) - w[i]
	}
	return norm2(res) / norm2(w)
}

// TestGainSkew checks s(x) = (q+(x) - q-(x))/2 (Even2023, docs/science.md section 4) against
// its definition with q+-(x) = -+2x - ln((1 -+ x)^2) where that has no cancellation
// (|x| >= 0.2: relative 1e-13) and against the series 2 sum_k x^(2k+1)/(2k+1), k >= 1, summed
// to convergence, on both sides of the switches at 1/16 and 1/4 (relative 1e-14 on the series
// branches, 1e-13 on the log branch); s is odd.
func TestGainSkew(t *testing.T) {
	def := func(x float64) float64 {
		qp := -2*x - math.Log((1-x)*(1-x))
		qm := 2*x - math.Log((1+x)*(1+x))
		return (qp - qm) / 2
	}
	series := func(x float64) float64 {
		var s float64
		p := x
		for k := 1; k < 200; k++ {
			p *= x * x
			s += 2 * p / float64(2*k+1)
		}
		return s
	}
	for _, x := range []float64{0.2, 0.5, 0.9, 1.5, 3, -0.7, -2} {
		if e := relErr(GainSkew(x), def(x)); e > 1e-13 {
			t.Errorf("GainSkew(%v) = %v, definition %v (rel %.3g)", x, GainSkew(x), def(x), e)
		}
	}
	for _, x := range []float64{1e-8, 1e-3, 0.01, 0.05, 0.0624, 0.0626, 0.1, 0.24, 0.26, 0.5, -0.04, -0.07, -0.3} {
		tol := 1e-14
		if math.Abs(x) > 0.25 {
			tol = 1e-13 // log branch: cancellation up to 48 ulps
		}
		if e := relErr(GainSkew(x), series(x)); e > tol {
			t.Errorf("GainSkew(%v) = %v, series %v (rel %.3g)", x, GainSkew(x), series(x), e)
		}
		if GainSkew(-x) != -GainSkew(x) {
			t.Errorf("GainSkew not odd at %v", x)
		}
	}
	if GainSkew(0) != 0 {
		t.Errorf("GainSkew(0) = %v", GainSkew(0))
	}
}

// TestImplicitBiasPrediction: a converged gd or sgd run equals the implicit-bias prediction
// of Even2023 (docs/science.md section 4: "a converged run matches its prediction to ~1e-10"),
// pred_err <= 1e-8 (measured 1e-12 to 5e-12 with stop_loss 1e-24). The identity behind it is
// exact at every step, so it holds even at gamma = 0.5 where max_gamma_g > 1 (some factor
// 1 - gamma g changes sign; docs/science.md section 8's EoS regime). The prediction is checked
// independently of its solver: X beta = y and arcsinh(beta/a^2) - theta0 in the row space of
// X (the optimality condition of min D_psi_a(., beta~0) on {X beta = y}), both to 1e-9.
func TestImplicitBiasPrediction(t *testing.T) {
	cases := []struct {
		opt   string
		batch int
		gamma float64
		steps int
	}{
		{OptimizerGD, 0, 0.1, 200000},
		{OptimizerSGD, 1, 0.05, 400000},
		{OptimizerSGD, 5, 0.1, 200000},
		{OptimizerGD, 0, 0.5, 60000}, // beyond 2/lambda_max(H); ends by max_steps at loss ~4e-26
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/b=%d/gamma=%v", tc.opt, tc.batch, tc.gamma), func(t *testing.T) {
			c := baseConfig(tc.opt, tc.batch, tc.gamma)
			c.Steps, c.StopLoss = tc.steps, 1e-24
			st, res, err := Simulate(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if !(res.TrainLoss < 1e-22) {
				t.Fatalf("run did not converge: %+v", res)
			}
			t.Logf("status %s after %d steps, train_loss %.3g, pred_err %.3g, gf_err %.3g, max_gamma_g %.3g",
				res.Status, res.Steps, res.TrainLoss, res.PredErr, res.GFErr, res.MaxGammaG)
			if !(res.PredErr <= 1e-8) {
				t.Errorf("pred_err = %v, want <= 1e-8", res.PredErr)
			}
			pred, err := ImplicitBiasPrediction(st.Data, c.Init, st.Gain, st.Skew)
			if err != nil {
				t.Fatal(err)
			}
			if e := norm2(diff(pred, st.Beta)); e != res.PredErr {
				t.Errorf("pred_err %v differs from the State's prediction %v", res.PredErr, e)
			}
			// Optimality, independently of the solver.
			aInf, beta0 := ImplicitBiasInit(c.Init, st.Gain, st.Skew)
			r := naiveResidual(st.Data.X, st.Data.Y, c.D, pred, nil)
			if e := norm2(r) / norm2(st.Data.Y); e > 1e-9 {
				t.Errorf("prediction residual %.3g", e)
			}
			w := make([]float64, c.D)
			for i := range w {
				a2 := aInf[i] * aInf[i]
				w[i] = math.Asinh(pred[i]/a2) - math.Asinh(beta0[i]/a2)
			}
			if e := rowSpaceResidual(t, st.Data, w); e > 1e-9 {
				t.Errorf("optimality: arcsinh(beta/a^2) - theta0 is %.3g away from the row space of X", e)
			}
		})
	}
}

// TestImplicitBiasInit checks alpha_inf and beta~0 against the definitions of docs/science.md
// section 4 with Q+- = Gain +- Skew: alpha+- = alpha exp(-Q+-/2), alpha_inf^2 = alpha+ alpha-,
// beta~0 = (alpha+^2 - alpha-^2)/2 (relative 1e-14).
func TestImplicitBiasInit(t *testing.T) {
	alpha := 0.3
	gain := []float64{0, 0.5, 2, 0.01}
	skew := []float64{0, -0.2, 0.7, 1e-5}
	aInf, beta0 := ImplicitBiasInit(alpha, gain, skew)
	for i := range gain {
		ap := alpha * math.Exp(-(gain[i]+skew[i])/2)
		am := alpha * math.Exp(-(gain[i]-skew[i])/2)
		if e := relErr(aInf[i]*aInf[i], ap*am); e > 1e-14 {
			t.Errorf("%d: alpha_inf^2 = %v, alpha+ alpha- = %v", i, aInf[i]*aInf[i], ap*am)
		}
		want := (ap*ap - am*am) / 2
		if e := math.Abs(beta0[i] - want); e > 1e-14*math.Max(ap*ap, am*am) {
			t.Errorf("%d: beta~0 = %v, want %v", i, beta0[i], want)
		}
	}
}

// limitsConfig is an overparametrised sparse problem (n=10, d=25, s=2) for the init limits.
func limitsConfig(seed uint64) Config {
	return Config{Model: ModelUV, Optimizer: OptimizerGD, Stepsize: 0.1, Init: 0.1,
		N: 10, D: 25, Sparsity: 2, Test: 10, Steps: 1000, DataSeed: seed, RunSeed: 1}
}

// TestGradientFlowLimits: the gradient-flow solution (computed, no run) tends to the min-l2
// interpolator (pseudo-inverse) as alpha -> inf and to the min-l1 interpolator (simplex) as
// alpha -> 0 (docs/science.md section 4, Woodworth2020), on 4 random instances.
//
// Rates behind the tolerances: for large alpha the solution alpha^2 sinh(2 X^T nu) differs
// from its linearisation 2 alpha^2 X^T nu (which is pinv(X) y) by a relative
// (beta/alpha^2)^2/6, about 1e-17 at alpha = 1e4, so the tolerance 1e-10 relative is the
// accuracy of two linear solves. For small alpha the coordinates off the l1 support are
// beta_i ~ alpha^(2(1 - c_i)), c_i < 1 the dual certificate |X^T nu_l1|_i of the LP, and the
// support values follow through the n equations, so the error decays polynomially in alpha:
// at alpha = 1e-100 it is below 1e-6 relative on these instances (measured < 1e-12); at
// alpha = 1e-3 it is still large (the test checks that it decreases).
func TestGradientFlowLimits(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		dt := mustGenerate(t, limitsConfig(seed))
		l2, err := MinL2Interpolator(dt)
		if err != nil {
			t.Fatal(err)
		}
		l1, err := MinL1Interpolator(dt)
		if err != nil {
			t.Fatal(err)
		}
		big, err := GradientFlowSolution(dt, 1e4)
		if err != nil {
			t.Fatal(err)
		}
		eBig := norm2(diff(big, l2)) / norm2(l2)
		var eSmall []float64
		for _, alpha := range []float64{1e-3, 1e-10, 1e-100} {
			small, err := GradientFlowSolution(dt, alpha)
			if err != nil {
				t.Fatalf("seed %d alpha %v: %v", seed, alpha, err)
			}
			eSmall = append(eSmall, norm2(diff(small, l1))/norm2(l1))
		}
		t.Logf("seed %d: |gf(1e4) - l2|/|l2| = %.3g; |gf(alpha) - l1|/|l1| at alpha = 1e-3, 1e-10, 1e-100: %.3g",
			seed, eBig, eSmall)
		if eBig > 1e-10 {
			t.Errorf("seed %d: gf(1e4) differs from min-l2 by %.3g", seed, eBig)
		}
		if eSmall[2] > 1e-6 || !(eSmall[2] < eSmall[1] && eSmall[1] < eSmall[0]) {
			t.Errorf("seed %d: gf(alpha) does not approach min-l1: %.3g", seed, eSmall)
		}
	}
}

// TestInitLimitsOfRuns: gd runs from a large init end at the min-l2 interpolator and from a
// small init near the min-l1 interpolator (docs/science.md section 4), on 3 random instances
// where the two interpolators are far apart (checked: > 10% relative).
//
// alpha = 1e3: the stepsize is scaled to the kernel-regime curvature 2 alpha^2 lambda_max(H)
// (gamma = 0.5 / (alpha^2 lambda_max)), so gamma g ~ 1e-7 and the run's own gain and skew are
// negligible; the limit is gf(alpha), within (beta/alpha^2)^2/6 ~ 1e-13 of min-l2, and
// stop_loss 1e-24 leaves a residual ~1e-11: tolerance 1e-8 relative (measured ~1e-12).
// alpha = 1e-6, gamma = 1/lambda_max(H), 1e5 steps: gf(1e-6) is within alpha^(2(1 - c)) of
// min-l1 (see TestGradientFlowLimits; 3e-5 to 1e-3 on these instances), the gain only
// shrinks the scale further (alpha_inf <= alpha), and the last phase of a small-init run is
// slow (a million steps to reach loss 1e-14), so the run stops after 1e5 steps at a loss
// below 1e-6 (measured 3e-8 and less): tolerance 1e-2 relative (measured 1e-4 to 2e-3).
func TestInitLimitsOfRuns(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		c := limitsConfig(seed)
		dt := mustGenerate(t, c)
		l2, err := MinL2Interpolator(dt)
		if err != nil {
			t.Fatal(err)
		}
		l1, err := MinL1Interpolator(dt)
		if err != nil {
			t.Fatal(err)
		}
		if e := norm2(diff(l2, l1)) / norm2(l1); e < 0.1 {
			t.Fatalf("seed %d: min-l2 and min-l1 only %.3g apart", seed, e)
		}
		lmax := covarianceTop(t, dt)
		c.StopLoss = 1e-24
		c.Init, c.Stepsize, c.Steps = 1e3, 0.5/(1e6*lmax), 20000
		stBig, resBig, err := SimulateData(context.Background(), c, dt)
		if err != nil {
			t.Fatal(err)
		}
		c.Init, c.Stepsize, c.Steps = 1e-6, 1/lmax, 100000
		stSmall, resSmall, err := SimulateData(context.Background(), c, dt)
		if err != nil {
			t.Fatal(err)
		}
		eBig := norm2(diff(stBig.Beta, l2)) / norm2(l2)
		eSmall := norm2(diff(stSmall.Beta, l1)) / norm2(l1)
		t.Logf("seed %d: alpha=1e3 %s after %d steps, |beta - l2|/|l2| = %.3g; alpha=1e-6 %s after %d steps (loss %.3g), |beta - l1|/|l1| = %.3g",
			seed, resBig.Status, resBig.Steps, eBig, resSmall.Status, resSmall.Steps, resSmall.TrainLoss, eSmall)
		if resBig.Status != StatusConverged || resSmall.Status == StatusDiverged || !(resSmall.TrainLoss < 1e-6) {
			t.Fatalf("seed %d: runs did not converge: %+v, %+v", seed, resBig, resSmall)
		}
		if eBig > 1e-8 {
			t.Errorf("seed %d: large init ends %.3g from min-l2", seed, eBig)
		}
		if eSmall > 1e-2 {
			t.Errorf("seed %d: small init ends %.3g from min-l1", seed, eSmall)
		}
	}
}

// TestMinL1Interpolator checks the LP on a case with a known answer: X = [[1, 1, 0],
// [0, 1, 1]], y = (1, 1): the interpolators are (t, 1 - t, t), l1 norm |t| + |1-t| + |t|,
// minimal (= 1) at t = 0: beta = (0, 1, 0). Tolerance 1e-12 (a basis solve).
func TestMinL1Interpolator(t *testing.T) {
	dt := &Data{N: 2, D: 3, X: []float64{1, 1, 0, 0, 1, 1}, Y: []float64{1, 1}}
	got, err := MinL1Interpolator(dt)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 1, 0}
	if e := norm2(diff(got, want)); e > 1e-12 {
		t.Errorf("min-l1 = %v, want %v", got, want)
	}
	l2, err := MinL2Interpolator(dt)
	if err != nil {
		t.Fatal(err)
	}
	// min-l2: minimise 2t^2 + (1-t)^2 -> t = 1/3.
	if e := norm2(diff(l2, []float64{1.0 / 3, 2.0 / 3, 1.0 / 3})); e > 1e-14 {
		t.Errorf("min-l2 = %v", l2)
	}
}

// TestNoInterpolator: with n > d and label noise there is no interpolator; the solvers report
// an error and the run's pred_err and gf_err are NaN (not an error). With n > d and no noise
// the unique interpolator is beta* (tolerance 1e-10).
func TestNoInterpolator(t *testing.T) {
	c := Config{Model: ModelUV, Optimizer: OptimizerGD, Stepsize: 0.05, Init: 0.1,
		N: 30, D: 10, Sparsity: 3, LabelNoise: 0.1, Test: 10, Steps: 3000, DataSeed: 3}
	dt := mustGenerate(t, c)
	if _, err := GradientFlowSolution(dt, 0.1); err == nil {
		t.Error("gradient-flow solution found without an interpolator")
	}
	if _, err := MinL2Interpolator(dt); err == nil {
		t.Error("min-l2 interpolator found without an interpolator")
	}
	res, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(res.PredErr) || !math.IsNaN(res.GFErr) || math.IsNaN(res.Sharpness) {
		t.Errorf("pred_err %v gf_err %v sharpness %v, want NaN NaN finite", res.PredErr, res.GFErr, res.Sharpness)
	}
	c.LabelNoise = 0
	dt = mustGenerate(t, c)
	for name, f := range map[string]func() ([]float64, error){
		"gf":     func() ([]float64, error) { return GradientFlowSolution(dt, 0.1) },
		"min-l1": func() ([]float64, error) { return MinL1Interpolator(dt) },
		"min-l2": func() ([]float64, error) { return MinL2Interpolator(dt) },
	} {
		b, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e := norm2(diff(b, dt.BetaStar)); e > 1e-10 {
			t.Errorf("%s: %.3g from beta*", name, e)
		}
	}
}

// denseHessian builds the Hessian of F(u, v) = L(u (.) v) entry by entry from its formula
// (docs/science.md section 4), independently of Sharpness.
func denseHessian(dt *Data, u, v []float64) *mat.SymDense {
	d, n := dt.D, dt.N
	beta := make([]float64, d)
	for i := range beta {
		beta[i] = u[i] * v[i]
	}
	g, _ := naiveGradient(dt, beta, nil)
	hcov := func(i, j int) float64 {
		var s float64
		for k := range n {
			s += dt.X[k*d+i] * dt.X[k*d+j]
		}
		return s / float64(n)
	}
	h := mat.NewSymDense(2*d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			c := hcov(i, j)
			h.SetSym(i, j, v[i]*c*v[j])
			h.SetSym(d+i, d+j, u[i]*c*u[j])
		}
		for j := range d {
			x := v[i] * hcov(i, j) * u[j]
			if i == j {
				x += g[i]
			}
			h.SetSym(i, d+j, x)
		}
	}
	return h
}

// TestSharpnessDense: Sharpness (Lanczos on Hessian-vector products) equals the top
// eigenvalue of the explicit Hessian (gonum mat.EigenSym) to 1e-8 relative, at random points
// (where grad L != 0 makes the Hessian indefinite) and at the end of a run, for d = 3..12.
func TestSharpnessDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var worst float64
	defer func() { t.Logf("worst relative error %.3g", worst) }()
	for trial := range 12 {
		d := 3 + trial%10
		c := Config{N: 2 + trial%7, D: d, Sparsity: 2, Test: 1, DataSeed: uint64(trial)}
		dt := mustGenerate(t, c)
		u := make([]float64, d)
		v := make([]float64, d)
		for i := range u {
			u[i], v[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		if trial%3 == 0 { // a point with beta = 0 (v = 0), as at init
			clear(v)
		}
		var es mat.EigenSym
		if !es.Factorize(denseHessian(dt, u, v), false) {
			t.Fatal("dense eigen failed")
		}
		vals := es.Values(nil)
		want := vals[len(vals)-1]
		got := Sharpness(dt, u, v)
		worst = math.Max(worst, relErr(got, want))
		if e := relErr(got, want); e > 1e-8 {
			t.Errorf("trial %d (n=%d d=%d): sharpness %v, dense %v (rel %.3g)", trial, c.N, d, got, want, e)
		}
	}
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.D, c.N = 12, 8
	st, res, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	var es mat.EigenSym
	es.Factorize(denseHessian(st.Data, st.U, st.V), false)
	vals := es.Values(nil)
	worst = math.Max(worst, relErr(res.Sharpness, vals[len(vals)-1]))
	if e := relErr(res.Sharpness, vals[len(vals)-1]); e > 1e-8 {
		t.Errorf("run: sharpness %v, dense %v", res.Sharpness, vals[len(vals)-1])
	}
}

// TestEdgeOfStability: gd at a stepsize above 2/lambda_max(H) still converges on "uv"
// (docs/science.md section 4, Even2023), and its final sharpness sits below 2/gamma: sharpness
// <= 2/gamma (1 + 1e-6), the slack covering the last contraction steps. The run is the
// Even2023 setting (n=20, d=30) at gamma = 1.2 * 2/lambda_max(H).
func TestEdgeOfStability(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	dt := mustGenerate(t, c)
	lmax := covarianceTop(t, dt)
	c.Stepsize = 1.2 * 2 / lmax
	c.Steps, c.StopLoss = 100000, 1e-20
	res, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lambda_max(H) = %.4g, gamma = %.4g, %s after %d steps, sharpness %.6g, 2/gamma %.6g, max_gamma_g %.3g",
		lmax, c.Stepsize, res.Status, res.Steps, res.Sharpness, 2/c.Stepsize, res.MaxGammaG)
	if res.Status != StatusConverged {
		t.Fatalf("gd at 1.2 * 2/lambda_max(H) did not converge: %+v", res)
	}
	if !(res.Sharpness <= 2/c.Stepsize*(1+1e-6)) {
		t.Errorf("sharpness %v > 2/gamma = %v", res.Sharpness, 2/c.Stepsize)
	}
}

// TestSupportMetrics checks precision and recall on hand-made betas, including the 0/0
// conventions (precision 1 for an empty estimated support, recall 1 for beta* = 0), and that
// the estimated support has NNZ coordinates.
func TestSupportMetrics(t *testing.T) {
	star := []float64{1, -2, 0, 0, 0}
	cases := []struct {
		beta           []float64
		precision, rec float64
		star           []float64
	}{
		{[]float64{1, -2, 0, 0, 0}, 1, 1, star},
		{[]float64{1, 0, 0, 0, 0}, 1, 0.5, star},
		{[]float64{1, -2, 0.5, 0, 0}, 2.0 / 3, 1, star},
		{[]float64{1, 1e-4, 0.5, 0, 0}, 0.5, 0.5, star}, // 1e-4 < 1e-3 * max: not in the support
		{[]float64{0, 0, 3, 1, 0}, 0, 0, star},
		{[]float64{0, 0, 0, 0, 0}, 1, 0, star},               // empty support: precision 1
		{[]float64{0, 0, 0, 0, 0}, 1, 1, make([]float64, 5)}, // both empty
		{[]float64{0, 2, 0, 0, 0}, 0, 1, make([]float64, 5)}, // beta* = 0: recall 1
		{[]float64{math.NaN(), -2, 0, 0, 0}, 1, 0.5, star},   // NaN is never in the support
		{[]float64{math.Inf(1), 5, 0, 0, math.Inf(-1)}, 0.5, 0.5, star},
	}
	for i, tc := range cases {
		l2, p, r := SupportMetrics(tc.beta, tc.star)
		if p != tc.precision || r != tc.rec {
			t.Errorf("case %d: precision %v recall %v, want %v %v", i, p, r, tc.precision, tc.rec)
		}
		n := 0
		for _, in := range estimatedSupport(tc.beta) {
			if in {
				n++
			}
		}
		if n != NNZ(tc.beta) {
			t.Errorf("case %d: support of %d, NNZ %d", i, n, NNZ(tc.beta))
		}
		if i == 2 && relErr(l2, math.Sqrt(5.25)) > 1e-15 {
			t.Errorf("l2 = %v", l2)
		}
	}
}

// TestGainOnOff: gain_on and gain_off of gd and sgd runs equal the means of Gain/2 on and
// off supp(beta*) (the gain identity ln(alpha/alpha_eff) = Gain/2, Even2023), and the same
// means computed from the final (u, v) agree to relative 1e-9 (the tolerance of the gain
// identity test) while alpha_eff is resolvable (runs of 3000 steps).
func TestGainOnOff(t *testing.T) {
	for _, tc := range []struct {
		opt   string
		batch int
	}{{OptimizerGD, 0}, {OptimizerSGD, 2}} {
		c := baseConfig(tc.opt, tc.batch, 0.1)
		c.Steps = 3000
		st, res, err := Simulate(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		var on, off float64
		for i, g := range st.Gain {
			if i < c.Sparsity {
				on += g / 2 / float64(c.Sparsity)
			} else {
				off += g / 2 / float64(c.D-c.Sparsity)
			}
		}
		if relErr(res.GainOn, on) > 1e-14 || relErr(res.GainOff, off) > 1e-14 {
			t.Errorf("%s: gain_on %v gain_off %v, means of Gain/2 %v %v", tc.opt, res.GainOn, res.GainOff, on, off)
		}
		son, soff := GainOnOff(c.Init, st.U, st.V, st.Data.BetaStar)
		t.Logf("%s: gain_on %.6g gain_off %.6g; from (u, v): rel err %.3g %.3g", tc.opt, on, off, relErr(son, on), relErr(soff, off))
		if relErr(son, on) > 1e-9 || relErr(soff, off) > 1e-9 {
			t.Errorf("%s: from (u, v) gain_on %v gain_off %v, want %v %v", tc.opt, son, soff, on, off)
		}
	}
	// Empty sets give NaN.
	on, off := GainOnOffFromGain([]float64{1, 2}, []float64{0, 0})
	if !math.IsNaN(on) || off != 0.75 {
		t.Errorf("no support: gain_on %v gain_off %v", on, off)
	}
}

// TestHyperbolicEntropy: the gradient arcsinh(beta/a^2)/2 (docs/science.md section 4) matches
// central finite differences of psi_a (step 1e-5 max(|beta_i|, a_i^2): truncation
// O(h^2 psi”') and rounding O(eps psi / h), tolerance 1e-7 relative to max(1, |grad|)),
// psi_a(0) = 0, psi_a >= 0; and the gradient-flow solution minimises psi_alpha on
// {X beta = y}: moving along null-space directions of X never decreases it (mirror-flow
// optimality, relative slack 1e-12).
func TestHyperbolicEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 20 {
		d := 1 + trial%5
		beta := make([]float64, d)
		a := make([]float64, d)
		for i := range beta {
			a[i] = math.Exp(2 * rng.NormFloat64())
			beta[i] = rng.NormFloat64() * math.Exp(2*rng.NormFloat64())
		}
		grad := make([]float64, d)
		HyperbolicEntropyGrad(grad, beta, a)
		for i := range beta {
			h := 1e-5 * math.Max(math.Abs(beta[i]), a[i]*a[i])
			bp := append([]float64(nil), beta...)
			bm := append([]float64(nil), beta...)
			bp[i] += h
			bm[i] -= h
			fd := (HyperbolicEntropy(bp, a) - HyperbolicEntropy(bm, a)) / (2 * h)
			if e := math.Abs(fd-grad[i]) / math.Max(1, math.Abs(grad[i])); e > 1e-7 {
				t.Errorf("trial %d coord %d: grad %v, finite difference %v", trial, i, grad[i], fd)
			}
		}
		if HyperbolicEntropy(make([]float64, d), a) != 0 || HyperbolicEntropy(beta, a) < 0 {
			t.Errorf("trial %d: psi(0) = %v, psi(beta) = %v", trial, HyperbolicEntropy(make([]float64, d), a), HyperbolicEntropy(beta, a))
		}
	}
	dt := mustGenerate(t, limitsConfig(2))
	for _, alpha := range []float64{0.01, 0.3, 3} {
		gf, err := GradientFlowSolution(dt, alpha)
		if err != nil {
			t.Fatal(err)
		}
		a := make([]float64, dt.D)
		for i := range a {
			a[i] = alpha
		}
		psi := HyperbolicEntropy(gf, a)
		// Null-space directions: project random vectors off the row space with the SVD.
		var svd mat.SVD
		svd.Factorize(mat.NewDense(dt.N, dt.D, dt.X), mat.SVDFull)
		var vt mat.Dense
		svd.VTo(&vt)
		for k := dt.N; k < dt.D; k += 3 {
			dir := mat.Col(nil, k, &vt)
			for _, eps := range []float64{1e-3, -1e-3, 0.1, -0.1} {
				moved := make([]float64, dt.D)
				for i := range moved {
					moved[i] = gf[i] + eps*dir[i]
				}
				if p := HyperbolicEntropy(moved, a); p < psi*(1-1e-12) {
					t.Errorf("alpha %v: psi decreases along the null space: %v < %v", alpha, p, psi)
				}
			}
		}
	}
}

// TestGammaMax: the bisection returns a bracket lo < hi <= lo (1 + relTol) where a run at lo
// converges and one at hi does not (checked again by running), and for gd on the Even2023
// problem gamma_max lies above 2/lambda_max(H) (edge of stability, docs/science.md section 4).
// Also the argument errors.
func TestGammaMax(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.Steps, c.StopLoss = 20000, 1e-8
	const relTol = 0.02
	b, err := GammaMax(context.Background(), c, 0.05, 0.2, relTol)
	if err != nil {
		t.Fatal(err)
	}
	lmax := covarianceTop(t, mustGenerate(t, c))
	t.Logf("gamma_max in [%.5g, %.5g] after %d runs; 2/lambda_max(H) = %.5g", b.Lo, b.Hi, b.Runs, 2/lmax)
	if !(b.Lo < b.Hi && b.Hi <= b.Lo*(1+relTol)) {
		t.Errorf("bad bracket %+v", b)
	}
	for _, x := range []struct {
		gamma float64
		want  bool
	}{{b.Lo, true}, {b.Hi, false}} {
		cc := c
		cc.Stepsize = x.gamma
		res, err := Run(context.Background(), cc)
		if err != nil {
			t.Fatal(err)
		}
		if (res.Status == StatusConverged) != x.want {
			t.Errorf("stepsize %v: status %s", x.gamma, res.Status)
		}
	}
	if !(b.Lo > 2/lmax) {
		t.Errorf("gamma_max %v not above 2/lambda_max(H) = %v", b.Lo, 2/lmax)
	}
	if _, err := GammaMax(context.Background(), c, 0.2, 0.1, relTol); err == nil {
		t.Error("lo > hi accepted")
	}
	c.StopLoss = 0
	if _, err := GammaMax(context.Background(), c, 0.05, 0.2, relTol); err == nil {
		t.Error("stop_loss 0 accepted")
	}
}

// TestTheoryMetricsDeterministic: the section 7 metrics added here are bit-for-bit the same
// on a repeated run (gd and sgd), like the rest of Result.
func TestTheoryMetricsDeterministic(t *testing.T) {
	for _, opt := range []string{OptimizerGD, OptimizerSGD} {
		c := baseConfig(opt, 4, 0.05)
		c.StopLoss = 1e-12
		a, err := Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		fa := []float64{a.L2, a.Precision, a.Recall, a.GainOn, a.GainOff, a.MaxGammaG, a.PredErr, a.GFErr, a.Sharpness}
		fb := []float64{b.L2, b.Precision, b.Recall, b.GainOn, b.GainOff, b.MaxGammaG, b.PredErr, b.GFErr, b.Sharpness}
		for i := range fa {
			if math.Float64bits(fa[i]) != math.Float64bits(fb[i]) || math.IsNaN(fa[i]) {
				t.Errorf("%s: metric %d: %v then %v", opt, i, fa[i], fb[i])
			}
		}
	}
}
