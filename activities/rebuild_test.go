package activities

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// rebuildTestSpec has 6 points: chunks of 2 are points 0-1, 2-3, 4-5.
const rebuildTestSpec = `name: r
seed: 1
params: {n: 10, d: 15, sparsity: 3, init: 0.1, test: 20, steps: 10, optimizer: gd}
grid:
  stepsize: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]
`

// TestFindRebuildSources: chunk 1 has a finished shard, points 0, 1 and 5 are in the cache
// (point 4 only as a failed row, which a chunk would not reuse): 2 points come from the
// shard, 3 from the cache, and point 4 is missing. Without the cache, or for a spec that
// records trajectories, only the shard counts; a spec changed since submission is an error.
func TestFindRebuildSources(t *testing.T) {
	ctx, st := context.Background(), store.New()
	defer st.Close()
	out, cacheDir := t.TempDir(), t.TempDir()
	l, err := layout.New(out, "sweep-r-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	g := cacheTestGrid(t, rebuildTestSpec)
	fields := results.SweepFields(g.Columns())
	var rows [][]results.Value
	for _, i := range []int64{0, 1, 4, 5} {
		p := g.Point(i)
		res := dynamics.Result{TrainLoss: 1, Status: dynamics.StatusConverged}
		if i == 4 {
			res.Status = results.StatusFailed
		}
		rows = append(rows, results.SweepRow(p.Index, p.Values, res))
	}
	cc, err := newChunkCache(cacheDir, g, fields)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.put(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(l.ShardDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	// FinishedShards counts a shard by its name; MergeShards checks its content.
	if err := os.WriteFile(l.Shard(1), []byte("shard"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := RebuildInput{Layout: l, SpecFile: "r.yaml", Spec: rebuildTestSpec, Points: 6, ChunkSize: 2, CacheDir: cacheDir, Hash: g.Hash()}
	for _, c := range []struct {
		name string
		edit func(*RebuildInput)
		want RebuildSources
	}{
		{"shard and cache", func(*RebuildInput) {},
			RebuildSources{Points: 6, Shards: 1, ShardPoints: 2, Cached: 3, Missing: 1, FirstMissing: 4}},
		{"no cache", func(in *RebuildInput) { in.CacheDir = "" },
			RebuildSources{Points: 6, Shards: 1, ShardPoints: 2, Missing: 4, FirstMissing: 0}},
		{"trajectories", func(in *RebuildInput) { in.Spec += "record: {every: 5}\n"; in.Hash = "" },
			RebuildSources{Points: 6, Recording: true, Missing: 6, FirstMissing: 0}}, // no traj shard: chunk 1 unfinished
	} {
		t.Run(c.name, func(t *testing.T) {
			in := in
			c.edit(&in)
			got, err := FindRebuildSources(ctx, st, in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("sources %+v, want %+v", got, c.want)
			}
		})
	}
	changed := in
	changed.Spec = strings.Replace(rebuildTestSpec, "seed: 1", "seed: 2", 1)
	if _, err := FindRebuildSources(ctx, st, changed); err == nil || !strings.Contains(err.Error(), "changed since it was submitted") {
		t.Errorf("a spec changed since submission: %v", err)
	}
}
