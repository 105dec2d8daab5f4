package main

// End-to-end tests of the result cache, --new and sweep retry with the real binaries and the
// embedded server.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

const cacheSpecA = `name: cachea
seed: 5
params: {n: 10, d: 15, sparsity: 3, init: 0.1, batch: 2, steps: 2000, stop_loss: 1.0e-12}
grid:
  optimizer: [gd, sgd]
  stepsize: [0.01, 0.05]
`

const cacheSpecB = `name: cacheb
seed: 5
params: {n: 10, d: 15, sparsity: 3, init: 0.1, batch: 2, steps: 2000, stop_loss: 1.0e-12}
grid:
  stepsize: [0.05, 0.1]
  optimizer: [gd, sgd]
`

// runJSON runs `sweep run SPEC --json args...` in dir and decodes its outcome.
func runJSON(t *testing.T, dir string, args ...string) (sweep string, tab *results.Table, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd, stdout, errOut := sweepCmd(ctx, dir, append(args, "--json")...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("sweep %v: %v\nstdout:\n%s\nstderr:\n%s%s", args, err, stdout, errOut, serverLog(args))
	}
	var out struct{ Sweep, Results string }
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &out); err != nil {
		t.Fatalf("sweep %v: output %q: %v", args, stdout, err)
	}
	tab, err := results.ReadFile(out.Results)
	if err != nil {
		t.Fatal(err)
	}
	return out.Sweep, tab, errOut.String()
}

// serverLog is the end of the log of the embedded server on the --state of args, for a
// failure's message ("" without one).
func serverLog(args []string) string {
	i := slices.Index(args, "--state")
	if i < 0 || i+1 >= len(args) {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(args[i+1], "server.log"))
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "\nserver.log (end):\n" + string(b)
}

// TestCacheNewRetry: B (half of its points A's) through the cache equals B without it; --new
// starts another sweep; sweep retry of a sweep whose table has a failed row simulates that
// point again and takes the others from the table (through the cache).
func TestCacheNewRetry(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	writeFile(t, a, cacheSpecA)
	writeFile(t, b, cacheSpecB)
	state := filepath.Join(dir, "state")
	runJSON(t, dir, "run", a, "--state", state, "--out", filepath.Join(dir, "outA"))
	idB, tabB, _ := runJSON(t, dir, "run", b, "--state", state, "--out", filepath.Join(dir, "outB"))
	_, ref, _ := runJSON(t, dir, "run", b, "--state", filepath.Join(dir, "state2"), "--out", filepath.Join(dir, "ref"), "--no-cache")
	if ok, diff := results.Equal(ref, tabB); !ok {
		t.Errorf("B through the cache differs from B without it: %s", diff)
	}
	if m, _ := filepath.Glob(filepath.Join(state, "cache", "*.parquet")); len(m) == 0 {
		t.Error("no file in the cache directory")
	}
	idNew, tabNew, stderr := runJSON(t, dir, "run", b, "--state", state, "--out", filepath.Join(dir, "outNew"), "--new")
	if !strings.HasPrefix(idNew, idB+"-") || !strings.Contains(stderr, "starting sweep") {
		t.Errorf("--new: sweep %q (B is %q), stderr:\n%s", idNew, idB, stderr)
	}
	if ok, diff := results.Equal(ref, tabNew); !ok {
		t.Errorf("--new: %s", diff)
	}

	// A sweep run without the cache whose table says point 1 failed and point 2 has another
	// train_loss: retry simulates point 1 only (point 2 keeps the table's value).
	out := filepath.Join(dir, "outC")
	idC, _, _ := runJSON(t, dir, "run", b, "--state", filepath.Join(dir, "state3"), "--out", out, "--no-cache")
	path := filepath.Join(out, "results.parquet")
	tab, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for j, f := range tab.Fields {
			if f.Name == name {
				return j
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	tab.Rows[1][col("status")].S = results.StatusFailed
	tab.Rows[1][col("train_loss")].F = -1
	tab.Rows[2][col("train_loss")].F = -2
	if err := results.WriteFile(path, tab); err != nil {
		t.Fatal(err)
	}
	idR, got, stderr := runJSON(t, dir, "retry", idC, "--state", filepath.Join(dir, "state3"))
	if idR != idC || !strings.Contains(stderr, "(1 failed)") {
		t.Errorf("retry: sweep %q, want %q; stderr:\n%s", idR, idC, stderr)
	}
	want := &results.Table{Fields: ref.Fields, Rows: append([][]results.Value(nil), ref.Rows...)}
	want.Rows[2] = append([]results.Value(nil), want.Rows[2]...)
	want.Rows[2][col("train_loss")].F = -2
	if ok, diff := results.Equal(want, got); !ok {
		t.Errorf("after retry: %s", diff)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
