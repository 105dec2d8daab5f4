// Package activities holds the side-effecting steps of a sweep, run by workers: simulating a
// chunk of points into a Parquet shard, and merging the shards into results.parquet.
// Workflows pass only small values (paths, counts); rows never travel through Temporal.
package activities

import (
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// ErrSpec is the application error type of a spec that cannot be run; it is not retried.
const ErrSpec = "SpecError"

// Activities carries what the activities need. The zero value is ready to use.
type Activities struct {
	// Store reads and writes the shards and merged tables (nil: a *store.Store shared by the
	// process, which reads credentials for s3:// and gs:// locations from the environment).
	Store Store

	hooks Hooks // test-only (WithHooks); zero in workers
}

// Hooks are test-only: they let a test inject faults into SimulateChunk and watch it. A worker
// never sets them (its Activities are the zero value with a Store); the zero Hooks change
// nothing.
type Hooks struct {
	// Inject, when set, is called before each point that is not in the result cache is
	// simulated (chunkrun.Runner.BeforePoint), in point order; an error it returns fails the
	// attempt. Tests use it to inject faults (a crash mid-chunk, a retry) and to count
	// simulated points.
	Inject func(info activity.Info, point int64) error
	// BeforeSimulate, when set, is called just before each point is simulated, inside the
	// recovery that turns a panic into a failed row (status results.StatusFailed). Tests panic
	// in it to fail one point.
	BeforeSimulate func(point int64)
	// PartialEvery, when > 0, makes a running chunk write its partial shard
	// (PartialShardPath) after every PartialEvery finished points, besides every few seconds.
	// Tests use it to force partial shards.
	PartialEvery int
	// Lockstep, when set, says whether lockstep groups run as one block, instead of the
	// default (lockstepByDefault). Tests set it to cover both paths in every build.
	Lockstep *bool
}

// WithHooks returns Activities with the test-only hooks h and the default store (set Store
// on the result for another). For tests only.
func WithHooks(h Hooks) *Activities { return &Activities{hooks: h} }

// nonRetryable marks err as a permanent failure of the activity.
func nonRetryable(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), "Permanent", err)
}
