package spec

import (
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestScalars checks how one params entry is read: the value's kind is the parameter's kind
// (spec.Params), integral floats such as 1e5 count as integers, and YAML's number spellings
// (underscores, hex) are numbers.
func TestScalars(t *testing.T) {
	tests := []struct {
		entry string
		name  string
		want  Value
	}{
		{"steps: 1e5", "steps", IntValue(100000)},
		{"steps: 1.0e+5", "steps", IntValue(100000)},
		{"steps: 100_000", "steps", IntValue(100000)},
		{"test: 0x10", "test", IntValue(16)},
		{"n: -3", "n", IntValue(-3)}, // a range error, but that is for dynamics.Config.Validate
		{"stop_loss: 1e-9", "stop_loss", FloatValue(1e-9)},
		{"stop_loss: 0", "stop_loss", FloatValue(0)},
		{"init: 2", "init", FloatValue(2)},
		{"x_mean: -0.5", "x_mean", FloatValue(-0.5)},
		{"label_noise: 0x10", "label_noise", FloatValue(16)},
		{"optimizer: sgd", "optimizer", StringValue("sgd")},
		{`model: "uv"`, "model", StringValue("uv")},
		{"seed: 7", "seed", IntValue(7)},
	}
	for _, tt := range tests {
		s := mustParse(t, "name: a\nparams:\n  stepsize: 0.1\n  "+tt.entry+"\n")
		got, ok := s.Value(tt.name)
		if !ok || got != tt.want {
			t.Errorf("%s: Value(%q) = %#v, %v; want %#v", tt.entry, tt.name, got, ok, tt.want)
		}
		if s.Fixed[1].Line != 4 {
			t.Errorf("%s: line %d, want 4", tt.entry, s.Fixed[1].Line)
		}
	}
}

// TestBadScalars lists values of the wrong kind that look plausible.
func TestBadScalars(t *testing.T) {
	for _, entry := range []string{
		`stepsize: "0.1"`, // quoted: a string, not a number
		"stepsize: true",
		"stepsize: ~",
		"steps: 1e-3",
		"steps: 1e20", // integral, but beyond 2^53 where float64 stops counting exactly
		"steps: 99999999999999999999",
		"batch: 1.5",
		"optimizer: [gd]",
		"optimizer: true",
		"model: {uv: 1}",
	} {
		e := parseError(t, "f.yaml", "name: a\nparams:\n  "+entry+" # <-\n")
		if e.Line != 3 || !strings.HasPrefix(e.Key, "params.") {
			t.Errorf("%s: got %v, want an error about params at line 3", entry, e)
		}
	}
}

// TestTopLevel checks the name, seed and record sections.
func TestTopLevel(t *testing.T) {
	s := mustParse(t, `name: sweep-1.v2_x
seed: 4611686018427387904 # 2^62
params: {stepsize: 0.1}
record:
  every: 100
  beta: true
`)
	if s.Name != "sweep-1.v2_x" || s.Seed != 1<<62 {
		t.Errorf("name %q seed %d", s.Name, s.Seed)
	}
	if s.Record != (Record{Every: 100, Beta: true}) {
		t.Errorf("record %+v, want {100 true}", s.Record)
	}

	// Without seed and record: seed 0, no trajectories, no beta (the zero values the doc
	// comments promise).
	s = mustParse(t, "name: a\nparams: {stepsize: 0.1}\n")
	if s.Seed != 0 || s.Record != (Record{}) {
		t.Errorf("seed %d record %+v, want 0 and {0 false}", s.Seed, s.Record)
	}
}

// TestCount checks Count: the product of the axis lengths, 1 for no grid at all (the single
// point of the fixed params).
func TestCount(t *testing.T) {
	tests := []struct {
		grid string
		want int64
	}{
		{"", 1},
		{"grid:\n", 1},
		{"grid: {}\n", 1},
		{"grid:\n  init: [0.1]\n", 1},
		{"grid:\n  init: [0.1, 1]\n", 2},
		// 3 x 2 (zip) x 4.
		{"grid:\n  init: [0.1, 0.2, 0.3]\n  zip: {n: [10, 20], d: [30, 40]}\n  seed: {range: 4}\n", 24},
		// 5 x 2 x 3 x 7.
		{"grid:\n  init: {logspace: [0.01, 1], num: 5}\n  optimizer: [gd, sgd]\n  x_mean: {linspace: [0, 1], num: 3}\n  seed: {range: 7}\n", 210},
	}
	for _, tt := range tests {
		s := mustParse(t, "name: a\nparams: {stepsize: 0.1}\n"+tt.grid)
		if got := s.Count(); got != tt.want {
			t.Errorf("%q: Count() = %d, want %d", tt.grid, got, tt.want)
		}
	}
}

// TestColumns checks the results' parameter columns: the fixed params in the order written
// (not the canonical order of spec.Params), then the swept ones in axis order, a zip's
// members in their written order.
func TestColumns(t *testing.T) {
	s := mustParse(t, `name: a
params:
  steps: 1000
  stepsize: 0.1
  model: uv
grid:
  seed: {range: 2}
  zip:
    init: [0.1, 1]
    batch: [1, 2]
  d: [30, 60]
`)
	want := []string{"steps", "stepsize", "model", "seed", "init", "batch", "d"}
	if got := s.Columns(); !reflect.DeepEqual(got, want) {
		t.Errorf("Columns() = %v, want %v", got, want)
	}
	for _, c := range []struct {
		name  string
		swept bool
	}{{"seed", true}, {"init", true}, {"batch", true}, {"d", true}, {"steps", false}, {"n", false}} {
		if s.Swept(c.name) != c.swept {
			t.Errorf("Swept(%s) = %v, want %v", c.name, !c.swept, c.swept)
		}
	}
}

// TestValue checks Value: a fixed parameter's value, a default for one not set (defaults
// from the table in spec.Params), nothing for a swept one or an unknown name.
func TestValue(t *testing.T) {
	s := mustParse(t, "name: a\nparams:\n  stepsize: 0.1\n  n: 50\ngrid:\n  d: [30, 60]\n")
	tests := []struct {
		name string
		want Value
		ok   bool
	}{
		{"stepsize", FloatValue(0.1), true},
		{"n", IntValue(50), true},
		{"sparsity", IntValue(3), true},
		{"optimizer", StringValue("gd"), true},
		{"stop_loss", FloatValue(1e-10), true},
		{"d", Value{}, false},
		{"nonsense", Value{}, false},
	}
	for _, tt := range tests {
		got, ok := s.Value(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Value(%q) = %#v, %v; want %#v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSpecErrorf checks where Errorf locates a message about a parameter: at its params
// entry, at its grid entry, or without a line when the spec leaves it to its default.
func TestSpecErrorf(t *testing.T) {
	s := mustParse(t, "name: a\nparams:\n  stepsize: 0.1\ngrid:\n  zip:\n    n: [10, 20]\n    d: [30, 40]\n")
	tests := []struct {
		param string
		line  int
		key   string
	}{
		{"stepsize", 3, "params.stepsize"},
		{"n", 6, "grid.n"},
		{"d", 7, "grid.d"},
		{"sparsity", 0, "sparsity"},
	}
	// A parameter left to its default says so, since no line of the file sets it.
	if e := s.Errorf("sparsity", "x"); !strings.Contains(e.Msg, "its default 3 applies") {
		t.Errorf("Errorf on a defaulted parameter does not name the default: %q", e.Msg)
	}
	for _, tt := range tests {
		e := s.Errorf(tt.param, "must be %d", 5)
		if e.File != "test.yaml" || e.Line != tt.line || e.Key != tt.key || !strings.HasPrefix(e.Msg, "must be 5") {
			t.Errorf("Errorf(%q) = %+v, want line %d key %q", tt.param, e, tt.line, tt.key)
		}
	}
}

// TestParamNames checks that the namespace is sorted (for messages) and has no duplicates,
// and that every parameter except stepsize and the optional ones (momentum, noise, rho, depth:
// no default, not required) has a default of its own kind.
func TestParamNames(t *testing.T) {
	names := ParamNames()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("ParamNames not strictly sorted at %q, %q", names[i-1], names[i])
		}
	}
	if len(names) != len(Params) {
		t.Errorf("%d names for %d params", len(names), len(Params))
	}
	for _, p := range Params {
		switch {
		case p.Name == "stepsize":
			if p.Default != nil || !p.Required() {
				t.Errorf("stepsize has a default %v or is optional; the design requires it to be set", p.Default)
			}
		case p.Name == "momentum" || p.Name == "noise" || p.Name == "rho" || p.Name == "depth" || p.Name == "order" || p.Name == "data" ||
			p.Name == "k_aux" || p.Name == "k_main" || p.Name == "n_aux" || p.Name == "pretrain_init":
			if p.Default != nil || p.Required() {
				t.Errorf("%s must be optional without a default (unset differs from every value)", p.Name)
			}
		case p.Default == nil:
			t.Errorf("%s has no default", p.Name)
		case p.Default.Kind != p.Kind:
			t.Errorf("%s: default of kind %v, parameter of kind %v", p.Name, p.Default.Kind, p.Kind)
		}
		if got, ok := LookupParam(p.Name); !ok || got.Name != p.Name {
			t.Errorf("LookupParam(%q) = %v, %v", p.Name, got, ok)
		}
	}
	if _, ok := LookupParam("learning_rate"); ok {
		t.Error("LookupParam found learning_rate, which is not a parameter")
	}
}

// hashBase is the spec the hash tests vary.
const hashBase = `name: h
seed: 3
params:
  stepsize: 0.1
  n: 20
  optimizer: sgd
grid:
  init: [0.1, 1]
  seed: {range: 2}
record:
  every: 10
`

// TestHash checks what the hash (which names the sweep's workflow and is stored with its
// results) depends on. It is a hash of meaning: the same sweep written differently hashes
// the same; anything that changes a point, the order of points, the columns of the results
// or the recording changes it.
//
// Decisions (the reason is given with each case):
//   - params are a set: their order does not change a point's values, so it does not matter;
//   - grid axis order changes point order (point ids), so it matters;
//   - a value written two ways (0.1, 1e-1) or produced two ways (a list or a linspace giving
//     the same float64s) is the same value;
//   - `stepsize: [0.1]` under grid and `stepsize: 0.1` under params hash differently: the
//     points are the same, but the results' column order differs (fixed columns come first)
//     and the sweep has an extra (trivial) axis for plotting, so they are different sweeps;
//   - likewise writing a default explicitly (n: 20) adds a results column, so it matters;
//   - the file name does not.
func TestHash(t *testing.T) {
	base := mustParse(t, hashBase).Hash()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("Hash() = %q, want 64 hex digits (SHA-256)", base)
	}
	same := []struct{ name, src string }{
		{"comments and blank lines", "# a sweep\nname: h # the name\n\nseed: 3\nparams:\n  # fixed\n  stepsize: 0.1\n  n: 20\n  optimizer: sgd\ngrid:\n  init: [0.1, 1]\n  seed: {range: 2}\nrecord:\n  every: 10\n"},
		{"flow style and spacing", "name: h\nseed: 3\nparams: {stepsize: 0.1,   n: 20, optimizer: sgd}\ngrid: {init: [0.1,1], seed: {range: 2}}\nrecord: {every: 10}\n"},
		{"block lists", "name: h\nseed: 3\nparams:\n  stepsize: 0.1\n  n: 20\n  optimizer: sgd\ngrid:\n  init:\n    - 0.1\n    - 1\n  seed: {range: 2}\nrecord:\n  every: 10\n"},
		{"params in another order", "name: h\nseed: 3\nparams:\n  optimizer: sgd\n  n: 20\n  stepsize: 0.1\ngrid:\n  init: [0.1, 1]\n  seed: {range: 2}\nrecord:\n  every: 10\n"},
		{"top-level keys in another order", "record:\n  every: 10\ngrid:\n  init: [0.1, 1]\n  seed: {range: 2}\nparams:\n  stepsize: 0.1\n  n: 20\n  optimizer: sgd\nseed: 3\nname: h\n"},
		{"the same numbers spelt differently", "name: h\nseed: 3\nparams:\n  stepsize: 1e-1\n  n: 2e1\n  optimizer: \"sgd\"\ngrid:\n  init: [0.1, 1.0]\n  seed: [0, 1]\nrecord:\n  every: 10\n  beta: false\n"},
		// linspace [0.1, 1] num 2 is exactly the endpoints, so the same values as the list.
		{"a linspace giving the same values", "name: h\nseed: 3\nparams:\n  stepsize: 0.1\n  n: 20\n  optimizer: sgd\ngrid:\n  init: {linspace: [0.1, 1], num: 2}\n  seed: {range: 2}\nrecord:\n  every: 10\n"},
	}
	for _, c := range same {
		s, err := Parse("elsewhere/other-name.yaml", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := s.Hash(); got != base {
			t.Errorf("%s: hash changed", c.name)
		}
	}
	different := []struct{ name, src string }{
		{"a fixed value", replace(t, hashBase, "stepsize: 0.1", "stepsize: 0.2")},
		{"a fixed value's last bit", replace(t, hashBase, "stepsize: 0.1", "stepsize: 0.10000000000000002")},
		{"a categorical value", replace(t, hashBase, "optimizer: sgd", "optimizer: gd")},
		{"a swept value", replace(t, hashBase, "init: [0.1, 1]", "init: [0.1, 2]")},
		{"an extra swept value", replace(t, hashBase, "init: [0.1, 1]", "init: [0.1, 1, 2]")},
		{"the order of an axis's values", replace(t, hashBase, "init: [0.1, 1]", "init: [1, 0.1]")},
		{"the order of the axes", replace(t, hashBase, "  init: [0.1, 1]\n  seed: {range: 2}\n", "  seed: {range: 2}\n  init: [0.1, 1]\n")},
		{"the spec seed", replace(t, hashBase, "seed: 3", "seed: 4")},
		{"the name", replace(t, hashBase, "name: h", "name: h2")},
		{"record.every", replace(t, hashBase, "every: 10", "every: 20")},
		{"record.beta", replace(t, hashBase, "every: 10\n", "every: 10\n  beta: true\n")},
		{"a default written out", replace(t, hashBase, "  n: 20\n", "  n: 20\n  d: 30\n")},
		{"a fixed value moved to a one-value axis", replace(t, replace(t, hashBase, "  stepsize: 0.1\n", ""), "grid:\n", "grid:\n  stepsize: [0.1]\n")},
		// Zipping two axes of equal length gives 2 points instead of 4.
		{"two axes zipped", replace(t, hashBase, "  init: [0.1, 1]\n  seed: {range: 2}\n", "  zip:\n    init: [0.1, 1]\n    seed: {range: 2}\n")},
	}
	seen := map[string]string{base: "base"}
	for _, c := range different {
		s, err := Parse("test.yaml", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, c.src)
		}
		h := s.Hash()
		if prev, dup := seen[h]; dup {
			t.Errorf("%s: same hash as %s", c.name, prev)
		}
		seen[h] = c.name
	}
}

// replace replaces old (which must occur exactly once) by new in s.
func replace(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%q occurs %d times in the base spec", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// TestValueCanonical checks that Canonical tells kinds and every bit apart while String
// prints what a user would write.
func TestValueCanonical(t *testing.T) {
	distinct := []Value{IntValue(1), FloatValue(1), StringValue("1"), FloatValue(0.1),
		FloatValue(0.10000000000000002), FloatValue(0), FloatValue(math.Copysign(0, -1)), StringValue(`i:1`)}
	seen := map[string]Value{}
	for _, v := range distinct {
		c := v.Canonical()
		if prev, dup := seen[c]; dup {
			t.Errorf("%#v and %#v share the canonical form %q", prev, v, c)
		}
		seen[c] = v
	}
	for _, c := range []struct {
		v    Value
		want string
	}{{IntValue(-7), "-7"}, {FloatValue(0.1), "0.1"}, {FloatValue(1e-10), "1e-10"}, {FloatValue(2), "2"}, {StringValue("sgd"), "sgd"}} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.v, got, c.want)
		}
	}
}
