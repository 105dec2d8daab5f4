package grid

import (
	"errors"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestDataOptionsChangeData: x_norm and beta_star determine the dataset (docs/science.md
// section 1), so changing either changes the data seed (and the run seed), and a point that
// writes out their defaults gets the seeds of one that leaves them out.
func TestDataOptionsChangeData(t *testing.T) {
	for _, axis := range []string{
		"x_norm: [none, row]",
		"beta_star: [gaussian, sign]",
		"beta_star: [gaussian, constant]",
		"beta_star: [sign, constant]",
	} {
		g := mustGrid(t, "name: data\nparams: {stepsize: 0.1}\ngrid:\n  "+axis+"\n")
		if err := g.Validate(); err != nil {
			t.Fatalf("%s: %v", axis, err)
		}
		p, q := g.Point(0).Config, g.Point(1).Config
		if p.DataSeed == q.DataSeed {
			t.Errorf("%s: both points have the data seed %d", axis, p.DataSeed)
		}
		if p.RunSeed == q.RunSeed {
			t.Errorf("%s: both points have the run seed %d", axis, p.RunSeed)
		}
	}

	implicit := mustGrid(t, "name: a\nparams: {stepsize: 0.1}\n").Point(0).Config
	explicit := mustGrid(t, "name: b\nparams: {stepsize: 0.1, x_norm: none, beta_star: gaussian}\n").Point(0).Config
	if implicit != explicit {
		t.Errorf("defaults written out: %+v\nleft out:            %+v", explicit, implicit)
	}
	if implicit.XNorm != "none" || implicit.BetaStar != "gaussian" {
		t.Errorf("defaults: x_norm %q, beta_star %q, want none, gaussian", implicit.XNorm, implicit.BetaStar)
	}
}

// TestDataOptionsInvalid: an unknown x_norm or beta_star is reported as a spec error at the
// line that sets it.
func TestDataOptionsInvalid(t *testing.T) {
	for _, tc := range []struct {
		src, key string
		line     int
	}{
		{"name: a\nparams: {stepsize: 0.1}\ngrid:\n  x_norm: [none, l2]\n", "grid.x_norm", 4},
		{"name: a\nparams:\n  stepsize: 0.1\n  beta_star: ones\n", "params.beta_star", 4},
	} {
		err := mustGrid(t, tc.src).Validate()
		var se *spec.Error
		if !errors.As(err, &se) {
			t.Errorf("%q: Validate() = %v, want a *spec.Error", tc.src, err)
			continue
		}
		if se.Key != tc.key || se.Line != tc.line || !strings.HasPrefix(se.Msg, "must be one of") {
			t.Errorf("%q: error at %s line %d: %q, want %s line %d: must be one of ...", tc.src, se.Key, se.Line, se.Msg, tc.key, tc.line)
		}
	}
}

// TestDataOptionsKeepOldSeeds: x_norm and beta_star at their defaults are not hashed, so the
// seeds of a point equal those computed without the two parameters (the seeds before they
// existed); a non-default value changes the data seed.
func TestDataOptionsKeepOldSeeds(t *testing.T) {
	with := map[string]spec.Value{}
	for _, p := range spec.Params {
		if p.Default != nil {
			with[p.Name] = *p.Default
		}
	}
	with["stepsize"] = spec.FloatValue(0.1)
	without := map[string]spec.Value{}
	for k, v := range with {
		if k != "x_norm" && k != "beta_star" {
			without[k] = v
		}
	}
	d1, r1 := Seeds(3, with)
	d0, r0 := Seeds(3, without)
	if d1 != d0 || r1 != r0 {
		t.Errorf("defaults of x_norm, beta_star change the seeds: (%d, %d) with, (%d, %d) without", d1, r1, d0, r0)
	}
	with["x_norm"] = spec.StringValue("row")
	if d2, r2 := Seeds(3, with); d2 == d0 || r2 == r0 {
		t.Errorf("x_norm row: seeds (%d, %d), the same as the default's (%d, %d)", d2, r2, d0, r0)
	}
}
