package activities

import (
	"context"
	"fmt"
	"runtime/debug"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// simulatePoint simulates point (trajectoryTable.simulate) and turns a panic of the simulation
// into an error "panic: VALUE", logging its stack and dropping the trajectory rows the point
// recorded. A failed point becomes a row with status results.StatusFailed, not a failed chunk:
// the sweep goes on (docs/design.md: "a diverged run is a result row, not an error").
// BeforeSimulate, when set, runs inside the recovery.
func (a *Activities) simulatePoint(ctx context.Context, traj *trajectoryTable, point int64, c dynamics.Config, data *dynamics.Data) (res dynamics.Result, err error) {
	n := traj.len()
	defer func() {
		if r := recover(); r != nil {
			traj.truncate(n)
			err = fmt.Errorf("panic: %v", r)
			activity.GetLogger(ctx).Error("point panicked", "point", point, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if a.BeforeSimulate != nil {
		a.BeforeSimulate(point)
	}
	_, res, err = traj.simulate(ctx, point, c, data)
	return res, err
}
