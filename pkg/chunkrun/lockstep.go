package chunkrun

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// lockstep is the lockstep plan of a run: the groups still to run, and the outcomes of the
// points simulated in lockstep ahead of their turn, which Run takes when it reaches them, so
// that points are reported in point order. A nil *lockstep runs nothing in lockstep.
type lockstep struct {
	groups  map[int64][]int64 // point -> its lockstep group, until the group has run
	pending map[int64]outcome // simulated ahead of their turn, not reported yet
}

// newLockstep plans the lockstep groups of the points [start, end) of g.
func newLockstep(g *grid.Grid, start, end int64) *lockstep {
	ls := &lockstep{groups: map[int64][]int64{}, pending: map[int64]outcome{}}
	for _, grp := range g.LockstepGroups(start, end) {
		for _, i := range grp {
			ls.groups[i] = grp
		}
	}
	return ls
}

// runGroupOf runs the group of point i when i is the first of its group that Run reaches
// (runGroup), and removes the group from the plan: its points not run now (cached, or left
// after a failed SimulateLockstep) run one by one.
func (ls *lockstep) runGroupOf(ctx context.Context, r *Runner, g *grid.Grid, i int64, data *dynamics.Data) {
	if ls == nil {
		return
	}
	if _, ok := ls.pending[i]; ok || len(ls.groups[i]) < 2 {
		return
	}
	group := ls.groups[i]
	ls.runGroup(ctx, r, g, group, i, data)
	for _, j := range group {
		delete(ls.groups, j)
	}
}

// take returns and forgets the outcome of point i if it was simulated in lockstep.
func (ls *lockstep) take(i int64) (outcome, bool) {
	if ls == nil {
		return outcome{}, false
	}
	out, ok := ls.pending[i]
	delete(ls.pending, i)
	return out, ok
}

// runGroup simulates point i and the later points of group that the cache does not hold in
// one dynamics.SimulateLockstep on data, and keeps their outcomes in ls.pending. Each first
// goes through Runner.BeforeSimulate inside the same recovery as a single point (a panic
// there fails that point alone). A failure of SimulateLockstep itself (a panic) is logged and
// leaves the points to run one by one.
func (ls *lockstep) runGroup(ctx context.Context, r *Runner, g *grid.Grid, group []int64, i int64, data *dynamics.Data) {
	rec := g.Spec().Record
	var members []int64
	var runs []dynamics.LockstepRun
	trajRows := map[int64]*[][]results.Value{}
	for _, j := range group {
		if j < i {
			continue
		}
		p := g.Point(j)
		if j > i {
			if _, _, ok := r.lookup(p); ok {
				continue
			}
		}
		if err := r.beforeSimulate(j); err != nil {
			ls.pending[j] = outcome{err: err}
			continue
		}
		run := dynamics.LockstepRun{Config: p.Config}
		if rec.Every > 0 {
			rows := new([][]results.Value)
			trajRows[j] = rows
			run.Every, run.Record = rec.Every, recorder(rec.Beta, j, rows)
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
			r.logger().Warn("lockstep run failed, running its points one by one", "points", members, "error", err)
		}
		return
	}
	for k, j := range members {
		out := outcome{res: outs[k].Result, err: outs[k].Err}
		if rows := trajRows[j]; rows != nil && out.err == nil {
			out.traj = *rows
		}
		ls.pending[j] = out
	}
}

// simulateLockstepSafely is dynamics.SimulateLockstep with a panic turned into an error.
func simulateLockstepSafely(ctx context.Context, runs []dynamics.LockstepRun, data *dynamics.Data) (outs []dynamics.LockstepOutcome, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return dynamics.SimulateLockstep(ctx, runs, data)
}
