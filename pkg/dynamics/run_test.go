package dynamics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestDivergence: a stepsize far above 2/lambda_max gives Status "diverged" with no error and
// no panic, before the step budget, with the loss above the divergence threshold (or
// non-finite).
func TestDivergence(t *testing.T) {
	for _, tc := range []struct {
		opt   string
		batch int
	}{{OptimizerGD, 0}, {OptimizerSGD, 1}, {OptimizerSGD, 5}} {
		for _, gamma := range []float64{10, 1e6} {
			c := baseConfig(tc.opt, tc.batch, gamma)
			c.Steps = 100000
			c.StopLoss = 1e-10
			res, err := Run(context.Background(), c)
			if err != nil {
				t.Fatalf("%s gamma=%v: %v", tc.opt, gamma, err)
			}
			l0 := mustGenerate(t, c).TrainLoss(make([]float64, c.D))
			if res.Status != StatusDiverged || res.Steps >= c.Steps || !(isNonFinite(res.TrainLoss) || res.TrainLoss > DivergenceFactor*l0) {
				t.Errorf("%s b=%d gamma=%v: %+v, want diverged (L0 = %v)", tc.opt, tc.batch, gamma, res, l0)
			}
		}
	}
}

// TestConvergenceOverparametrised: small init, moderate stepsize, gd on the Even2023 setting
// (n=20 < d=30) reaches train_loss < 1e-8 and stops with status converged. It also checks the
// init-scale implicit bias (docs/science.md section 4; Woodworth2020): as alpha -> 0 gradient
// flow tends to the min-l1 interpolator, which for this seeded dataset recovers the 3-sparse
// beta* (beta_err < 1e-3; the run gives 1.4e-4), while a large init (alpha = 3, closer to
// min-l2) interpolates with a dense beta of larger l1 norm and beta_err > 0.5 (the run gives
// 2.4).
func TestConvergenceOverparametrised(t *testing.T) {
	run := func(alpha, gamma float64) Result {
		c := baseConfig(OptimizerGD, 0, gamma)
		c.Init, c.Steps, c.StopLoss = alpha, 200000, 1e-8
		res, err := Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != StatusConverged || !(res.TrainLoss < c.StopLoss) || res.Steps >= c.Steps {
			t.Fatalf("alpha=%v: got %+v, want converged with train_loss < %g", alpha, res, c.StopLoss)
		}
		return res
	}
	small := run(0.01, 0.1)
	large := run(3, 0.01)
	if !(small.BetaErr < 1e-3) || !(large.BetaErr > 0.5) || !(small.L1 < large.L1) {
		t.Errorf("implicit bias: alpha=0.01 gives %+v, alpha=3 gives %+v; want beta_err < 1e-3 vs > 0.5 and a smaller l1", small, large)
	}
}

// TestConvergenceUnderparametrised: with n >= d and no label noise the unique minimiser is
// beta*, and L(beta) = 1/2 (beta - beta*)^T H (beta - beta*) with H = X^T X / n, so
// ||beta - beta*||^2 <= 2 L / lambda_min(H) (docs/science.md section 1). A run stopped at
// train_loss < 1e-20 must satisfy this bound (up to 1e-6 relative slack for rounding in L)
// and have beta_err < 1e-15.
func TestConvergenceUnderparametrised(t *testing.T) {
	c := Config{Optimizer: OptimizerGD, Stepsize: 0.05, Init: 0.1, N: 60, D: 10, Sparsity: 3,
		Test: 100, Steps: 200000, StopLoss: 1e-20, DataSeed: 3}
	st, res, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusConverged {
		t.Fatalf("got %+v, want converged", res)
	}
	x := mat.NewDense(c.N, c.D, st.Data.X)
	var h mat.SymDense
	h.SymOuterK(1/float64(c.N), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(&h, false) {
		t.Fatal("eigendecomposition failed")
	}
	lmin := eig.Values(nil)[0]
	if bound := 2 * res.TrainLoss / lmin; res.BetaErr > bound*(1+1e-6) || res.BetaErr > 1e-15 {
		t.Errorf("beta_err = %g, want <= 2L/lambda_min = %g and < 1e-15 (lambda_min = %g)", res.BetaErr, bound, lmin)
	}
	// Noiseless test set, same teacher: the test loss vanishes too.
	if res.TestLoss > 1e-14 {
		t.Errorf("test_loss = %g, want < 1e-14", res.TestLoss)
	}
	if res.NNZ != c.Sparsity {
		t.Errorf("nnz = %d, want %d (beta ~ beta*)", res.NNZ, c.Sparsity)
	}
}

// TestZeroSteps: Steps = 0 evaluates the initial point beta0 = 0: train_loss =
// ||y||^2/(2n), beta_err = ||beta*||^2, no gain, no int_loss.
func TestZeroSteps(t *testing.T) {
	c := baseConfig(OptimizerSGD, 2, 0.1)
	c.Steps = 0
	st, res, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	var yy, bb float64
	for _, y := range st.Data.Y {
		yy += y * y
	}
	for _, b := range st.Data.BetaStar {
		bb += b * b
	}
	if res.Status != StatusMaxSteps || res.Steps != 0 || res.IntLoss != 0 || res.GainL1 != 0 || res.NNZ != 0 || res.L1 != 0 ||
		relErr(res.TrainLoss, yy/float64(2*c.N)) > 1e-14 || relErr(res.BetaErr, bb) > 1e-14 {
		t.Errorf("got %+v, want train_loss %v, beta_err %v", res, yy/float64(2*c.N), bb)
	}
	if u0 := math.Sqrt2 * c.Init; st.U[0] != u0 || st.V[0] != 0 {
		t.Errorf("init (u, v) = (%v, %v), want (%v, 0)", st.U[0], st.V[0], u0)
	}
}

// TestStopLoss: a StopLoss above the initial loss converges at step 0.
func TestStopLoss(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.StopLoss = 1e6
	res, err := Run(context.Background(), c)
	if err != nil || res.Status != StatusConverged || res.Steps != 0 {
		t.Errorf("got %+v, %v; want converged at step 0", res, err)
	}
}

// countingCtx is a context whose Err reports cancellation from its n-th call on.
type countingCtx struct {
	context.Context
	calls, cancelAt int
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.calls >= c.cancelAt {
		return context.Canceled
	}
	return nil
}

// TestCancellation: a cancelled context is an error wrapping ctx.Err(); the kernel checks it
// before step 0 and then every ctxCheckEvery steps, and returns the metrics so far.
func TestCancellation(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.01)
	c.Steps = 100 * ctxCheckEvery
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := Run(ctx, c); !errors.Is(err, context.Canceled) || res.Steps != 0 || !(res.TrainLoss > 0) {
		t.Errorf("pre-cancelled: %+v, %v; want context.Canceled, 0 steps, the initial loss", res, err)
	}
	cc := &countingCtx{Context: context.Background(), cancelAt: 3}
	res, err := Run(cc, c)
	if !errors.Is(err, context.Canceled) || res.Steps != 2*ctxCheckEvery || res.Status != "" {
		t.Errorf("cancelled at third check: %+v, %v; want %d steps, empty status, context.Canceled", res, err, 2*ctxCheckEvery)
	}
}

// TestInvalidConfigIsError: Run and Simulate refuse an invalid Config with the Validate error.
func TestInvalidConfigIsError(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, -1)
	st, _, err := Simulate(context.Background(), c)
	if err == nil || st != nil {
		t.Fatalf("Simulate(stepsize -1) = %v, %v; want error", st, err)
	}
	if _, err := Run(context.Background(), c); err == nil {
		t.Fatal("Run(stepsize -1): no error")
	}
}

// TestConcurrentRuns: Run has no shared mutable state (run with -race).
func TestConcurrentRuns(t *testing.T) {
	c := baseConfig(OptimizerSGD, 3, 0.05)
	want, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := Run(context.Background(), c)
			if err == nil && !sameResult(got, want) {
				err = fmt.Errorf("concurrent run gave %+v, want %+v", got, want)
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSimulateDataSharesDataset: SimulateData on GenerateData(c) equals Simulate, and a
// dataset generated for other data fields is refused.
func TestSimulateDataSharesDataset(t *testing.T) {
	c := baseConfig(OptimizerSGD, 2, 0.05)
	dt := mustGenerate(t, c)
	_, want, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := SimulateData(context.Background(), c, dt)
	if err != nil || !sameResult(got, want) {
		t.Errorf("SimulateData = %+v, %v; want %+v", got, err, want)
	}
	c.Stepsize = 0.02 // optimiser settings may differ
	if _, _, err := SimulateData(context.Background(), c, dt); err != nil {
		t.Errorf("other stepsize on the shared dataset: %v", err)
	}
	c.DataSeed++
	if _, _, err := SimulateData(context.Background(), c, dt); err == nil {
		t.Error("dataset of another DataSeed accepted")
	}
}
