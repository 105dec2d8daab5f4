package grid

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestCheckedAlone holds dynamics.Config.Validate to the claim Validate relies on: a
// checkedAlone parameter's value makes a configuration invalid exactly when it is invalid in
// the reference configuration, whatever the other fields (a valid or invalid mix of
// optimiser, model, data and hyperparameters), and changes nothing about the other checks.
func TestCheckedAlone(t *testing.T) {
	ref := referenceConfig()
	if err := ref.Validate(); err != nil {
		t.Fatalf("referenceConfig is not valid: %v", err)
	}
	var bases []dynamics.Config
	for _, params := range []string{
		"{stepsize: 0.1}",
		"{stepsize: 0.1, optimizer: sgd, batch: 30}", // batch > n
		"{stepsize: 0.1, model: deep}",               // no depth
		"{stepsize: 0.1, model: deep, depth: 3, optimizer: hb, momentum: 0.9}",
		"{stepsize: 0.1, optimizer: sam}", // no rho
		"{stepsize: 0.1, optimizer: label_noise, noise: 0.5, batch: 2}",
		"{stepsize: 0.1, model: mtl, k_aux: 2, k_main: 2, n_aux: 5}",
		"{stepsize: 0.1, model: ptft, k_aux: 2, k_main: 3, n_aux: 5, pretrain_init: 0.5}",
		"{stepsize: 0.1, optimizer: saddle}",
		"{stepsize: 0.1, optimizer: flow, d: 2, sparsity: 5}", // sparsity > d
		"{stepsize: 0.1, optimizer: adam, test: 0}",           // two errors
		"{stepsize: -1, init: 0, steps: -5, stop_loss: -1}",   // every alone field bad
	} {
		g := mustGrid(t, "name: a\nparams: "+params+"\n")
		bases = append(bases, g.configNoSeeds(g.values(0)))
	}
	floats := []spec.Value{spec.FloatValue(0.1), spec.FloatValue(1), spec.FloatValue(1e-300), spec.FloatValue(1e300),
		spec.FloatValue(0), spec.FloatValue(math.Copysign(0, -1)), spec.FloatValue(-1), spec.FloatValue(math.NaN()),
		spec.FloatValue(math.Inf(1)), spec.FloatValue(math.Inf(-1))}
	values := map[string][]spec.Value{"stepsize": floats, "init": floats, "stop_loss": floats,
		"steps": {spec.IntValue(0), spec.IntValue(1), spec.IntValue(100000), spec.IntValue(-1), spec.IntValue(math.MinInt32)}}
	good := map[string]spec.Value{"stepsize": spec.FloatValue(0.1), "init": spec.FloatValue(0.1),
		"stop_loss": spec.FloatValue(1e-10), "steps": spec.IntValue(100)}
	for name, set := range checkedAlone {
		if len(values[name]) == 0 {
			t.Fatalf("no test values for checkedAlone parameter %s", name)
		}
		for b, base := range bases {
			withGood := base
			set(&withGood, good[name])
			for _, v := range values[name] {
				c, alone := base, ref
				set(&c, v)
				set(&alone, v)
				got := c.Validate() != nil
				want := withGood.Validate() != nil || alone.Validate() != nil
				if got != want {
					t.Errorf("%s = %v in base %d: invalid %t, but the base with a good %s is invalid %t and %s = %v alone is invalid %t",
						name, v, b, got, name, withGood.Validate() != nil, name, v, alone.Validate() != nil)
				}
			}
		}
	}
}

// firstBadByBrute is the definition Validate must meet: the first point in grid order whose
// configuration fails dynamics.Config.Validate, checking every point.
func firstBadByBrute(g *Grid) (int64, bool) {
	for i := range g.Count() {
		if g.configNoSeeds(g.values(i)).Validate() != nil {
			return i, true
		}
	}
	return 0, false
}

// TestValidateFirstBadPoint compares Validate with checking every point, on random grids that
// mix axes checked alone (some with bad values), axes that interact (n and batch under sgd,
// optimizer), zips of either and replicate axes, in random order.
func TestValidateFirstBadPoint(t *testing.T) {
	pool := []string{
		"stepsize: [0.1, 0.2, 0.3]", "stepsize: [0.1, -1, 0.2]", "stepsize: [-1, 0.5]",
		"init: {logspace: [0.01, 1], num: 4}", "init: [1, 0, 0.5]",
		"steps: [10, 20]", "steps: [10, -1]",
		"stop_loss: [0, 1e-9]",
		"n: [5, 2]", "batch: [1, 3]", "optimizer: [sgd, gd, adam]", "optimizer: [sgd, gd]",
		"seed: {range: 3}",
		"zip:\n    stepsize: [0.1, 0, 0.3]\n    init: [1, 1, -2]",
		"zip:\n    n: [5, 2, 9]\n    batch: [4, 3, 1]",
		"zip:\n    seed: {range: 2}\n    steps: [5, -5]",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	bad, checked := 0, 0
	for range 400 {
		used := map[string]bool{}
		var axes []string
		for _, k := range rng.Perm(len(pool))[:1+rng.IntN(5)] {
			entry := pool[k]
			var names []string
			clash := false
			for _, name := range []string{"stepsize", "init", "steps", "stop_loss", "n", "batch", "optimizer", "seed", "zip"} {
				if strings.Contains(entry, name+":") {
					names = append(names, name)
					clash = clash || used[name]
				}
			}
			if clash {
				continue
			}
			for _, name := range names {
				used[name] = true
			}
			axes = append(axes, "  "+entry)
		}
		params := "{optimizer: sgd}"
		if used["optimizer"] {
			params = "{}"
		}
		if !used["stepsize"] {
			params = strings.Replace(params, "{", "{stepsize: 0.1, ", 1)
		}
		src := fmt.Sprintf("name: r\nparams: %s\ngrid:\n%s\n", strings.ReplaceAll(params, ", }", "}"), strings.Join(axes, "\n"))
		g := mustGrid(t, src)
		want, wantBad := firstBadByBrute(g)
		got, gotBad := newValidator(g).firstBad()
		checked++
		if gotBad != wantBad || got != want {
			t.Fatalf("first bad point %d (%t), checking every point %d (%t)\n%s", got, gotBad, want, wantBad, src)
		}
		if wantBad {
			bad++
			c := g.configNoSeeds(g.values(want))
			wantErr := g.pointError(Point{Index: want, Values: g.values(want), Config: c}, c.Validate())
			if err := g.Validate(); err == nil || err.Error() != wantErr.Error() {
				t.Fatalf("Validate() = %v, want %v\n%s", err, wantErr, src)
			}
		}
	}
	if bad < checked/10 || bad > checked*9/10 {
		t.Errorf("%d of %d random grids have a bad point: the pool no longer tests both cases", bad, checked)
	}
}
