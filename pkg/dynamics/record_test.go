package dynamics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
)

// recRow is one recorded trajectory row, beta copied.
type recRow struct {
	step                  int
	time, train, test, l1 float64
	beta                  []float64
}

// recordRun runs SimulateRecorded and returns its rows.
func recordRun(t *testing.T, c Config, every int) (*State, Result, []recRow) {
	t.Helper()
	var rows []recRow
	st, res, err := SimulateRecorded(context.Background(), c, mustGenerate(t, c), every,
		func(step int, time, train, test, l1 float64, beta []float64) {
			rows = append(rows, recRow{step, time, train, test, l1, slices.Clone(beta)})
		})
	if err != nil {
		t.Fatal(err)
	}
	return st, res, rows
}

// wantSteps is the recording grid of a run of n steps: 0, every, 2 every, ..., and n once.
func wantSteps(n, every int) []int {
	var s []int
	for k := 0; k <= n; k += every {
		s = append(s, k)
	}
	if s[len(s)-1] != n {
		s = append(s, n)
	}
	return s
}

// sameFloat reports whether a and b are the same float64, bit for bit.
func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// TestRecordGrid: rows at steps 0, k, 2k, ... and the final step (once), time = step *
// stepsize, the final row equal to the Result's train_loss, test_loss and l1 bit for bit and
// its beta to the State's, and every row's losses and l1 those of its beta (recomputed by
// Data.TrainLoss / TestLoss). Cases cover every stepped optimiser family, model deep, a final
// step on and off the grid, every > steps, an early stop (converged) and a diverged run.
func TestRecordGrid(t *testing.T) {
	cases := []struct {
		name  string
		mod   func(*Config)
		every int
	}{
		{"gd off-grid end", func(c *Config) { c.Steps = 95 }, 10},
		{"gd on-grid end", func(c *Config) { c.Steps = 100 }, 10},
		{"gd every 1", func(c *Config) { c.Steps = 7 }, 1},
		{"gd every > steps", func(c *Config) { c.Steps = 30 }, 1000},
		{"gd zero steps", func(c *Config) { c.Steps = 0 }, 5},
		{"sgd", func(c *Config) { c.Optimizer, c.Batch, c.Steps = OptimizerSGD, 5, 123 }, 20},
		{"hb", func(c *Config) { c.Optimizer, c.Momentum, c.Steps = OptimizerHB, 0.5, 60 }, 25},
		{"flow", func(c *Config) { c.Optimizer, c.Stepsize, c.Steps = OptimizerFlow, 0.5, 41 }, 10},
		{"sgf", func(c *Config) { c.Optimizer, c.Noise, c.Steps = OptimizerSGF, 0.01, 50 }, 7},
		{"deep", func(c *Config) { c.Model, c.Depth, c.Steps = ModelDeep, 3, 80 }, 30},
		{"converged early", func(c *Config) { c.Stepsize, c.Steps, c.StopLoss = 0.2, 100000, 1e-6 }, 100},
		{"diverged", func(c *Config) { c.Stepsize, c.Steps = 10, 100000 }, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig(OptimizerGD, 0, 0.05)
			tc.mod(&c)
			st, res, rows := recordRun(t, c, tc.every)
			switch tc.name {
			case "converged early":
				if res.Status != StatusConverged {
					t.Fatalf("status %q, want converged", res.Status)
				}
			case "diverged":
				if res.Status != StatusDiverged {
					t.Fatalf("status %q, want diverged", res.Status)
				}
			}
			var got []int
			for _, r := range rows {
				got = append(got, r.step)
			}
			if want := wantSteps(res.Steps, tc.every); !slices.Equal(got, want) {
				t.Fatalf("recorded steps %v, want %v (result steps %d)", got, want, res.Steps)
			}
			data := mustGenerate(t, c)
			for _, r := range rows {
				if want := float64(r.step) * c.Stepsize; !sameFloat(r.time, want) {
					t.Errorf("step %d: time %v, want %v", r.step, r.time, want)
				}
				if len(r.beta) != c.D {
					t.Fatalf("step %d: beta has %d entries, want %d", r.step, len(r.beta), c.D)
				}
				var l1 float64
				for _, b := range r.beta {
					l1 += math.Abs(b)
				}
				if res.Status == StatusDiverged && r.step == res.Steps {
					continue // non-finite: compared with the Result below
				}
				if !sameFloat(r.train, data.TrainLoss(r.beta)) || !sameFloat(r.test, data.TestLoss(r.beta)) || !sameFloat(r.l1, l1) {
					t.Errorf("step %d: row (%v, %v, %v), beta gives (%v, %v, %v)", r.step, r.train, r.test, r.l1,
						data.TrainLoss(r.beta), data.TestLoss(r.beta), l1)
				}
			}
			last := rows[len(rows)-1]
			if !sameFloat(last.train, res.TrainLoss) || !sameFloat(last.test, res.TestLoss) || !sameFloat(last.l1, res.L1) {
				t.Errorf("final row (%v, %v, %v), result (%v, %v, %v)", last.train, last.test, last.l1, res.TrainLoss, res.TestLoss, res.L1)
			}
			for i := range last.beta {
				if !sameFloat(last.beta[i], st.Beta[i]) {
					t.Fatalf("final row beta[%d] = %v, state %v", i, last.beta[i], st.Beta[i])
				}
			}
		})
	}
}

// TestRecordDoesNotChangeResults: SimulateRecorded gives the Result and State of SimulateData
// bit for bit (compared through %#v, which prints floats in shortest round-trip form), for
// several optimisers, the saddle limit included; every <= 0 or a nil recorder records nothing.
func TestRecordDoesNotChangeResults(t *testing.T) {
	for _, c := range []Config{
		func() Config { c := baseConfig(OptimizerGD, 0, 0.05); c.Steps = 500; return c }(),
		func() Config { c := baseConfig(OptimizerSGD, 4, 0.05); c.Steps = 500; return c }(),
		func() Config { c := baseConfig(OptimizerNAG, 0, 0.05); c.Momentum, c.Steps = 0.9, 300; return c }(),
		func() Config { c := baseConfig(OptimizerLabelNoise, 4, 0.05); c.Noise, c.Steps = 0.1, 300; return c }(),
		func() Config { c := baseConfig(OptimizerSaddle, 0, 1); c.Steps = 100; return c }(),
	} {
		t.Run(c.Optimizer, func(t *testing.T) {
			data := mustGenerate(t, c)
			st0, res0, err := SimulateData(context.Background(), c, data)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			st1, res1, err := SimulateRecorded(context.Background(), c, data, 7, func(int, float64, float64, float64, float64, []float64) { n++ })
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Error("nothing recorded")
			}
			if a, b := fmt.Sprintf("%#v", res0), fmt.Sprintf("%#v", res1); a != b {
				t.Errorf("result changed by recording:\n%s\n%s", a, b)
			}
			if a, b := fmt.Sprintf("%#v %#v %#v", st0.Params, st0.Beta, st0.Gain), fmt.Sprintf("%#v %#v %#v", st1.Params, st1.Beta, st1.Gain); a != b {
				t.Errorf("state changed by recording")
			}
			for _, every := range []int{0, -1} {
				called := false
				_, res2, err := SimulateRecorded(context.Background(), c, data, every, func(int, float64, float64, float64, float64, []float64) { called = true })
				if err != nil || called || fmt.Sprintf("%#v", res2) != fmt.Sprintf("%#v", res0) {
					t.Errorf("every=%d: err %v, recorder called %t", every, err, called)
				}
			}
			if _, res3, err := SimulateRecorded(context.Background(), c, data, 5, nil); err != nil || fmt.Sprintf("%#v", res3) != fmt.Sprintf("%#v", res0) {
				t.Errorf("nil recorder: err %v", err)
			}
		})
	}
}

// TestRecordAllocations: with recording on, one loop iteration that also records a row (step,
// loss evaluation, test loss, l1, a recorder that keeps nothing) allocates 0 objects, for
// every = 1 (a row each step) and every = 3: the recording costs no allocation per step or
// per row beyond the recorder's own (its test-residual buffer is allocated once, at the first
// row). With recording off the loop is the one TestStepAllocatesNothing checks.
func TestRecordAllocations(t *testing.T) {
	noop := func(int, float64, float64, float64, float64, []float64) {}
	for _, tc := range []struct {
		opt   string
		batch int
		every int
	}{{OptimizerGD, 0, 1}, {OptimizerGD, 0, 3}, {OptimizerSGD, 5, 1}} {
		r := benchRunner(t, tc.opt, 20, 30, tc.batch, 0.01)
		rc := newRecording(tc.every, noop, r.cfg, r.data)
		rc.at(r) // step 0
		if allocs := testing.AllocsPerRun(300, func() {
			r.advance()
			r.evaluate()
			rc.onGrid(r)
		}); allocs != 0 {
			t.Errorf("%s every=%d: %v allocations per recorded step, want 0", tc.opt, tc.every, allocs)
		}
		if rc.last != r.steps-r.steps%tc.every {
			t.Errorf("%s every=%d: last recorded step %d after %d steps", tc.opt, tc.every, rc.last, r.steps)
		}
	}
}

// TestRecordSaddle: a saddle run records the origin (step 0, time 0, L(0), l1 0) and then
// saddle k at step k and time t_k (Result.JumpTimes) with train loss PlateauLosses[k], one
// row per saddle plus the origin whatever every; the final row is the Result's.
func TestRecordSaddle(t *testing.T) {
	c := baseConfig(OptimizerSaddle, 0, 1)
	c.Steps = 1000
	for _, every := range []int{1, 1000} {
		_, res, rows := recordRun(t, c, every)
		if res.Jumps < 2 {
			t.Fatalf("only %d jumps: the test wants a few", res.Jumps)
		}
		if len(rows) != res.Jumps+1 {
			t.Fatalf("every=%d: %d rows for %d jumps, want jumps+1", every, len(rows), res.Jumps)
		}
		data := mustGenerate(t, c)
		for k, r := range rows {
			wantT := 0.0
			if k > 0 {
				wantT = res.JumpTimes[k-1]
			}
			if r.step != k || !sameFloat(r.time, wantT) || !sameFloat(r.train, res.PlateauLosses[k]) || !sameFloat(r.test, data.TestLoss(r.beta)) {
				t.Errorf("row %d: step %d time %v train %v test %v, want step %d time %v train %v test %v",
					k, r.step, r.time, r.train, r.test, k, wantT, res.PlateauLosses[k], data.TestLoss(r.beta))
			}
		}
		if rows[0].l1 != 0 || slices.ContainsFunc(rows[0].beta, func(b float64) bool { return b != 0 }) {
			t.Errorf("first row is not the origin: %+v", rows[0])
		}
		last := rows[len(rows)-1]
		if !sameFloat(last.train, res.TrainLoss) || !sameFloat(last.test, res.TestLoss) || !sameFloat(last.l1, res.L1) {
			t.Errorf("final row (%v, %v, %v), result (%v, %v, %v)", last.train, last.test, last.l1, res.TrainLoss, res.TestLoss, res.L1)
		}
	}
}
