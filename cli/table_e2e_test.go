package main

// End-to-end tests of a finished sweep's table: no stale partial table is left beside it.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// gone reports whether nothing is at path.
func gone(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
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
