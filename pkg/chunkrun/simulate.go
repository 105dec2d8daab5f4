package chunkrun

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// simulate runs point p alone on data (dynamics.SimulateData, or dynamics.SimulateRecorded
// when rec records trajectories) after Runner.BeforeSimulate, and turns a panic of either
// into the error "panic: VALUE" (panicked). A point that fails keeps no trajectory rows; it
// becomes a failed row, not a failed run (docs/design.md: "a diverged run is a result row,
// not an error").
func (r *Runner) simulate(ctx context.Context, rec spec.Record, p grid.Point, data *dynamics.Data) (out outcome) {
	if err := r.beforeSimulate(p.Index); err != nil {
		return outcome{err: err}
	}
	defer func() {
		if v := recover(); v != nil {
			out = outcome{err: r.panicked(p.Index, v)}
		}
	}()
	if rec.Every <= 0 {
		_, res, err := dynamics.SimulateData(ctx, p.Config, data)
		return outcome{res: res, err: err}
	}
	var rows [][]results.Value
	_, res, err := dynamics.SimulateRecorded(ctx, p.Config, data, rec.Every, recorder(rec.Beta, p.Index, &rows))
	if err != nil {
		rows = nil // a failed point leaves no rows
	}
	return outcome{res: res, err: err, traj: rows}
}

// beforeSimulate calls Runner.BeforeSimulate for point, turning a panic into an error
// (panicked).
func (r *Runner) beforeSimulate(point int64) (err error) {
	if r.BeforeSimulate == nil {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = r.panicked(point, v)
		}
	}()
	r.BeforeSimulate(point)
	return nil
}

// panicked logs the panic v of point with its stack (call it from the deferred recover) and
// returns the error "panic: v" that the point's row carries.
func (r *Runner) panicked(point int64, v any) error {
	r.logger().Error("point panicked", "point", point, "panic", v, "stack", string(debug.Stack()))
	return fmt.Errorf("panic: %v", v)
}

// recorder returns a dynamics.Recorder that appends point's trajectory rows to rows, with
// the iterate beta when withBeta (record.beta).
func recorder(withBeta bool, point int64, rows *[][]results.Value) dynamics.Recorder {
	return func(step int, time, trainLoss, testLoss, l1 float64, beta []float64) {
		if !withBeta {
			beta = nil
		}
		*rows = append(*rows, results.TrajectoryRow(point, step, time, trainLoss, testLoss, l1, beta))
	}
}
