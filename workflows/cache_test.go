package workflows

// Tests of the result cache (pkg/cache, activities/cache.go) through whole sweeps: a sweep
// overlapping a finished one simulates only its new points and yields the rows a cache-less
// run yields, bit for bit.

import (
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// cacheSpecA and cacheSpecB share half their points: stepsize 0.05 (2 optimizers x 2 seeds),
// and B has another name and another axis order, so its shared points have other indices and
// another column order. Stepsize 3.0 in B diverges for some points.
const cacheSpecA = `name: cache-a
seed: 3
params: {n: 10, d: 15, sparsity: 3, init: 0.1, batch: 2, test: 200, steps: 2000, stop_loss: 1.0e-12}
grid:
  optimizer: [gd, sgd]
  stepsize: [0.01, 0.05]
  seed: {range: 2}
`

const cacheSpecB = `name: cache-b
seed: 3
params: {n: 10, d: 15, sparsity: 3, init: 0.1, batch: 2, test: 200, steps: 2000, stop_loss: 1.0e-12}
grid:
  stepsize: [0.05, 3.0]
  seed: {range: 2}
  optimizer: [gd, sgd]
`

// counting are activities that count the points they simulate.
func counting() (*activities.Activities, *atomic.Int64) {
	var n atomic.Int64
	return activities.WithHooks(activities.Hooks{Inject: func(activity.Info, int64) error { n.Add(1); return nil }}), &n
}

// runCounted runs a sweep of source with the cache in cacheDir ("" none), chunks of chunk
// points, and returns its table, its output and the number of points it simulated.
func runCounted(t *testing.T, source, cacheDir string, chunk int) (*results.Table, SweepOutput, int64) {
	t.Helper()
	g := testGrid(t, source)
	a, n := counting()
	in := sweepInput(t, source, g.Count(), chunk, 2)
	in.CacheDir = cacheDir
	out := runSweep(t, newEnv(t, a), in)
	tab, err := results.ReadFile(out.Results)
	if err != nil {
		t.Fatal(err)
	}
	return tab, out, n.Load()
}

// TestCacheSharedPoints is the cache's contract: a second sweep sharing half its
// points with a finished one computes only the other half, with rows identical to a run
// without the cache; without the cache (--no-cache: CacheDir "") every point is simulated.
func TestCacheSharedPoints(t *testing.T) {
	cacheDir := t.TempDir()
	_, _, simA := runCounted(t, cacheSpecA, cacheDir, 3)
	if simA != 8 {
		t.Fatalf("sweep A simulated %d points, want all 8", simA)
	}
	// Chunks of 3 mix cached and new points in one chunk.
	tabB, outB, simB := runCounted(t, cacheSpecB, cacheDir, 3)
	if simB != 4 {
		t.Errorf("sweep B simulated %d points, want 4 (the other 4 are A's)", simB)
	}
	refB, refOut, simRef := runCounted(t, cacheSpecB, "", 3)
	if simRef != 8 {
		t.Errorf("sweep B without the cache simulated %d points, want 8", simRef)
	}
	if ok, diff := results.Equal(refB, tabB); !ok {
		t.Errorf("sweep B with the cache differs from B without it: %s", diff)
	}
	if ok, diff := results.Equal(directTable(t, testGrid(t, cacheSpecB)), tabB); !ok {
		t.Errorf("sweep B with the cache differs from simulating each point directly: %s", diff)
	}
	if outB.Diverged != refOut.Diverged || outB.Diverged == 0 {
		t.Errorf("Diverged = %d with the cache, %d without (want equal and > 0)", outB.Diverged, refOut.Diverged)
	}
	// B again, with other chunks: everything comes from the cache.
	tabB2, _, simB2 := runCounted(t, cacheSpecB, cacheDir, 5)
	if simB2 != 0 {
		t.Errorf("sweep B rerun simulated %d points, want 0", simB2)
	}
	if ok, diff := results.Equal(refB, tabB2); !ok {
		t.Errorf("sweep B from the cache alone differs: %s", diff)
	}
}

// TestCacheRetryAfterFailure is sweep retry in the test suite: a sweep fails part way; the
// same spec started again (here with another chunk size and output directory, so that no
// shard of the first run is reused) with the same cache simulates only the points the first
// run did not finish, and its table equals a fault-free run's.
func TestCacheRetryAfterFailure(t *testing.T) {
	g := testGrid(t, testSpec)
	cacheDir := t.TempDir()
	const failAt = 9 // chunks of 2, one at a time: points 0-7 finish, point 8's chunk fails
	in := sweepInput(t, testSpec, g.Count(), 2, 1)
	in.CacheDir = cacheDir
	env := newEnv(t, failingAt(failAt))
	env.ExecuteWorkflow(SweepWorkflow, in)
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("first run succeeded, want the injected failure")
	}
	tab, _, sim := runCounted(t, testSpec, cacheDir, 3)
	if want := g.Count() - (failAt - 1); sim != want {
		t.Errorf("retry simulated %d points, want %d", sim, want)
	}
	if ok, diff := results.Equal(directTable(t, g), tab); !ok {
		t.Errorf("results after the retry differ from simulating each point directly: %s", diff)
	}
}
