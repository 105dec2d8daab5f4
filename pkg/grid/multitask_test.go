package grid

import (
	"errors"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestMultiTaskConfig checks the wiring of the multi-task parameters (Lippl2024): values reach
// the Config (pretrain_init Unset and rescale 1 when left out); points that differ only in
// model share the data seed (the same tasks) but not the run seed; each data-defining
// multi-task parameter (k_aux, k_main, overlap, n_aux) changes the data seed, the others
// (pretrain_init, rescale) only the run seed.
func TestMultiTaskConfig(t *testing.T) {
	g := mustGrid(t, "name: mt\nparams:\n  stepsize: 0.1\n  k_aux: 6\n  k_main: 3\n  overlap: 2\n  n_aux: 40\ngrid:\n  model: [stl, mtl, ptft, lp]\n")
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	c0 := g.Point(0).Config
	if c0.KAux != 6 || c0.KMain != 3 || c0.Overlap != 2 || c0.NAux != 40 || !dynamics.IsUnset(c0.PretrainInit) || c0.Rescale != 1 {
		t.Errorf("config %+v", c0)
	}
	if c := mustGrid(t, "name: mt\nparams:\n  stepsize: 0.1\n  pretrain_init: 0.03\n  rescale: 0.25\n").Point(0).Config; c.PretrainInit != 0.03 || c.Rescale != 0.25 {
		t.Errorf("pretrain_init %v, rescale %v; want 0.03, 0.25", c.PretrainInit, c.Rescale)
	}
	for i := int64(1); i < g.Count(); i++ {
		c := g.Point(i).Config
		if c.DataSeed != c0.DataSeed || c.RunSeed == c0.RunSeed {
			t.Errorf("point %d (%s): data seed %d (point 0: %d), run seed %d (%d)", i, c.Model, c.DataSeed, c0.DataSeed, c.RunSeed, c0.RunSeed)
		}
	}
	for _, tc := range []struct {
		axis     string
		dataSeed bool
	}{
		{"k_aux: [6, 7]", true}, {"k_main: [3, 4]", true}, {"overlap: [0, 1]", true}, {"n_aux: [40, 41]", true},
		{"pretrain_init: [0.1, 0.2]", false}, {"rescale: [1, 0.1]", false},
	} {
		src := "name: mt\nparams:\n  stepsize: 0.1\n  model: ptft\n"
		for _, f := range []string{"k_aux: 6", "k_main: 3", "n_aux: 40"} {
			if !strings.HasPrefix(tc.axis, f[:strings.Index(f, ":")+1]) {
				src += "  " + f + "\n"
			}
		}
		g := mustGrid(t, src+"grid:\n  "+tc.axis+"\n")
		p, q := g.Point(0).Config, g.Point(1).Config
		if (p.DataSeed != q.DataSeed) != tc.dataSeed || p.RunSeed == q.RunSeed {
			t.Errorf("%s: data seeds %d, %d; run seeds %d, %d", tc.axis, p.DataSeed, q.DataSeed, p.RunSeed, q.RunSeed)
		}
	}
	// Left out or written at their defaults, overlap and rescale leave a spec's seeds as they
	// were before the multi-task parameters existed.
	plain := mustGrid(t, "name: s\nparams:\n  stepsize: 0.1\n").Point(0).Config
	dflt := mustGrid(t, "name: s\nparams:\n  stepsize: 0.1\n  overlap: 0\n  rescale: 1.0\n").Point(0).Config
	if plain.DataSeed != dflt.DataSeed || plain.RunSeed != dflt.RunSeed {
		t.Error("writing overlap and rescale at their defaults changed the seeds")
	}
}

// TestMultiTaskValidate: impossible multi-task combinations are *spec.Errors at the key the
// dynamics names.
func TestMultiTaskValidate(t *testing.T) {
	for _, tc := range []struct {
		name, src, key, msg string
	}{
		{"ptft without k_aux", "name: v\nparams:\n  stepsize: 0.1\n  model: ptft\n  k_main: 3\n  n_aux: 10\n", "k_aux", `for model "ptft"`},
		{"stl without k_main", "name: v\nparams:\n  stepsize: 0.1\n  model: stl\n", "k_main", `must be set for model "stl"`},
		{"overlap too large", "name: v\nparams:\n  stepsize: 0.1\n  model: mtl\n  k_aux: 2\n  k_main: 3\n  n_aux: 10\ngrid:\n  overlap: [1, 3]\n", "grid.overlap", "min(k_aux, k_main) = 2, got 3"},
		{"mtl without n_aux", "name: v\nparams:\n  stepsize: 0.1\n  model: mtl\n  k_aux: 2\n  k_main: 3\n", "n_aux", `for model "mtl"`},
		{"rescale 0", "name: v\nparams:\n  stepsize: 0.1\n  model: lp\n  k_aux: 2\n  k_main: 3\n  n_aux: 10\n  rescale: 0.0\n", "params.rescale", "> 0"},
		{"hb on mtl", "name: v\nparams:\n  stepsize: 0.1\n  model: mtl\n  optimizer: hb\n  momentum: 0.5\n  k_aux: 2\n  k_main: 3\n  n_aux: 10\n", "params.optimizer", `for model "mtl"`},
	} {
		err := mustGrid(t, tc.src).Validate()
		var e *spec.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: Validate() = %v, want a *spec.Error", tc.name, err)
			continue
		}
		if e.Key != tc.key || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%s: key %q msg %q; want key %q and %q", tc.name, e.Key, e.Msg, tc.key, tc.msg)
		}
	}
}
