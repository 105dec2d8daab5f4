package activities

import (
	"context"
	"slices"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// TestPrepareRetry leaves a sweep of 3 points, in 3 chunks of one, with point 1 failed: in
// results.parquet and in chunk 1's shard. PrepareRetry must store the 2 finished rows in the
// cache, remove only chunk 1's shard, and count as written below; on a local directory and on
// an S3 location alike.
func TestPrepareRetry(t *testing.T) {
	ctx := context.Background()
	srv := fakes3.Start(t, "phasesweep")
	st := store.New()
	defer st.Close()
	g := cacheTestGrid(t, cacheTestSpec)
	fields := results.SweepFields(g.Columns())
	meta := map[string]string{results.MetaSpecHash: g.Spec().Hash(), results.MetaVersion: version.String()}
	rows := make([][]results.Value, 3)
	for i := range rows {
		p := g.Point(int64(i))
		rows[i] = results.SweepRow(p.Index, p.Values, dynamics.Result{TrainLoss: float64(i), Status: dynamics.StatusConverged, Steps: 1})
	}
	rows[1] = results.FailedRow(1, g.Point(1).Values, "injected")
	for _, outDir := range []string{t.TempDir(), srv.URL("retry")} {
		t.Run(store.Base(outDir), func(t *testing.T) {
			write := func(loc string, rs [][]results.Value) {
				t.Helper()
				if err := writeTable(ctx, st, loc, &results.Table{Fields: fields, Rows: rs, Meta: meta}); err != nil {
					t.Fatal(err)
				}
			}
			write(layout.Sweep{Out: outDir}.Results(), rows)
			for i := range rows {
				write(layout.Sweep{Out: outDir}.Shard(i), rows[i:i+1])
			}
			plan, err := PrepareRetry(ctx, st, layout.Sweep{Out: outDir}, "c.yaml", cacheTestSpec, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if want := (RetryPlan{Points: 3, Rows: 3, Failed: 1, Cached: 2, Removed: 1}); plan != want {
				t.Errorf("plan %+v, want %+v", plan, want)
			}
			left, err := st.List(ctx, layout.Sweep{Out: outDir}.ShardDir())
			if want := []string{layout.Sweep{Out: outDir}.Shard(0), layout.Sweep{Out: outDir}.Shard(2)}; err != nil || !slices.Equal(left, want) {
				t.Errorf("shards left %v, %v; want %v", left, err, want)
			}
		})
	}
}
