package dynamics

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// runSteps runs c (valid) for exactly c.Steps steps with the runner loop (no stopping rule),
// after letting tweak adjust the fresh runner (e.g. the flow tolerance), and returns it.
func runSteps(t *testing.T, c Config, tweak func(*runner)) *runner {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := newRunner(c, mustGenerate(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(r)
	}
	r.evaluate()
	for range c.Steps {
		r.advance()
		r.evaluate()
	}
	return r
}

// sameBits reports whether a and b are equal bit for bit.
func sameBits(a, b []float64) bool { return len(a) == len(b) && firstBitDiff(a, b) < 0 }

// coreResult is the part of a Result every optimiser computes the same way.
func coreResult(r Result) string {
	return fmt.Sprintf("%x %x %x %x %x %x %d %s %d", math.Float64bits(r.TrainLoss), math.Float64bits(r.TestLoss),
		math.Float64bits(r.BetaErr), math.Float64bits(r.L1), math.Float64bits(r.IntLoss), math.Float64bits(r.GainL1),
		r.NNZ, r.Status, r.Steps)
}

// TestDegenerateHyperparametersAreGD: hb and nag with momentum 0, sam with rho 0, sgf with
// noise 0 (the Euler step of gradient flow) and label_noise with noise 0 and batch = n are
// gd, bit for bit (Result and final parameters); label_noise with noise 0 and batch < n is
// sgd with the same run seed, bit for bit (docs/science.md section 3: each rule reduces to that
// one at these values).
func TestDegenerateHyperparametersAreGD(t *testing.T) {
	base := baseConfig(OptimizerGD, 0, 0.1)
	base.Steps = 2000
	ref := func(c Config) (*State, Result) {
		st, res, err := Simulate(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		return st, res
	}
	gdState, gdRes := ref(base)
	sgdCfg := base
	sgdCfg.Optimizer, sgdCfg.Batch = OptimizerSGD, 5
	sgdState, sgdRes := ref(sgdCfg)
	cases := []struct {
		name string
		mod  func(*Config)
		sgd  bool // compare with sgd (batch 5) instead of gd
	}{
		{"hb momentum 0", func(c *Config) { c.Optimizer, c.Momentum = OptimizerHB, 0 }, false},
		{"nag momentum 0", func(c *Config) { c.Optimizer, c.Momentum = OptimizerNAG, 0 }, false},
		{"sam rho 0", func(c *Config) { c.Optimizer, c.Rho = OptimizerSAM, 0 }, false},
		{"sgf noise 0", func(c *Config) { c.Optimizer, c.Noise = OptimizerSGF, 0 }, false},
		{"label_noise noise 0, batch n", func(c *Config) { c.Optimizer, c.Noise, c.Batch = OptimizerLabelNoise, 0, c.N }, false},
		{"label_noise noise 0, batch 5", func(c *Config) { c.Optimizer, c.Noise, c.Batch = OptimizerLabelNoise, 0, 5 }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mod(&c)
			st, res := ref(c)
			wantSt, wantRes := gdState, gdRes
			if tc.sgd {
				wantSt, wantRes = sgdState, sgdRes
			}
			if coreResult(res) != coreResult(wantRes) {
				t.Errorf("Result %+v\nwant   %+v", res, wantRes)
			}
			if !sameBits(st.Params, wantSt.Params) || !sameBits(st.Gain, wantSt.Gain) {
				t.Errorf("final parameters or gain differ from the reference run")
			}
		})
	}
	// The hyperparameters do change the run when nonzero.
	for _, mod := range []func(*Config){
		func(c *Config) { c.Optimizer, c.Momentum = OptimizerHB, 0.5 },
		func(c *Config) { c.Optimizer, c.Momentum = OptimizerNAG, 0.5 },
		func(c *Config) { c.Optimizer, c.Rho = OptimizerSAM, 0.01 },
		func(c *Config) { c.Optimizer, c.Noise = OptimizerSGF, 0.01 },
		func(c *Config) { c.Optimizer, c.Noise, c.Batch = OptimizerLabelNoise, 0.1, c.N },
	} {
		c := base
		mod(&c)
		if _, res := ref(c); coreResult(res) == coreResult(gdRes) {
			t.Errorf("%s with its hyperparameter set gives gd's result", c.Optimizer)
		}
	}
}

// TestDeepD2MatchesUV checks the correspondence derived in model_deep.go (docs/science.md
// section 2): uv in its rotated coordinates w+- = (u +- v)/sqrt2 is beta = (w+^2 - w-^2)/2
// with gd step w+- <- w+- (1 -+ gamma g); deep with D = 2 is beta = p+^2 - p-^2 with step
// p+- <- p+- (1 -+ 2 gamma' g). Hence p+- = w+-/sqrt2 = (u +- v)/2, alpha' = alpha/sqrt2 and
// gamma' = gamma/2 give the same beta at every step in exact arithmetic. Tolerance: 1e-12
// relative (norm-wise on beta and on the parameters) over 3000 steps: the two runs differ
// only by rounding.
func TestDeepD2MatchesUV(t *testing.T) {
	const tol = 1e-12
	uv := baseConfig(OptimizerGD, 0, 0.1)
	uv.Steps = 0
	deep := uv
	deep.Model, deep.Depth, deep.Init, deep.Stepsize = ModelDeep, 2, uv.Init/math.Sqrt2, uv.Stepsize/2
	ru, rd := runSteps(t, uv, nil), runSteps(t, deep, nil)
	d := uv.D
	worstBeta, worstW := 0.0, 0.0
	for k := 0; k <= 3000; k++ {
		var db, nb, dw, nw float64
		for i := range d {
			e := rd.beta[i] - ru.beta[i]
			db += e * e
			nb += ru.beta[i] * ru.beta[i]
			u, v := ru.w[i], ru.w[d+i]
			for _, pair := range [2][2]float64{{rd.w[i], (u + v) / 2}, {rd.w[d+i], (u - v) / 2}} {
				e := pair[0] - pair[1]
				dw += e * e
				nw += pair[1] * pair[1]
			}
		}
		if k > 0 {
			worstBeta = math.Max(worstBeta, math.Sqrt(db/nb))
		}
		worstW = math.Max(worstW, math.Sqrt(dw/nw))
		if k < 3000 {
			ru.advance()
			ru.evaluate()
			rd.advance()
			rd.evaluate()
		}
	}
	t.Logf("worst relative error over 3000 steps: beta %.3g, parameters %.3g; final loss uv %.3g deep %.3g", worstBeta, worstW, ru.loss, rd.loss)
	if !(worstBeta <= tol) || !(worstW <= tol) {
		t.Errorf("deep D=2 vs uv: relative error beta %.3g, parameters %.3g > %g", worstBeta, worstW, tol)
	}
	if !(ru.loss < 1e-4) {
		t.Errorf("uv run did not fit (loss %v): the comparison is not along a real trajectory", ru.loss)
	}
}

// TestDeepGradient checks the chain rule of deep (D = 3) against central finite differences
// of F(w) = L(beta(w)) at a random point; tolerance 1e-7 relative (O(h^2) with h = 1e-5).
func TestDeepGradient(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.Model, c.Depth = ModelDeep, 3
	dt := mustGenerate(t, c)
	m := newDeepModel(c)
	p := m.numParams(c.D)
	w := make([]float64, p)
	for i := range w {
		w[i] = 0.5 + 0.3*math.Sin(float64(i))
	}
	beta, g, gw := make([]float64, c.D), make([]float64, c.D), make([]float64, p)
	F := func(w []float64) float64 {
		m.beta(w, beta)
		return dt.TrainLoss(beta)
	}
	m.beta(w, beta)
	dt.Gradient(beta, g)
	m.pullback(w, g, gw)
	const h = 1e-5
	for i := range w {
		old := w[i]
		w[i] = old + h
		fp := F(w)
		w[i] = old - h
		fm := F(w)
		w[i] = old
		fd := (fp - fm) / (2 * h)
		if math.Abs(fd-gw[i]) > 1e-7*(1+math.Abs(gw[i])) {
			t.Errorf("dF/dw[%d] = %v, finite difference %v", i, gw[i], fd)
		}
	}
}

// TestFlow checks the gradient-flow integrator (docs/science.md section 3) on a horizon T = 20
// (half-way to convergence): (1) tightening its tolerance 100-fold changes the final beta by
// less than 1e-10 (absolute, max norm); (2) gd with stepsize gamma approaches it at rate
// O(gamma): for gamma = 0.02, 0.01, 0.005 the distance to flow's beta halves with gamma (ratio
// of successive distances in [1.8, 2.2]).
func TestFlow(t *testing.T) {
	const T = 20.0
	fc := baseConfig(OptimizerFlow, 0, 0.5)
	fc.Steps = int(T / fc.Stepsize)
	ref := runSteps(t, fc, nil)
	tight := runSteps(t, fc, func(r *runner) { r.opt.(*flow).tol = FlowTolerance / 100 })
	var change float64
	for i := range ref.beta {
		change = math.Max(change, math.Abs(ref.beta[i]-tight.beta[i]))
	}
	t.Logf("flow: loss %.4g at T=%v; %d substeps at tol %g, %d at tol %g; change %.3g",
		ref.loss, T, ref.opt.(*flow).substep, FlowTolerance, tight.opt.(*flow).substep, FlowTolerance/100, change)
	if !(change < 1e-10) {
		t.Errorf("tightening the flow tolerance changed beta by %.3g >= 1e-10", change)
	}
	for _, g := range ref.g {
		if g != 0 {
			t.Fatalf("flow: r.g = %v, want 0 (gradient flow has no gain)", ref.g)
		}
	}
	var dists []float64
	for _, gamma := range []float64{0.02, 0.01, 0.005} {
		c := baseConfig(OptimizerGD, 0, gamma)
		c.Steps = int(math.Round(T / gamma))
		r := runSteps(t, c, nil)
		var s float64
		for i := range r.beta {
			s += (r.beta[i] - ref.beta[i]) * (r.beta[i] - ref.beta[i])
		}
		dists = append(dists, math.Sqrt(s))
	}
	t.Logf("|beta_gd - beta_flow| at gamma 0.02, 0.01, 0.005: %.4g", dists)
	for k := 1; k < len(dists); k++ {
		if ratio := dists[k-1] / dists[k]; !(ratio >= 1.8 && ratio <= 2.2) {
			t.Errorf("distance ratio %.3g at gamma halving %d, want ~2 (first-order convergence)", ratio, k)
		}
	}
}

// TestSGFShrinkage checks the shrinkage law of Pesme2021 (docs/science.md section 4) for the sgf
// SDE on uv: alpha_eff,i(t) = alpha exp(-eta H_ii int_0^t L ds). The error
// e = mean_i [ln(alpha_eff,i/alpha) + eta H_ii int_0^t L ds], int L computed along the run
// (int_loss), is measured for dt = 0.02, 0.01, 0.005 at t = 4.
//
// Euler-Maruyama has strong order 1/2 for this multiplicative noise: along one path the
// discrete quadratic variation sum (X^T dB)_i^2 fluctuates around n H_ii t by O(sqrt(dt)),
// so e of a single path shrinks like sqrt(dt). Its mean (the weak error) is O(dt), from the
// O(dt^2) per-step terms (dt g)^2 and x^4/2 of q(x) = -ln|1 - x^2| (the Gain of a step with
// x = dt g_eff). The test therefore averages e over 400 seeds (the same seeds at every dt)
// and checks that the mean halves with dt: ratios in [1.5, 2.7], with the standard error of
// each mean at most a fifth of it; and that at the smallest dt the error is below 2% of the
// predicted shrinkage mean_i eta H_ii int L.
func TestSGFShrinkage(t *testing.T) {
	if testing.Short() {
		t.Skip("400 runs per stepsize")
	}
	const (
		eta   = 0.05
		horiz = 4.0
		seeds = 400
	)
	dts := []float64{0.02, 0.01, 0.005}
	var means []float64
	var shrink float64
	for _, dt := range dts {
		c := baseConfig(OptimizerSGF, 0, dt)
		c.Noise, c.Steps = eta, int(math.Round(horiz/dt))
		data := mustGenerate(t, c)
		h := make([]float64, c.D) // H_ii
		for i := range c.N {
			for j := range c.D {
				x := data.X[i*c.D+j]
				h[j] += x * x / float64(c.N)
			}
		}
		aeff := make([]float64, c.D)
		var sum, sumSq, pred float64
		for s := range seeds {
			c.RunSeed = uint64(1000 + s)
			r, err := newRunner(c, data)
			if err != nil {
				t.Fatal(err)
			}
			r.evaluate()
			for range c.Steps {
				r.advance()
				r.evaluate()
			}
			d := c.D
			EffectiveInit(aeff, r.w[:d], r.w[d:])
			var e, p float64
			for i := range d {
				e += math.Log(aeff[i]/c.Init) + eta*h[i]*r.intLoss
				p += eta * h[i] * r.intLoss
			}
			e /= float64(d)
			sum += e
			sumSq += e * e
			pred += p / float64(d)
		}
		mean := sum / seeds
		se := math.Sqrt((sumSq/seeds - mean*mean) / (seeds - 1))
		shrink = pred / seeds
		t.Logf("dt %g: mean error %.4g (standard error %.2g), predicted shrinkage %.4g", dt, mean, se, shrink)
		if !(se <= math.Abs(mean)/5) {
			t.Errorf("dt %g: standard error %.3g too large for mean error %.3g", dt, se, mean)
		}
		means = append(means, mean)
	}
	for k := 1; k < len(means); k++ {
		if ratio := means[k-1] / means[k]; !(ratio >= 1.5 && ratio <= 2.7) {
			t.Errorf("error ratio %.3g between dt %g and %g, want ~2 (weak order 1)", ratio, dts[k-1], dts[k])
		}
	}
	if last := means[len(means)-1]; !(math.Abs(last) < 0.02*shrink) {
		t.Errorf("error %.3g at dt %g is not small against the shrinkage %.3g", last, dts[len(dts)-1], shrink)
	}
}

// TestSGFGainIdentity: r.g of sgf is the effective gradient g_eff of its Euler-Maruyama step,
// so the exact gain identity of Even2023 (alpha_eff = alpha exp(-Gain/2)) holds on uv as for
// gd; relative error <= 1e-9 over 5000 steps.
func TestSGFGainIdentity(t *testing.T) {
	for _, opt := range []string{OptimizerSGF, OptimizerLabelNoise} {
		c := baseConfig(opt, 5, 0.02)
		c.Noise, c.Steps = 0.05, 5000
		r := runSteps(t, c, nil)
		st := r.state()
		got, want := make([]float64, c.D), make([]float64, c.D)
		EffectiveInit(got, st.U, st.V)
		PredictedEffectiveInit(want, c.Init, st.Gain)
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, relErr(got[i], want[i]))
		}
		t.Logf("%s: worst relative error %.3g, loss %.3g", opt, worst, r.loss)
		if !(worst <= 1e-9) {
			t.Errorf("%s: gain identity relative error %.3g > 1e-9", opt, worst)
		}
	}
}

// TestNewOptimizersAllocateNothing: one loop iteration (step, gain, loss evaluation) of every
// optimiser of this file, and of model deep, allocates 0 objects.
func TestNewOptimizersAllocateNothing(t *testing.T) {
	for _, tc := range []struct {
		opt, model string
		batch      int
	}{
		{OptimizerHB, ModelUV, 0}, {OptimizerNAG, ModelUV, 0}, {OptimizerSAM, ModelUV, 0},
		{OptimizerLabelNoise, ModelUV, 5}, {OptimizerLabelNoise, ModelUV, 20}, {OptimizerSGF, ModelUV, 0},
		{OptimizerFlow, ModelUV, 0}, {OptimizerGD, ModelDeep, 0}, {OptimizerNAG, ModelDeep, 0},
	} {
		c := Config{Model: tc.model, Optimizer: tc.opt, Stepsize: 0.01, Batch: tc.batch, Init: 0.1, N: 20, D: 30,
			Sparsity: 3, Test: 10, Steps: 1, DataSeed: 7, RunSeed: 8, Momentum: 0.5, Noise: 0.1, Rho: 0.05, Depth: 3}
		r := runSteps(t, c, nil)
		if allocs := testing.AllocsPerRun(200, func() {
			r.advance()
			r.evaluate()
		}); allocs != 0 {
			t.Errorf("%s/%s b=%d: %v allocations per step, want 0", tc.opt, tc.model, tc.batch, allocs)
		}
		if isNonFinite(r.loss) {
			t.Errorf("%s/%s: run diverged", tc.opt, tc.model)
		}
	}
}

// TestValidateHyperparameters: range and presence checks of momentum, noise, rho, depth.
func TestValidateHyperparameters(t *testing.T) {
	base := baseConfig(OptimizerGD, 0, 0.1)
	base.Momentum, base.Noise, base.Rho = Unset, Unset, Unset
	if err := base.Validate(); err != nil {
		t.Fatalf("gd with everything unset: %v", err)
	}
	cases := []struct {
		mod  func(*Config)
		want string // "" = valid
	}{
		{func(c *Config) { c.Optimizer = OptimizerHB }, `momentum must be set for optimizer "hb"`},
		{func(c *Config) { c.Optimizer = OptimizerNAG }, `momentum must be set for optimizer "nag"`},
		{func(c *Config) { c.Optimizer = OptimizerSAM }, `rho must be set for optimizer "sam"`},
		{func(c *Config) { c.Optimizer = OptimizerSGF }, `noise must be set for optimizer "sgf"`},
		{func(c *Config) { c.Optimizer, c.Batch = OptimizerLabelNoise, 1 }, `noise must be set for optimizer "label_noise"`},
		{func(c *Config) { c.Model = ModelDeep }, `depth must be set for model "deep"`},
		{func(c *Config) { c.Optimizer, c.Momentum = OptimizerHB, 1 }, "momentum must satisfy 0 <= momentum < 1, got 1"},
		{func(c *Config) { c.Momentum = -0.1 }, "momentum must satisfy"},
		{func(c *Config) { c.Momentum = math.NaN() }, "momentum must satisfy"},
		{func(c *Config) { c.Rho = -1 }, "rho must be >= 0, got -1"},
		{func(c *Config) { c.Noise = math.Inf(1) }, "noise must be finite"},
		{func(c *Config) { c.Model, c.Depth = ModelDeep, 1 }, "depth must be >= 2, got 1"},
		{func(c *Config) { c.Depth = MaxDepth + 1 }, "depth must be <="},
		{func(c *Config) { c.Optimizer, c.Momentum = OptimizerHB, 0 }, ""},
		{func(c *Config) { c.Optimizer, c.Rho = OptimizerSAM, 0 }, ""},
		{func(c *Config) { c.Optimizer, c.Noise, c.Batch = OptimizerLabelNoise, 0.5, c.N }, ""},
		{func(c *Config) { c.Optimizer = OptimizerFlow }, ""},
		{func(c *Config) { c.Model, c.Depth = ModelDeep, 2 }, ""},
		{func(c *Config) { c.Momentum, c.Rho, c.Depth = 0.9, 1, 5 }, ""}, // given but unused
	}
	for _, tc := range cases {
		c := base
		tc.mod(&c)
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", c, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("want error containing %q, got %v", tc.want, err)
		}
	}
}
