package chunkrun

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTemporalImports: chunkrun and everything it imports, tests excluded, use no package
// of go.temporal.io (`go list -deps`), so that the chunk loop runs and is tested without
// Temporal.
func TestNoTemporalImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !strings.Contains(string(out), "github.com/phasesweep/phasesweep/pkg/dynamics") {
		t.Fatalf("go list -deps listed %d packages, without pkg/dynamics: %q", len(deps), out)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "go.temporal.io/") {
			t.Errorf("chunkrun depends on %s", d)
		}
	}
}
