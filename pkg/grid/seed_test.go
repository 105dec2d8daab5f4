package grid

import (
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// seedsByConfig maps each point's configuration (seeds cleared) to its seeds.
func seedsByConfig(t *testing.T, g *Grid) map[dynamics.Config][2]uint64 {
	t.Helper()
	out := map[dynamics.Config][2]uint64{}
	for i := int64(0); i < g.Count(); i++ {
		c := g.Point(i).Config
		key := withoutSeeds(c)
		if _, dup := out[key]; dup {
			t.Fatalf("two points with configuration %+v", key)
		}
		out[key] = [2]uint64{c.DataSeed, c.RunSeed}
	}
	return out
}

// TestSeedsFollowValues checks the contract of docs/design.md ("Points"): seeds derive from the
// spec seed and the point's values, never from its index. The same points written as other
// specs (other name, axes in another order, values in another order, some values fixed,
// defaults written out) must get the same seeds.
func TestSeedsFollowValues(t *testing.T) {
	a := mustGrid(t, `name: a
seed: 7
params: {steps: 100}
grid:
  stepsize: [0.1, 0.2]
  n: [10, 20]
  optimizer: [gd, sgd]
`)
	ref := seedsByConfig(t, a)
	others := map[string]string{
		"axes and values reordered, renamed": `name: b
seed: 7
params: {steps: 100}
grid:
  optimizer: [sgd, gd]
  n: [20, 10]
  stepsize: [0.2, 0.1]
`,
		"some values fixed, a default written out": `name: c
seed: 7
params: {steps: 100, optimizer: sgd, d: 30}
grid:
  zip:
    n: [20, 10]
    stepsize: [0.1, 0.2]
`,
		"a single point": `name: d
seed: 7
params: {steps: 100, optimizer: gd, n: 10, stepsize: 0.2}
`,
	}
	for name, src := range others {
		g := mustGrid(t, src)
		for cfg, seeds := range seedsByConfig(t, g) {
			want, ok := ref[cfg]
			if !ok {
				t.Fatalf("%s: point %+v is not in the reference grid", name, cfg)
			}
			if seeds != want {
				t.Errorf("%s: point %+v has seeds %v, want %v as in the reference grid", name, cfg, seeds, want)
			}
		}
	}

	// Another spec seed: every seed of every point changes.
	c := mustGrid(t, `name: a
seed: 8
params: {steps: 100}
grid:
  stepsize: [0.1, 0.2]
  n: [10, 20]
  optimizer: [gd, sgd]
`)
	for cfg, seeds := range seedsByConfig(t, c) {
		if seeds[0] == ref[cfg][0] || seeds[1] == ref[cfg][1] {
			t.Errorf("point %+v: seeds %v with spec seed 8, %v with spec seed 7", cfg, seeds, ref[cfg])
		}
	}
}

// TestOptimizerSettingsShareData checks that points differing only in optimiser settings
// (optimizer, stepsize, init, batch, and the run's length) share one dataset but not their
// run's randomness.
func TestOptimizerSettingsShareData(t *testing.T) {
	g := mustGrid(t, `name: opt
params: {n: 20}
grid:
  optimizer: [gd, sgd]
  stepsize: [0.1, 0.2]
  init: [0.1, 0.5]
  batch: [1, 2]
  steps: [100, 200]
  stop_loss: [0, 1e-8]
`)
	data := map[uint64]bool{}
	run := map[uint64]int64{}
	for i := int64(0); i < g.Count(); i++ {
		c := g.Point(i).Config
		data[c.DataSeed] = true
		if j, dup := run[c.RunSeed]; dup {
			t.Errorf("points %d and %d share the run seed %d", j, i, c.RunSeed)
		}
		run[c.RunSeed] = i
	}
	if len(data) != 1 {
		t.Errorf("%d data seeds among %d points that differ only in optimiser settings, want 1", len(data), g.Count())
	}
}

// TestDataParamsChangeData checks that each parameter of the dataset (docs/science.md section 1:
// n, d, sparsity, x_mean, label_noise, test, and the replicate index seed) changes the data
// seed, and the run seed with it.
func TestDataParamsChangeData(t *testing.T) {
	for _, axis := range []string{
		"n: [20, 21]",
		"d: [30, 31]",
		"sparsity: [3, 4]",
		"x_mean: [0, 0.5]",
		"label_noise: [0, 0.1]",
		"test: [1000, 1001]",
		"seed: {range: 2}",
	} {
		g := mustGrid(t, "name: data\nparams: {stepsize: 0.1}\ngrid:\n  "+axis+"\n")
		p, q := g.Point(0).Config, g.Point(1).Config
		if p.DataSeed == q.DataSeed {
			t.Errorf("%s: both points have the data seed %d", axis, p.DataSeed)
		}
		if p.RunSeed == q.RunSeed {
			t.Errorf("%s: both points have the run seed %d", axis, p.RunSeed)
		}
	}
}

// TestSeedsDistinct checks a 1000-point grid (10 stepsizes x 10 inits x 10 replicates): no
// two points share a run seed, and the data seeds are exactly one per replicate, since the
// replicate index is the only data parameter that varies.
func TestSeedsDistinct(t *testing.T) {
	g := mustGrid(t, `name: many
seed: 1
grid:
  stepsize: {logspace: [0.01, 1], num: 10}
  init: {linspace: [0.1, 1], num: 10}
  seed: {range: 10}
`)
	if g.Count() != 1000 {
		t.Fatalf("Count() = %d, want 1000", g.Count())
	}
	run := map[uint64]int64{}
	dataOf := map[int]uint64{} // replicate -> data seed
	data := map[uint64]bool{}
	for i := int64(0); i < g.Count(); i++ {
		p := g.Point(i)
		c := p.Config
		if j, dup := run[c.RunSeed]; dup {
			t.Errorf("points %d and %d share the run seed %d", j, i, c.RunSeed)
		}
		run[c.RunSeed] = i
		rep := int(p.Values[len(p.Values)-1].Int)
		if s, ok := dataOf[rep]; ok && s != c.DataSeed {
			t.Errorf("replicate %d has data seeds %d and %d", rep, s, c.DataSeed)
		}
		dataOf[rep] = c.DataSeed
		data[c.DataSeed] = true
	}
	if len(data) != 10 {
		t.Errorf("%d distinct data seeds, want 10 (one per replicate)", len(data))
	}
}

// TestSeedsFunction checks Seeds itself: a function of the values (not of how the map was
// built), the data seed blind to non-data parameters, and the two seeds kept apart.
func TestSeedsFunction(t *testing.T) {
	vals := func(stepsize float64) map[string]spec.Value {
		m := map[string]spec.Value{}
		for _, p := range spec.Params {
			if p.Default != nil {
				m[p.Name] = *p.Default
			}
		}
		m["stepsize"] = spec.FloatValue(stepsize)
		return m
	}
	d1, r1 := Seeds(5, vals(0.1))
	d2, r2 := Seeds(5, vals(0.1))
	if d1 != d2 || r1 != r2 {
		t.Errorf("Seeds is not a function of its arguments: (%d, %d) then (%d, %d)", d1, r1, d2, r2)
	}
	d3, r3 := Seeds(5, vals(0.2))
	if d3 != d1 || r3 == r1 {
		t.Errorf("changing stepsize: data %d -> %d (want equal), run %d -> %d (want different)", d1, d3, r1, r3)
	}
	if d1 == r1 {
		t.Errorf("data and run seeds are equal (%d)", d1)
	}
	// The kind is part of the value: the integer 20 and the float 20 are different values.
	m := vals(0.1)
	m["n"] = spec.FloatValue(20)
	if d4, _ := Seeds(5, m); d4 == d1 {
		t.Errorf("n = 20 (float) and n = 20 (integer) give the same data seed")
	}
}
