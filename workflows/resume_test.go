package workflows

// Tests of a chunk resuming from its partial shard after a failed attempt, and of a point
// whose simulation fails becoming a row with status failed.

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// attemptLog records, per chunk and attempt, the points a chunk activity simulated (the
// points Inject was called for), in order.
type attemptLog struct {
	mu     sync.Mutex
	points map[[2]int][]int64 // (chunk, attempt) -> points
}

func (l *attemptLog) add(chunk, attempt int, point int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.points == nil {
		l.points = map[[2]int][]int64{}
	}
	k := [2]int{chunk, attempt}
	l.points[k] = append(l.points[k], point)
}

func (l *attemptLog) get(chunk, attempt int) []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.points[[2]int{chunk, attempt}]
}

// pointRange is [start, end) as a slice.
func pointRange(start, end int64) []int64 {
	var ps []int64
	for p := start; p < end; p++ {
		ps = append(ps, p)
	}
	return ps
}

// panicMessage is what BeforeSimulate panics with in these tests, and failedError the error
// column it must give.
func panicMessage(point int64) string { return fmt.Sprintf("injected panic at point %d", point) }
func failedError(point int64) string  { return "panic: " + panicMessage(point) }

// withFailedRow returns a copy of the table ref with the row of point replaced by the row of
// a point that failed with the injected panic.
func withFailedRow(t *testing.T, g *grid.Grid, ref *results.Table, point int64) *results.Table {
	t.Helper()
	out := &results.Table{Fields: ref.Fields, Rows: slices.Clone(ref.Rows)}
	out.Rows[point] = results.FailedRow(point, g.Point(point).Values, failedError(point))
	return out
}

// TestChunkResumesFromPartialShard fails the first attempt of every chunk of six points at its
// sixth point (a retryable error, as from a killed worker) after the chunk has written its
// partial shard with its first three points (PartialEvery 3). The retry must load those rows
// and simulate only the points after them, the partial shards must be gone at the end, and
// the tables must equal simulating each point directly, bit for bit. With trajectories the
// partial trajectory rows are resumed too; with a panicking point its failed row is resumed
// from the partial shard like any other.
func TestChunkResumesFromPartialShard(t *testing.T) {
	const chunk, every, failAt = 6, 3, 5 // failAt: offset in the chunk of the failing point
	cases := []struct {
		name    string
		source  string
		panicAt int64 // a point that panics (-1: none)
	}{
		{"results", testSpec, -1},
		{"trajectories", trajSpec, -1},
		{"failed point in the partial shard", testSpec, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := testGrid(t, c.source)
			in := sweepInput(t, c.source, g.Count(), chunk, 2)
			var log attemptLog
			var partialSeen sync.Map // chunk -> rows in its partial shard when attempt 1 failed
			h := activities.Hooks{PartialEvery: every}
			h.Inject = func(info activity.Info, point int64) error {
				k := int(point / chunk)
				log.add(k, int(info.Attempt), point)
				if info.Attempt == 1 && point%chunk == failAt {
					tab, err := results.ReadFile(layout.PartialShard(layoutOf(in).Shard(k)))
					rows := -1
					if err == nil {
						rows = len(tab.Rows)
					}
					partialSeen.Store(k, rows)
					return temporal.NewApplicationError(fmt.Sprintf("injected crash at point %d", point), "Injected")
				}
				return nil
			}
			h.BeforeSimulate = func(point int64) {
				if point == c.panicAt {
					panic(panicMessage(point))
				}
			}
			env := newEnv(t, activities.WithHooks(h))
			out := runSweep(t, env, in)
			if int64(out.Rows) != g.Count() {
				t.Errorf("Rows = %d, want %d", out.Rows, g.Count())
			}

			for _, ch := range grid.Chunks(g.Count(), chunk) {
				first := log.get(ch.ID, 1)
				if ch.Len() <= failAt { // never fails: one attempt
					if want := pointRange(ch.Start, ch.End); !slices.Equal(first, want) || log.get(ch.ID, 2) != nil {
						t.Errorf("chunk %d: attempts simulated %v and %v, want %v and none", ch.ID, first, log.get(ch.ID, 2), want)
					}
					continue
				}
				if rows, _ := partialSeen.Load(ch.ID); rows != every {
					t.Errorf("chunk %d: partial shard held %v rows when attempt 1 failed, want %d", ch.ID, rows, every)
				}
				if want := pointRange(ch.Start, ch.Start+failAt+1); !slices.Equal(first, want) {
					t.Errorf("chunk %d: attempt 1 simulated %v, want %v", ch.ID, first, want)
				}
				if want := pointRange(ch.Start+every, ch.End); !slices.Equal(log.get(ch.ID, 2), want) {
					t.Errorf("chunk %d: attempt 2 simulated %v, want %v (resumed after the partial shard)", ch.ID, log.get(ch.ID, 2), want)
				}
				if got := log.get(ch.ID, 3); got != nil {
					t.Errorf("chunk %d: a third attempt simulated %v", ch.ID, got)
				}
			}

			tab, err := results.ReadFile(layoutOf(in).Results())
			if err != nil {
				t.Fatal(err)
			}
			ref := directTable(t, g)
			if c.panicAt >= 0 {
				ref = withFailedRow(t, g, ref, c.panicAt)
				if p := queryProgress(t, env); p.Failed != 1 {
					t.Errorf("progress counts %d failed points, want 1", p.Failed)
				}
			}
			if ok, diff := results.Equal(tab, ref); !ok {
				t.Errorf("results differ from an uninterrupted run: %s", diff)
			}
			if g.Spec().Record.Every > 0 {
				trajRef, _ := directTrajectories(t, g)
				traj, err := results.ReadFile(layoutOf(in).Trajectories())
				if err != nil {
					t.Fatal(err)
				}
				if ok, diff := results.Equal(traj, trajRef); !ok {
					t.Errorf("trajectories differ from an uninterrupted run: %s", diff)
				}
			}
			if _, err := os.Stat(layoutOf(in).ShardDir()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("shard directory still there after the merge (stat: %v)", err)
			}
		})
	}
}

// TestFailedPointIsARow makes the simulation of one point panic: the sweep must complete with
// that point's row failed (NaN metrics, steps 0, the panic in the error column) and every other
// row equal to a clean run's, after a single attempt of each chunk; the progress query counts
// the failed point.
func TestFailedPointIsARow(t *testing.T) {
	g := testGrid(t, testSpec)
	for _, panicAt := range []int64{0, 5, g.Count() - 1} {
		t.Run(fmt.Sprintf("point %d", panicAt), func(t *testing.T) {
			var log attemptLog
			a := activities.WithHooks(activities.Hooks{
				Inject: func(info activity.Info, point int64) error {
					log.add(int(point/4), int(info.Attempt), point)
					return nil
				},
				BeforeSimulate: func(point int64) {
					if point == panicAt {
						panic(panicMessage(point))
					}
				},
			})
			in := sweepInput(t, testSpec, g.Count(), 4, 2)
			env := newEnv(t, a)
			out := runSweep(t, env, in)
			if int64(out.Rows) != g.Count() {
				t.Errorf("Rows = %d, want %d", out.Rows, g.Count())
			}
			for _, ch := range grid.Chunks(g.Count(), 4) {
				if got := log.get(ch.ID, 2); got != nil {
					t.Errorf("chunk %d was retried (points %v): a failed point must not fail its chunk", ch.ID, got)
				}
			}
			tab, err := results.ReadFile(layoutOf(in).Results())
			if err != nil {
				t.Fatal(err)
			}
			row := tab.Rows[panicAt]
			if s, e, steps := row[column(t, tab, "status")].S, row[column(t, tab, results.ErrorColumn)].S, row[column(t, tab, "steps")].I; s != results.StatusFailed || e != failedError(panicAt) || steps != 0 {
				t.Errorf("point %d: status %q, error %q, steps %d; want %q, %q, 0", panicAt, s, e, steps, results.StatusFailed, failedError(panicAt))
			}
			for _, name := range []string{"train_loss", "test_loss", "l1", "sharpness"} {
				if v := row[column(t, tab, name)].F; !math.IsNaN(v) {
					t.Errorf("point %d: failed row has %s = %v, want NaN", panicAt, name, v)
				}
			}
			if ok, diff := results.Equal(tab, withFailedRow(t, g, directTable(t, g), panicAt)); !ok {
				t.Errorf("results differ from a clean run with the failed row: %s", diff)
			}
			if p := queryProgress(t, env); p.Failed != 1 || p.Done != g.Count() {
				t.Errorf("final progress %+v, want 1 failed of %d done", p, g.Count())
			}
		})
	}
}
