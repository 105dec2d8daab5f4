package main

import (
	"strings"
	"testing"
)

// TestValidateDescribesRefine: sweep validate of the refine recipe prints the refinement as the
// spec writes it (examples/refine.yaml: stepsize x init on divergence, 4 levels, the default
// halo 1, budget 20000, a 16 x 16 coarse grid), and of a metric its jump.
func TestValidateDescribesRefine(t *testing.T) {
	out, errOut, code := inProcess(t, "validate", "../examples/refine.yaml")
	want := "refine: stepsize x init on divergence, up to 4 levels, halo 1, budget 20000 points (coarse grid 256)\n"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s\nwant the line %q", code, out, errOut, want)
	}
	dir := t.TempDir()
	metric := strings.Replace(refinedSpec, "  levels: 2\n", "  levels: 2\n  on: test_loss\n  jump: 0.5\n  halo: 0\n", 1)
	out, errOut, code = inProcess(t, "validate", writeSpec(t, dir, metric))
	want = "refine: stepsize x init on test_loss (jump 0.5), up to 2 levels, halo 0, budget 2000 points (coarse grid 30)\n"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s\nwant the line %q", code, out, errOut, want)
	}
}
