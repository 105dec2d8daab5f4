package dynamics

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// TestGainIdentity checks the exact gain identity of Even2023 (docs/science.md section 4) on
// 10^4-step runs: alpha_eff_i = sqrt(|u_i^2 - v_i^2|/2) = alpha exp(-Gain_i/2) for every
// coordinate, to relative error 1e-9 (the tolerance docs/science.md prescribes). alpha_eff is
// computed as sqrt(|(u+v)(u-v)|/2), the same quantity without cancellation. Stepsizes are
// stable for this dataset (the runs end in max_steps with a small loss).
func TestGainIdentity(t *testing.T) {
	const tol = 1e-9
	cases := []struct {
		opt   string
		batch int
		gamma float64
	}{
		{OptimizerGD, 0, 0.1},
		{OptimizerSGD, 1, 0.05},
		{OptimizerSGD, 5, 0.1},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/b=%d", tc.opt, tc.batch), func(t *testing.T) {
			c := baseConfig(tc.opt, tc.batch, tc.gamma)
			c.Steps = 10000
			st, res, err := Simulate(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusMaxSteps || res.Steps != c.Steps || !(res.TrainLoss < 1e-3) {
				t.Fatalf("run not stable: %+v", res)
			}
			if res.GainL1 <= 0 {
				t.Fatalf("gain_l1 = %v, want > 0", res.GainL1)
			}
			got := make([]float64, c.D)
			want := make([]float64, c.D)
			EffectiveInit(got, st.U, st.V)
			PredictedEffectiveInit(want, c.Init, st.Gain)
			worst := 0.0
			for i := range got {
				e := relErr(got[i], want[i])
				worst = math.Max(worst, e)
				if !(e <= tol) {
					t.Errorf("coordinate %d: alpha_eff = %.17g, alpha exp(-Gain/2) = %.17g, rel err %.3g > %g", i, got[i], want[i], e, tol)
				}
			}
			t.Logf("worst relative error %.3g, gain_l1 %.4g, train_loss %.3g", worst, res.GainL1, res.TrainLoss)
		})
	}
}

// TestGainProductIdentity checks the stronger per-coordinate identities of Even2023
// (docs/science.md section 4), (u+v)_k = sqrt(2) alpha prod_l (1 - gamma g_l) and
// (u-v)_k = sqrt(2) alpha prod_l (1 + gamma g_l), on a 300-step run. The test recomputes
// every gradient g_l itself with plain loops (for sgd on the minibatch the run drew) and
// accumulates the products, int_loss = sum_l gamma L_l and the gain independently.
// Tolerances: 1e-12 relative on the gradients (rounding of two summation orders), 1e-10
// relative on the products (300 steps of rounding, amplified by |u|/|u-v|).
func TestGainProductIdentity(t *testing.T) {
	const steps = 300
	cases := []struct {
		opt   string
		batch int
		gamma float64
	}{
		{OptimizerGD, 0, 0.1},
		{OptimizerSGD, 1, 0.05},
		{OptimizerSGD, 5, 0.1},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/b=%d", tc.opt, tc.batch), func(t *testing.T) {
			c := baseConfig(tc.opt, tc.batch, tc.gamma)
			dt := mustGenerate(t, c)
			r, err := newRunner(c, dt)
			if err != nil {
				t.Fatal(err)
			}
			d := c.D
			plus := make([]float64, d)  // prod (1 - gamma g)
			minus := make([]float64, d) // prod (1 + gamma g)
			gain := make([]float64, d)
			for i := range plus {
				plus[i], minus[i] = 1, 1
			}
			var intLoss float64
			r.evaluate()
			for range steps {
				beta := append([]float64(nil), r.beta...)
				_, loss := naiveGradient(dt, beta, nil)
				if e := relErr(r.loss, loss); e > 1e-12 {
					t.Fatalf("step %d: loss %v, naive %v", r.steps, r.loss, loss)
				}
				intLoss += c.Stepsize * loss
				r.advance()
				var rows []int
				if o, ok := r.opt.(*sgd); ok {
					rows = o.perm[:o.b]
				}
				g, _ := naiveGradient(dt, beta, rows)
				for i := range g {
					if math.Abs(r.g[i]-g[i]) > 1e-12*(1+math.Abs(g[i])) {
						t.Fatalf("step %d: g[%d] = %v, naive %v", r.steps, i, r.g[i], g[i])
					}
					x := c.Stepsize * g[i]
					plus[i] *= 1 - x
					minus[i] *= 1 + x
					gain[i] += -math.Log(math.Abs((1 - x) * (1 + x)))
				}
				r.evaluate()
			}
			u, v := r.w[:d], r.w[d:]
			s := math.Sqrt2 * c.Init
			var worst float64
			for i := range d {
				worst = math.Max(worst, math.Max(relErr(u[i]+v[i], s*plus[i]), relErr(u[i]-v[i], s*minus[i])))
			}
			t.Logf("worst relative error of the products %.3g", worst)
			for i := range d {
				if e := relErr(u[i]+v[i], s*plus[i]); e > 1e-10 {
					t.Errorf("coordinate %d: u+v = %v, sqrt2 alpha prod(1-gamma g) = %v, rel err %.3g", i, u[i]+v[i], s*plus[i], e)
				}
				if e := relErr(u[i]-v[i], s*minus[i]); e > 1e-10 {
					t.Errorf("coordinate %d: u-v = %v, sqrt2 alpha prod(1+gamma g) = %v, rel err %.3g", i, u[i]-v[i], s*minus[i], e)
				}
				if e := relErr(r.gain[i], gain[i]); e > 1e-10 {
					t.Errorf("coordinate %d: Gain = %v, independent sum %v", i, r.gain[i], gain[i])
				}
			}
			if e := relErr(r.intLoss, intLoss); e > 1e-12 {
				t.Errorf("int_loss = %v, independent sum %v", r.intLoss, intLoss)
			}
		})
	}
}

// TestGainQ checks q(x) = -ln|1 - x^2| (Even2023) at points with closed forms.
func TestGainQ(t *testing.T) {
	cases := []struct{ x, want float64 }{
		{0, 0},
		{0.5, -math.Log(0.75)},
		{-0.5, -math.Log(0.75)},
		{1e-9, 1e-18},                 // -ln(1 - 1e-18) = 1e-18 + O(1e-36): needs log1p
		{math.Sqrt2, 0},               // |1 - 2| = 1
		{2, -math.Log(3)},             // |1 - 4| = 3
		{0.9, -math.Log(1 - 0.81)},    // 0.19
		{-0.999, -math.Log(0.001999)}, // (1.999)(0.001)
	}
	for _, tc := range cases {
		// Tolerance: relative 1e-14 (a few ulps), absolute 1e-15 where q = 0.
		if got := GainQ(tc.x); relErr(got, tc.want) > 1e-14 && math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("GainQ(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	if !math.IsInf(GainQ(1), 1) {
		t.Errorf("GainQ(1) = %v, want +Inf", GainQ(1))
	}
}
