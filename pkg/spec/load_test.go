package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// marker ends the line an error is expected on, in the bad specs below: the expected line is
// found by looking for it, not counted by hand.
const marker = "# <-"

// markedLine is the 1-based number of the line of src that contains marker, or 0.
func markedLine(src string) int {
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	return 0
}

// parseError parses src and returns its error as a *Error, failing the test otherwise.
func parseError(t *testing.T, file, src string) *Error {
	t.Helper()
	s, err := Parse(file, []byte(src))
	if err == nil {
		t.Fatalf("Parse succeeded (%d axes, %d points), want an error", len(s.Grid), s.Count())
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is a %T, want *spec.Error", err, err)
	}
	return e
}

// TestParseErrors checks that each kind of bad spec is rejected with an *Error at the line and
// key path the user has to edit, and a message saying what is wrong. The expected line is the
// one carrying the marker comment, or the explicit line for errors that have no line of their
// own (a missing key: the top of the document; an empty file: line 1).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int // 0: the line of the marker
		key  string
		msg  []string // fragments the message must contain
	}{
		{
			name: "misspelt top-level key",
			src:  "name: a\ngird: # <-\n  stepsize: [0.1]\n",
			key:  "gird",
			msg:  []string{`unknown key "gird"`, `did you mean "grid"?`},
		},
		{
			name: "misspelt parameter under params",
			src:  "name: a\nparams:\n  stepsze: 0.1 # <-\n",
			key:  "params.stepsze",
			msg:  []string{`unknown key "stepsze"`, `did you mean "stepsize"?`},
		},
		{
			name: "misspelt parameter under grid",
			src:  "name: a\ngrid:\n  stepsize: [0.1]\n  optimiser: [gd, sgd] # <-\n",
			key:  "grid.optimiser",
			msg:  []string{`did you mean "optimizer"?`},
		},
		{
			name: "misspelt parameter in a zip",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  zip:\n    optimizer: [gd, sgd]\n    bacth: [1, 2] # <-\n",
			key:  "grid.zip.bacth",
			msg:  []string{`did you mean "batch"?`},
		},
		{
			name: "misspelt key of a generated axis",
			src:  "name: a\ngrid:\n  stepsize: {linspace: [0.1, 1], nmu: 3} # <-\n",
			key:  "grid.stepsize.nmu",
			msg:  []string{`did you mean "num"?`},
		},
		{
			name: "misspelt key under record",
			src:  "name: a\nparams: {stepsize: 0.1}\nrecord:\n  evry: 10 # <-\n",
			key:  "record.evry",
			msg:  []string{`did you mean "every"?`},
		},
		{
			// No parameter is within edit distance 4 of learning_rate, so the message must list
			// them all instead of guessing.
			name: "unknown parameter with no close match lists the valid keys",
			src:  "name: a\nparams:\n  stepsize: 0.1\n  learning_rate: 0.1 # <-\n",
			key:  "params.learning_rate",
			msg: []string{`unknown key "learning_rate"`, "valid keys: ", "batch", "stepsize", "stop_loss",
				"optimizer", "x_mean", "label_noise"},
		},
		{
			name: "unknown top-level key with no close match lists the valid keys",
			src:  "name: a\nparams: {stepsize: 0.1}\nworkers: 8 # <-\n",
			key:  "workers",
			msg:  []string{"valid keys: name, seed, params, grid, record"},
		},
		{
			name: "float parameter given a word",
			src:  "name: a\nparams:\n  stepsize: abc # <-\n",
			key:  "params.stepsize",
			msg:  []string{"must be a number", `"abc"`},
		},
		{
			name: "integer parameter given a fraction",
			src:  "name: a\nparams:\n  stepsize: 0.1\n  n: 2.5 # <-\n",
			key:  "params.n",
			msg:  []string{"must be an integer", "2.5"},
		},
		{
			name: "categorical parameter given a number",
			src:  "name: a\nparams:\n  stepsize: 0.1\n  optimizer: 3 # <-\n",
			key:  "params.optimizer",
			msg:  []string{"must be a word", "got 3"},
		},
		{
			name: "parameter given a list under params",
			src:  "name: a\nparams:\n  stepsize: [0.1, 0.2] # <-\n",
			key:  "params.stepsize",
			msg:  []string{"must be a single number", "a list"},
		},
		{
			name: "wrong type inside a grid list",
			src:  "name: a\ngrid:\n  stepsize:\n    - 0.1\n    - abc # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"must be a number", `"abc"`},
		},
		{
			name: "grid axis given a single value",
			src:  "name: a\ngrid:\n  stepsize: 0.1 # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"a single value belongs under params"},
		},
		{
			name: "parameter set in params and grid",
			src:  "name: a\nparams:\n  stepsize: 0.1\ngrid:\n  stepsize: [0.1, 0.2] # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"is set twice"},
		},
		{
			// The grid is read after params even when written first, so the grid entry is the
			// one reported.
			name: "parameter set in grid before params",
			src:  "name: a\ngrid:\n  n: [10, 20] # <-\nparams:\n  stepsize: 0.1\n  n: 10\n",
			key:  "grid.n",
			msg:  []string{"is set twice"},
		},
		{
			name: "parameter in a zip and a plain axis",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  n: [10, 20]\n  zip:\n    n: [10, 20] # <-\n    d: [30, 40]\n",
			key:  "grid.zip.n",
			msg:  []string{"is set twice"},
		},
		{
			name: "duplicate key in params",
			src:  "name: a\nparams:\n  stepsize: 0.1\n  n: 10\n  n: 20 # <-\n",
			key:  "params.n",
			msg:  []string{"key is given twice"},
		},
		{
			name: "duplicate top-level key",
			src:  "name: a\nparams: {stepsize: 0.1}\nname: b # <-\n",
			key:  "name",
			msg:  []string{"key is given twice"},
		},
		{
			name: "logspace with a zero endpoint",
			src:  "name: a\ngrid:\n  stepsize: {logspace: [0, 1], num: 3} # <-\n",
			key:  "grid.stepsize.logspace",
			msg:  []string{"must be > 0", "got 0"},
		},
		{
			name: "logspace with a negative endpoint",
			src:  "name: a\ngrid:\n  stepsize:\n    logspace:\n      - 0.1\n      - -1 # <-\n    num: 3\n",
			key:  "grid.stepsize.logspace",
			msg:  []string{"not exponents", "got -1"},
		},
		{
			name: "logspace without num",
			src:  "name: a\ngrid:\n  stepsize: {logspace: [0.01, 1]} # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"logspace needs num"},
		},
		{
			name: "linspace with three endpoints",
			src:  "name: a\ngrid:\n  stepsize: {linspace: [0.1, 0.5, 1], num: 3} # <-\n",
			key:  "grid.stepsize.linspace",
			msg:  []string{"must be [first, last]", "a list"},
		},
		{
			name: "both linspace and logspace",
			src:  "name: a\ngrid:\n  stepsize: {linspace: [0.1, 1], logspace: [0.1, 1], num: 3} # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"needs exactly one of linspace, logspace or range"},
		},
		{
			name: "num without linspace or logspace",
			src:  "name: a\ngrid:\n  stepsize: {num: 3} # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"needs exactly one of linspace, logspace or range"},
		},
		{
			name: "num 0",
			src:  "name: a\ngrid:\n  stepsize: {linspace: [0.1, 1], num: 0} # <-\n",
			key:  "grid.stepsize.num",
			msg:  []string{"must be between 1 and", "got 0"},
		},
		{
			name: "num 1 with distinct endpoints",
			src:  "name: a\ngrid:\n  stepsize: {linspace: [0.1, 1], num: 1} # <-\n",
			key:  "grid.stepsize.num",
			msg:  []string{"cannot reach both endpoints"},
		},
		{
			name: "infinite linspace endpoint",
			src:  "name: a\ngrid:\n  stepsize: {linspace: [0.1, .inf], num: 3} # <-\n",
			key:  "grid.stepsize.linspace",
			msg:  []string{"must be finite"},
		},
		{
			name: "linspace of a categorical parameter",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  optimizer: {linspace: [1, 2], num: 2} # <-\n",
			key:  "grid.optimizer",
			msg:  []string{"categorical parameter needs a list"},
		},
		{
			name: "range 0",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  seed: {range: 0} # <-\n",
			key:  "grid.seed.range",
			msg:  []string{"must be between 1 and", "got 0"},
		},
		{
			name: "range with other keys",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  seed: {range: 3, num: 3} # <-\n",
			key:  "grid.seed",
			msg:  []string{"range takes no other keys"},
		},
		{
			name: "zip with unequal lengths",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  zip:\n    n: [10, 20]\n    d: [30, 40, 50] # <-\n",
			key:  "grid.zip.d",
			msg:  []string{"has 3 values but n has 2", "equal length"},
		},
		{
			// A block mapping's node starts at its first key, so that is the line reported.
			name: "zip with one member",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  zip:\n    n: [10, 20] # <-\n",
			key:  "grid.zip",
			msg:  []string{"needs at least two parameters"},
		},
		{
			name: "zip in a list with one member",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  zip:\n    - {n: [10, 20], d: [30, 40]}\n    - {init: [0.1, 1]} # <-\n",
			key:  "grid.zip",
			msg:  []string{"needs at least two parameters"},
		},
		{
			name: "duplicate value in an axis",
			src:  "name: a\ngrid:\n  stepsize: [0.1, 0.2, 0.1] # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"value 0.1 appears twice"},
		},
		{
			// 1e-1 and 0.1 are the same float64, so the same point twice.
			name: "duplicate value spelt two ways",
			src:  "name: a\ngrid:\n  stepsize: [0.1, 1e-1] # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"appears twice"},
		},
		{
			// Both members repeat their first value, so position 2 is the same point as
			// position 0.
			name: "duplicate position in a zip",
			src:  "name: a\nparams: {stepsize: 0.1}\ngrid:\n  zip:\n    n: [10, 20, 10] # <-\n    d: [30, 40, 30]\n",
			key:  "grid.zip",
			msg:  []string{"position 2 (n=10 d=30) repeats position 0"},
		},
		{
			name: "empty axis",
			src:  "name: a\ngrid:\n  stepsize: [] # <-\n",
			key:  "grid.stepsize",
			msg:  []string{"has no values"},
		},
		{
			// Eight axes of 2^8 values: 2^64 points, which int64 arithmetic wraps to 0.
			name: "too many points even when the product overflows",
			src: "name: a\nparams: {stepsize: 0.1}\ngrid:\n" +
				"  n: {range: 256} # <-\n  d: {range: 256}\n  test: {range: 256}\n  steps: {range: 256}\n" +
				"  batch: {range: 256}\n  sparsity: {range: 256}\n  seed: {range: 256}\n  x_mean: {range: 256}\n",
			key: "grid",
			msg: []string{"too many points"},
		},
		{
			name: "too many points",
			src: "name: a\nparams: {stepsize: 0.1}\ngrid:\n  n: {range: 100000} # <-\n" +
				"  d: {range: 1001}\n",
			key: "grid",
			msg: []string{"too many points (more than 100000000)"},
		},
		{
			// The document node starts at its first key: line 2, after the comment.
			name: "missing name",
			src:  "# no name\nseed: 1\nparams: {stepsize: 0.1}\n",
			line: 2,
			key:  "name",
			msg:  []string{"missing", "needs a name"},
		},
		{
			name: "invalid name with a slash",
			src:  "name: runs/a # <-\nparams: {stepsize: 0.1}\n",
			key:  "name",
			msg:  []string{"must be a word", `"runs/a"`},
		},
		{
			name: "empty name",
			src:  "name: \"\" # <-\nparams: {stepsize: 0.1}\n",
			key:  "name",
			msg:  []string{"must be a word"},
		},
		{
			name: "missing stepsize",
			src:  "name: a\nparams:\n  n: 10\n",
			line: 1,
			key:  "stepsize",
			msg:  []string{"missing", "under params or grid"},
		},
		{
			name: "negative seed",
			src:  "name: a\nseed: -1 # <-\nparams: {stepsize: 0.1}\n",
			key:  "seed",
			msg:  []string{"must be >= 0", "got -1"},
		},
		{
			name: "fractional seed",
			src:  "name: a\nseed: 1.5 # <-\nparams: {stepsize: 0.1}\n",
			key:  "seed",
			msg:  []string{"must be an integer"},
		},
		{
			name: "record.every negative",
			src:  "name: a\nparams: {stepsize: 0.1}\nrecord:\n  every: -5 # <-\n",
			key:  "record.every",
			msg:  []string{"must be >= 0", "got -5"},
		},
		{
			// YAML 1.2 (yaml.v3) reads yes as a string, not a bool.
			name: "record.beta not a bool",
			src:  "name: a\nparams: {stepsize: 0.1}\nrecord:\n  beta: yes # <-\n",
			key:  "record.beta",
			msg:  []string{"must be true or false", `"yes"`},
		},
		{
			name: "params not a mapping",
			src:  "name: a\nparams:\n  - stepsize # <-\n",
			key:  "params",
			msg:  []string{"must be a mapping", "a list"},
		},
		{
			name: "invalid YAML: tab indentation",
			src:  "name: a\nparams:\n\tstepsize: 0.1 # <-\n",
			msg:  []string{"invalid YAML", "cannot start any token"},
		},
		{
			name: "invalid YAML: mapping in a plain scalar",
			src:  "name: a\nparams: {stepsize: 0.1}\nrecord: every: 3 # <-\n",
			msg:  []string{"invalid YAML", "mapping values are not allowed"},
		},
		{
			name: "empty file",
			src:  "",
			line: 1,
			msg:  []string{"spec is empty"},
		},
		{
			name: "only comments",
			src:  "# nothing yet\n\n",
			line: 1,
			msg:  []string{"spec is empty"},
		},
		{
			name: "a scalar document",
			src:  "sweep # <-\n",
			msg:  []string{"must be a mapping", `"sweep"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const file = "specs/bad.yaml"
			line := tt.line
			if line == 0 {
				line = markedLine(tt.src)
				if line == 0 {
					t.Fatal("test case has neither a line nor a marker")
				}
			}
			e := parseError(t, file, tt.src)
			if e.File != file || e.Line != line || e.Key != tt.key {
				t.Errorf("error at %s:%d key %q, want %s:%d key %q (%v)", e.File, e.Line, e.Key, file, line, tt.key, e)
			}
			for _, frag := range tt.msg {
				if !strings.Contains(e.Msg, frag) {
					t.Errorf("message %q lacks %q", e.Msg, frag)
				}
			}
			// "file:line: key: msg", the form editors and terminals turn into a link; no key
			// part for errors that are not about a key.
			want := fmt.Sprintf("%s:%d: %s: %s", file, line, tt.key, e.Msg)
			if tt.key == "" {
				want = fmt.Sprintf("%s:%d: %s", file, line, e.Msg)
			}
			if got := e.Error(); got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

// TestErrorFormat checks the layout of Error() for each combination of present and absent
// line and key, against strings written out by hand.
func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "s.yaml", Line: 7, Key: "grid.n", Msg: "bad"}, "s.yaml:7: grid.n: bad"},
		{Error{File: "s.yaml", Line: 7, Msg: "bad"}, "s.yaml:7: bad"},
		{Error{File: "s.yaml", Key: "sparsity", Msg: "bad"}, "s.yaml: sparsity: bad"},
		{Error{File: "s.yaml", Msg: "bad"}, "s.yaml: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestSuggest checks the misspelling heuristic on its own: a near word is suggested, the
// nearest one wins, and a far word gets nothing (distances counted by hand).
func TestSuggest(t *testing.T) {
	params := ParamNames()
	tests := []struct{ word, want string }{
		{"stepsze", "stepsize"},       // one deletion
		{"stpesize", "stepsize"},      // one transposition = two edits
		{"optimiser", "optimizer"},    // one substitution
		{"sparcity", "sparsity"},      // one substitution
		{"labelnoise", "label_noise"}, // one deletion
		{"step", "steps"},             // one insertion; stepsize is four away
		{"learning_rate", ""},         // nothing within max(2, 13/3) = 4
	}
	for _, tt := range tests {
		if got := suggest(tt.word, params); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	// Levenshtein distances worked out by hand.
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"gird", "grid", 2}, {"n", "d", 1}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
		if got := editDistance(c.b, c.a); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.d)
		}
	}
}

// TestLoad reads a spec from disk; a file that cannot be read is an *Error naming it.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ok.yaml")
	src := "name: disk\nparams:\n  stepsize: 0.1\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "disk" || s.File != file || string(s.Source) != src {
		t.Errorf("Load gave name %q file %q source %q", s.Name, s.File, s.Source)
	}

	missing := filepath.Join(dir, "missing.yaml")
	_, err = Load(missing)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Load(missing) error %v is a %T, want *spec.Error", err, err)
	}
	if e.File != missing || !strings.Contains(e.Msg, "cannot read spec") {
		t.Errorf("Load(missing) = %v", e)
	}
}

// TestLoadExample parses the shipped quickstart spec: 2 optimizers x 12 stepsizes x 3
// replicates = 72 points, as its grid section says.
func TestLoadExample(t *testing.T) {
	s, err := Load(filepath.Join("..", "..", "examples", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Count(); got != 72 {
		t.Errorf("Count() = %d, want 72", got)
	}
}
