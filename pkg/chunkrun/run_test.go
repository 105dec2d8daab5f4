package chunkrun

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// testSpec has 32 points, index 8*stepsize + 2*optimizer + seed (optimizer gd 0, sgd 1, hb 2,
// nag 3): the gd, hb and nag points of one seed form a lockstep group of 4 points 8 apart
// ({0, 8, 16, 24}, {1, 9, 17, 25}, {4, 12, 20, 28}, ...), with stepsizes from converging to
// diverging; sgd points run one by one. Trajectories with beta every 40 steps.
const testSpec = `name: cr
seed: 11
params: {n: 12, d: 9, sparsity: 2, init: 0.2, test: 15, steps: 300, batch: 3, momentum: 0.6, stop_loss: 1.0e-4}
grid:
  stepsize: [0.02, 0.1, 0.4, 2.5]
  optimizer: [gd, sgd, hb, nag]
  seed: {range: 2}
record: {every: 40, beta: true}
`

func testGrid(t *testing.T, src string) *grid.Grid {
	t.Helper()
	s, err := spec.Parse("cr.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return grid.New(s)
}

// reference runs point i of g on its own straight through package dynamics (a fresh dataset,
// SimulateRecorded), the way a chunk without lockstep, cache or hooks would: its sweep row and
// trajectory rows.
func reference(t *testing.T, g *grid.Grid, i int64) ([]results.Value, [][]results.Value) {
	t.Helper()
	p := g.Point(i)
	data, err := dynamics.GenerateData(p.Config)
	if err != nil {
		t.Fatal(err)
	}
	rec := g.Spec().Record
	var traj [][]results.Value
	_, res, err := dynamics.SimulateRecorded(context.Background(), p.Config, data, rec.Every,
		func(step int, time, trainLoss, testLoss, l1 float64, beta []float64) {
			traj = append(traj, results.TrajectoryRow(i, step, time, trainLoss, testLoss, l1, beta))
		})
	if err != nil {
		t.Fatalf("point %d: %v", i, err)
	}
	return results.SweepRow(i, p.Values, res), traj
}

// collect runs r over [start, end) of g and returns the points it reported.
func collect(t *testing.T, ctx context.Context, r *Runner, g *grid.Grid, start, end int64) ([]Point, error) {
	t.Helper()
	var got []Point
	done := r.Done
	r.Done = func(p Point) {
		got = append(got, p)
		if done != nil {
			done(p)
		}
	}
	err := r.Run(ctx, g, start, end)
	return got, err
}

// sameRows reports the first difference, bit for bit, between two lists of rows of fields.
func sameRows(fields []results.Field, got, want [][]results.Value) string {
	ok, diff := results.Equal(&results.Table{Fields: fields, Rows: got}, &results.Table{Fields: fields, Rows: want})
	if ok {
		return ""
	}
	return diff
}

// checkAgainstReference checks that got holds points start..end-1 in order, each with the
// row and trajectory of its single run (reference), except the points in skip.
func checkAgainstReference(t *testing.T, g *grid.Grid, got []Point, start, end int64, skip map[int64]bool) {
	t.Helper()
	if len(got) != int(end-start) {
		t.Fatalf("%d points reported, want %d", len(got), end-start)
	}
	fields := results.SweepFields(g.Columns())
	trajFields := results.TrajectoryFields(true)
	for k, p := range got {
		i := start + int64(k)
		if p.Index != i || p.Row[0].I != i {
			t.Fatalf("report %d is point %d (row of point %d), want %d: not in point order", k, p.Index, p.Row[0].I, i)
		}
		if skip[i] {
			continue
		}
		row, traj := reference(t, g, i)
		if d := sameRows(fields, [][]results.Value{p.Row}, [][]results.Value{row}); d != "" {
			t.Errorf("point %d: row differs from its single run: %s", i, d)
		}
		if d := sameRows(trajFields, p.Trajectory, traj); d != "" {
			t.Errorf("point %d: trajectory differs from its single run: %s", i, d)
		}
		if p.Status != row[slices.IndexFunc(fields, func(f results.Field) bool { return f.Name == "status" })].S || p.Cached {
			t.Errorf("point %d: status %q cached %t, want the row's status and not cached", i, p.Status, p.Cached)
		}
	}
}

// TestRunLockstepEqualsSingleRuns: with and without Lockstep, for the whole grid (whose runs
// converge, diverge and reach max_steps) and for a range that starts and ends inside lockstep
// groups, Run reports every point in point order
// with the row and trajectory of its single run, bit for bit (reference: package dynamics
// called point by point). With Lockstep the later points of a group are simulated when its
// first point is reached: BeforeSimulate sees point 8 (group {0, 8, 16, 24}) before point 1
// is reported; without it, after point 7.
func TestRunLockstepEqualsSingleRuns(t *testing.T) {
	g := testGrid(t, testSpec)
	for _, rng := range [][2]int64{{0, g.Count()}, {5, 27}} {
		for _, on := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/lockstep=%t", rng, on), func(t *testing.T) {
				var events []string
				var before []int64
				r := &Runner{
					Lockstep:       on,
					BeforePoint:    func(i int64) error { before = append(before, i); return nil },
					BeforeSimulate: func(i int64) { events = append(events, fmt.Sprint("sim ", i)) },
					Done:           func(p Point) { events = append(events, fmt.Sprint("done ", p.Index)) },
				}
				got, err := collect(t, context.Background(), r, g, rng[0], rng[1])
				if err != nil {
					t.Fatal(err)
				}
				checkAgainstReference(t, g, got, rng[0], rng[1], nil)
				for k, i := range before {
					if i != rng[0]+int64(k) {
						t.Fatalf("BeforePoint saw %v, want %d..%d in order", before, rng[0], rng[1]-1)
					}
				}
				if rng[0] != 0 {
					return
				}
				stops := map[string]bool{}
				for _, p := range got {
					stops[p.Status] = true
				}
				if !stops[dynamics.StatusConverged] || !stops[dynamics.StatusDiverged] || !stops[dynamics.StatusMaxSteps] {
					t.Errorf("statuses %v: the grid must converge, diverge and reach max_steps", stops)
				}
				sim8, done1 := slices.Index(events, "sim 8"), slices.Index(events, "done 1")
				if on != (sim8 < done1) {
					t.Errorf("lockstep=%t: point 8 simulated at event %d, point 1 reported at %d", on, sim8, done1)
				}
			})
		}
	}
}

// fakeCache holds rows by point index and counts its lookups.
type fakeCache struct {
	rows    map[int64][]results.Value
	lookups map[int64]int
}

func (c *fakeCache) Lookup(p grid.Point) ([]results.Value, string, bool) {
	c.lookups[p.Index]++
	row, ok := c.rows[p.Index]
	if !ok {
		return nil, "", false
	}
	return row, dynamics.StatusDiverged, true
}

// TestRunSkipsCacheHits: points the cache holds (1, the first point of group {1, 9, 17, 25};
// 8, a later point of group {0, 8, 16, 24}; 2, an sgd point) are reported with the cache's
// row and status, marked cached, never simulated nor passed to BeforePoint, also not ahead
// of their turn in a lockstep group; the others are their single runs.
func TestRunSkipsCacheHits(t *testing.T) {
	g := testGrid(t, testSpec)
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("lockstep=%t", on), func(t *testing.T) {
			hits := map[int64]bool{1: true, 2: true, 8: true}
			cache := &fakeCache{rows: map[int64][]results.Value{}, lookups: map[int64]int{}}
			for i := range hits {
				cache.rows[i] = results.SweepRow(i, g.Point(i).Values, dynamics.Result{Status: dynamics.StatusDiverged, TrainLoss: 42})
			}
			var touched []int64
			r := &Runner{
				Cache:          cache,
				Lockstep:       on,
				BeforePoint:    func(i int64) error { touched = append(touched, i); return nil },
				BeforeSimulate: func(i int64) { touched = append(touched, i) },
			}
			got, err := collect(t, context.Background(), r, g, 0, g.Count())
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstReference(t, g, got, 0, g.Count(), hits)
			for i := range hits {
				p := got[i]
				if !p.Cached || p.Status != dynamics.StatusDiverged || p.Row[len(p.Row)-1] != cache.rows[i][len(p.Row)-1] || p.Trajectory != nil {
					t.Errorf("point %d: %+v, want the cache's row, status diverged, cached, no trajectory", i, p)
				}
				if slices.Contains(touched, i) {
					t.Errorf("point %d is in the cache but was passed to BeforePoint or BeforeSimulate", i)
				}
			}
			for i := range g.Count() {
				if cache.lookups[i] == 0 {
					t.Errorf("point %d was never looked up", i)
				}
			}
		})
	}
}

// TestRunPanicIsAFailedRow: a panic in BeforeSimulate at point 2 (sgd, run alone) and at
// point 8 (simulated ahead of its turn in group {0, 8, 16, 24}) makes each a failed row
// (results.FailedRow with "panic: ..." in the error column, no trajectory), and every other
// point, its group's included, still equals its single run.
func TestRunPanicIsAFailedRow(t *testing.T) {
	g := testGrid(t, testSpec)
	fields := results.SweepFields(g.Columns())
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("lockstep=%t", on), func(t *testing.T) {
			bad := map[int64]bool{2: true, 8: true}
			r := &Runner{Lockstep: on, BeforeSimulate: func(i int64) {
				if bad[i] {
					panic(fmt.Sprintf("boom %d", i))
				}
			}}
			got, err := collect(t, context.Background(), r, g, 0, g.Count())
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstReference(t, g, got, 0, g.Count(), bad)
			for i := range bad {
				want := results.FailedRow(i, g.Point(i).Values, fmt.Sprintf("panic: boom %d", i))
				p := got[i]
				if d := sameRows(fields, [][]results.Value{p.Row}, [][]results.Value{want}); d != "" || p.Status != results.StatusFailed || p.Trajectory != nil {
					t.Errorf("point %d: status %q, %d trajectory rows, row diff %s; want a failed row", i, p.Status, len(p.Trajectory), d)
				}
			}
		})
	}
}

// TestRunStopsOnCancel: cancelling ctx after point k is reported stops Run at the next
// simulated point with ctx's error, for a point run alone (2, sgd) and one whose lockstep
// group is reached next (5: group {5, 13, 21, 29}); nothing after k is reported.
func TestRunStopsOnCancel(t *testing.T) {
	g := testGrid(t, testSpec)
	for _, k := range []int64{1, 4} {
		for _, on := range []bool{false, true} {
			t.Run(fmt.Sprintf("after %d/lockstep=%t", k, on), func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				r := &Runner{Lockstep: on, Done: func(p Point) {
					if p.Index == k {
						cancel()
					}
				}}
				got, err := collect(t, ctx, r, g, 0, g.Count())
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Run = %v, want context.Canceled", err)
				}
				if len(got) != int(k+1) {
					t.Errorf("%d points reported, want %d (up to the cancel)", len(got), k+1)
				}
			})
		}
	}
}

// TestRunBeforePointError: an error of BeforePoint stops Run with that very error (not
// wrapped: an activity passes it on as it is), after the points before it.
func TestRunBeforePointError(t *testing.T) {
	g := testGrid(t, testSpec)
	stop := errors.New("injected")
	r := &Runner{Lockstep: true, BeforePoint: func(i int64) error {
		if i == 3 {
			return stop
		}
		return nil
	}}
	got, err := collect(t, context.Background(), r, g, 0, g.Count())
	if err != stop {
		t.Fatalf("Run = %v, want the hook's error itself", err)
	}
	checkAgainstReference(t, g, got, 0, 3, nil)
}

// fixedThresholds answers every configuration with the same thresholds and counts the calls.
type fixedThresholds struct {
	max, div float64
	calls    int
}

func (f *fixedThresholds) GammaMax(context.Context, dynamics.Config, *dynamics.Data) (float64, float64) {
	f.calls++
	return f.max, f.div
}

// TestRunGammaMax: with record.gamma_max each simulated row carries the thresholds of
// Runner.Thresholds and gamma_rel = stepsize / gamma_max (dynamics.Result.SetThresholds), and
// a failed point asks for none; without Thresholds, Run refuses to start.
func TestRunGammaMax(t *testing.T) {
	g := testGrid(t, strings.Replace(testSpec, "record: {every: 40, beta: true}", "record: {gamma_max: true}", 1))
	if _, err := collect(t, context.Background(), &Runner{}, g, 0, 1); err == nil || !strings.Contains(err.Error(), "Thresholds") {
		t.Fatalf("Run without Thresholds = %v, want an error naming Thresholds", err)
	}
	th := &fixedThresholds{max: 0.5, div: 1.5}
	r := &Runner{Thresholds: th, Lockstep: true, BeforeSimulate: func(i int64) {
		if i == 0 {
			panic("boom")
		}
	}}
	got, err := collect(t, context.Background(), r, g, 0, g.Count())
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		return slices.IndexFunc(results.SweepFields(g.Columns()), func(f results.Field) bool { return f.Name == name })
	}
	for _, p := range got[1:] {
		stepsize := g.Point(p.Index).Config.Stepsize
		if p.Row[col("gamma_max")].F != 0.5 || p.Row[col("gamma_div")].F != 1.5 || p.Row[col("gamma_rel")].F != stepsize/0.5 {
			t.Errorf("point %d: gamma_max %v gamma_div %v gamma_rel %v, want 0.5, 1.5, %v", p.Index,
				p.Row[col("gamma_max")].F, p.Row[col("gamma_div")].F, p.Row[col("gamma_rel")].F, stepsize/0.5)
		}
	}
	if !math.IsNaN(got[0].Row[col("gamma_max")].F) || th.calls != len(got)-1 {
		t.Errorf("failed point 0: gamma_max %v, %d threshold calls for %d simulated points", got[0].Row[col("gamma_max")].F, th.calls, len(got)-1)
	}
}
