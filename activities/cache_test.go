package activities

import (
	"context"
	"slices"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

const cacheTestSpec = `name: c
seed: 1
params: {n: 10, d: 15, sparsity: 3, init: 0.1, test: 20, steps: 10, optimizer: gd}
grid:
  stepsize: [0.01, 0.02, 0.03]
`

func cacheTestGrid(t *testing.T, source string) *grid.Grid {
	t.Helper()
	s, err := spec.Parse("c.yaml", []byte(source))
	if err != nil {
		t.Fatal(err)
	}
	return grid.New(s)
}

// TestChunkCacheStore checks what a chunk stores and finds: simulated rows, not failed ones
// and not those it found; rows rebuilt with this spec's index and values; nothing at all
// when the spec records trajectories, or with no cache directory.
func TestChunkCacheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	g := cacheTestGrid(t, cacheTestSpec)
	fields := results.SweepFields(g.Columns())
	rows := make([][]results.Value, 3)
	for i := range rows {
		p := g.Point(int64(i))
		res := dynamics.Result{TrainLoss: float64(i), Status: dynamics.StatusConverged, Steps: i}
		if i == 1 {
			res.Status = results.StatusFailed
		}
		rows[i] = results.SweepRow(p.Index, p.Values, res)
	}
	cc := openChunkCache(ctx, dir, g, fields)
	if cc == nil {
		t.Fatal("no cache")
	}
	cc.store(ctx, rows)
	for i, want := range []bool{true, false, true} {
		row, _, ok := openChunkCache(ctx, dir, g, fields).Lookup(g.Point(int64(i)))
		if ok != want {
			t.Errorf("point %d found %t, want %t", i, ok, want)
			continue
		}
		if ok {
			if eq, diff := results.Equal(&results.Table{Fields: fields, Rows: [][]results.Value{rows[i]}},
				&results.Table{Fields: fields, Rows: [][]results.Value{row}}); !eq {
				t.Errorf("point %d: %s", i, diff)
			}
		}
	}
	// Another spec with the point of stepsize 0.03 at index 0, and another column order.
	other := cacheTestGrid(t, "name: d\nseed: 1\nparams: {optimizer: gd, n: 10, d: 15, sparsity: 3, init: 0.1, test: 20, steps: 10}\ngrid:\n  stepsize: [0.03]\n")
	otherFields := results.SweepFields(other.Columns())
	steps := slices.IndexFunc(otherFields, func(f results.Field) bool { return f.Name == "steps" })
	row, _, ok := openChunkCache(ctx, dir, other, otherFields).Lookup(other.Point(0))
	if !ok || row[0].I != 0 || row[steps].I != 2 {
		t.Errorf("shared point in another spec: found %t, row %v", ok, row)
	}
	// Another seed, or gamma_max recorded, is another point.
	for _, src := range []string{
		"name: c\nseed: 2\n" + cacheTestSpec[len("name: c\nseed: 1\n"):],
		cacheTestSpec + "record: {gamma_max: true}\n",
	} {
		g2 := cacheTestGrid(t, src)
		if _, _, ok := openChunkCache(ctx, dir, g2, results.SweepFields(g2.Columns())).Lookup(g2.Point(0)); ok {
			t.Errorf("found point 0 of\n%s", src)
		}
	}
	if openChunkCache(ctx, "", g, fields) != nil {
		t.Error("a cache without a directory")
	}
	traj := cacheTestGrid(t, cacheTestSpec+"record: {every: 5}\n")
	if openChunkCache(ctx, dir, traj, results.SweepFields(traj.Columns())) != nil {
		t.Error("a cache for a spec that records trajectories")
	}
}
