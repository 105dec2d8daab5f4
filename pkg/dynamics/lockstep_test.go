package dynamics

import (
	"context"
	"fmt"
	"math"
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

// mixedLockstep returns configs on one dataset (n=20, d=30: d is not a multiple of 4) that
// differ in optimiser, stepsize, init and momentum; with steps = 3000 and stop_loss = 1e-6
// some converge early, some diverge (stepsize 3 and 8 are far beyond 2/lambda_max(H) and
// blow up within a few steps), some reach max_steps.
func mixedLockstep() []Config {
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

// TestSimulateLockstepEqualsSingleRuns: every run of a mixed set (gd, sgd (run one by one),
// hb, nag; different stepsizes, inits and momenta; converging early, diverging, reaching
// max_steps; 21 columns per optimiser, not a multiple of 4) has bit for bit the State,
// Result and trajectory of its single run (SimulateRecorded). The reference is the
// single-run kernel, an independent loop over one vector at a time.
func TestSimulateLockstepEqualsSingleRuns(t *testing.T) {
	ctx := context.Background()
	cs := mixedLockstep()
	data := mustGenerate(t, cs[0])
	runs := make([]LockstepRun, len(cs))
	lockstepRows := make([][]trajRow, len(cs))
	for k, c := range cs {
		runs[k] = LockstepRun{Config: c, Every: 7 + k%5, Record: recorderInto(&lockstepRows[k])}
	}
	outs, err := SimulateLockstep(ctx, runs, data)
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
			t.Errorf("%s: lockstep != single: %s", name, d)
		}
		if d := valueDiff(reflect.ValueOf(outs[k].State), reflect.ValueOf(st), "State"); d != "" {
			t.Errorf("%s: lockstep != single: %s", name, d)
		}
		if d := valueDiff(reflect.ValueOf(lockstepRows[k]), reflect.ValueOf(rows), "trajectory"); d != "" {
			t.Errorf("%s: lockstep != single: %s", name, d)
		}
	}
	// The runs must exercise every way of stopping.
	for _, s := range []string{StatusConverged, StatusDiverged, StatusMaxSteps} {
		if statuses[s] == 0 {
			t.Errorf("no run ended %s: %v", s, statuses)
		}
	}
	t.Logf("statuses: %v", statuses)
}

// TestSimulateLockstepWide: more runs than LockstepWidth are split into blocks and still equal
// their single runs; an invalid run is an outcome error that leaves the others alone.
func TestSimulateLockstepWide(t *testing.T) {
	ctx := context.Background()
	var runs []LockstepRun
	for k := range LockstepWidth + 6 {
		c := baseConfig(OptimizerGD, 0, 0.01*float64(k+1))
		c.Steps, c.Test, c.D, c.N = 200, 20, 13, 7
		runs = append(runs, LockstepRun{Config: c})
	}
	runs[3].Config.Stepsize = -1
	data := mustGenerate(t, runs[0].Config)
	outs, err := SimulateLockstep(ctx, runs, data)
	if err != nil {
		t.Fatal(err)
	}
	for k, run := range runs {
		_, res, err := SimulateData(ctx, run.Config, data)
		if (err != nil) != (outs[k].Err != nil) {
			t.Fatalf("run %d: single error %v, lockstep error %v", k, err, outs[k].Err)
		}
		if err != nil {
			continue
		}
		if d := valueDiff(reflect.ValueOf(outs[k].Result), reflect.ValueOf(res), "Result"); d != "" {
			t.Errorf("run %d: lockstep != single: %s", k, d)
		}
	}
}

// TestSimulateLockstepCancelled: a cancelled context stops SimulateLockstep with an error.
func TestSimulateLockstepCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := baseConfig(OptimizerGD, 0, 0.01)
	if _, err := SimulateLockstep(ctx, []LockstepRun{{Config: c}}, mustGenerate(t, c)); err == nil {
		t.Fatal("cancelled SimulateLockstep returned no error")
	}
}
