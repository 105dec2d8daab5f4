package dynamics

import (
	"fmt"
	"testing"
)

// benchRunner prepares a run with the given shape for a step benchmark.
func benchRunner(tb testing.TB, opt string, n, d, batch int, gamma float64) *runner {
	tb.Helper()
	c := Config{Optimizer: opt, Stepsize: gamma, Batch: batch, Init: 0.1, N: n, D: d, Sparsity: 3, Test: 10, Steps: 1, DataSeed: 7, RunSeed: 8}
	if err := c.Validate(); err != nil {
		tb.Fatal(err)
	}
	r, err := newRunner(c, mustGenerate(tb, c))
	if err != nil {
		tb.Fatal(err)
	}
	r.evaluate()
	return r
}

// benchStep runs b.N full loop iterations (step, gain, loss evaluation) on a prepared run.
func benchStep(b *testing.B, opt string, batch int) {
	for _, shape := range []struct{ n, d int }{{20, 30}, {40, 100}} {
		b.Run(fmt.Sprintf("n=%d,d=%d", shape.n, shape.d), func(b *testing.B) {
			defer lockThread()()
			r := benchRunner(b, opt, shape.n, shape.d, batch, 0.01)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := threadCPU()
			for range b.N {
				r.advance()
				r.evaluate()
			}
			cpu := threadCPU() - cpu0
			b.StopTimer()
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
			if isNonFinite(r.loss) {
				b.Fatalf("benchmark run diverged: loss %v", r.loss)
			}
		})
	}
}

// BenchmarkGDStep measures one gd iteration (ns/op = ns per step; cpu-ns/op the benchmark
// thread's CPU time per step, see threadCPU), which must not allocate.
func BenchmarkGDStep(b *testing.B) { benchStep(b, OptimizerGD, 0) }

// BenchmarkSGDStep measures one sgd iteration with batch 5 (full loss included).
func BenchmarkSGDStep(b *testing.B) { benchStep(b, OptimizerSGD, 5) }

// TestStepAllocatesNothing: one loop iteration (step, gain, loss evaluation) allocates 0
// objects, for every optimiser.
func TestStepAllocatesNothing(t *testing.T) {
	for _, tc := range []struct {
		opt   string
		batch int
	}{{OptimizerGD, 0}, {OptimizerSGD, 1}, {OptimizerSGD, 5}} {
		r := benchRunner(t, tc.opt, 20, 30, tc.batch, 0.01)
		if allocs := testing.AllocsPerRun(1000, func() {
			r.advance()
			r.evaluate()
		}); allocs != 0 {
			t.Errorf("%s b=%d: %v allocations per step, want 0", tc.opt, tc.batch, allocs)
		}
	}
}
