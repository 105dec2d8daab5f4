package grid

import (
	"errors"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestOptimizerParamsWiring checks that momentum, noise, rho and depth reach their Config
// fields (each a distinct value), and that a spec that never mentions them gets
// dynamics.Unset (depth 0) and the same seeds as before these parameters existed: they are
// not hashed unless given.
func TestOptimizerParamsWiring(t *testing.T) {
	g := mustGrid(t, "name: w\nparams:\n  stepsize: 0.125\n  optimizer: hb\n  model: deep\n  momentum: 0.25\n  noise: 0.375\n  rho: 0.625\n  depth: 3\n")
	c := g.Point(0).Config
	if c.Momentum != 0.25 || c.Noise != 0.375 || c.Rho != 0.625 || c.Depth != 3 {
		t.Errorf("Config = %+v, want momentum 0.25, noise 0.375, rho 0.625, depth 3", c)
	}
	if err := g.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	plain := mustGrid(t, "name: p\nparams:\n  stepsize: 0.125\n").Point(0).Config
	if !dynamics.IsUnset(plain.Momentum) || !dynamics.IsUnset(plain.Noise) || !dynamics.IsUnset(plain.Rho) || plain.Depth != 0 {
		t.Errorf("unset parameters: Config = %+v, want Unset momentum, noise, rho and depth 0", plain)
	}
	// The seeds of a spec without the new parameters hash only the values it had before.
	all := map[string]spec.Value{}
	for _, prm := range spec.Params {
		if prm.Default != nil {
			all[prm.Name] = *prm.Default
		}
	}
	all["stepsize"] = spec.FloatValue(0.125)
	if d, r := Seeds(0, all); plain.DataSeed != d || plain.RunSeed != r {
		t.Errorf("seeds %d, %d; want %d, %d (hash of the given and default values only)", plain.DataSeed, plain.RunSeed, d, r)
	}
}

// TestOptimizerParamsValidate checks the combinations of docs/science.md section 3: an
// optimiser without the hyperparameter it needs, or an out-of-range value, is a *spec.Error
// at that key (with params./grid. prefix and line when the spec sets it, the bare name when
// it is missing); good specs for every optimiser and model validate.
func TestOptimizerParamsValidate(t *testing.T) {
	bad := []struct {
		name, src, key string
		msg            string
	}{
		{"sam without rho", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sam\n", "rho", `must be set for optimizer "sam"`},
		{"hb without momentum", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: hb\n", "momentum", `must be set for optimizer "hb"`},
		{"nag without momentum", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: nag\n", "momentum", `must be set for optimizer "nag"`},
		{"sgf without noise", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sgf\n", "noise", `must be set for optimizer "sgf"`},
		{"label_noise without noise", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: label_noise\n", "noise", `must be set for optimizer "label_noise"`},
		{"deep without depth", "name: v\nparams:\n  stepsize: 0.1\n  model: deep\n", "depth", `must be set for model "deep"`},
		{"momentum 1", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: hb\n  momentum: 1.0\n", "params.momentum", "0 <= momentum < 1, got 1"},
		{"negative rho", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sam\n  rho: -0.5\n", "params.rho", ">= 0, got -0.5"},
		{"negative noise in a grid", "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sgf\ngrid:\n  noise: [0.1, -1]\n", "grid.noise", ">= 0, got -1"},
		{"depth 1 with deep", "name: v\nparams:\n  stepsize: 0.1\n  model: deep\n  depth: 1\n", "params.depth", ">= 2, got 1"},
		{"sam in a sweep over optimizers", "name: v\nparams:\n  stepsize: 0.1\ngrid:\n  optimizer: [gd, sam]\n", "rho", "(at point 1: optimizer=sam)"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := mustGrid(t, tc.src).Validate()
			var e *spec.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v (%T), want a *spec.Error", err, err)
			}
			if e.Key != tc.key || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("error key %q msg %q; want key %q and a message containing %q", e.Key, e.Msg, tc.key, tc.msg)
			}
		})
	}
	good := []struct{ name, src string }{
		{"hb", "name: v\nparams: {stepsize: 0.1, optimizer: hb, momentum: 0.9}\n"},
		{"nag", "name: v\nparams: {stepsize: 0.1, optimizer: nag, momentum: 0}\n"},
		{"sam, rho 0", "name: v\nparams: {stepsize: 0.1, optimizer: sam, rho: 0}\n"},
		{"sgf", "name: v\nparams: {stepsize: 0.1, optimizer: sgf, noise: 0.05}\n"},
		{"label_noise full batch", "name: v\nparams: {stepsize: 0.1, optimizer: label_noise, noise: 0.5, batch: 20}\n"},
		{"flow", "name: v\nparams: {stepsize: 0.1, optimizer: flow}\n"},
		{"deep", "name: v\nparams: {stepsize: 0.1, model: deep, depth: 3}\n"},
		{"unused hyperparameters are ignored", "name: v\nparams: {stepsize: 0.1, momentum: 0.5, rho: 0.1, noise: 0.1, depth: 4}\ngrid:\n  optimizer: [gd, sgd, hb, nag, sam, sgf, label_noise, flow]\n"},
	}
	for _, tc := range good {
		if err := mustGrid(t, tc.src).Validate(); err != nil {
			t.Errorf("%s: Validate() = %v, want nil", tc.name, err)
		}
	}
}
