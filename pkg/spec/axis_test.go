package spec

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// mustParse parses src, failing the test on an error.
func mustParse(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return s
}

// axisNamed returns the axis of s that sweeps name.
func axisNamed(t *testing.T, s *Spec, name string) Axis {
	t.Helper()
	for _, a := range s.Grid {
		for _, n := range a.Names {
			if n == name {
				return a
			}
		}
	}
	t.Fatalf("no axis sweeps %s (grid %v)", name, s.Grid)
	return Axis{}
}

// single returns the values of a one-parameter axis.
func single(t *testing.T, a Axis) []Value {
	t.Helper()
	if len(a.Names) != 1 {
		t.Fatalf("axis %v has %d names, want 1", a.Names, len(a.Names))
	}
	out := make([]Value, a.Len())
	for i := range out {
		out[i] = a.At(i, 0)
	}
	return out
}

// rows returns the values of an axis position by position.
func rows(a Axis) [][]Value {
	out := make([][]Value, a.Len())
	for k := range out {
		out[k] = a.Row(k)
	}
	return out
}

func floats(xs ...float64) []Value {
	out := make([]Value, len(xs))
	for i, x := range xs {
		out[i] = FloatValue(x)
	}
	return out
}

func ints(xs ...int64) []Value {
	out := make([]Value, len(xs))
	for i, x := range xs {
		out[i] = IntValue(x)
	}
	return out
}

func strs(xs ...string) []Value {
	out := make([]Value, len(xs))
	for i, x := range xs {
		out[i] = StringValue(x)
	}
	return out
}

// TestExactAxes checks axes whose values are known exactly: lists as written, range, and
// linspaces whose points are dyadic fractions (exact in float64, so no rounding can hide).
// Each value's kind is the parameter's kind, whatever the literal looks like.
func TestExactAxes(t *testing.T) {
	tests := []struct {
		name  string
		param string
		axis  string
		want  []Value
	}{
		{"list of floats", "stepsize", "[0.1, 0.2, 0.5]", floats(0.1, 0.2, 0.5)},
		// An integer literal for a float parameter is the float of that value.
		{"list of integer literals for a float parameter", "init", "[1, 2]", floats(1, 2)},
		{"block list", "init", "\n    - 0.01\n    - 1e-3", floats(0.01, 0.001)},
		{"list of integers", "n", "[10, 20, 40]", ints(10, 20, 40)},
		// 1e3 is an integral float: accepted for an integer parameter.
		{"list of integers in exponent form", "steps", "[1e3, 1e4]", ints(1000, 10000)},
		{"categorical list", "optimizer", "[gd, sgd]", strs("gd", "sgd")},
		{"range of an integer parameter", "seed", "{range: 4}", ints(0, 1, 2, 3)},
		{"range of a float parameter", "x_mean", "{range: 3}", floats(0, 1, 2)},
		{"range 1", "seed", "{range: 1}", ints(0)},
		// (1-0)/4 steps: 0, 1/4, 1/2, 3/4, 1, all exact.
		{"linspace of dyadic values", "x_mean", "{linspace: [0, 1], num: 5}", floats(0, 0.25, 0.5, 0.75, 1)},
		// Decreasing: 2 - 1.5 i/2 for i = 0, 1, 2.
		{"decreasing linspace", "init", "{linspace: [2, 0.5], num: 3}", floats(2, 1.25, 0.5)},
		{"linspace with num 1 and equal endpoints", "init", "{linspace: [0.3, 0.3], num: 1}", floats(0.3)},
		// 10 (100/10)^(i/2): 10, 100, 1000, rounded to integers for n.
		{"logspace of an integer parameter", "n", "{logspace: [10, 1000], num: 3}", ints(10, 100, 1000)},
		// 10 + 10 i/3 = 10, 13.33, 16.67, 20, rounded to the nearest integer.
		{"linspace of an integer parameter rounds", "n", "{linspace: [10, 20], num: 4}", ints(10, 13, 17, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "name: a\nparams: {stepsize: 0.1}\ngrid:\n  " + tt.param + ": " + tt.axis + "\n"
			if tt.param == "stepsize" {
				src = "name: a\ngrid:\n  stepsize: " + tt.axis + "\n"
			}
			s := mustParse(t, src)
			got := single(t, axisNamed(t, s, tt.param))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("values %v (%#v), want %v (%#v)", got, got, tt.want, tt.want)
			}
			if s.Count() != int64(len(tt.want)) {
				t.Errorf("Count() = %d, want %d", s.Count(), len(tt.want))
			}
		})
	}
}

// TestSpacedAxes checks linspace and logspace against their closed forms computed here,
// a + (b-a) i/(k-1) and a (b/a)^(i/(k-1)), with the endpoints exactly as written.
//
// Tolerance: both the code and the closed form are a few roundings away from the real
// value. For logspace, an error of one ulp in ln x (|ln x| eps absolute) becomes a relative
// error of |ln x| eps in x, so for endpoints within e^±5 the two agree to about 5 x 2.2e-16
// ~ 1e-15; the wide [1e-10, 1e10] case allows 4 eps (|ln a| + |ln b|).
func TestSpacedAxes(t *testing.T) {
	tests := []struct {
		kind string
		a, b float64
		num  int
		tol  float64
	}{
		{"linspace", 0.1, 0.5, 5, 1e-15},
		{"linspace", 0.001, 0.1, 100, 1e-15},
		{"linspace", 5, -3, 7, 1e-15},
		{"logspace", 1e-4, 1, 5, 1e-15},
		{"logspace", 0.005, 0.8, 12, 1e-15}, // the quickstart example's stepsizes
		{"logspace", 2, 3, 7, 1e-15},
		{"logspace", 1, 0.01, 3, 1e-15},
		{"logspace", 1e-10, 1e10, 21, 4 * 2.2e-16 * (2 * math.Log(1e10))},
	}
	for _, tt := range tests {
		src := "name: a\ngrid:\n  stepsize: {" + tt.kind + ": [" + FloatValue(tt.a).String() + ", " +
			FloatValue(tt.b).String() + "], num: " + IntValue(int64(tt.num)).String() + "}\n"
		s := mustParse(t, src)
		got := single(t, axisNamed(t, s, "stepsize"))
		if len(got) != tt.num {
			t.Fatalf("%s: %d values, want %d", src, len(got), tt.num)
		}
		if got[0] != FloatValue(tt.a) || got[tt.num-1] != FloatValue(tt.b) {
			t.Errorf("%s: endpoints %v, %v, want exactly %v, %v", src, got[0], got[tt.num-1], tt.a, tt.b)
		}
		for i, v := range got {
			if v.Kind != Float {
				t.Fatalf("%s: value %d has kind %v, want Float", src, i, v.Kind)
			}
			frac := float64(i) / float64(tt.num-1)
			want := tt.a + (tt.b-tt.a)*frac
			if tt.kind == "logspace" {
				want = tt.a * math.Pow(tt.b/tt.a, frac)
			}
			if rel := math.Abs(v.Float-want) / math.Abs(want); rel > tt.tol || (want == 0 && v.Float != 0) {
				t.Errorf("%s: value %d = %v, closed form %v (relative error %.2g > %.2g)", src, i, v.Float, want, rel, tt.tol)
			}
		}
		// Geometric spacing: consecutive ratios are all (b/a)^(1/(k-1)).
		if tt.kind == "logspace" {
			ratio := math.Pow(tt.b/tt.a, 1/float64(tt.num-1))
			for i := 1; i < len(got); i++ {
				if r := got[i].Float / got[i-1].Float; math.Abs(r-ratio) > 2*tt.tol*ratio {
					t.Errorf("%s: ratio %d = %v, want %v", src, i, r, ratio)
				}
			}
		}
	}
}

// TestZipAxes checks that a zip makes one axis of several names moving together, with the
// values paired position by position as written.
func TestZipAxes(t *testing.T) {
	s := mustParse(t, `name: a
params: {stepsize: 0.1}
grid:
  zip:
    optimizer: [gd, sgd, sgd]
    batch: [1, 1, 5]
  n: [20, 40]
`)
	if len(s.Grid) != 2 {
		t.Fatalf("%d axes, want 2 (the zip and n)", len(s.Grid))
	}
	z := s.Grid[0]
	if !reflect.DeepEqual(z.Names, []string{"optimizer", "batch"}) {
		t.Errorf("zip names %v, want [optimizer batch]", z.Names)
	}
	// Position k of the zip holds the k-th value of each member. batch repeats 1 and
	// optimizer repeats sgd, but no two positions are the same pair, so no point repeats.
	want := [][]Value{
		{StringValue("gd"), IntValue(1)},
		{StringValue("sgd"), IntValue(1)},
		{StringValue("sgd"), IntValue(5)},
	}
	if got := rows(z); !reflect.DeepEqual(got, want) {
		t.Errorf("zip values %v, want %v", got, want)
	}
	if z.Line != 5 { // the zip mapping starts at its first member
		t.Errorf("zip line %d, want 5", z.Line)
	}
	// 3 zip positions x 2 values of n.
	if s.Count() != 6 {
		t.Errorf("Count() = %d, want 6", s.Count())
	}
}

// TestZipList checks the list form of zip: each mapping is its own axis, in written order,
// and generated axes can be zipped.
func TestZipList(t *testing.T) {
	s := mustParse(t, `name: a
grid:
  zip:
    - stepsize: {logspace: [0.01, 1], num: 3}
      steps: [1000, 100, 10]
    - n: [10, 20]
      d: [30, 60]
`)
	if len(s.Grid) != 2 {
		t.Fatalf("%d axes, want 2", len(s.Grid))
	}
	if !reflect.DeepEqual(s.Grid[0].Names, []string{"stepsize", "steps"}) ||
		!reflect.DeepEqual(s.Grid[1].Names, []string{"n", "d"}) {
		t.Errorf("axis names %v, %v", s.Grid[0].Names, s.Grid[1].Names)
	}
	// 3 x 2 positions.
	if s.Count() != 6 {
		t.Errorf("Count() = %d, want 6", s.Count())
	}
	if got := s.Grid[0].Row(2); got[0] != FloatValue(1) || got[1] != IntValue(10) {
		t.Errorf("last position of the first zip = %v, want [1 10]", got)
	}
}

// TestAxisLines checks that each axis remembers the line of its key, for later messages.
func TestAxisLines(t *testing.T) {
	src := "name: a\ngrid:\n  stepsize: [0.1]\n\n  # comment\n  n: [10, 20]\n"
	s := mustParse(t, src)
	for name, want := range map[string]int{"stepsize": 3, "n": 6} {
		if got := axisNamed(t, s, name).Line; got != want {
			t.Errorf("%s axis line %d, want %d", name, got, want)
		}
	}
	// And the spec locates errors about them there.
	if e := s.Errorf("n", "x"); e.Line != 6 || e.Key != "grid.n" {
		t.Errorf("Errorf(n) at line %d key %q, want 6 grid.n", e.Line, e.Key)
	}
}

// TestIntLinspaceDuplicates documents what happens when rounding an integer linspace makes
// two values equal: 1 + 2 i/4 = 1, 1.5, 2, 2.5, 3 rounds to 1, 2, 2, 3, 3.
func TestIntLinspaceDuplicates(t *testing.T) {
	e := parseError(t, "f.yaml", "name: a\nparams: {stepsize: 0.1}\ngrid:\n  n: {linspace: [1, 3], num: 5}\n")
	if e.Key != "grid.n" || e.Line != 4 || !strings.Contains(e.Msg, "appears twice") {
		t.Errorf("got %v, want grid.n at line 4 with a duplicate value", e)
	}
}
