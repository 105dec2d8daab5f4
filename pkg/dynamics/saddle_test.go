package dynamics

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// saddleFixtureX, saddleFixtureY: the fixture of docs/science.md section 5 (n = 2, d = 4).
var (
	saddleFixtureX = []float64{
		1, .5, .7, 0,
		.5, 1, .1, .7,
	}
	saddleFixtureY = []float64{1, 0}
)

// TestSaddleFixture: the fixture of docs/science.md section 5 (Pesme2023's algorithm with
// L = 1/(2n), n = 2) gives (0.8, 0, 0, 0) at t = 2, (0, 0, 1.4, 0) at t = 8 (coordinate 1
// leaves), (0, 0, 10/7, -10/49) at t = 8 + 160/49, then stops with grad L = 0. Tolerance
// 1e-12 on every time and coordinate.
func TestSaddleFixture(t *testing.T) {
	sad, err := SaddleToSaddle(saddleFixtureX, saddleFixtureY, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	wantT := []float64{2, 8, 8 + 160.0/49}
	wantB := [][]float64{{0.8, 0, 0, 0}, {0, 0, 1.4, 0}, {0, 0, 10.0 / 7, -10.0 / 49}}
	if len(sad.Times) != 3 || len(sad.Betas) != 3 || len(sad.Losses) != 3 || !sad.Converged {
		t.Fatalf("got %d saddles (converged %v), want 3: %v %v", len(sad.Times), sad.Converged, sad.Times, sad.Betas)
	}
	var worst float64
	for k := range wantT {
		worst = max(worst, math.Abs(sad.Times[k]-wantT[k]))
		for i := range wantB[k] {
			worst = max(worst, math.Abs(sad.Betas[k][i]-wantB[k][i]))
		}
	}
	// Plateau losses: L(0) = 1/4, L(beta_1) = (0.2^2 + 0.4^2)/4, L(beta_2) = (0.02^2 + 0.14^2)/4, 0.
	wantL := []float64{0.05, 0.005, 0}
	worst = max(worst, math.Abs(sad.InitialLoss-0.25))
	for k := range wantL {
		worst = max(worst, math.Abs(sad.Losses[k]-wantL[k]))
	}
	t.Logf("fixture: max abs error %.3g (times %v)", worst, sad.Times)
	if worst > 1e-12 {
		t.Errorf("max abs error %.3g > 1e-12: times %v, betas %v, losses %v", worst, sad.Times, sad.Betas, sad.Losses)
	}
	// Exact zeros off the support: the least squares leaves them untouched.
	for k, b := range sad.Betas {
		for i := range b {
			if wantB[k][i] == 0 && b[i] != 0 {
				t.Errorf("saddle %d: beta_%d = %v, want exactly 0", k+1, i, b[i])
			}
		}
	}
}

// gdLossCurve runs gd on "uv" (docs/science.md sections 2-3: u0 = sqrt(2) alpha, v0 = 0,
// u <- u - gamma v (.) g, v <- v - gamma u (.) g with g = grad L(u (.) v)) on (X, y) for the
// given number of steps, written independently of the package's kernels, and calls f(k, L_k)
// with the loss before step k.
func gdLossCurve(x, y []float64, n, d int, alpha, gamma float64, steps int, f func(k int, loss float64) bool) {
	u := make([]float64, d)
	v := make([]float64, d)
	for i := range u {
		u[i] = math.Sqrt2 * alpha
	}
	r := make([]float64, n)
	g := make([]float64, d)
	for k := 0; k <= steps; k++ {
		var loss float64
		for a := 0; a < n; a++ {
			s := -y[a]
			for i := 0; i < d; i++ {
				s += x[a*d+i] * u[i] * v[i]
			}
			r[a] = s
			loss += s * s
		}
		loss /= 2 * float64(n)
		if !f(k, loss) {
			return
		}
		for i := range g {
			var s float64
			for a := 0; a < n; a++ {
				s += x[a*d+i] * r[a]
			}
			g[i] = s / float64(n)
		}
		for i := range u {
			u[i], v[i] = u[i]-gamma*v[i]*g[i], v[i]-gamma*u[i]*g[i]
		}
	}
}

// TestSaddleJumpTimesGD: gradient descent with a small stepsize (time = steps * gamma) on "uv"
// started at alpha = 1e-12 on the fixture of docs/science.md section 5 jumps from plateau k-1 to
// plateau k at T_k ~ ln(1/alpha) t_k (Pesme2023). A jump is detected when the loss first falls
// below the midpoint of the two plateau losses of the algorithm; the first two jumps must
// match within 3% relative error (the third is logged).
func TestSaddleJumpTimesGD(t *testing.T) {
	const (
		n, d  = 2, 4
		alpha = 1e-12
		gamma = 5e-3
	)
	sad, err := SaddleToSaddle(saddleFixtureX, saddleFixtureY, n, d)
	if err != nil {
		t.Fatal(err)
	}
	plateaus := append([]float64{sad.InitialLoss}, sad.Losses...)
	scale := math.Log(1 / alpha)
	steps := int(1.2 * scale * sad.Times[len(sad.Times)-1] / gamma)
	var jumps []float64
	gdLossCurve(saddleFixtureX, saddleFixtureY, n, d, alpha, gamma, steps, func(k int, loss float64) bool {
		j := len(jumps)
		if loss < (plateaus[j]+plateaus[j+1])/2 {
			jumps = append(jumps, float64(k)*gamma)
		}
		return len(jumps) < len(sad.Times)
	})
	if len(jumps) != len(sad.Times) {
		t.Fatalf("gd made %d jumps in %d steps, want %d", len(jumps), steps, len(sad.Times))
	}
	for k, tk := range sad.Times {
		e := relErr(jumps[k], scale*tk)
		t.Logf("jump %d: gd at T = %.4g, ln(1/alpha) t_k = %.4g, relative error %.3g", k+1, jumps[k], scale*tk, e)
		if k < 2 && e > 0.03 {
			t.Errorf("jump %d: gd at T = %.5g, want ln(1/alpha) t_%d = %.5g within 3%% (error %.3g)", k+1, jumps[k], k+1, scale*tk, e)
		}
	}
}

// minL1 returns argmin ||beta||_1 s.t. X beta = y by gonum's simplex on beta = p - m,
// p, m >= 0 (minimise 1^T (p + m) s.t. [X, -X] (p; m) = y).
func minL1(t *testing.T, x, y []float64, n, d int) []float64 {
	t.Helper()
	a := mat.NewDense(n, 2*d, nil)
	c := make([]float64, 2*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			a.Set(i, j, x[i*d+j])
			a.Set(i, d+j, -x[i*d+j])
		}
	}
	for j := range c {
		c[j] = 1
	}
	_, pm, err := lp.Simplex(c, a, y, 1e-12, nil)
	if err != nil {
		t.Fatalf("simplex: %v", err)
	}
	beta := make([]float64, d)
	for j := range beta {
		beta[j] = pm[j] - pm[d+j]
	}
	return beta
}

// uniqueMinL1 reports whether beta (an l1 minimiser with exactly n nonzeros) is the unique
// one: X_S is invertible and the dual certificate nu = X_S^{-T} sign(beta_S) is strictly
// inside the dual ball off the support, max_{i not in S} |x_i^T nu| <= 1 - 1e-6.
func uniqueMinL1(x []float64, n, d int, beta []float64) bool {
	var supp []int
	for j, b := range beta {
		if math.Abs(b) > 1e-9 {
			supp = append(supp, j)
		}
	}
	if len(supp) != n {
		return false
	}
	xs := mat.NewDense(n, n, nil)
	sg := mat.NewVecDense(n, nil)
	for c, j := range supp {
		for i := 0; i < n; i++ {
			xs.Set(c, i, x[i*d+j]) // X_S^T
		}
		sg.SetVec(c, math.Copysign(1, beta[j]))
	}
	var nu mat.VecDense
	if err := nu.SolveVec(xs, sg); err != nil {
		return false
	}
	for j := 0; j < d; j++ {
		if slices.Contains(supp, j) {
			continue
		}
		var s float64
		for i := 0; i < n; i++ {
			s += x[i*d+j] * nu.AtVec(i)
		}
		if math.Abs(s) > 1-1e-6 {
			return false
		}
	}
	return true
}

// TestSaddleLastIsMinL1: on overparametrised Gaussian instances (n < d, y Gaussian) the last
// saddle interpolates and equals the min-l1 interpolator computed independently by gonum's
// simplex (Pesme2023; docs/science.md section 5), within 1e-8 per coordinate, for the seeds
// where the l1 minimiser is certified unique.
func TestSaddleLastIsMinL1(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 77))
		n, d := 4+int(seed%4), 10+int(seed%3)*5
		x := make([]float64, n*d)
		for k := range x {
			x[k] = rng.NormFloat64()
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		want := minL1(t, x, y, n, d)
		if !uniqueMinL1(x, n, d, want) {
			t.Logf("seed %d: min-l1 solution not certified unique, skipped", seed)
			continue
		}
		sad, err := SaddleToSaddle(x, y, n, d)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !sad.Converged {
			t.Errorf("seed %d: not converged after %d saddles", seed, len(sad.Betas))
		}
		got := sad.Final(d)
		var e float64
		for j := range got {
			e = max(e, math.Abs(got[j]-want[j]))
		}
		t.Logf("seed %d (n=%d d=%d): %d saddles, final loss %.2g, max |beta - beta_l1| = %.3g",
			seed, n, d, len(sad.Betas), sad.Losses[len(sad.Losses)-1], e)
		if e > 1e-8 {
			t.Errorf("seed %d: last saddle %v differs from the min-l1 interpolator %v by %.3g > 1e-8", seed, got, want, e)
		}
		checked++
	}
	if checked < 4 {
		t.Errorf("only %d instances checked, want >= 4", checked)
	}
}

// TestSaddleRun: optimizer "saddle" through Validate and Run (docs/science.md section 3): the
// result is the last saddle of SaddleToSaddle on the generated training set, Steps = Jumps =
// number of saddles, PlateauLosses = L(0) and the saddles' losses, Status "converged"; the
// stepsize and init are ignored; Steps bounds the number of saddles (status max_steps); model
// deep is rejected.
func TestSaddleRun(t *testing.T) {
	c := baseConfig(OptimizerSaddle, 1, 0.1)
	c.Steps = 10000
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	st, res, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	dt := st.Data
	sad, err := SaddleToSaddle(dt.X, dt.Y, dt.N, dt.D)
	if err != nil {
		t.Fatal(err)
	}
	final := sad.Final(dt.D)
	if res.Status != StatusConverged || res.Steps != len(sad.Betas) || res.Jumps != res.Steps ||
		!slices.Equal(res.JumpTimes, sad.Times) || len(res.PlateauLosses) != res.Jumps+1 ||
		res.PlateauLosses[0] != sad.InitialLoss || !slices.Equal(res.PlateauLosses[1:], sad.Losses) ||
		!slices.Equal(st.Beta, final) {
		t.Fatalf("result %+v does not match the algorithm (%d saddles)", res, len(sad.Betas))
	}
	if res.TrainLoss != dt.TrainLoss(final) || res.TestLoss != dt.TestLoss(final) || res.NNZ != NNZ(final) || res.GainL1 != 0 ||
		res.Precision != 1 || res.Recall != 1 || !math.IsNaN(res.GFErr) {
		t.Errorf("metrics %+v inconsistent with the last saddle", res)
	}
	if res.TrainLoss > 1e-20 || res.NNZ > c.N {
		t.Errorf("n < d: the last saddle should interpolate with <= n nonzeros, got loss %v nnz %d", res.TrainLoss, res.NNZ)
	}
	t.Logf("n=%d d=%d: %d saddles, times %v, final test loss %.4g", c.N, c.D, res.Jumps, res.JumpTimes, res.TestLoss)

	other := c
	other.Stepsize, other.Init = 0.7, 3
	if r2, err := Run(context.Background(), other); err != nil || !sameResult(res, r2) || !slices.Equal(r2.JumpTimes, res.JumpTimes) {
		t.Errorf("stepsize/init changed the saddle result: %+v vs %+v (%v)", r2, res, err)
	}

	capped := c
	capped.Steps = 2
	if r3, err := Run(context.Background(), capped); err != nil || r3.Status != StatusMaxSteps || r3.Steps != 2 ||
		!slices.Equal(r3.JumpTimes, res.JumpTimes[:2]) {
		t.Errorf("steps = 2: got %+v (%v), want 2 saddles and status max_steps", r3, err)
	}

	deep := c
	deep.Model, deep.Depth = ModelDeep, 3
	if err := deep.Validate(); err == nil {
		t.Errorf("model deep with optimizer saddle validated")
	}
}

// TestSaddleZeroLabels: y = 0 has grad L(0) = 0: no saddle, converged at the origin.
func TestSaddleZeroLabels(t *testing.T) {
	sad, err := SaddleToSaddle(saddleFixtureX, []float64{0, 0}, 2, 4)
	if err != nil || len(sad.Betas) != 0 || !sad.Converged || sad.InitialLoss != 0 {
		t.Errorf("y = 0: %+v, %v; want no saddle, converged", sad, err)
	}
}

// TestSaddleUnderparametrised: with n > d and label noise the algorithm stops where
// grad L = 0, i.e. at the ordinary least-squares solution (X full column rank), computed
// here by gonum's QR; tolerance 1e-10 per coordinate. Status "converged", train loss > 0.
func TestSaddleUnderparametrised(t *testing.T) {
	c := baseConfig(OptimizerSaddle, 1, 0.1)
	c.N, c.D, c.Sparsity, c.LabelNoise = 40, 10, 4, 0.5
	st, res, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	dt := st.Data
	var ols mat.VecDense
	if err := ols.SolveVec(mat.NewDense(dt.N, dt.D, dt.X), mat.NewVecDense(dt.N, dt.Y)); err != nil {
		t.Fatal(err)
	}
	var e float64
	for j := range st.Beta {
		e = max(e, math.Abs(st.Beta[j]-ols.AtVec(j)))
	}
	t.Logf("n=%d d=%d noisy: %d saddles, status %s, train loss %.4g, max |beta - beta_ols| = %.3g", c.N, c.D, res.Jumps, res.Status, res.TrainLoss, e)
	if res.Status != StatusConverged || e > 1e-10 || !(res.TrainLoss > 0) {
		t.Errorf("status %s, max |beta - beta_ols| = %.3g (want converged, <= 1e-10)", res.Status, e)
	}
}
