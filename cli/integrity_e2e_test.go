package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// sameNameSpec is a sweep of 60 points named "twin"; %s sets its stepsizes, so that two specs
// of one name and output directory differ in every row.
const sameNameSpec = `name: twin
seed: 4
params:
  n: 12
  d: 20
  sparsity: 3
  init: 0.1
  steps: 4000
  stop_loss: 1.0e-12
grid:
  stepsize: %s
  seed: {range: 6}
  optimizer: [gd, nag]
  momentum: [0.5]
`

// TestSameNameSweeps runs two specs with the same name into the same output directory at once,
// on one server with two workers (a spec edited while its old sweep still runs). Each run
// either succeeds with its own table or says clearly that the other sweep's table replaced
// it; the table left is whole, equal to a fault-free run of the spec its metadata names. On
// main both sweeps wrote out/shards: one exited 0 with a table mixing both specs' rows, the
// other failed with "shards are missing".
func TestSameNameSweeps(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	texts := map[string]string{
		"a": fmt.Sprintf(sameNameSpec, "[0.01, 0.02, 0.05, 0.1, 0.2]"),
		"b": fmt.Sprintf(sameNameSpec, "[0.015, 0.03, 0.07, 0.15, 0.3]"),
	}
	refs := map[string]*results.Table{}
	for k, text := range texts { // the fault-free tables, each spec alone
		ref := t.TempDir()
		refs[k], _ = runSweepCmd(t, ref, writeSpec(t, ref, text))
	}

	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	addr, _ := startCluster(t, ctx, dir, 2, "--concurrency", "1")
	out := filepath.Join(dir, "out")
	var wg sync.WaitGroup
	outcome := map[string]string{}
	var mu sync.Mutex
	for k, text := range texts {
		sub := filepath.Join(dir, k)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		specPath := writeSpec(t, sub, text)
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd, stdout, stderr := sweepCmd(ctx, sub, "run", specPath, "--address", addr, "--out", out, "--chunk", "2")
			err := cmd.Run()
			mu.Lock()
			defer mu.Unlock()
			var exit *exec.ExitError
			switch {
			case err == nil:
				outcome[k] = "ok"
			case errors.As(err, &exit) && strings.Contains(stderr.String(), "now holds the table of sweep"):
				outcome[k] = "replaced"
			default:
				t.Errorf("sweep %s: %v\n%s\n%s", k, err, stdout, stderr)
			}
		}()
	}
	wg.Wait()
	t.Logf("outcomes: %v", outcome)
	tab, err := results.ReadFile(filepath.Join(out, "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	var owner string
	for k, text := range texts {
		if tab.Meta[results.MetaSpec] == text {
			owner = k
		}
	}
	if owner == "" {
		t.Fatalf("the table's metadata names neither spec")
	}
	if ok, diff := results.Equal(refs[owner], tab); !ok {
		t.Errorf("the table left (spec %s by its metadata) differs from a fault-free run of that spec: %s", owner, diff)
	}
	if outcome[owner] != "ok" {
		t.Errorf("spec %s's table is the one left, but its run ended %q", owner, outcome[owner])
	}
}

// TestHugeSpecRefused: a 10 MB spec is refused before anything is submitted, with its size
// and the limit in the message and exit code 2 (main sent it and hit gRPC's 4 MB limit,
// leaving state behind).
func TestHugeSpecRefused(t *testing.T) {
	dir := t.TempDir()
	specPath := writeSpec(t, dir, fmt.Sprintf(sameNameSpec, "[0.01]")+"# "+strings.Repeat("x", 10<<20)+"\n")
	cmd, _, stderr := sweepCmd(context.Background(), dir, "run", specPath, "--state", filepath.Join(dir, "state"))
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "over the limit") {
		t.Fatalf("sweep run of a 10 MB spec: %v, stderr %q; want exit 2 naming the limit", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state directory created (%v): the spec reached the server", err)
	}
}
