package dynamics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// valueDiff reports whether two values (Results, States, trajectory rows) are equal with
// floats compared bit for bit (so NaN equals NaN), and names the first difference.
func valueDiff(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Float64:
		if math.Float64bits(a.Float()) != math.Float64bits(b.Float()) {
			return fmt.Sprintf("%s: %v != %v", path, a.Float(), b.Float())
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if d := valueDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d != %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := valueDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil mismatch"
			}
			return ""
		}
		if a.Type() == reflect.TypeFor[*Data]() { // shared, compared by identity
			if a.Pointer() != b.Pointer() {
				return path + ": different data"
			}
			return ""
		}
		return valueDiff(a.Elem(), b.Elem(), path)
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: %v != %v", path, a.Interface(), b.Interface())
		}
	}
	return ""
}

// trajRow is one recorded trajectory row, beta copied.
type trajRow struct {
	Step                  int
	Time, Train, Test, L1 float64
	Beta                  []float64
}

func recorderInto(rows *[]trajRow) Recorder {
	return func(step int, time, trainLoss, testLoss, l1 float64, beta []float64) {
		*rows = append(*rows, trajRow{step, time, trainLoss, testLoss, l1, slices.Clone(beta)})
	}
}

// mixedBatch returns configs on one dataset (n=20, d=30: d is not a multiple of 4) that
// differ in optimiser, stepsize, init and momentum; with steps = 3000 and stop_loss = 1e-6
// some converge early, some diverge (stepsize 3 and 8 are far beyond 2/lambda_max(H) and
// blow up within a few steps), some reach max_steps.
func mixedBatch() []Config {
	var cs []Config
	k := 0
	for _, opt := range []string{OptimizerGD, OptimizerSGD, OptimizerHB, OptimizerNAG} {
		for _, gamma := range []float64{0.003, 0.02, 0.1, 0.3, 0.6, 3, 8} {
			for _, init := range []float64{0.01, 0.1, 1} {
				c := baseConfig(opt, 2, gamma)
				c.Init, c.Steps, c.StopLoss, c.Test = init, 3000, 1e-6, 50
				if opt == OptimizerHB || opt == OptimizerNAG {
					c.Momentum = []float64{0, 0.5, 0.9}[k%3]
				}
				c.RunSeed = uint64(100 + k)
				k++
				cs = append(cs, c)
			}
		}
	}
	return cs
}

// TestSimulateBatchEqualsSingleRuns: every run of a mixed batch (gd, sgd (run one by one),
// hb, nag; different stepsizes, inits and momenta; converging early, diverging, reaching
// max_steps; 21 columns per optimiser, not a multiple of 4) has bit for bit the State,
// Result and trajectory of its single run (SimulateRecorded). The reference is the
// single-run kernel, an independent loop over one vector at a time.
func TestSimulateBatchEqualsSingleRuns(t *testing.T) {
	ctx := context.Background()
	cs := mixedBatch()
	data := GenerateData(cs[0])
	runs := make([]BatchRun, len(cs))
	batchRows := make([][]trajRow, len(cs))
	for k, c := range cs {
		runs[k] = BatchRun{Config: c, Every: 7 + k%5, Record: recorderInto(&batchRows[k])}
	}
	outs, err := SimulateBatch(ctx, runs, data)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for k, c := range cs {
		var rows []trajRow
		st, res, err := SimulateRecorded(ctx, c, data, runs[k].Every, recorderInto(&rows))
		if err != nil || outs[k].Err != nil {
			t.Fatalf("run %d: errors %v, %v", k, err, outs[k].Err)
		}
		statuses[res.Status]++
		name := fmt.Sprintf("run %d (%s gamma=%v init=%v mu=%v)", k, c.Optimizer, c.Stepsize, c.Init, c.Momentum)
		if d := valueDiff(reflect.ValueOf(outs[k].Result), reflect.ValueOf(res), "Result"); d != "" {
			t.Errorf("%s: batched != single: %s", name, d)
		}
		if d := valueDiff(reflect.ValueOf(outs[k].State), reflect.ValueOf(st), "State"); d != "" {
			t.Errorf("%s: batched != single: %s", name, d)
		}
		if d := valueDiff(reflect.ValueOf(batchRows[k]), reflect.ValueOf(rows), "trajectory"); d != "" {
			t.Errorf("%s: batched != single: %s", name, d)
		}
	}
	// The batch must exercise every way of stopping.
	for _, s := range []string{StatusConverged, StatusDiverged, StatusMaxSteps} {
		if statuses[s] == 0 {
			t.Errorf("no run ended %s: %v", s, statuses)
		}
	}
	t.Logf("statuses: %v", statuses)
}

// TestSimulateBatchWide: a batch wider than BatchWidth is split into blocks and still equals
// its single runs; an invalid run is an outcome error that leaves the others alone.
func TestSimulateBatchWide(t *testing.T) {
	ctx := context.Background()
	var runs []BatchRun
	for k := range BatchWidth + 6 {
		c := baseConfig(OptimizerGD, 0, 0.01*float64(k+1))
		c.Steps, c.Test, c.D, c.N = 200, 20, 13, 7
		runs = append(runs, BatchRun{Config: c})
	}
	runs[3].Config.Stepsize = -1
	data := GenerateData(runs[0].Config)
	outs, err := SimulateBatch(ctx, runs, data)
	if err != nil {
		t.Fatal(err)
	}
	for k, run := range runs {
		_, res, err := SimulateData(ctx, run.Config, data)
		if (err != nil) != (outs[k].Err != nil) {
			t.Fatalf("run %d: single error %v, batched error %v", k, err, outs[k].Err)
		}
		if err != nil {
			continue
		}
		if d := valueDiff(reflect.ValueOf(outs[k].Result), reflect.ValueOf(res), "Result"); d != "" {
			t.Errorf("run %d: batched != single: %s", k, d)
		}
	}
}

// TestSimulateBatchCancelled: a cancelled context stops the batch with an error.
func TestSimulateBatchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := baseConfig(OptimizerGD, 0, 0.01)
	if _, err := SimulateBatch(ctx, []BatchRun{{Config: c}}, GenerateData(c)); err == nil {
		t.Fatal("cancelled batch returned no error")
	}
}

// TestBatchKernelsMatchPortable: the kernels in use (the AVX2 assembly of
// batch_kernel_amd64.go on amd64) equal the portable ones of batch_kernel.go bit for bit, on
// random blocks of many shapes (below), and the theory accumulators also on the edge cases
// of GainQ and skewSmall: x = +-0, |x| around the branches of math.log1p (x^2 near 2^-54 and
// 2^-29), around 1/16 (the skewSmall limit), up to the scalar range, Inf and NaN. Without
// AVX2 (or with PHASESWEEP_NO_ASM=1) both sides are the same code.
func TestBatchKernelsMatchPortable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d, s, w = 13, 12, 12
	edge := []float64{0, math.Copysign(0, -1), 0x1p-27, 0x1p-27 * (1 - 0x1p-52), 0x1p-14, 0x1p-15 * 1.5,
		1.0 / 16, 1.0/16 - 0x1p-56, -1.0 / 16, 0.3, -0.7, 1, 2, math.Inf(1), math.NaN(), 1e-300}
	fill := func(k int) []float64 {
		a := make([]float64, k)
		for i := range a {
			a[i] = rng.NormFloat64() * math.Pow(10, -8*rng.Float64())
		}
		return a
	}
	for trial := range 50 {
		g, gamma := fill(d*s), fill(s)
		for i := range gamma {
			gamma[i] = math.Abs(gamma[i])
		}
		if trial%2 == 0 {
			for i := range g {
				g[i] = edge[(i+trial)%len(edge)]
				gamma[i%s] = 1
			}
		}
		gain1, skew1, max1 := fill(d*s), fill(d*s), make([]float64, s)
		gain2, skew2, max2 := slices.Clone(gain1), slices.Clone(skew1), make([]float64, s)
		theoryBlock(g, gamma, gain1, skew1, max1, d, s, w)
		theoryBlockGo(g, gamma, gain2, skew2, max2, d, s, w)
		for _, pair := range [][2][]float64{{gain1, gain2}, {skew1, skew2}, {max1, max2}} {
			if diff := valueDiff(reflect.ValueOf(pair[0]), reflect.ValueOf(pair[1]), "theory"); diff != "" {
				t.Fatalf("trial %d: %s (kernel %s)", trial, diff, batchKernelName)
			}
		}
	}
	// The products and the gd update on shapes that reach every path of the assembly kernels:
	// odd d (d mod 4 = 1, 2, 3), odd n and n = 1 (a last single row), d < 4, widths below one
	// 16-column strip (4, 12), a last strip overlapping the one before (20, 36, 60), w < s, and
	// the benchmark's 64 columns, and d > residJBlock (the residual's passes over blocks of j).
	shapes := []struct{ n, d, s, w int }{{7, 13, 12, 12}, {1, 5, 16, 16}, {5, 1, 8, 4}, {9, 23, 24, 20},
		{3, 100, 64, 64}, {4, 6, 72, 60}, {2, 3, 40, 36}, {1, 1, 4, 4}, {6, 7, 20, 8}, {5, 261, 36, 32}}
	for trial := range 40 {
		sh := shapes[trial%len(shapes)]
		n, d, s, w := sh.n, sh.d, sh.s, sh.w
		gamma := fill(s)
		x, y, beta := fill(n*d), fill(n), fill(d*s)
		r1, r2, ss1, ss2 := fill(n*s), make([]float64, n*s), fill(s), make([]float64, s)
		copy(r2, r1)
		copy(ss2[w:], ss1[w:])
		acc := make([]float64, 4*n*s) // as block's: the wide assembly kernels need 4n rows
		residualBlock(x, y, beta, r1, ss1, acc, n, d, s, w)
		residualBlockGo(x, y, beta, r2, ss2, acc, n, d, s, w)
		xt := fill(d * n)
		g1, g2 := fill(d*s), make([]float64, d*s)
		copy(g2, g1)
		gradientBlock(xt, r1, g1, n, d, s, w)
		gradientBlockGo(xt, r2, g2, n, d, s, w)
		u, v := fill(d*s), fill(d*s)
		u2, v2 := slices.Clone(u), slices.Clone(v)
		b1, bs1 := fill(d*s), fill(s)
		b2, bs2 := slices.Clone(b1), slices.Clone(bs1)
		gdUpdate(u, v, g1, gamma, b1, bs1, d, s, w)
		gdUpdateGo(u2, v2, g2, gamma, b2, bs2, d, s, w)
		for name, pair := range map[string][2][]float64{"r": {r1, r2}, "ss": {ss1, ss2}, "g": {g1, g2},
			"u": {u, u2}, "v": {v, v2}, "beta": {b1, b2}, "betaSum": {bs1, bs2}} {
			if diff := valueDiff(reflect.ValueOf(pair[0]), reflect.ValueOf(pair[1]), name); diff != "" {
				t.Fatalf("trial %d (n=%d d=%d s=%d w=%d): %s (kernel %s)", trial, n, d, s, w, diff, batchKernelName)
			}
		}
	}
}
