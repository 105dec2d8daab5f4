package main

// End-to-end tests: the real sweep and worker binaries against the real embedded Temporal
// server (SQLite state on disk), reading the Parquet they write. They cover
// resume after SIGKILL, server + workers on separate processes, idempotent
// reruns and spec errors that submit nothing.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// bins holds the binaries built once for all tests.
var bins struct{ sweep, worker string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "phasesweep-bin")
	if err != nil {
		panic(err)
	}
	bins.sweep, bins.worker = filepath.Join(dir, "sweep"), filepath.Join(dir, "worker")
	for target, pkg := range map[string]string{bins.sweep: ".", bins.worker: "../worker"} {
		cmd := exec.Command("go", "build", "-o", target, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build", pkg, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// e2eSpec is a sweep of 48 points that takes several seconds on 2 cores, so that it can be
// interrupted midway.
const e2eSpec = `name: e2e
seed: 7
params:
  n: 20
  d: 30
  sparsity: 3
  init: 0.1
  batch: 2
  steps: 40000
  stop_loss: 1.0e-12
grid:
  optimizer: [gd, sgd]
  stepsize: {logspace: [0.01, 0.3], num: 8}
  seed: {range: 3}
`

func writeSpec(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sweepCmd prepares `sweep args...` in dir with output captured.
func sweepCmd(ctx context.Context, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, bins.sweep, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// runSweepCmd runs `sweep run` to completion and returns the results table.
func runSweepCmd(t *testing.T, dir, specPath string, extra ...string) (*results.Table, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	args := append([]string{"run", specPath, "--state", filepath.Join(dir, "state"), "--out", filepath.Join(dir, "out")}, extra...)
	cmd, stdout, stderr := sweepCmd(ctx, dir, args...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("sweep run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if !strings.HasPrefix(lastLine(stdout.String()), "results: ") {
		t.Fatalf("last line does not name the output: %q", stdout)
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return tab, stderr.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// checkTable checks the contract of docs/design.md: one row per point in order, the parameter
// columns, the metrics, and the metadata.
func checkTable(t *testing.T, tab *results.Table, points int, specText string) {
	t.Helper()
	if len(tab.Rows) != points {
		t.Fatalf("%d rows, want %d", len(tab.Rows), points)
	}
	for i, r := range tab.Rows {
		if r[0].I != int64(i) {
			t.Fatalf("row %d has point %d", i, r[0].I)
		}
	}
	var names []string
	for _, f := range tab.Fields {
		names = append(names, f.Name)
	}
	want := "point n d sparsity init batch max_steps stop_loss optimizer stepsize seed " +
		"train_loss test_loss beta_err l1 l2 nnz precision recall int_loss gain_l1 gain_on gain_off max_gamma_g " +
		"pred_err gf_err sharpness gamma_max gamma_div gamma_rel hb_gap hb_gap_w mod_loss jumps jump_times plateau_losses aux_train_loss aux_test_loss mtl_penalty ptft_penalty status steps error"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	if tab.Meta[results.MetaSpec] != specText {
		t.Errorf("metadata spec differs from the spec file")
	}
	s, err := spec.Parse("x", []byte(specText))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Meta[results.MetaSpecHash] != s.Hash() || tab.Meta[results.MetaVersion] == "" {
		t.Errorf("metadata %v lacks the spec hash or version", tab.Meta)
	}
}

func TestRunKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	ref := t.TempDir()
	refTab, _ := runSweepCmd(t, ref, writeSpec(t, ref, e2eSpec))
	checkTable(t, refTab, 48, e2eSpec)

	// Rerun after completion: the finished sweep is found, nothing is recomputed (the table's
	// file is not rewritten).
	resPath := filepath.Join(ref, "out", "results.parquet")
	before, _ := os.Stat(resPath)
	_, stderr := runSweepCmd(t, ref, filepath.Join(ref, "spec.yaml"))
	after, _ := os.Stat(resPath)
	if !strings.Contains(stderr, "already finished") || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("rerun of a finished sweep recomputed it: %s", stderr)
	}

	// Interrupted run: SIGKILL once the first shards exist, then the same command again.
	dir := t.TempDir()
	specPath := writeSpec(t, dir, e2eSpec)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// Chunks of 2 points in batches of 4 chunks, 2 batches per run of the sweep: 6 child
	// workflows and 2 continue-as-new, so the kill lands somewhere in that machinery.
	scale := []string{"--chunk", "2", "--group-chunks", "4", "--groups-per-run", "2"}
	cmd, _, stderr1 := sweepCmd(ctx, dir, append([]string{"run", specPath, "--state", filepath.Join(dir, "state"), "--out", filepath.Join(dir, "out")}, scale...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	shards := filepath.Join(dir, "out", layout.Dir, "*", "shards") // every sweep's shard directory
	for {
		if m, _ := filepath.Glob(filepath.Join(shards, "chunk-*.parquet")); len(m) >= 3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no shards appeared: %s", stderr1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, "out", "results.parquet")); err == nil {
		t.Fatal("the sweep finished before it was killed; the test needs a longer sweep")
	}
	tab, stderr2 := runSweepCmd(t, dir, specPath, scale...)
	if !strings.Contains(stderr2, "resuming sweep") {
		t.Errorf("second run did not resume the sweep: %s", stderr2)
	}
	if ok, diff := results.Equal(refTab, tab); !ok {
		t.Fatalf("resumed sweep differs from an uninterrupted one: %s", diff)
	}
	if _, err := os.Stat(shards); err == nil {
		t.Error("shards left behind after the merge")
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestServerAndWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	ref := t.TempDir()
	refTab, _ := runSweepCmd(t, ref, writeSpec(t, ref, e2eSpec))

	dir := t.TempDir()
	specPath := writeSpec(t, dir, e2eSpec)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	addr, serverErr := startCluster(t, ctx, dir, 2, "--concurrency", "1")
	// The run waits for the server's frontend by retrying the dial.
	var tab *results.Table
	deadline := time.Now().Add(time.Minute)
	for {
		cmd, stdout, stderr := sweepCmd(ctx, dir, "run", specPath, "--address", addr, "--out", filepath.Join(dir, "out"), "--chunk", "3")
		err := cmd.Run()
		if err == nil {
			var rerr error
			if tab, rerr = results.ReadFile(filepath.Join(dir, "out", "results.parquet")); rerr != nil {
				t.Fatal(rerr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sweep run --address: %v\n%s\n%s\nserver: %s", err, stdout, stderr, serverErr)
		}
		time.Sleep(time.Second)
	}
	if ok, diff := results.Equal(refTab, tab); !ok {
		t.Fatalf("server + 2 workers differ from the embedded default: %s", diff)
	}
}

func TestSpecErrorsExit2(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"misspelt key", strings.Replace(e2eSpec, "  sparsity: 3", "  sparsty: 3", 1),
			`spec.yaml:6: params.sparsty: unknown key "sparsty" (did you mean "sparsity"?)`},
		{"negative stepsize", strings.Replace(e2eSpec, "{logspace: [0.01, 0.3], num: 8}", "[0.1, -0.2]", 1),
			"spec.yaml:13: grid.stepsize: must be > 0, got -0.2"},
		{"batch larger than n", strings.Replace(e2eSpec, "batch: 2", "batch: 50", 1),
			"spec.yaml:8: params.batch: must satisfy 1 <= batch <= n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			specPath := writeSpec(t, dir, c.text)
			cmd, _, stderr := sweepCmd(context.Background(), dir, "run", "spec.yaml", "--state", "state")
			err := cmd.Run()
			if cmd.ProcessState.ExitCode() != 2 {
				t.Fatalf("exit status %v, want 2; stderr %s", err, stderr)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q does not contain %q", stderr, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "state")); err == nil {
				t.Error("a state directory was created: something was started for a bad spec")
			}
			_ = specPath
		})
	}
}
