package activities

import (
	"runtime"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// memoryTestSpec has 20,000 tiny points: gd (in lockstep, 40 stepsizes per dataset) and sgd
// (one by one), 250 replicate seeds (datasets), 10 steps each.
const memoryTestSpec = `name: mem
seed: 4
params: {n: 6, d: 8, sparsity: 2, init: 0.1, test: 5, steps: 10, batch: 2}
grid:
  optimizer: [gd, sgd]
  seed: {range: 250}
  stepsize: {linspace: [0.001, 0.01], num: 40}
`

// TestChunkMemoryDoesNotGrow runs 40 chunks of 500 points each, one after the other through
// one worker's activity environment, and measures the live heap (after a GC) after the first
// 5 chunks and after all 40: a worker keeps nothing of a finished chunk (its rows go to the
// shard; datasets and lockstep groups are per chunk), so 35 more chunks (17,500 more points) may not
// add more than 4 MB (a leak of one result row of ~400 bytes per point would add about 7 MB).
func TestChunkMemoryDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20,000 points")
	}
	dir := t.TempDir()
	a := &Activities{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	chunks := grid.Chunks(20000, 500)
	var after5 uint64
	for k, c := range chunks {
		if _, err := env.ExecuteActivity(a.SimulateChunk, ChunkInput{Spec: memoryTestSpec, SpecFile: "mem.yaml", Chunk: c, Shard: layout.Sweep{Out: dir}.Shard(c.ID)}); err != nil {
			t.Fatalf("chunk %d: %v", c.ID, err)
		}
		if k == 4 {
			after5 = heap()
		}
	}
	end := heap()
	t.Logf("live heap after 5 chunks %.2f MB, after %d chunks %.2f MB", float64(after5)/1e6, len(chunks), float64(end)/1e6)
	if end > after5+4<<20 {
		t.Errorf("live heap grew from %.2f MB to %.2f MB over %d more chunks", float64(after5)/1e6, float64(end)/1e6, len(chunks)-5)
	}
}

// lockstepTestSpec mixes points that run in lockstep (gd, hb, nag: stepsizes from converging to
// diverging) with sgd points (one by one) over two datasets, recording trajectories with beta.
const lockstepTestSpec = `name: bt
seed: 6
params: {n: 10, d: 15, sparsity: 3, init: 0.1, test: 20, steps: 400, batch: 2, momentum: 0.5, stop_loss: 1.0e-8}
grid:
  stepsize: [0.01, 0.05, 0.2, 3.0]
  optimizer: [gd, sgd, hb, nag]
  seed: {range: 2}
record: {every: 50, beta: true}
`

// TestLockstepChunkEqualsOneByOne: a chunk run with Hooks.Lockstep (lockstep groups as one
// dynamics.SimulateLockstep) writes the same results and trajectory shards, bit for bit, as
// the same chunk run point by point, for the whole grid and for a chunk that starts and ends
// in the middle of its lockstep groups. Inject sees the points in order either way.
func TestLockstepChunkEqualsOneByOne(t *testing.T) {
	for _, c := range []grid.Chunk{{ID: 0, Start: 0, End: 32}, {ID: 1, Start: 5, End: 27}} {
		var shards [2]string
		for k, on := range []bool{false, true} {
			dir := t.TempDir()
			var order []int64
			a := WithHooks(Hooks{Lockstep: &on, Inject: func(_ activity.Info, p int64) error { order = append(order, p); return nil }})
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(a)
			shards[k] = layout.Sweep{Out: dir}.Shard(c.ID)
			if _, err := env.ExecuteActivity(a.SimulateChunk, ChunkInput{Spec: lockstepTestSpec, SpecFile: "bt.yaml", Chunk: c, Shard: shards[k]}); err != nil {
				t.Fatalf("chunk %v lockstep %v: %v", c, on, err)
			}
			for j, p := range order {
				if p != c.Start+int64(j) {
					t.Fatalf("lockstep %v: Inject saw points %v, want %d..%d in order", on, order, c.Start, c.End-1)
				}
			}
		}
		for _, path := range []func(string) string{func(s string) string { return s }, layout.TrajectoryShard} {
			a, err := results.ReadFile(path(shards[0]))
			if err != nil {
				t.Fatal(err)
			}
			b, err := results.ReadFile(path(shards[1]))
			if err != nil {
				t.Fatal(err)
			}
			if ok, diff := results.Equal(b, a); !ok {
				t.Errorf("chunk %v: %s in lockstep differs from one by one: %s", c, path("shard"), diff)
			}
			if len(a.Rows) < int(c.Len()) {
				t.Errorf("chunk %v: %s has %d rows", c, path("shard"), len(a.Rows))
			}
		}
	}
}
