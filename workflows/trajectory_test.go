package workflows

// Tests of trajectory recording (spec record: every, beta) through the whole sweep: the
// trajectory shards written beside the results shards, their merge into trajectories.parquet,
// and the reuse of a shard only together with its trajectory shard.

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// trajSpec is a sweep of 12 points (3 optimizers x 2 stepsizes x 2 seeds) recording every 100
// of at most 950 steps, with beta: gd and sgd at stepsize 0.05 run to max_steps (rows at steps
// 0, 100, ..., 900 and 950), gd at 3.0 diverges early, and saddle records its saddles.
const trajSpec = `# trajectory recording for the workflow tests
name: trajtest
seed: 5
params:
  n: 10
  d: 15
  sparsity: 3
  init: 0.1
  batch: 2
  test: 50
  steps: 950
  stop_loss: 1.0e-12
grid:
  optimizer: [gd, sgd, saddle]
  stepsize: [0.05, 3.0]
  seed: {range: 2}
record:
  every: 100
  beta: true
`

// directTrajectories computes the trajectory table of g without Temporal, each point recorded
// on its own by dynamics.SimulateRecorded, and the expected number of rows of every point from
// its Result: steps 0, every, 2 every, ... and the final step once for a stepped run, the
// origin and every saddle for a saddle run.
func directTrajectories(t *testing.T, g *grid.Grid) (*results.Table, []int) {
	t.Helper()
	rec := g.Spec().Record
	tab := &results.Table{Fields: results.TrajectoryFields(rec.Beta)}
	var want []int
	for i := int64(0); i < g.Count(); i++ {
		p := g.Point(i)
		data, err := dynamics.GenerateData(p.Config)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		_, res, err := dynamics.SimulateRecorded(context.Background(), p.Config, data, rec.Every,
			func(step int, time, train, test, l1 float64, beta []float64) {
				tab.Rows = append(tab.Rows, results.TrajectoryRow(i, step, time, train, test, l1, beta))
			})
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		n := res.Jumps + 1
		if p.Config.Optimizer != dynamics.OptimizerSaddle {
			n = res.Steps/rec.Every + 1
			if res.Steps%rec.Every != 0 {
				n++
			}
		}
		want = append(want, n)
	}
	return tab, want
}

// TestSweepTrajectories runs the recording sweep with chunk sizes 1 and 100 and checks
// trajectories.parquet: the expected number of rows per point, sorted by (point, step), equal
// to recording each point directly and equal across the chunk sizes; results.parquet unchanged
// by recording; the same metadata in both tables; only the two tables left in the output.
func TestSweepTrajectories(t *testing.T) {
	g := testGrid(t, trajSpec)
	ref, wantRows := directTrajectories(t, g)
	if !slices.Contains(wantRows, 11) || slices.Max(wantRows) > 11 {
		t.Fatalf("rows per point %v: the spec should give 11 rows to the runs that reach max_steps", wantRows)
	}
	var first *results.Table
	for _, chunk := range []int{1, 100} {
		in := sweepInput(t, trajSpec, g.Count(), chunk, 4)
		out := runSweep(t, newEnv(t, &activities.Activities{}), in)
		if int64(out.Rows) != g.Count() {
			t.Errorf("chunk %d: Rows = %d, want %d", chunk, out.Rows, g.Count())
		}
		tab, err := results.ReadFile(layoutOf(in).Trajectories())
		if err != nil {
			t.Fatalf("chunk %d: read trajectories: %v", chunk, err)
		}
		perPoint := make([]int, g.Count())
		pc, sc := column(t, tab, results.PointColumn), column(t, tab, results.StepColumn)
		for k, row := range tab.Rows {
			perPoint[row[pc].I]++
			if k > 0 {
				prev := tab.Rows[k-1]
				if prev[pc].I > row[pc].I || (prev[pc].I == row[pc].I && prev[sc].I >= row[sc].I) {
					t.Errorf("chunk %d: row %d (point %d, step %d) after (point %d, step %d): not sorted, or a duplicate",
						chunk, k, row[pc].I, row[sc].I, prev[pc].I, prev[sc].I)
				}
			}
		}
		if !slices.Equal(perPoint, wantRows) {
			t.Errorf("chunk %d: rows per point %v, want %v", chunk, perPoint, wantRows)
		}
		if ok, diff := results.Equal(tab, ref); !ok {
			t.Errorf("chunk %d: trajectories differ from recording each point directly: %s", chunk, diff)
		}
		if first == nil {
			first = tab
		} else if ok, diff := results.Equal(first, tab); !ok {
			t.Errorf("trajectories differ between chunk sizes 1 and %d: %s", chunk, diff)
		}

		res, err := results.ReadFile(layoutOf(in).Results())
		if err != nil {
			t.Fatal(err)
		}
		if ok, diff := results.Equal(res, directTable(t, g)); !ok {
			t.Errorf("chunk %d: results differ from simulating each point directly: %s", chunk, diff)
		}
		for _, k := range []string{results.MetaSpec, results.MetaSpecHash, results.MetaVersion, results.MetaFile} {
			if tab.Meta[k] != res.Meta[k] || tab.Meta[k] == "" {
				t.Errorf("chunk %d: metadata %s: trajectories %q, results %q", chunk, k, tab.Meta[k], res.Meta[k])
			}
		}
		names := dirNames(t, in.OutDir)
		if want := []string{"results.parquet", "trajectories.parquet"}; !slices.Equal(names, want) {
			t.Errorf("chunk %d: output directory holds %q, want %q", chunk, names, want)
		}
	}
}

// TestSweepTrajectoryShardReuse: a recording sweep fails midway, leaving results and
// trajectory shards; a rerun with the same chunk size reuses a finished chunk only when its
// trajectory shard is there too. Chunk 0's trajectory shard is deleted and chunk 1's replaced
// by an empty one (row count mismatch), so those chunks are simulated again, chunks 2 and 3
// reused; the final tables equal the direct ones.
func TestSweepTrajectoryShardReuse(t *testing.T) {
	g := testGrid(t, trajSpec)
	ref, _ := directTrajectories(t, g)
	const chunk, failAt = 2, 8 // chunks 0-3 (points 0-7) finish, chunk 4 fails
	fail := failingAt(failAt)
	in := sweepInput(t, trajSpec, g.Count(), chunk, 1)
	env := newEnv(t, fail)
	env.ExecuteWorkflow(SweepWorkflow, in)
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("first run succeeded, want the injected failure")
	}
	for i := range failAt / chunk {
		for _, p := range []string{layoutOf(in).Shard(i), layout.TrajectoryShard(layoutOf(in).Shard(i))} {
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("first run left no %s: %v", filepath.Base(p), err)
			}
		}
	}
	if err := os.Remove(layout.TrajectoryShard(layoutOf(in).Shard(0))); err != nil {
		t.Fatal(err)
	}
	empty := &results.Table{Fields: results.TrajectoryFields(true), Meta: map[string]string{}}
	old, err := results.ReadFile(layout.TrajectoryShard(layoutOf(in).Shard(1)))
	if err != nil {
		t.Fatal(err)
	}
	empty.Meta = old.Meta // same hash and version, but no rows
	if err := results.WriteFile(layout.TrajectoryShard(layoutOf(in).Shard(1)), empty); err != nil {
		t.Fatal(err)
	}

	var simulated atomic.Int64
	count := activities.WithHooks(activities.Hooks{Inject: func(activity.Info, int64) error { simulated.Add(1); return nil }})
	runSweep(t, newEnv(t, count), in)
	if got, want := simulated.Load(), g.Count()-2*chunk; got != want {
		t.Errorf("rerun simulated %d points, want %d (chunks 2 and 3 reused)", got, want)
	}
	tab, err := results.ReadFile(layoutOf(in).Trajectories())
	if err != nil {
		t.Fatal(err)
	}
	if ok, diff := results.Equal(tab, ref); !ok {
		t.Errorf("trajectories after the rerun differ from recording each point directly: %s", diff)
	}
}
