package dynamics

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"testing"
)

// TestLockstepSplitEqualsSingleRuns: blocks wide and large enough to split each step between
// two goroutines (lockstep_parallel.go: 40 columns per optimiser at n = 40, d = 650, so n d w >=
// splitWork) give every run bit for bit its single run's Result and State, while runs stop at
// different steps (the live width drops below the split's 32 columns on the way). The
// reference is the single-run kernel.
func TestLockstepSplitEqualsSingleRuns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	ctx := context.Background()
	var runs []LockstepRun
	for _, opt := range []string{OptimizerGD, OptimizerHB, OptimizerNAG} {
		for k := range 40 {
			c := baseConfig(opt, 0, 0.01*math.Pow(10, 2.5*float64(k)/39))
			c.N, c.D, c.Test, c.Steps, c.StopLoss = 40, 650, 20, 400, 1e-3
			if opt != OptimizerGD {
				c.Momentum = 0.5
			}
			runs = append(runs, LockstepRun{Config: c})
		}
	}
	data := mustGenerate(t, runs[0].Config)
	bk, stop := splitBlock(t, runs[:40], data)
	if bk.split(bk.lanes()) == 0 {
		t.Fatalf("a block of %d columns at n=40 d=650 does not split", bk.width)
	}
	stop()
	outs, err := SimulateLockstep(ctx, runs, data)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for k, run := range runs {
		st, res, err := SimulateData(ctx, run.Config, data)
		if err != nil || outs[k].Err != nil {
			t.Fatalf("run %d: errors %v, %v", k, err, outs[k].Err)
		}
		statuses[res.Status]++
		if d := valueDiff(reflect.ValueOf(outs[k].Result), reflect.ValueOf(res), "Result"); d != "" {
			t.Errorf("run %d (%s gamma=%v): lockstep != single: %s", k, run.Config.Optimizer, run.Config.Stepsize, d)
		}
		if d := valueDiff(reflect.ValueOf(outs[k].State), reflect.ValueOf(st), "State"); d != "" {
			t.Errorf("run %d (%s gamma=%v): lockstep != single: %s", k, run.Config.Optimizer, run.Config.Stepsize, d)
		}
	}
	for _, s := range []string{StatusConverged, StatusDiverged, StatusMaxSteps} {
		if statuses[s] == 0 {
			t.Errorf("no run ended %s: %v", s, statuses)
		}
	}
	t.Logf("statuses: %v", statuses)
}

// splitBlock lays out runs as a block with a helper goroutine and returns it with the
// function that stops the helper.
func splitBlock(t *testing.T, runs []LockstepRun, data *Data) (*block, func()) {
	t.Helper()
	var cols []*lockstepColumn
	for k, run := range runs {
		col, err := newLockstepColumn(run, data, k)
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, col)
	}
	bk := newBlock(data, cols)
	return bk, bk.startHelper()
}
