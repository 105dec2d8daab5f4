package grid

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// mustGrid parses src and builds its grid (without validating it).
func mustGrid(t *testing.T, src string) *Grid {
	t.Helper()
	s, err := spec.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return New(s)
}

// TestExpansionOrder checks the order of points against nested loops written here: the
// first axis is the outermost loop (slowest), a zip is one loop over its positions, the last
// axis is the innermost. Each point's Values follow Columns() (fixed params first), and its
// Config carries the same values.
func TestExpansionOrder(t *testing.T) {
	g := mustGrid(t, `name: order
params:
  steps: 100
  stepsize: 0.1
grid:
  init: [0.5, 0.25, 1]
  zip:
    optimizer: [gd, sgd]
    batch: [1, 5]
  seed: {range: 2}
`)
	wantCols := []string{"steps", "stepsize", "init", "optimizer", "batch", "seed"}
	if !reflect.DeepEqual(g.Columns(), wantCols) {
		t.Fatalf("Columns() = %v, want %v", g.Columns(), wantCols)
	}
	inits := []float64{0.5, 0.25, 1}
	pairs := []struct {
		opt   string
		batch int64
	}{{"gd", 1}, {"sgd", 5}}
	seeds := []int64{0, 1}
	// 3 init values x 2 zip positions x 2 replicates.
	if g.Count() != int64(len(inits)*len(pairs)*len(seeds)) {
		t.Fatalf("Count() = %d, want %d", g.Count(), len(inits)*len(pairs)*len(seeds))
	}
	want := make([][]spec.Value, 0, g.Count())
	for _, in := range inits {
		for _, pr := range pairs {
			for _, sd := range seeds {
				want = append(want, []spec.Value{spec.IntValue(100), spec.FloatValue(0.1),
					spec.FloatValue(in), spec.StringValue(pr.opt), spec.IntValue(pr.batch), spec.IntValue(sd)})
			}
		}
	}
	// Visit the points backwards: Point(i) must depend on i alone, not on earlier calls.
	for i := g.Count() - 1; i >= 0; i-- {
		p := g.Point(i)
		if p.Index != i {
			t.Errorf("Point(%d).Index = %d", i, p.Index)
		}
		if !reflect.DeepEqual(p.Values, want[i]) {
			t.Errorf("Point(%d).Values = %v, want %v", i, p.Values, want[i])
			continue
		}
		c := p.Config
		if c.Steps != 100 || c.Stepsize != 0.1 || c.Init != want[i][2].Float ||
			c.Optimizer != want[i][3].Str || int64(c.Batch) != want[i][4].Int {
			t.Errorf("Point(%d).Config = %+v does not match its values %v", i, c, p.Values)
		}
	}
	// Point 5 = 1*4 + 0*2 + 1: init[1], zip position 0, replicate 1.
	if got := g.Describe(g.Point(5)); got != "init=0.25 optimizer=gd batch=1 seed=1" {
		t.Errorf("Describe(Point(5)) = %q", got)
	}
}

// TestZipFirst checks the order when the zip is the first (slowest) axis and a generated axis
// is the fastest.
func TestZipFirst(t *testing.T) {
	g := mustGrid(t, `name: order
grid:
  zip:
    n: [10, 40]
    d: [20, 80]
  stepsize: {linspace: [0.25, 0.75], num: 3}
`)
	i := int64(0)
	for _, nd := range [][2]int{{10, 20}, {40, 80}} {
		for _, step := range []float64{0.25, 0.5, 0.75} { // 0.25 + 0.5 k/2, exact
			c := g.Point(i).Config
			if c.N != nd[0] || c.D != nd[1] || c.Stepsize != step {
				t.Errorf("point %d: n=%d d=%d stepsize=%v, want %d %d %v", i, c.N, c.D, c.Stepsize, nd[0], nd[1], step)
			}
			i++
		}
	}
	if g.Count() != i {
		t.Errorf("Count() = %d, want %d", g.Count(), i)
	}
}

// TestNoGrid checks that a spec without a grid is a single point holding the fixed values.
func TestNoGrid(t *testing.T) {
	g := mustGrid(t, "name: one\nparams:\n  stepsize: 0.3\n  n: 7\n")
	if g.Count() != 1 {
		t.Fatalf("Count() = %d, want 1", g.Count())
	}
	p := g.Point(0)
	if !reflect.DeepEqual(p.Values, []spec.Value{spec.FloatValue(0.3), spec.IntValue(7)}) {
		t.Errorf("Values = %v, want [0.3 7]", p.Values)
	}
	if g.Describe(p) != "" {
		t.Errorf("Describe = %q, want empty (nothing swept)", g.Describe(p))
	}
}

// withoutSeeds returns c with its seeds cleared, for comparing the rest.
func withoutSeeds(c dynamics.Config) dynamics.Config {
	c.DataSeed, c.RunSeed = 0, 0
	return c
}

// TestDefaults checks that a spec giving only stepsize gets the defaults documented in
// spec.Params (model uv, optimizer gd, batch 1, init 0.1, n 20, d 30, sparsity 3, x_mean 0,
// label_noise 0, x_norm none, beta_star gaussian, test 1000, steps 10000, stop_loss 1e-10),
// written out here.
func TestDefaults(t *testing.T) {
	g := mustGrid(t, "name: defaults\nparams:\n  stepsize: 0.05\n")
	// momentum, noise, rho and depth have no default: not given is dynamics.Unset (depth 0).
	want := dynamics.Config{Model: "uv", Optimizer: "gd", Stepsize: 0.05, Batch: 1, Init: 0.1, N: 20, D: 30,
		Momentum: dynamics.Unset, Noise: dynamics.Unset, Rho: dynamics.Unset,
		Sparsity: 3, XMean: 0, LabelNoise: 0, XNorm: "none", BetaStar: "gaussian", Test: 1000, Steps: 10000, StopLoss: 1e-10,
		PretrainInit: dynamics.Unset, Rescale: 1} // multi-task: k_aux, k_main, n_aux 0, overlap 0
	if got := withoutSeeds(g.Point(0).Config); got != want {
		t.Errorf("Config = %+v\nwant     %+v", got, want)
	}
	if err := g.Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

// TestConfigWiring sets every parameter to a value of its own, so that a parameter wired to
// the wrong Config field shows up.
func TestConfigWiring(t *testing.T) {
	g := mustGrid(t, `name: wiring
params:
  model: uv
  optimizer: sgd
  stepsize: 0.125
  batch: 3
  init: 0.375
  n: 11
  d: 13
  sparsity: 5
  x_mean: 0.625
  label_noise: 0.875
  x_norm: row
  beta_star: sign
  test: 17
  steps: 19
  stop_loss: 0.001
  seed: 23
`)
	want := dynamics.Config{Model: "uv", Optimizer: "sgd", Stepsize: 0.125, Batch: 3, Init: 0.375, N: 11, D: 13,
		Momentum: dynamics.Unset, Noise: dynamics.Unset, Rho: dynamics.Unset,
		Sparsity: 5, XMean: 0.625, LabelNoise: 0.875, XNorm: "row", BetaStar: "sign", Test: 17, Steps: 19, StopLoss: 0.001,
		PretrainInit: dynamics.Unset, Rescale: 1} // the multi-task ones: TestMultiTaskConfig
	if got := withoutSeeds(g.Point(0).Config); got != want {
		t.Errorf("Config = %+v\nwant     %+v", got, want)
	}
}

// marker ends the line an error is expected on.
const marker = "# <-"

func markedLine(src string) int {
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	return 0
}

// TestValidate checks that Validate finds an impossible point anywhere in the grid and reports
// it as a *spec.Error at the key and line that set the offending parameter (the marked line),
// naming the point when the grid has several.
func TestValidate(t *testing.T) {
	// The corner case below sweeps n: [50, 10], batch: [5, 20], init: [0.1, 1] with sgd: only
	// batch > n, at n = 10 and batch = 20, is invalid. Its first index, by nested loops:
	corner := -1
	i := 0
	for _, n := range []int{50, 10} {
		for _, b := range []int{5, 20} {
			for range []float64{0.1, 1} {
				if b > n && corner < 0 {
					corner = i
				}
				i++
			}
		}
	}
	tests := []struct {
		name string
		src  string
		key  string
		line int // 0: the marked line
		msg  []string
	}{
		{
			name: "batch > n",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sgd\n  batch: 30 # <-\n",
			key:  "params.batch",
			msg:  []string{"1 <= batch <= n (n = 20)", "got 30"},
		},
		{
			name: "sparsity > d",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  d: 5\n  sparsity: 10 # <-\n",
			key:  "params.sparsity",
			msg:  []string{"sparsity <= d (d = 5)", "got 10"},
		},
		{
			name: "negative stepsize in a grid axis",
			src:  "name: v\ngrid:\n  stepsize: [0.1, -0.1] # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"must be > 0, got -0.1", "(at point 1: stepsize=-0.1)"},
		},
		{
			name: "bad combination in one corner of the grid",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sgd\ngrid:\n  n: [50, 10]\n  batch: [5, 20] # <-\n  init: [0.1, 1]\n",
			key:  "grid.batch",
			msg:  []string{"(n = 10)", "got 20", fmt.Sprintf("(at point %d: n=10 batch=20 init=0.1)", corner)},
		},
		{
			name: "bad combination inside a zip",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  optimizer: sgd\ngrid:\n  zip:\n    n: [10, 20]\n    batch: [15, 5] # <-\n",
			key:  "grid.batch",
			msg:  []string{"(n = 10)", "got 15", "(at point 0: n=10 batch=15)"},
		},
		{
			name: "unknown optimizer in a grid axis",
			src:  "name: v\nparams: {stepsize: 0.1}\ngrid:\n  optimizer: [gd, adam] # <-\n",
			key:  "grid.optimizer",
			msg:  []string{`got "adam"`, "(at point 1: optimizer=adam)"},
		},
		{
			name: "unknown model",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  model: mlp # <-\n",
			key:  "params.model",
			msg:  []string{`got "mlp"`},
		},
		{
			name: "no test samples",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  test: 0 # <-\n",
			key:  "params.test",
			msg:  []string{">= 1, got 0"},
		},
		{
			// n*d is about two parameters; the error is located at the first, n.
			name: "design matrix too large",
			src:  "name: v\nparams:\n  stepsize: 0.1\n  n: 100000 # <-\n  d: 10000\n",
			key:  "params.n",
			msg:  []string{"n*d must be <=", "n = 100000, d = 10000"},
		},
		{
			// sparsity is left to its default (3), so there is no line of the spec that sets
			// it: the error names the key without a line, and the point says which d broke it.
			name: "default sparsity > swept d",
			src:  "name: v\nparams: {stepsize: 0.1}\ngrid:\n  d: [2, 5]\n",
			key:  "sparsity",
			line: -1,
			msg:  []string{"(d = 2), got 3", "(at point 0: d=2)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := tt.line
			switch line {
			case 0:
				line = markedLine(tt.src)
			case -1:
				line = 0
			}
			err := mustGrid(t, tt.src).Validate()
			var e *spec.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v (%T), want a *spec.Error", err, err)
			}
			if e.File != "test.yaml" || e.Line != line || e.Key != tt.key {
				t.Errorf("error at %s:%d key %q, want test.yaml:%d key %q (%v)", e.File, e.Line, e.Key, line, tt.key, e)
			}
			for _, frag := range tt.msg {
				if !strings.Contains(e.Msg, frag) {
					t.Errorf("message %q lacks %q", e.Msg, frag)
				}
			}
			// One problem, one line: dynamics joins several with newlines.
			if strings.Contains(e.Msg, "\n") {
				t.Errorf("message %q spans several lines", e.Msg)
			}
		})
	}
}

// TestValidateAccepts lists grids that must pass, including the boundaries of the checks
// (batch = n, sparsity = d and sparsity 0 are allowed by dynamics.Config's documentation; gd
// ignores batch altogether).
func TestValidateAccepts(t *testing.T) {
	for _, src := range []string{
		"name: v\nparams: {stepsize: 0.1}\n",
		"name: v\nparams: {stepsize: 0.1, optimizer: sgd, batch: 20}\n",
		"name: v\nparams: {stepsize: 0.1, optimizer: gd, batch: 500}\n",
		"name: v\nparams: {stepsize: 0.1}\ngrid:\n  zip: {d: [3, 30], sparsity: [3, 0]}\n",
		"name: v\nparams: {optimizer: sgd}\ngrid:\n  zip: {n: [10, 50], batch: [10, 20]}\n  stepsize: {logspace: [0.01, 1], num: 5}\n",
	} {
		if err := mustGrid(t, src).Validate(); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// TestLoad checks grid.Load on the shipped example (72 points: 2 optimizers x 12 stepsizes x
// 3 replicates) and that it reports both parse errors and invalid points as *spec.Error.
func TestLoad(t *testing.T) {
	g, err := Load(filepath.Join("..", "..", "examples", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Count() != 72 {
		t.Errorf("Count() = %d, want 72", g.Count())
	}
	dir := t.TempDir()
	for name, c := range map[string]struct {
		src, key string
	}{
		"parse.yaml": {"name: x\nparams: {stepsze: 0.1}\n", "params.stepsze"},
		"point.yaml": {"name: x\nparams: {stepsize: 0.1, optimizer: sgd}\ngrid:\n  batch: [1, 21]\n", "grid.batch"},
	} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := Load(file)
		var e *spec.Error
		if !errors.As(err, &e) || g != nil {
			t.Errorf("%s: Load = %v, %v; want nil and a *spec.Error", name, g, err)
			continue
		}
		if e.File != file || e.Key != c.key {
			t.Errorf("%s: error %v, want file %s key %s", name, e, file, c.key)
		}
	}
}

// TestValidateSkipsReplicateAxes: Validate holds a seed axis at its first position (the
// configuration does not depend on it) and still reports the first bad point in grid order
// with its line, and a grid of 10^6 points with 100 seeds, whose other axes (stepsize and
// init) are checked on their own, checks one full configuration (counted by the validator).
func TestValidateSkipsReplicateAxes(t *testing.T) {
	g := mustGrid(t, `name: big
seed: 1
params: {n: 2, d: 2, sparsity: 1, test: 10, steps: 10}
grid:
  stepsize: {logspace: [0.001, 0.5], num: 100}
  seed: {range: 100}
  init: {logspace: [0.01, 1.0], num: 100}
`)
	v := newValidator(g)
	if _, bad := v.firstBad(); bad || v.leaves != 1 {
		t.Errorf("firstBad found a bad point (%t) after %d full checks, want none after 1", bad, v.leaves)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := mustGrid(t, `name: bad
seed: 1
params: {d: 2, sparsity: 1, test: 10, steps: 10, stepsize: 0.1, optimizer: sgd}
grid:
  seed: {range: 3}
  n: [4, 2]
  batch: [1, 3]
`)
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "batch") {
		t.Fatalf("Validate: %v, want an error on batch > n", err)
	}
	// The first bad point in grid order: seed 0, n = 2, batch = 3 (index 0*4 + 1*2 + 1).
	if !strings.Contains(err.Error(), "point 3") && !strings.Contains(err.Error(), "n=2 batch=3") {
		t.Errorf("error %q does not name the first bad point (n=2 batch=3)", err)
	}
}
