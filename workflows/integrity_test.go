package workflows

// Tests that a sweep's table is never silently wrong when its inputs or its files change under
// it: each reproduces a way main gave a wrong table (or deleted a user's file, or stalled)
// before the per-sweep layout, shard checks and pinning existed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// pinnedInput is sweepInput with the pin sweep run sets: the grid hash of the spec.
func pinnedInput(t *testing.T, source string, chunk, concurrency int) SweepInput {
	t.Helper()
	g := testGrid(t, source)
	in := sweepInput(t, source, g.Count(), chunk, concurrency)
	in.Hash, in.Data = g.Hash(), g.DataFiles()
	return in
}

// tamperBeforeFirstMerge is a test environment with the real activities whose first
// MergeShards runs tamper first (a fault that strikes a finished shard); it returns the
// environment and the count of merges run.
func tamperBeforeFirstMerge(t *testing.T, tamper func() error) (*testsuite.TestWorkflowEnvironment, *atomic.Int32) {
	t.Helper()
	a := &activities.Activities{}
	env := newEnv(t, a)
	merges := new(atomic.Int32)
	env.OnActivity(a.MergeShards, mock.Anything, mock.Anything).Return(func(ctx context.Context, mi activities.MergeInput) (activities.MergeOutput, error) {
		if merges.Add(1) == 1 {
			if err := tamper(); err != nil {
				return activities.MergeOutput{}, err
			}
		}
		return a.MergeShards(ctx, mi)
	})
	return env, merges
}

// sweepError runs the sweep, which must fail, and returns its error.
func sweepError(t *testing.T, a *activities.Activities, in SweepInput) error {
	t.Helper()
	env := newEnv(t, a)
	env.ExecuteWorkflow(SweepWorkflow, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	err := env.GetWorkflowError()
	if err == nil {
		t.Fatal("sweep succeeded, want an error")
	}
	return err
}

// TestCorruptShardRecomputed truncates one finished shard just before the merge (as a disk
// fault or a killed copy would): the merge sets it aside, the sweep computes its chunk again,
// and the table equals simulating every point directly. On main before the per-sweep layout
// the merge failed with "parquet: magic" and was retried forever.
func TestCorruptShardRecomputed(t *testing.T) {
	g := testGrid(t, testSpec)
	in := pinnedInput(t, testSpec, 3, 4)
	env, merges := tamperBeforeFirstMerge(t, func() error { return os.Truncate(layoutOf(in).Shard(2), 100) })
	out := runSweep(t, env, in)
	tab, err := results.ReadFile(out.Results)
	if err != nil {
		t.Fatal(err)
	}
	if ok, diff := results.Equal(tab, directTable(t, g)); !ok {
		t.Errorf("table after recomputing the corrupt chunk differs from direct simulation: %s", diff)
	}
	if n := merges.Load(); n != 2 {
		t.Errorf("%d merges, want 2 (one that sets the shard aside, one after recomputing it)", n)
	}
	p := queryProgress(t, env)
	if p.Recomputed != 1 || !strings.Contains(p.SetAside, "chunk 2") || !strings.Contains(p.SetAside, "unreadable") {
		t.Errorf("progress Recomputed = %d, SetAside = %q; want 1 and a line naming chunk 2 as unreadable", p.Recomputed, p.SetAside)
	}
	aside, _ := filepath.Glob(filepath.Join(layoutOf(in).SetAsideDir(), "*"))
	if len(aside) != 1 || filepath.Base(aside[0]) != "chunk-000002.parquet" {
		t.Errorf("set-aside directory holds %v, want the truncated chunk-000002.parquet", aside)
	}
}

// TestForeignShardSetAside puts the shard of another spec's sweep (same name, other values:
// what two specs writing one output directory produced) in place of one of this sweep's
// shards before the merge. On main the merge took it: a table with the other spec's rows and
// this spec's metadata, exit 0. Now it is set aside and its chunk recomputed.
func TestForeignShardSetAside(t *testing.T) {
	other := strings.Replace(testSpec, "stepsize: [0.01, 0.05, 0.2, 3.0]", "stepsize: [0.02, 0.06, 0.3, 4.0]", 1)
	g := testGrid(t, testSpec)
	in := pinnedInput(t, testSpec, 4, 4)
	// The other sweep's chunk 1, as a sweep of that spec writes it, copied where this
	// sweep's chunk 1 is just before the merge.
	foreign := foreignShard(t, other, "other-sweep", 1, 4)
	env, _ := tamperBeforeFirstMerge(t, func() error { return os.WriteFile(layoutOf(in).Shard(1), foreign, 0o644) })
	out := runSweep(t, env, in)
	tab, err := results.ReadFile(out.Results)
	if err != nil {
		t.Fatal(err)
	}
	if ok, diff := results.Equal(tab, directTable(t, g)); !ok {
		t.Errorf("table differs from direct simulation of its own spec: %s", diff)
	}
	if p := queryProgress(t, env); p.Recomputed != 1 || !strings.Contains(p.SetAside, "another") {
		t.Errorf("progress Recomputed = %d, SetAside = %q; want 1, naming the shard as another sweep's", p.Recomputed, p.SetAside)
	}
}

// foreignShard returns the bytes of the shard of chunk id (size points per chunk) of sweep
// sweepID of the spec source, written by the SimulateChunk activity.
func foreignShard(t *testing.T, source, sweepID string, id, size int) []byte {
	t.Helper()
	g := testGrid(t, source)
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	a := &activities.Activities{}
	env.RegisterActivity(a)
	in := activities.ChunkInput{Spec: source, SpecFile: testSpecFile, Shard: filepath.Join(t.TempDir(), "chunk.parquet"),
		Pin: activities.Pin{Sweep: sweepID}}
	in.Chunk.ID = id
	in.Chunk.Start, in.Chunk.End = layout.ChunkRange(id, g.Count(), size)
	if _, err := env.ExecuteActivity(a.SimulateChunk, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(in.Shard)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnwritableOutputFailsFast gives a sweep an output directory below a regular file, which
// nobody (not even root) can create: the sweep fails at once with the reason. On main its
// chunks were retried forever while status said "running".
func TestUnwritableOutputFailsFast(t *testing.T) {
	in := pinnedInput(t, testSpec, 4, 4)
	file := filepath.Join(in.OutDir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	in.OutDir = filepath.Join(file, "out")
	env := newEnv(t, &activities.Activities{})
	var attempts atomic.Int32
	env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { attempts.Add(1) })
	env.ExecuteWorkflow(SweepWorkflow, in)
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrOutput || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("error = %v, want an %s error saying the output is not a directory", err, activities.ErrOutput)
	}
	if n := attempts.Load(); n != 1 {
		t.Errorf("%d activity attempts, want 1 (the first write fails the sweep, no retry)", n)
	}
}

// TestUserFilesSurvive runs a sweep into a directory that already holds a user's shards/
// folder and other files: they are all there afterwards, untouched (main's merge removed
// out/shards whole). A results.parquet that phasesweep did not write is refused, not
// overwritten.
func TestUserFilesSurvive(t *testing.T) {
	in := pinnedInput(t, testSpec, 4, 4)
	mine := map[string]string{
		"shards/db/important.txt":     "keep me",
		"shards/chunk-000000.parquet": "not a shard of any sweep",
		"notes.txt":                   "mine",
		".phasesweep/README":          "also mine",
	}
	for name, text := range mine {
		p := filepath.Join(in.OutDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runSweep(t, newEnv(t, &activities.Activities{}), in)
	for name, text := range mine {
		if b, err := os.ReadFile(filepath.Join(in.OutDir, name)); err != nil || string(b) != text {
			t.Errorf("%s after the sweep: %q, %v; want %q untouched", name, b, err, text)
		}
	}
	if _, err := os.Stat(layoutOf(in).WorkDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the sweep's own directory is still there after the merge (%v)", err)
	}

	user := pinnedInput(t, testSpec, 4, 4)
	table := layoutOf(user).Results()
	if err := os.WriteFile(table, []byte("my own results"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := sweepError(t, &activities.Activities{}, user)
	if !strings.Contains(err.Error(), "not written by phasesweep") {
		t.Errorf("error = %v, want a refusal to overwrite a results.parquet phasesweep did not write", err)
	}
	if b, _ := os.ReadFile(table); string(b) != "my own results" {
		t.Errorf("user's results.parquet now holds %q", b)
	}
}

// TestStaleTempsRemoved leaves the empty temp file a merge killed mid-write leaves beside
// results.parquet: the next sweep into that directory removes it (main left them forever).
func TestStaleTempsRemoved(t *testing.T) {
	in := pinnedInput(t, testSpec, 4, 4)
	stale := filepath.Join(in.OutDir, ".results.parquet.1234567.tmp")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	runSweep(t, newEnv(t, &activities.Activities{}), in)
	if names := dirNames(t, in.OutDir); len(names) != 1 || names[0] != "results.parquet" {
		t.Errorf("output directory holds %q, want only results.parquet", names)
	}
}

// dataSpec sweeps 12 points on the CSV dataset %s.
const dataSpec = `name: pinned
seed: 2
params:
  data: %s
  init: 0.1
  momentum: 0.5
  steps: 500
grid:
  optimizer: [gd, hb]
  stepsize: [0.01, 0.02, 0.05, 0.1, 0.2, 0.3]
`

// writeCSV writes a dataset of 8 training and 2 test rows in 3 columns, scaled by scale.
func writeCSV(t *testing.T, path string, scale float64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("x0,x1,x2,y,split\n")
	for i := range 10 {
		split := "train"
		if i >= 8 {
			split = "test"
		}
		x := []float64{float64(i%3) - 1, float64(i%4) / 2, float64(i%5) - 2}
		fmt.Fprintf(&b, "%g,%g,%g,%g,%s\n", scale*x[0], scale*x[1], scale*x[2], scale*(x[0]-x[2]), split)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDataChangedFailsSweep replaces the sweep's data file while its chunks run (after the
// first point of chunk 2): the next chunk finds the content changed since submission and the
// sweep fails with a message naming the file; no table is written. On main the sweep went on
// and exited with rows of both contents in one table.
func TestDataChangedFailsSweep(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.csv")
	writeCSV(t, data, 1)
	file := filepath.Join(dir, "pinned.yaml")
	source := fmt.Sprintf(dataSpec, data)
	g := testGridAt(t, file, source)
	in := SweepInput{Spec: source, SpecFile: file, OutDir: t.TempDir(), Points: g.Count(), ChunkSize: 2, Concurrency: 1,
		SweepID: testSweepID, Hash: g.Hash(), Data: g.DataFiles()}
	a := activities.WithHooks(activities.Hooks{Inject: func(_ activity.Info, p int64) error {
		if p == 4 {
			writeCSV(t, data, 2)
		}
		return nil
	}})
	err := sweepError(t, a, in)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrDataChanged ||
		!strings.Contains(err.Error(), "data.csv") || !strings.Contains(err.Error(), "changed since the sweep was submitted") {
		t.Errorf("error = %v, want a %s error naming data.csv", err, activities.ErrDataChanged)
	}
	if _, err := os.Stat(layoutOf(in).Results()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a results table was written (%v)", err)
	}
}

// TestPayloadsSmall runs a sweep whose spec is over 100 KB (a long comment) in 24 chunks:
// every activity input stays a few KB, since activities read the spec copy. On main each
// input carried the whole spec, so a child's history grew by the spec's size per chunk.
func TestPayloadsSmall(t *testing.T) {
	big := testSpec + "# " + strings.Repeat("padding ", 13000) + "\n"
	if len(big) < 100_000 {
		t.Fatalf("spec is %d bytes, want over 100 KB", len(big))
	}
	g := testGrid(t, big)
	in := pinnedInput(t, big, 1, 4)
	env := newEnv(t, &activities.Activities{})
	var largest atomic.Int64
	var names []string
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		var v json.RawMessage
		if err := args.Get(&v); err != nil {
			t.Errorf("decode input of %s: %v", info.ActivityType.Name, err)
			return
		}
		names = append(names, info.ActivityType.Name)
		if n := int64(len(v)); n > largest.Load() && info.ActivityType.Name != "PrepareSweep" {
			largest.Store(n)
		}
	})
	out := runSweep(t, env, in)
	if out.Rows != int(g.Count()) {
		t.Errorf("%d rows for %d points", out.Rows, g.Count())
	}
	if n := largest.Load(); n > 4096 {
		t.Errorf("largest chunk or merge input is %d bytes, want at most 4 KB whatever the spec's size", n)
	}
	if len(names) == 0 || names[0] != "PrepareSweep" {
		t.Errorf("activities ran %v, want PrepareSweep first", names)
	}
	if _, err := os.Stat(layout.Sweep{Out: in.OutDir, ID: in.SweepID}.SpecCopy()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("spec copy still there after the merge (%v)", err)
	}
}
