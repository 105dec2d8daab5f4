package activities

import (
	"context"
	"fmt"
	"runtime/debug"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// useLockstep reports whether chunks run lockstep groups as one dynamics.SimulateLockstep: when
// the lockstep kernels are vectorised (dynamics.LockstepVectorised: amd64 with AVX2; with the
// portable kernels a lockstep block is no faster than its single runs). The results are the
// same bit for bit either way; tests turn it on to cover the lockstep path in every build.
var useLockstep = dynamics.LockstepVectorised()

// lockstepPlan maps each point of a chunk that belongs to a lockstep group
// (grid.LockstepGroups) to its group.
type lockstepPlan map[int64][]int64

// newLockstepPlan plans the lockstep groups of the points [start, end) of g (none unless useLockstep).
func newLockstepPlan(g *grid.Grid, start, end int64) lockstepPlan {
	plan := lockstepPlan{}
	if !useLockstep {
		return plan
	}
	for _, grp := range g.LockstepGroups(start, end) {
		for _, i := range grp {
			plan[i] = grp
		}
	}
	return plan
}

// lockstepPoint is the outcome of a point simulated in lockstep ahead of its turn: the chunk
// takes its row (and trajectory rows) when the loop reaches it, so that rows stay in point
// order and a partial shard stays a prefix of the chunk.
type lockstepPoint struct {
	res  dynamics.Result
	err  error
	traj [][]results.Value // its trajectory rows (nil without trajectories)
}

// runLockstep simulates point i and the later points of its lockstep group (those not in the
// result cache) in one dynamics.SimulateLockstep on data, and stores their outcomes in pending.
// Each member first goes through BeforeSimulate inside the same recovery as a single point
// (a panic there fails that point alone). A panic of SimulateLockstep itself is logged and leaves
// the members to run one by one.
func (a *Activities) runLockstep(ctx context.Context, g *grid.Grid, group []int64, i int64, cc *chunkCache, traj *trajectoryTable, data *dynamics.Data, pending map[int64]lockstepPoint) {
	var members []int64
	var runs []dynamics.LockstepRun
	trajRows := map[int64]*[][]results.Value{}
	for _, j := range group {
		if j < i {
			continue
		}
		p := g.Point(j)
		if j > i {
			if _, _, ok := cc.lookup(p); ok {
				continue
			}
		}
		if err := a.beforeSimulate(ctx, j); err != nil {
			pending[j] = lockstepPoint{err: err}
			continue
		}
		run := dynamics.LockstepRun{Config: p.Config}
		if traj != nil {
			rows := new([][]results.Value)
			trajRows[j] = rows
			run.Every, run.Record = traj.rec.Every, traj.recorder(j, rows)
		}
		members = append(members, j)
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		return
	}
	outs, err := simulateLockstepSafely(ctx, runs, data)
	if err != nil {
		if ctx.Err() == nil {
			activity.GetLogger(ctx).Warn("lockstep run failed, running its points one by one", "points", members, "error", err)
		}
		for _, j := range members {
			delete(pending, j)
		}
		return
	}
	for k, j := range members {
		bp := lockstepPoint{res: outs[k].Result, err: outs[k].Err}
		if rows := trajRows[j]; rows != nil && bp.err == nil {
			bp.traj = *rows
		}
		pending[j] = bp
	}
}

// simulateLockstepSafely is dynamics.SimulateLockstep with a panic turned into an error.
func simulateLockstepSafely(ctx context.Context, runs []dynamics.LockstepRun, data *dynamics.Data) (outs []dynamics.LockstepOutcome, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return dynamics.SimulateLockstep(ctx, runs, data)
}

// beforeSimulate calls a.BeforeSimulate for point, turning a panic into an error as
// simulatePoint does.
func (a *Activities) beforeSimulate(ctx context.Context, point int64) (err error) {
	if a.BeforeSimulate == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			activity.GetLogger(ctx).Error("point panicked", "point", point, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	a.BeforeSimulate(point)
	return nil
}

// recorder returns a dynamics.Recorder that appends point's trajectory rows to rows, as
// trajectoryTable.simulate records them.
func (tt *trajectoryTable) recorder(point int64, rows *[][]results.Value) dynamics.Recorder {
	return func(step int, time, trainLoss, testLoss, l1 float64, beta []float64) {
		if !tt.rec.Beta {
			beta = nil
		}
		*rows = append(*rows, results.TrajectoryRow(point, step, time, trainLoss, testLoss, l1, beta))
	}
}

// add appends trajectory rows recorded for a point run in lockstep (nothing when tt is nil).
func (tt *trajectoryTable) add(rows [][]results.Value) {
	if tt != nil {
		tt.table.Rows = append(tt.table.Rows, rows...)
	}
}
