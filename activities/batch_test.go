package activities

import (
	"runtime"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/phasesweep/phasesweep/pkg/grid"
)

// memoryTestSpec has 20,000 tiny points: gd (batched, 40 stepsizes per dataset) and sgd
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
// shard; datasets and batches are per chunk), so 35 more chunks (17,500 more points) may not
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
		if _, err := env.ExecuteActivity(a.SimulateChunk, ChunkInput{Spec: memoryTestSpec, SpecFile: "mem.yaml", Chunk: c, Shard: ShardPath(dir, c.ID)}); err != nil {
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
