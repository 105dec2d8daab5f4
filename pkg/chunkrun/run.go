// Package chunkrun runs a range of a grid's points in point order, the loop of a sweep's
// chunk without its side effects: it asks a result cache for each point first, keeps one
// generated dataset at a time, runs the points that can advance in lockstep
// (grid.LockstepGroups) as one dynamics.SimulateLockstep, fills the gamma_max columns,
// records trajectories, and turns a point whose simulation fails or panics into a failed row.
// Every finished point goes to a callback, in point order; what the rows become (a shard, a
// partial shard, heartbeats) is the caller's business. It imports no Temporal package
// (TestNoTemporalImports): activities.SimulateChunk adapts it to an activity.
package chunkrun

import (
	"context"
	"errors"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// Cache looks points up before they are simulated.
type Cache interface {
	// Lookup returns the sweep row of p as an earlier run finished it (by this or another
	// sweep), the value of its status column ("" when the row has none), and whether p was
	// found.
	Lookup(p grid.Point) (row []results.Value, status string, ok bool)
}

// Thresholds gives the gamma_max and gamma_div columns (record.gamma_max) of a point.
type Thresholds interface {
	// GammaMax returns the largest stepsize of c's configuration that converges and the
	// largest that does not diverge, on data (Even2023); NaN where a search has no answer.
	GammaMax(ctx context.Context, c dynamics.Config, data *dynamics.Data) (gammaMax, gammaDiv float64)
}

// Logger receives the runner's messages: a failed point, a panicking point, a lockstep group
// that fell back to single runs. go.temporal.io/sdk/log.Logger satisfies it.
type Logger interface {
	Warn(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

// Point is a finished point, as Run reports it to Runner.Done.
type Point struct {
	Index int64
	// Row is the point's sweep row: from the cache, results.SweepRow of its result, or
	// results.FailedRow when its simulation failed.
	Row []results.Value
	// Status is the row's status: a dynamics.Status* value, results.StatusFailed, or what
	// the cache's row holds.
	Status string
	// Cached reports that Row came from the cache (the point was not simulated).
	Cached bool
	// Trajectory holds the point's trajectory rows (results.TrajectoryRow) when the spec
	// records trajectories (record.every > 0); nil for a cached or failed point.
	Trajectory [][]results.Value
}

// Runner runs points of a grid (Run). Done must be set; every other field may be left zero.
type Runner struct {
	// Cache, when set, is asked for each point before it runs; a point it finds is reported
	// with the cache's row and not simulated.
	Cache Cache
	// Thresholds fills the gamma_max columns; it must be set when the spec records
	// gamma_max.
	Thresholds Thresholds
	// Lockstep runs each lockstep group (grid.LockstepGroups) as one
	// dynamics.SimulateLockstep when its first point not in the cache is reached; the rows
	// are the same bit for bit without it, which is only slower where the lockstep kernels
	// are vectorised (dynamics.LockstepVectorised).
	Lockstep bool
	// BeforePoint, when set, is called for each point that is not in the cache, in point
	// order, before it runs (or before its row is taken, for a point simulated in lockstep
	// ahead of its turn). An error it returns stops Run with that error, unwrapped.
	BeforePoint func(point int64) error
	// BeforeSimulate, when set, is called right before a point is simulated (ahead of its
	// turn for a point of a lockstep group), inside the recovery that turns a panic into a
	// failed row.
	BeforeSimulate func(point int64)
	// Done receives every finished point, in point order.
	Done func(Point)
	// Log receives the runner's warnings and errors (nil: discarded).
	Log Logger
}

// SpecError is the error of a point that cannot run at all: its dataset cannot be read or
// generated, or its configuration is invalid. Retrying does not help.
type SpecError struct {
	Point int64
	Err   error  // the cause
	msg   string // the message, naming the point (and its parameters)
}

// Error returns the message, which names the point.
func (e *SpecError) Error() string { return e.msg }

// Unwrap returns the cause.
func (e *SpecError) Unwrap() error { return e.Err }

// outcome is the result of simulating one point, before it becomes a row.
type outcome struct {
	res  dynamics.Result
	err  error
	traj [][]results.Value // its trajectory rows (nil without trajectories or on error)
}

// Run runs the points [start, end) of g in point order and reports each to r.Done.
//
// A point the cache finds is reported as it is. Any other point goes through BeforePoint,
// gets its dataset (a data file read by g, or generated from the point's configuration; one
// generated dataset is kept at a time, so that points in data-seed order share it) and runs:
// as part of its lockstep group when r.Lockstep is set (the group runs when its first point
// is reached, and the others wait for their turn), else alone. A simulation that panics or
// returns an error becomes a failed row (results.FailedRow) and Run goes on.
//
// Errors: a *SpecError for a point that cannot run; BeforePoint's error; ctx.Err() when a
// simulation fails because ctx is done. The points reported before the error stand.
func (r *Runner) Run(ctx context.Context, g *grid.Grid, start, end int64) error {
	if r.Done == nil {
		return errors.New("chunkrun: Runner.Done is not set")
	}
	rec := g.Spec().Record
	if rec.GammaMax && r.Thresholds == nil {
		return errors.New("chunkrun: the spec records gamma_max but Runner.Thresholds is not set")
	}
	var ls *lockstep
	if r.Lockstep {
		ls = newLockstep(g, start, end)
	}
	var ds datasets
	for i := start; i < end; i++ {
		if row, status, ok := r.lookup(g.Point(i)); ok {
			r.Done(Point{Index: i, Row: row, Status: status, Cached: true})
			continue
		}
		if r.BeforePoint != nil {
			if err := r.BeforePoint(i); err != nil {
				return err
			}
		}
		p := g.Point(i)
		data, err := ds.of(g, p)
		if err != nil {
			return err
		}
		ls.runGroupOf(ctx, r, g, i, data)
		out, ok := ls.take(i)
		if !ok {
			out = r.simulate(ctx, rec, p, data)
		}
		if out.err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if out.err != nil { // a failed point is a row, not a failed run: the others go on
			r.logger().Warn("point failed", "point", i, "params", g.Describe(p), "error", out.err)
			r.Done(Point{Index: i, Row: results.FailedRow(i, p.Values, out.err.Error()), Status: results.StatusFailed})
			continue
		}
		res := out.res
		if rec.GammaMax {
			gmax, gdiv := r.Thresholds.GammaMax(ctx, p.Config, data)
			res.SetThresholds(p.Config.Stepsize, gmax, gdiv)
		}
		r.Done(Point{Index: i, Row: results.SweepRow(i, p.Values, res), Status: res.Status, Trajectory: out.traj})
	}
	return nil
}

// lookup asks the cache for p (a miss without a cache).
func (r *Runner) lookup(p grid.Point) ([]results.Value, string, bool) {
	if r.Cache == nil {
		return nil, "", false
	}
	return r.Cache.Lookup(p)
}

// logger returns r.Log, or a logger that drops everything.
func (r *Runner) logger() Logger {
	if r.Log == nil {
		return nopLogger{}
	}
	return r.Log
}

// nopLogger drops every message.
type nopLogger struct{}

func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}
