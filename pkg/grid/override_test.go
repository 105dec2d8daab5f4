package grid

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// quickstart is the shipped example: 2 optimizers x 12 stepsizes x 3 replicates, steps 100000.
var quickstart = filepath.Join("..", "..", "examples", "quickstart.yaml")

// TestLoadWithOverrides: the quickstart example with stepsize=logspace(0.01,1,5) steps=5000
// has 2 x 5 x 3 points whose stepsizes are 10^-2, 10^-1.5, 10^-1, 10^-0.5, 1 (by hand) and
// whose runs take 5000 steps, and a hash (so a sweep id) of its own.
func TestLoadWithOverrides(t *testing.T) {
	plain, err := Load(quickstart)
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadWithOverrides(quickstart, []string{"stepsize=logspace(0.01,1,5)", "steps=5000"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Count() != 2*5*3 {
		t.Errorf("Count() = %d, want 30", g.Count())
	}
	want := []float64{0.01, 0.031622776601683794, 0.1, 0.31622776601683794, 1} // 10^(-2 + i/2)
	for i := range want {
		p := g.Point(int64(i * 3)) // optimizer gd, stepsize i, seed 0
		if c := p.Config; math.Abs(c.Stepsize-want[i]) > 1e-15 || c.Steps != 5000 || c.Optimizer != "gd" {
			t.Errorf("point %d: stepsize %v steps %d optimizer %s, want %v, 5000, gd", i*3, c.Stepsize, c.Steps, c.Optimizer, want[i])
		}
	}
	if g.Hash() == plain.Hash() {
		t.Errorf("the overridden sweep has the file's hash %s", g.Hash())
	}
	if src := string(g.Spec().Source); !strings.Contains(src, "steps: 5000") || !strings.Contains(src, "logspace: [0.01, 1]") {
		t.Errorf("the stored source lacks the overrides:\n%s", src)
	}
	// A worker builds the grid from the stored source: the same points, seeds included.
	s, err := spec.Parse("stored.yaml", g.Spec().Source)
	if err != nil {
		t.Fatal(err)
	}
	again := New(s)
	for i := range g.Count() {
		if a, b := g.Point(i).Config, again.Point(i).Config; a != b {
			t.Fatalf("point %d differs when built from the stored source: %+v vs %+v", i, a, b)
		}
	}
}

// TestLoadWithOverridesErrors: a misspelt key gets a hint, bad syntax names the argument, and
// a point made invalid by an override is reported at the file's line of the key it set, with
// the argument.
func TestLoadWithOverridesErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		line int
		key  string
		msg  []string
	}{
		{[]string{"stpesize=0.1"}, 0, "stpesize", []string{`did you mean "stepsize"?`}},
		{[]string{"stepsize=logspace(0.01,1,5"}, 0, "stepsize", []string{`argument "stepsize=logspace(0.01,1,5"`, "is not linspace"}},
		{[]string{"stepsize=logspace(0.01,1)"}, 0, "stepsize", []string{`argument "stepsize=logspace(0.01,1)"`, "logspace takes 3 arguments"}},
		// quickstart.yaml sets batch on line 12; sgd points need batch <= n = 20.
		{[]string{"batch=50"}, 12, "params.batch", []string{"1 <= batch <= n", `(set by the argument "batch=50")`}},
	} {
		g, err := LoadWithOverrides(quickstart, tc.args)
		var e *spec.Error
		if !errors.As(err, &e) || g != nil {
			t.Errorf("%q: LoadWithOverrides = %v, %v; want a *spec.Error", tc.args, g, err)
			continue
		}
		if e.File != quickstart || e.Line != tc.line || e.Key != tc.key {
			t.Errorf("%q: error at %s:%d key %q, want %s:%d key %q (%v)", tc.args, e.File, e.Line, e.Key, quickstart, tc.line, tc.key, e)
		}
		for _, m := range tc.msg {
			if !strings.Contains(e.Error(), m) {
				t.Errorf("%q: error %q lacks %q", tc.args, e, m)
			}
		}
	}
}
