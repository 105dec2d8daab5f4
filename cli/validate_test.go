package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runValidate runs `sweep validate args...` and returns its stdout and error.
func runValidate(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := validateCmd(&IOStreams{Out: &out, ErrOut: &out})
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

// TestValidateOverridesJSON: sweep validate --json on the quickstart example with overrides
// reports the overridden grid (2 optimizers x 5 stepsizes x 3 replicates), the overrides, a
// sweep id other than the file's, and the cost model's estimate: 30 points x 5001 steps x
// n d = 600 is 9.0018e7 units, at 3e-9 s each 0.27 s of CPU.
func TestValidateOverridesJSON(t *testing.T) {
	file := filepath.Join("..", "examples", "quickstart.yaml")
	decode := func(args ...string) validation {
		out, err := runValidate(args...)
		if err != nil {
			t.Fatalf("validate %q: %v", args, err)
		}
		var v validation
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("validate %q: output is not JSON: %v\n%s", args, err, out)
		}
		return v
	}
	plain := decode("--json", file)
	if out, err := runValidate("--json", file); err == nil {
		checkKeys(t, "sweep validate", []byte(out)) // the keys docs/cli-json.md lists
	}
	v := decode(file, "--json", "stepsize=logspace(0.01,1,5)", "steps=5000")
	if v.Points != 30 || v.Name != "quickstart" || len(v.Axes) != 3 {
		t.Errorf("%d points, name %q, %d axes; want 30, quickstart, 3", v.Points, v.Name, len(v.Axes))
	}
	if v.SweepID == plain.SweepID || v.SpecHash == plain.SpecHash {
		t.Errorf("overridden sweep id %s equals the file's", v.SweepID)
	}
	step := v.Axes[1]
	if step.Names[0] != "stepsize" || step.Len != 5 || step.Generated[0] != "logspace(0.01,1,5)" ||
		step.First[0] != 0.01 || step.Last[0] != 1.0 {
		t.Errorf("stepsize axis %+v, want logspace(0.01,1,5) from 0.01 to 1", step)
	}
	if len(v.Overrides) != 2 || v.Overrides[1] != (overrideReport{Arg: "steps=5000", Path: "params.steps", Was: "100000"}) {
		t.Errorf("overrides %+v", v.Overrides)
	}
	if want := 30.0 * 5001 * 20 * 30; math.Abs(v.WorkUnits-want) > 1e-6*want {
		t.Errorf("work %g units, want %g", v.WorkUnits, want)
	}
	if want := 30.0 * 5001 * 20 * 30 * 3e-9; math.Abs(v.EstimatedCPUSeconds-want) > 1e-6*want ||
		math.Abs(v.EstimatedSeconds*float64(v.CPUs)-want) > 1e-6*want {
		t.Errorf("estimate %g s of CPU, %g s on %d CPUs; want %g s of CPU", v.EstimatedCPUSeconds, v.EstimatedSeconds, v.CPUs, want)
	}
	if v.Chunks*int64(v.ChunkSize) < v.Points || (v.Chunks-1)*int64(v.ChunkSize) >= v.Points {
		t.Errorf("%d chunks of %d for %d points", v.Chunks, v.ChunkSize, v.Points)
	}
	// The text form lists the overrides too.
	out, err := runValidate(file, "steps=5000")
	if err != nil || !strings.Contains(out, "override steps=5000") || !strings.Contains(out, "sets params.steps (was 100000)") {
		t.Errorf("text output (error %v) lacks the override:\n%s", err, out)
	}
}

// TestValidateUsageErrors: no spec, a misspelt override and a bad one exit 2 with a message
// naming the problem.
func TestValidateUsageErrors(t *testing.T) {
	file := filepath.Join("..", "examples", "quickstart.yaml")
	bad := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(bad, []byte("name: h\nparams: {stepsize: 0.1}\ngrid:\n  n: {range: 100000}\n  d: {range: 100000}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "requires at least 1 arg"},
		{[]string{file, "stpes=10"}, `did you mean "steps"?`},
		{[]string{file, "steps"}, `argument "steps"`},
		{[]string{bad}, "has 10000000000 points (100000 x 100000)"},
	} {
		_, err := runValidate(tc.args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: error %v (exit %d), want exit 2 saying %q", tc.args, err, exitCode(err), tc.msg)
		}
	}
}
