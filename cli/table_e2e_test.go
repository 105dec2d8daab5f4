package main

// End-to-end tests of what sweep run and sweep results do about a finished sweep's table:
// rebuilt when it is missing (from the sweep's shards and the result cache), copied to
// another --out, and no stale partial table left beside it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// copyFile copies the file src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameTable checks that the table at got has the rows of the table at want, floats bit for
// bit (results.Equal), and the same schema metadata (spec, spec hash, spec file, version,
// sweep id): a rebuilt table is the one the sweep wrote.
func sameTable(t *testing.T, want, got string) {
	t.Helper()
	w, err := results.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	g, err := results.ReadFile(got)
	if err != nil {
		t.Fatalf("the rebuilt table: %v", err)
	}
	if ok, diff := results.Equal(w, g); !ok {
		t.Errorf("%s differs from the sweep's original table: %s", got, diff)
	}
	if !maps.Equal(w.Meta, g.Meta) {
		t.Errorf("%s metadata\n got %v\nwant %v", got, g.Meta, w.Meta)
	}
	wb, _ := os.ReadFile(want)
	gb, _ := os.ReadFile(got)
	t.Logf("%s: %d rows, byte for byte the original: %t", filepath.Base(got), len(g.Rows), bytes.Equal(wb, gb))
}

// gone reports whether nothing is at path.
func gone(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// processExit is the exit status of a finished command's error (0 for nil, -1 if it did not run).
func processExit(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// TestRebuildMissingTable deletes a finished sweep's results.parquet: sweep run, sweep
// results and sweep watch each rebuild it from the result cache, equal to the original; sweep
// status and sweep list then show the sweep once, started when it first ran; sweep run --out
// elsewhere copies it there and says where the sweep's table is; with the cache gone too,
// sweep status and sweep list say that the table is missing, and the three commands fail
// saying which points are missing and how to recompute them. On main run and results printed
// the path of the missing file; later, watch still did, and status and list showed the start
// of the last rebuild, list one row per run, and their text said nothing of the missing table.
func TestRebuildMissingTable(t *testing.T) {
	e := newE2ESweep(t)
	dir, specPath, state, out, sweep := e.dir, e.spec, e.state, e.out, e.sweep
	before := time.Now()
	runSweepCmd(t, dir, specPath)
	after := time.Now() // the sweep's first (and until the rebuilds only) run started in between
	table := filepath.Join(out, "results.parquet")
	orig := filepath.Join(dir, "original.parquet")
	copyFile(t, table, orig)

	for _, c := range []struct{ name, command string }{
		{"sweep run", "run"}, {"sweep results", "results"}, {"sweep watch", "watch"},
	} {
		if err := os.Remove(table); err != nil {
			t.Fatal(err)
		}
		args := []string{c.command, "spec.yaml", "--json"}
		if c.command == "run" {
			args = append(args, "--out", out)
		}
		stdout, stderr, err := sweep(args...)
		if err != nil {
			t.Fatalf("%s of the sweep without its table: %v\n%s%s", c.name, err, stdout, stderr)
		}
		m := checkKeys(t, c.name, []byte(stdout))
		if from, ok := m["from"]; m["rebuilt"] != true || m["results"] != table || m["rows"] != float64(48) || ok && from != "" {
			t.Errorf("%s --json after the rebuild: %s", c.name, stdout)
		}
		if !strings.Contains(stderr, "results.parquet is missing: rebuilding it from the result cache "+filepath.Join(state, "cache")+" (48 points)") {
			t.Errorf("%s does not say it rebuilds the table from the cache:\n%s", c.name, stderr)
		}
		sameTable(t, orig, table)
	}
	checkFirstStart(t, e, before, after)

	// Another --out: the sweep keeps its output; its table is copied to the one asked for.
	other := filepath.Join(dir, "other")
	stdout, stderr, err := sweep("run", specPath, "--out", other, "--json")
	if err != nil {
		t.Fatalf("run --out elsewhere: %v\n%s%s", err, stdout, stderr)
	}
	copied := filepath.Join(other, "results.parquet")
	m := checkKeys(t, "sweep run", []byte(stdout))
	if m["results"] != copied || m["from"] != table || m["rebuilt"] != false {
		t.Errorf("run --out elsewhere --json: %s", stdout)
	}
	if !strings.Contains(stderr, "has its table at "+table+" (the output it was started with); copied it to "+copied) {
		t.Errorf("run --out elsewhere does not say where the sweep's table is:\n%s", stderr)
	}
	sameBytes(t, table, copied)
	if stdout, _, _ := sweep("run", specPath, "--out", other); !strings.HasPrefix(lastLine(stdout), "results: "+copied+" (48 rows") {
		t.Errorf("run --out elsewhere prints %q, want the copy's path", stdout)
	}

	// Nothing left to rebuild from: a clear error, and nothing is simulated or written.
	if err := os.Remove(table); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(state, "cache")); err != nil {
		t.Fatal(err)
	}
	missing := regexp.MustCompile(`its table ` + regexp.QuoteMeta(table) + ` is missing: sweep results sweep-e2e-\S+ rebuilds it`)
	if stdout, _, _ := sweep("status", "spec.yaml", "--json"); !regexp.MustCompile(`"message":"` + missing.String() + `"`).MatchString(stdout) {
		t.Errorf("status --json of the sweep without its table does not say so: %s", stdout)
	}
	if stdout, _, _ := sweep("status", "spec.yaml"); !regexp.MustCompile(`(?m)^  results: .*\n  ` + missing.String() + `$`).MatchString(stdout) {
		t.Errorf("status of the sweep without its table does not say so:\n%s", stdout)
	}
	if stdout, _, _ := sweep("list"); !regexp.MustCompile(`sweep-e2e-\S+\s+completed\s.*\s48/48 \(table missing\)\n`).MatchString(stdout) {
		t.Errorf("list of the sweep without its table does not mark it:\n%s", stdout)
	}
	for _, args := range [][]string{{"results", "spec.yaml"}, {"watch", "spec.yaml"}, {"run", specPath, "--out", out}} {
		stdout, stderr, err := sweep(args...)
		if code := processExit(err); code != 1 || !strings.Contains(stderr, "results.parquet is missing and cannot be rebuilt: 48 of its 48 points (the first: point 0) are in no shard of the sweep") ||
			!strings.Contains(stderr, "sweep retry sweep-e2e-") {
			t.Errorf("sweep %s without table and cache: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
	if !gone(table) {
		t.Error("a table was written without its points")
	}
}

// checkFirstStart checks that sweep status and sweep list show e's sweep once, as completed
// with its table, started between before and after (when its first run started), not when
// a later run under its id (a rebuild) did. sweep list's text is checked, not its JSON: both
// print the same rows (TestStatusTellsTheTruth checks the JSON's keys).
func checkFirstStart(t *testing.T, e *e2eSweep, before, after time.Time) {
	t.Helper()
	stdout, stderr, err := e.sweep("status", "spec.yaml", "--json")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, stderr)
	}
	var st sweepState
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("status --json: %v: %s", err, stdout)
	}
	if st.Started.Before(before) || st.Started.After(after) || st.Status != "completed" || st.Message != "" {
		t.Errorf("status --json after the rebuilds: started %v, want between %v and %v (the first run); %s", st.Started, before, after, stdout)
	}
	stdout, _, _ = e.sweep("list") // its rows are those of list --json
	if !strings.Contains(stdout, st.Started.Local().Format("  2006-01-02 15:04:05  ")) {
		t.Errorf("list does not show the start status shows, %v:\n%s", st.Started, stdout)
	}
	rows := regexp.MustCompile(`(?m)^sweep-e2e-\S+\s+completed\s+(\S+ \S+)\s+48/48$`).FindAllStringSubmatch(stdout, -1)
	if len(rows) != 1 || strings.Count(stdout, "sweep-e2e-") != 1 {
		t.Errorf("list after the rebuilds, want one completed row with its table:\n%s", stdout)
		return
	}
	shown, err := time.ParseInLocation("2006-01-02 15:04:05", rows[0][1], time.Local)
	if err != nil || shown.Before(before.Truncate(time.Second)) || shown.After(after) {
		t.Errorf("list shows the sweep started at %s, want between %v and %v (%v)", rows[0][1], before, after, err)
	}
}

// e2eSweep is a sweep of e2eSpec in a temporary directory: its spec file, state directory
// and output directory, and the context its commands run under.
type e2eSweep struct {
	t                     *testing.T
	ctx                   context.Context
	dir, spec, state, out string
}

// newE2ESweep writes e2eSpec (48 points) into a temporary directory; it skips in -short.
func newE2ESweep(t *testing.T) *e2eSweep {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	t.Cleanup(cancel)
	return &e2eSweep{t: t, ctx: ctx, dir: dir, spec: writeSpec(t, dir, e2eSpec),
		state: filepath.Join(dir, "state"), out: filepath.Join(dir, "out")}
}

// sweep runs `sweep args... --state STATE` in the sweep's directory.
func (e *e2eSweep) sweep(args ...string) (stdout, stderr string, err error) {
	cmd, o, se := sweepCmd(e.ctx, e.dir, append(args, "--state", e.state)...)
	err = cmd.Run()
	return o.String(), se.String(), err
}

// startAfterShards starts sweep run with chunks of one point, one at a time, and returns it,
// still running, once three chunks have finished shards, with the sweep's shard directory.
func (e *e2eSweep) startAfterShards() (*exec.Cmd, string) {
	t := e.t
	t.Helper()
	run, _, runErr := sweepCmd(e.ctx, e.dir, "run", e.spec, "--state", e.state, "--out", e.out, "--chunk", "1", "--concurrency", "1")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Process.Kill() })
	shards := filepath.Join(e.out, layout.Dir, "*", "shards")
	for finishedShards(shards) < 3 {
		if e.ctx.Err() != nil {
			t.Fatalf("no shards appeared: %s", runErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	m, _ := filepath.Glob(shards)
	if len(m) != 1 {
		t.Fatalf("shard directories %v, want one", m)
	}
	return run, m[0]
}

// TestRebuildFromShardsAndCache: a finished sweep's table is missing, some of its chunks have
// their shards (kept from an interrupted run) and only those, the others their points in the
// result cache: sweep results rebuilds the table from both, equal to the original, and
// removes the shards again.
func TestRebuildFromShardsAndCache(t *testing.T) {
	e := newE2ESweep(t)
	dir, specPath := e.dir, e.spec
	cacheDir := filepath.Join(e.state, "cache")
	run, shardDir := e.startAfterShards()
	_ = run.Process.Signal(syscall.SIGKILL)
	_ = run.Wait()
	// The finished shards, and the cache files written so far: a chunk writes its shard, then
	// its cache file, so every cache file here is of a chunk saved in kept.
	kept := filepath.Join(dir, "kept")
	if err := os.Mkdir(kept, 0o755); err != nil {
		t.Fatal(err)
	}
	m, _ := filepath.Glob(filepath.Join(shardDir, "chunk-*.parquet"))
	var saved int
	for _, p := range m {
		if !strings.Contains(filepath.Base(p), ".partial.") {
			copyFile(t, p, filepath.Join(kept, filepath.Base(p)))
			saved++
		}
	}
	early, _ := filepath.Glob(filepath.Join(cacheDir, "*.parquet"))
	runSweepCmd(t, dir, specPath) // resumes and finishes
	table := filepath.Join(dir, "out", "results.parquet")
	orig := filepath.Join(dir, "original.parquet")
	copyFile(t, table, orig)

	// The kept chunks' points are only in their shards, the others' only in the cache.
	for _, p := range append([]string{table}, early...) {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(shardDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range m {
		if !strings.Contains(filepath.Base(p), ".partial.") {
			copyFile(t, filepath.Join(kept, filepath.Base(p)), p)
		}
	}
	stdout, stderr, err := e.sweep("results", "spec.yaml", "--json")
	if err != nil {
		t.Fatalf("results: %v\n%s%s", err, stdout, stderr)
	}
	if r := checkKeys(t, "sweep results", []byte(stdout)); r["rebuilt"] != true || r["results"] != table {
		t.Errorf("results --json: %s", stdout)
	}
	want := "rebuilding it from " + strconv.Itoa(saved) + " shards of the sweep (" + strconv.Itoa(saved) + " points) and the result cache " + cacheDir + " (" + strconv.Itoa(48-saved) + " points)"
	if !strings.Contains(stderr, want) {
		t.Errorf("results stderr does not say %q:\n%s", want, stderr)
	}
	sameTable(t, orig, table)
	if !gone(shardDir) {
		t.Error("the shards were left behind after the rebuild's merge")
	}
}

// TestNoStalePartialTable: sweep results merges a running sweep's finished chunks into
// results.partial.parquet; the sweep is cancelled, then run again to the end. Its final merge
// removes that partial table: nothing but the whole results.parquet is left to read. On main
// results.partial.parquet stayed beside it, holding the three chunks of the first run.
func TestNoStalePartialTable(t *testing.T) {
	e := newE2ESweep(t)
	dir, sweep := e.dir, e.sweep
	run, _ := e.startAfterShards()
	partial := filepath.Join(dir, "out", "results.partial.parquet")
	if stdout, stderr, err := sweep("results", "spec.yaml"); err != nil || !strings.HasPrefix(stdout, "PARTIAL results") || gone(partial) {
		t.Fatalf("results of the running sweep: %v\n%s%s", err, stdout, stderr)
	}
	if stdout, stderr, err := sweep("cancel", "spec.yaml"); err != nil {
		t.Fatalf("cancel: %v\n%s%s", err, stdout, stderr)
	}
	_ = run.Wait()
	tab, stderr := runSweepCmd(t, dir, e.spec) // resumes from the kept shards
	if !strings.Contains(stderr, "starting it again") || len(tab.Rows) != 48 || tab.Meta[results.MetaPartial] != "" {
		t.Errorf("the resumed sweep: %d rows, partial %q\n%s", len(tab.Rows), tab.Meta[results.MetaPartial], stderr)
	}
	if !gone(partial) {
		t.Errorf("%s is left beside the finished results.parquet", partial)
	}
}
