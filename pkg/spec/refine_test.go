package spec

import (
	"math"
	"strings"
	"testing"
)

// refineBase is a grid of 3 x 4 x 2 = 24 points that the refine specs below refine.
const refineBase = `name: r
params:
  n: 5
grid:
  stepsize: {logspace: [0.01, 1], num: 3}
  init: [0.01, 0.1, 0.3, 1]
  seed: {range: 2}
  zip:
    momentum: [0.1, 0.2]
    noise: [0.0, 0.5]
`

// The zip above doubles the grid: 48 points.

// TestRefineParse reads a good refine section and checks its fields and its JSON.
func TestRefineParse(t *testing.T) {
	s, err := Parse("r.yaml", []byte(refineBase+"refine:\n  axes: [stepsize, init]\n  on: test_loss\n  jump: 0.3\n  levels: 4\n  budget: 1000\n  halo: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := s.Refine
	if r == nil || strings.Join(r.Axes, ",") != "stepsize,init" || r.On != "test_loss" || r.Jump != 0.3 || r.Levels != 4 || r.Budget != 1000 || r.Halo != 2 {
		t.Fatalf("Refine = %+v", r)
	}
	if got, want := r.JSON(), `{"axes":["stepsize","init"],"on":"test_loss","jump":0.3,"levels":4,"budget":1000,"halo":2}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	// on defaults to status; the refine section enters the hash.
	s2, err := Parse("r.yaml", []byte(refineBase+"refine:\n  axes: [init]\n  levels: 1\n  budget: 48\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The default halo is written into the hash: halo 0 is another sweep.
	s3, err := Parse("r.yaml", []byte(refineBase+"refine:\n  axes: [init]\n  levels: 1\n  budget: 48\n  halo: 0\n"))
	if err != nil || s3.Hash() == s2.Hash() {
		t.Errorf("halo 0 and the default halo: the same hash %s (%v)", s2.Hash(), err)
	}
	plain, _ := Parse("r.yaml", []byte(refineBase))
	if s2.Refine.On != OnStatus || s2.Refine.Halo != DefaultHalo || s2.Hash() == plain.Hash() || plain.Refine != nil {
		t.Errorf("on %q, halo %d; hashes %s %s", s2.Refine.On, s2.Refine.Halo, s2.Hash(), plain.Hash())
	}
}

// TestRefineErrors checks each bad refine section's file, line, key and message.
func TestRefineErrors(t *testing.T) {
	tests := []struct {
		name, refine, key string
		msg               []string
	}{
		{"unknown key", "refine:\n  axes: [init]\n  level: 2 # <-\n  budget: 100\n", "refine.level", []string{`unknown key "level"`, `did you mean "levels"?`}},
		{"misspelt axis", "refine:\n  axes: [stepsiz] # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{`"stepsiz" is not a swept axis`, `did you mean "stepsize"?`}},
		{"fixed parameter", "refine:\n  axes: [n] # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{`"n" is not a swept axis`, "sweep it under grid"}},
		{"integer axis", "refine:\n  axes: [seed] # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{"seed is a integer parameter", "real-valued"}},
		{"zipped axis", "refine:\n  axes: [momentum] # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{"zipped with momentum, noise"}},
		{"three axes", "refine:\n  axes: [stepsize, init, noise] # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{"one or two swept axes"}},
		{"axis twice", "refine:\n  axes: [init, init] # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{"names init twice"}},
		{"axes not a list", "refine:\n  axes: init # <-\n  levels: 2\n  budget: 100\n", "refine.axes", []string{"must be a list"}},
		{"levels 0", "refine:\n  axes: [init]\n  levels: 0 # <-\n  budget: 100\n", "refine.levels", []string{"between 1 and 20", "got 0"}},
		{"levels not an integer", "refine:\n  axes: [init]\n  levels: two # <-\n  budget: 100\n", "refine.levels", []string{"must be an integer"}},
		{"budget under the grid", "refine:\n  axes: [init]\n  levels: 2\n  budget: 47 # <-\n", "refine.budget", []string{"47 points, fewer than the 48 of the coarse grid"}},
		{"jump with status", "refine:\n  axes: [init]\n  on: status\n  jump: 0.3 # <-\n  levels: 2\n  budget: 100\n", "refine.jump", []string{"applies to a metric"}},
		{"metric without jump", "refine:\n  axes: [init]\n  on: test_loss # <-\n  levels: 2\n  budget: 100\n", "refine.jump", []string{"missing", "needs jump"}},
		{"negative jump", "refine:\n  axes: [init]\n  on: test_loss\n  jump: -1 # <-\n  levels: 2\n  budget: 100\n", "refine.jump", []string{"> 0"}},
		{"halo 3", "refine:\n  axes: [init]\n  levels: 2\n  budget: 100\n  halo: 3 # <-\n", "refine.halo", []string{"between 0 and 2", "got 3"}},
		{"halo not an integer", "refine:\n  axes: [init]\n  levels: 2\n  budget: 100\n  halo: yes # <-\n", "refine.halo", []string{"must be an integer"}},
		{"not a mapping", "refine: [init] # <-\n", "refine", []string{"must be a mapping"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := refineBase + tc.refine
			e := parseError(t, "r.yaml", src)
			if e.File != "r.yaml" || e.Line != markedLine(src) || e.Key != tc.key {
				t.Errorf("error at %s:%d key %q, want line %d key %q: %v", e.File, e.Line, e.Key, markedLine(src), tc.key, e)
			}
			for _, m := range tc.msg {
				if !strings.Contains(e.Msg, m) {
					t.Errorf("message %q lacks %q", e.Msg, m)
				}
			}
		})
	}
	// A missing required key is located at the refine section.
	src := refineBase + "refine: # <-\n  axes: [init]\n  budget: 100\n"
	if e := parseError(t, "r.yaml", src); e.Key != "refine.levels" || e.Line != markedLine(src) || !strings.Contains(e.Msg, "missing") {
		t.Errorf("missing levels: %v", e)
	}
	// Trajectories are not recorded by a refined sweep.
	src = refineBase + "record:\n  every: 10\nrefine: # <-\n  axes: [init]\n  levels: 1\n  budget: 100\n"
	if e := parseError(t, "r.yaml", src); e.Key != "refine" || e.Line != markedLine(src) || !strings.Contains(e.Msg, "records no trajectories") {
		t.Errorf("record.every with refine: %v", e)
	}
	// An unsorted list cannot be refined.
	src = "name: r\ngrid:\n  stepsize: [0.1, 0.01, 1]\nrefine:\n  axes: [stepsize] # <-\n  levels: 1\n  budget: 10\n"
	if e := parseError(t, "r.yaml", src); e.Key != "refine.axes" || e.Line != markedLine(src) || !strings.Contains(e.Msg, "not in increasing or decreasing order") {
		t.Errorf("unsorted list: %v", e)
	}
}

// TestSpacingAndDense checks how a refined axis places its midpoints: by its generator, or for
// a list by whether its gaps are more even in log10 than in value; and that Dense gives the
// values of a finer linspace or logspace written out, bit for bit.
func TestSpacingAndDense(t *testing.T) {
	axis := func(yaml string) Axis {
		t.Helper()
		s, err := Parse("a.yaml", []byte("name: a\ngrid:\n  stepsize: "+yaml+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		return s.Grid[0]
	}
	for _, tc := range []struct {
		yaml string
		want Spacing
	}{
		{"{logspace: [0.01, 1], num: 5}", Geometric},
		{"{linspace: [0.01, 1], num: 5}", Arithmetic},
		{"[0.001, 0.01, 0.1, 1]", Geometric}, // gaps ratio 1 in log10, 1000 in value
		{"[0.1, 0.2, 0.3, 0.4]", Arithmetic}, // gaps ratio 1 in value, log10(2)/log10(4/3) = 2.4 in log10
		{"[0.01, 1]", Geometric},             // one gap: a tie, positive: geometric
		{"[-1, 0.5, 2]", Arithmetic},         // not all positive
		{"[0.5, 0.05, 0.005]", Geometric},    // decreasing
	} {
		if got := axis(tc.yaml).Spacing(); got != tc.want {
			t.Errorf("%s: spacing %d, want %d", tc.yaml, got, tc.want)
		}
	}
	// Dense(4) of a 3-value logspace is the 9-value logspace with the same endpoints.
	coarse, dense := axis("{logspace: [0.01, 1], num: 3}"), axis("{logspace: [0.01, 1], num: 9}")
	d, ok := coarse.Dense(4)
	if !ok || d.Len() != 9 {
		t.Fatalf("Dense(4): ok %t, %d values", ok, d.Len())
	}
	for k := range 9 {
		if a, b := d.At(k, 0).Float, dense.At(k, 0).Float; math.Float64bits(a) != math.Float64bits(b) {
			t.Errorf("position %d: %v, want %v", k, a, b)
		}
	}
	// Its midpoints are geometric means to rounding: 10^-1.5 between 0.01 and 0.1.
	if got := d.At(2, 0).Float; math.Abs(got-math.Sqrt(0.01*0.1))/got > 1e-15 {
		t.Errorf("midpoint %v, want sqrt(0.01*0.1) = %v", got, math.Sqrt(0.01*0.1))
	}
	if _, ok := axis("[0.1, 0.2]").Dense(2); ok {
		t.Error("Dense of a list: ok")
	}
}
