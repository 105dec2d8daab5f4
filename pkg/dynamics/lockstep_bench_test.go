package dynamics

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// benchBlock prepares a block of width gd (or hb, nag) runs on one n x d dataset, stepsizes
// log-spaced over [1e-3, 1e-2] (small enough that none stops within a benchmark).
func benchBlock(tb testing.TB, opt string, n, d, width int) *block {
	tb.Helper()
	var cols []*lockstepColumn
	c := Config{Optimizer: opt, Init: 0.1, N: n, D: d, Sparsity: 3, Test: 10, Steps: math.MaxInt, DataSeed: 7, RunSeed: 8}
	if opt != OptimizerGD {
		c.Momentum = 0.5
	}
	data := mustGenerate(tb, Config{N: n, D: d, Sparsity: 3, Test: 10, DataSeed: 7, Init: 0.1, Stepsize: 1})
	for k := range width {
		c.Stepsize = 1e-3 * math.Pow(10, float64(k)/float64(max(width-1, 1)))
		col, err := newLockstepColumn(LockstepRun{Config: c}, data, k)
		if err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, col)
	}
	bk := newBlock(data, cols)
	bk.evaluate()
	return bk
}

// BenchmarkLockstepStep measures one lockstep iteration of a block of 64 gd runs (the gradient,
// the update with gain and theory accumulators, beta, the residual and loss of every column:
// what a single run's advance + evaluate does, 64 times). ns/op is per block step;
// ns/run-step divides by the width; GFLOP/s counts the 4nd flops of the two products per
// run-step (X beta and X^T r; the elementwise work is not counted); cpu-ns/run-step is the
// benchmark thread's CPU time per run-step (threadCPU), robust to other jobs on the machine.
// The cases named gd, nag run on one goroutine (one core); gd-2cores splits each step with
// the block's helper goroutine as SimulateLockstep does (lockstep_parallel.go), without locking the
// benchmark to its thread (a locked goroutine that blocks on the helper costs a thread
// hand-off per step, which serialises the two halves); cpu-ns would count one thread only,
// so it is not reported.
func BenchmarkLockstepStep(b *testing.B) {
	for _, shape := range []struct{ n, d int }{{20, 30}, {40, 100}, {100, 1000}} {
		for _, opt := range []string{OptimizerGD, "gd-2cores", OptimizerNAG} {
			if opt == OptimizerNAG && shape.d != 100 {
				continue
			}
			const width = 64
			b.Run(fmt.Sprintf("%s/n=%d,d=%d,B=%d", opt, shape.n, shape.d, width), func(b *testing.B) {
				bk := benchBlock(b, strings.TrimSuffix(opt, "-2cores"), shape.n, shape.d, width)
				parallel := opt != strings.TrimSuffix(opt, "-2cores")
				if parallel {
					defer bk.startHelper()()
				} else {
					defer lockThread()()
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := threadCPU()
				for range b.N {
					bk.step()
				}
				cpu := threadCPU() - cpu0
				b.StopTimer()
				for k := range width {
					if isNonFinite(bk.loss[k]) {
						b.Fatalf("benchmark run %d diverged: loss %v", k, bk.loss[k])
					}
				}
				perStep := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(perStep/width, "ns/run-step")
				b.ReportMetric(4*float64(shape.n*shape.d*width)/perStep, "GFLOP/s")
				if cpu > 0 && !parallel {
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/width, "cpu-ns/run-step")
				}
			})
		}
	}
}

// TestLockstepStepAllocatesNothing: one lockstep iteration (advance + evaluate) of a block
// allocates nothing, for every lockstep optimiser.
func TestLockstepStepAllocatesNothing(t *testing.T) {
	for _, opt := range []string{OptimizerGD, OptimizerHB, OptimizerNAG} {
		bk := benchBlock(t, opt, 20, 30, 11)
		if allocs := testing.AllocsPerRun(200, bk.step); allocs != 0 {
			t.Errorf("%s: %v allocations per block step, want 0", opt, allocs)
		}
	}
}

// BenchmarkLockstepProducts measures the part of a lockstep gd step that the lockstep kernels
// vectorise (the residual X beta - y with its loss, the gradient X^T r/n and the gd update
// with beta): BenchmarkLockstepStep without the theory accumulators (the gain and its skew),
// whose vector log1p is a separate kernel. Metrics as BenchmarkLockstepStep; GFLOP/s here is
// from the thread's CPU time (cpu-GFLOP/s), robust to other jobs on the machine.
func BenchmarkLockstepProducts(b *testing.B) {
	for _, shape := range []struct{ n, d int }{{20, 30}, {40, 100}, {100, 1000}} {
		const width = 64
		b.Run(fmt.Sprintf("gd/n=%d,d=%d,B=%d", shape.n, shape.d, width), func(b *testing.B) {
			defer lockThread()()
			bk := benchBlock(b, OptimizerGD, shape.n, shape.d, width)
			w := bk.lanes()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := threadCPU()
			for range b.N {
				bk.k.GradientBlock(bk.xt, bk.res, bk.g, bk.n, bk.d, bk.stride, w)
				clear(bk.betaSum)
				bk.k.GDUpdate(bk.u, bk.v, bk.g, bk.gamma, bk.beta, bk.betaSum, bk.d, bk.stride, w)
				bk.evaluate()
			}
			cpu := threadCPU() - cpu0
			b.StopTimer()
			perStep := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perStep/width, "ns/run-step")
			if cpu > 0 {
				cpuStep := float64(cpu.Nanoseconds()) / float64(b.N)
				b.ReportMetric(cpuStep/width, "cpu-ns/run-step")
				b.ReportMetric(4*float64(shape.n*shape.d*width)/cpuStep, "cpu-GFLOP/s")
			}
		})
	}
}
