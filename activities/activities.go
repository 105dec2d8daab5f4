// Package activities holds the side-effecting steps of a sweep, run by workers: simulating a
// chunk of points into a Parquet shard, and merging the shards into results.parquet.
// Workflows pass only small values (paths, counts); rows never travel through Temporal.
package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// ErrSpec is the application error type of a spec that cannot be run; it is not retried.
const ErrSpec = "SpecError"

// Activities carries what the activities need. The zero value is ready to use.
type Activities struct {
	// Inject, when set, is called before each point is simulated; an error it returns fails
	// the attempt. Tests use it to inject faults (a crash mid-chunk, a retry).
	Inject func(info activity.Info, point int64) error
	// BeforeSimulate, when set, is called just before each point is simulated, inside the
	// recovery that turns a panic into a failed row (status results.StatusFailed). Tests panic
	// in it to fail one point.
	BeforeSimulate func(point int64)
	// PartialEvery, when > 0, makes a running chunk write its partial shard
	// (PartialShardPath) after every PartialEvery finished points, besides every few seconds.
	// Tests use it to force partial shards.
	PartialEvery int
	// Store reads and writes the shards and merged tables (nil: a *store.Store shared by the
	// process, which reads credentials for s3:// and gs:// locations from the environment).
	Store Store
}

// ShardPath is where the shard of chunk id lives under the output location (a directory or an
// s3:// or gs:// URL, pkg/store): one object per chunk, so that a retried chunk overwrites its
// own shard and never adds a second one. For a directory it is a file path, as it always was
// (workflow histories that recorded it replay); for a URL, the URL of the object.
func ShardPath(outDir string, chunk int) string {
	return store.Join(ShardDir(outDir), fmt.Sprintf("chunk-%06d.parquet", chunk))
}

// ShardDir is the directory of a sweep's shards; it is removed once results.parquet is written.
func ShardDir(outDir string) string { return store.Join(outDir, "shards") }

// ResultsPath is the merged table of a sweep.
func ResultsPath(outDir string) string { return store.Join(outDir, "results.parquet") }

// loadGrid parses the spec carried by an activity's input; a bad spec is non-retryable.
func loadGrid(file, source string) (*grid.Grid, error) {
	s, err := spec.Parse(file, []byte(source))
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrSpec, err)
	}
	return grid.New(s), nil
}

// nonRetryable marks err as a permanent failure of the activity.
func nonRetryable(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), "Permanent", err)
}
