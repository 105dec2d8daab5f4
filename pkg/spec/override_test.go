package spec

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// overrideBase is a spec with fixed params, a plain axis, a zip and a replicate axis.
const overrideBase = `# a comment that must survive
name: base
seed: 1
params:
  steps: 1000
  init: 0.1
grid:
  stepsize: [0.1, 0.2]
  zip:
    n: [10, 20]
    d: [30, 60]
  seed: {range: 2}
`

// mustOverride applies args to src, failing the test on an error.
func mustOverride(t *testing.T, src string, args ...string) *Spec {
	t.Helper()
	s, err := Override("base.yaml", []byte(src), args)
	if err != nil {
		t.Fatalf("Override(%q): %v", args, err)
	}
	// The stored source must mean the same spec: workers parse it, and it is hashed.
	again, err := Parse("stored.yaml", s.Source)
	if err != nil {
		t.Fatalf("the overridden source does not parse: %v\n%s", err, s.Source)
	}
	if again.Hash() != s.Hash() || !reflect.DeepEqual(again.Columns(), s.Columns()) {
		t.Fatalf("the overridden source parses to another spec:\n%s", s.Source)
	}
	return s
}

// TestOverrideRules checks where each form of argument goes (the rules of Override's doc).
func TestOverrideRules(t *testing.T) {
	fixed := func(s *Spec, name string) (Value, bool) {
		for _, f := range s.Fixed {
			if f.Name == name {
				return f.Value, true
			}
		}
		return Value{}, false
	}
	// A scalar for a fixed parameter replaces it; for an unset one it is added to params.
	s := mustOverride(t, overrideBase, "steps=5000", "optimizer=sgd")
	if v, _ := fixed(s, "steps"); v != IntValue(5000) {
		t.Errorf("steps = %v, want 5000", v)
	}
	if v, _ := fixed(s, "optimizer"); v != StringValue("sgd") {
		t.Errorf("optimizer = %v, want sgd under params", v)
	}
	// A scalar for a swept parameter makes its axis that one value (it stays a column).
	s = mustOverride(t, overrideBase, "stepsize=0.5")
	if got := single(t, axisNamed(t, s, "stepsize")); !reflect.DeepEqual(got, floats(0.5)) {
		t.Errorf("stepsize axis %v, want [0.5]", got)
	}
	// A list for a fixed parameter moves it to the grid, after the other axes.
	s = mustOverride(t, overrideBase, "init=0.01,0.1,1")
	if _, ok := fixed(s, "init"); ok || s.Grid[len(s.Grid)-1].Names[0] != "init" {
		t.Errorf("init not moved to the last axis: fixed %v, grid %v", s.Fixed, s.Grid)
	}
	if got := single(t, axisNamed(t, s, "init")); !reflect.DeepEqual(got, floats(0.01, 0.1, 1)) {
		t.Errorf("init axis %v", got)
	}
	// A zip member is replaced in its zip; a generated axis replaces a list.
	s = mustOverride(t, overrideBase, "n=linspace(5,15,2)", "stepsize=range(3)")
	if got := s.Grid[1].Row(1); got[0] != IntValue(15) || got[1] != IntValue(60) {
		t.Errorf("zip position 1 = %v, want [15 60]", got)
	}
	if got := single(t, axisNamed(t, s, "stepsize")); !reflect.DeepEqual(got, floats(0, 1, 2)) {
		t.Errorf("stepsize axis %v, want range(3) as numbers 0, 1, 2", got)
	}
	// params.key takes a swept key out of the grid; grid.key makes a one-value axis.
	s = mustOverride(t, overrideBase, "params.stepsize=0.3", "grid.steps=10")
	if v, _ := fixed(s, "stepsize"); v != FloatValue(0.3) || s.Swept("stepsize") {
		t.Errorf("stepsize: fixed %v, swept %t; want fixed 0.3", v, s.Swept("stepsize"))
	}
	if got := single(t, axisNamed(t, s, "steps")); !reflect.DeepEqual(got, ints(10)) {
		t.Errorf("steps axis %v, want [10]", got)
	}
	// seed: a number is the spec seed, an axis the replicate axis, params.seed the parameter.
	s = mustOverride(t, overrideBase, "seed=7")
	if s.Seed != 7 || axisNamed(t, s, "seed").Len() != 2 {
		t.Errorf("seed=7: spec seed %d, replicate axis %d long; want 7 and the file's 2", s.Seed, axisNamed(t, s, "seed").Len())
	}
	s = mustOverride(t, overrideBase, "seed=range(5)")
	if s.Seed != 1 || axisNamed(t, s, "seed").Len() != 5 {
		t.Errorf("seed=range(5): spec seed %d, replicate axis %d long; want 1 and 5", s.Seed, axisNamed(t, s, "seed").Len())
	}
	s = mustOverride(t, overrideBase, "params.seed=3")
	if v, _ := fixed(s, "seed"); v != IntValue(3) || s.Swept("seed") {
		t.Errorf("params.seed=3: fixed %v, swept %t", v, s.Swept("seed"))
	}
	// Record and top-level keys; a section the file lacks is created.
	s = mustOverride(t, "name: a\nparams:\n", "record.every=10", "name=b", "chunk=5", "stepsize=0.1")
	if s.Record.Every != 10 || s.Name != "b" || s.Chunk != 5 {
		t.Errorf("record.every %d name %q chunk %d, want 10 b 5", s.Record.Every, s.Name, s.Chunk)
	}
	// What each argument did, in order, with the value it replaced.
	s = mustOverride(t, overrideBase, "steps=5000", "stepsize=logspace(0.01,1,3)", "record.beta=true")
	want := []Change{
		{Arg: "steps=5000", Path: "params.steps", Was: "1000"},
		{Arg: "stepsize=logspace(0.01,1,3)", Path: "grid.stepsize", Was: "[0.1, 0.2]"},
		{Arg: "record.beta=true", Path: "record.beta"},
	}
	if !reflect.DeepEqual(s.Overrides, want) {
		t.Errorf("Overrides = %+v, want %+v", s.Overrides, want)
	}
	if !strings.Contains(string(s.Source), "# a comment that must survive") ||
		!strings.Contains(string(s.Source), "steps=5000 stepsize=logspace(0.01,1,3) record.beta=true") {
		t.Errorf("source lacks the file's comment or the overrides:\n%s", s.Source)
	}
}

// TestOverrideHash: overrides change the spec hash (so the sweep id), no overrides leave the
// source and hash as they are, and an override equal to the file's value changes neither.
func TestOverrideHash(t *testing.T) {
	plain := mustParse(t, overrideBase)
	if s := mustOverride(t, overrideBase); s.Hash() != plain.Hash() || string(s.Source) != overrideBase {
		t.Errorf("no overrides changed the spec")
	}
	if s := mustOverride(t, overrideBase, "steps=1000"); s.Hash() != plain.Hash() {
		t.Errorf("steps=1000, the file's own value, changed the hash")
	}
	if s := mustOverride(t, overrideBase, "steps=1001"); s.Hash() == plain.Hash() {
		t.Errorf("steps=1001 left the hash unchanged")
	}
}

// TestOverrideErrors checks that bad arguments are *Errors naming the argument and what is
// wrong, that a misspelt key gets the YAML's hint, and that an error about a file's key the
// argument set keeps the file's line.
func TestOverrideErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		line int
		msg  []string
	}{
		{[]string{"stepsiz=0.1"}, 0, []string{`argument "stepsiz=0.1"`, `did you mean "stepsize"?`}},
		{[]string{"params.optimiser=sgd"}, 0, []string{`did you mean "optimizer"?`}},
		{[]string{"steps"}, 0, []string{`argument "steps"`, "key=value"}},
		{[]string{"=3"}, 0, []string{`argument "=3"`, "key=value"}},
		{[]string{"steps="}, 0, []string{`argument "steps="`, "no value"}},
		{[]string{"stepsize=logspace(0.01,1)"}, 0, []string{`argument "stepsize=logspace(0.01,1)"`, "logspace takes 3 arguments", "logspace(first,last,num)"}},
		{[]string{"seed=range(1,5)"}, 0, []string{"range takes 1 arguments", "range(num)"}},
		{[]string{"init=0.1,,0.2"}, 0, []string{"empty value"}},
		{[]string{"init=geomspace(1,2,3)"}, 0, []string{`"geomspace(1,2,3)" is not linspace(first,last,num)`}},
		{[]string{"init=[0.1"}, 0, []string{`"[0.1" is not a single value`}},
		{[]string{"name=a,b"}, 0, []string{"name takes a single value"}},
		{[]string{"params.init=0.1,0.2"}, 0, []string{"params take a single value"}},
		{[]string{"params.n=10"}, 0, []string{"n is zipped with d"}},
		{[]string{"steps=1", "steps=2"}, 0, []string{`argument "steps=2"`, `"steps=1" sets too`}},
		// Errors the parser finds in an override's value name the argument, not a line.
		{[]string{"steps=abc"}, 0, []string{"must be an integer", `(set by the argument "steps=abc")`}},
		{[]string{"stepsize=linspace(a,1,3)"}, 0, []string{"must be a number", `argument "stepsize=linspace(a,1,3)"`}},
		// A zip member of another length: the error is at the member that no longer matches.
		{[]string{"n=1,2,3"}, 11, []string{"grid.zip.d: has 2 values but n has 3", `(n is set by the argument "n=1,2,3")`}},
		{[]string{"stepsize=0.1,0.1"}, 0, []string{"value 0.1 appears twice", `argument "stepsize=0.1,0.1"`}},
	} {
		_, err := Override("base.yaml", []byte(overrideBase), tc.args)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v (%T), want a *spec.Error", tc.args, err, err)
			continue
		}
		if e.File != "base.yaml" || e.Line != tc.line {
			t.Errorf("%q: error at %s:%d, want base.yaml:%d (%v)", tc.args, e.File, e.Line, tc.line, e)
		}
		for _, m := range tc.msg {
			if !strings.Contains(e.Error(), m) {
				t.Errorf("%q: error %q lacks %q", tc.args, e, m)
			}
		}
	}
	// The file's own keys keep their lines: an override elsewhere does not move them.
	_, err := Override("base.yaml", []byte(strings.Replace(overrideBase, "init: 0.1", "init: abc", 1)), []string{"steps=5"})
	var e *Error
	if !errors.As(err, &e) || e.Line != 6 || e.Key != "params.init" {
		t.Errorf("error %v, want base.yaml:6 at params.init", err)
	}
	// Errorf (grid validation) names the argument that set a parameter.
	s := mustOverride(t, overrideBase, "steps=5000")
	if e := s.Errorf("steps", "bad"); e.Line != 5 || !strings.Contains(e.Msg, `(set by the argument "steps=5000")`) {
		t.Errorf("Errorf(steps) = %v, want line 5 naming the argument", e)
	}
}

// TestOverrideLogspace: logspace(0.01,1,5) is 10^-2, 10^-1.5, 10^-1, 10^-0.5, 10^0.
func TestOverrideLogspace(t *testing.T) {
	s := mustOverride(t, overrideBase, "stepsize=logspace(0.01,1,5)")
	want := []float64{0.01, math.Pow(10, -1.5), 0.1, math.Pow(10, -0.5), 1}
	for i, v := range single(t, axisNamed(t, s, "stepsize")) {
		if math.Abs(v.Float-want[i]) > 1e-15*want[i] {
			t.Errorf("value %d = %v, want %v", i, v.Float, want[i])
		}
	}
	if g := axisNamed(t, s, "stepsize").Generated(0); g != "logspace(0.01,1,5)" {
		t.Errorf("Generated = %q, want logspace(0.01,1,5)", g)
	}
}
