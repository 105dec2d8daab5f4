package activities

import (
	"context"
	"fmt"
	"os"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// PrepareInput is a sweep about to run its chunks: its spec (stored once here for the
// activities to read), the output location and the pin.
type PrepareInput struct {
	Spec     string
	SpecFile string
	OutDir   string
	Pin      Pin
}

// PrepareSweep readies a sweep's output before its first chunk: it refuses an output location
// whose results.parquet was not written by phasesweep (it would be overwritten), removes the
// temporary files that killed merges left beside the tables, and stores the spec at the pin's
// SpecCopy. Writing there is the first write of the sweep, so an output location that cannot
// be written fails the sweep at once (ErrOutput) instead of stalling its chunks. Running it
// again does the same.
func (a *Activities) PrepareSweep(ctx context.Context, in PrepareInput) error {
	st := a.store()
	l := in.Pin.Layout(in.OutDir)
	if err := CheckOutput(ctx, st, l); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrOutput, err)
	}
	removeStaleTemps(ctx, l)
	if in.Pin.SpecCopy == "" {
		return nil
	}
	if !store.IsURL(l.ShardDir()) { // chunks write only into the shard directory made here (shardDirGone)
		if err := os.MkdirAll(l.ShardDir(), 0o755); err != nil {
			return writeFailure("the sweep's shard directory", err)
		}
	}
	err := st.Put(ctx, in.Pin.SpecCopy, func(path string) error { return results.WriteBytes(path, []byte(in.Spec)) })
	return writeFailure("the sweep's spec copy "+in.Pin.SpecCopy, err)
}

// CheckOutput refuses an output location whose results.parquet (or trajectories.parquet) is
// not a table phasesweep wrote: a sweep replaces its own tables and those of earlier sweeps,
// never a user's file of the same name.
func CheckOutput(ctx context.Context, st Store, l layout.Sweep) error {
	for _, t := range []string{l.Results(), l.Trajectories()} {
		if !exists(ctx, st, t) {
			continue
		}
		meta, _, err := readMeta(ctx, st, t)
		if err == nil && meta[results.MetaSpecHash] != "" {
			continue
		}
		why := "it has no phasesweep metadata"
		if err != nil {
			why = fmt.Sprintf("it is not a Parquet table (%v)", err)
		}
		return fmt.Errorf("%s exists and was not written by phasesweep (%s): refusing to overwrite it; move it away or choose another out", t, why)
	}
	return nil
}

// removeStaleTemps removes the temporary files (.results.parquet.*.tmp) that a merge killed
// while writing left beside the sweep's tables (local outputs only: an object store has none).
func removeStaleTemps(ctx context.Context, l layout.Sweep) {
	for _, t := range []string{l.Results(), l.Trajectories()} {
		if store.IsURL(t) {
			continue
		}
		if _, err := results.RemoveTemps(t); err != nil {
			activity.GetLogger(ctx).Warn("temporary files not removed", "table", t, "error", err)
		}
	}
}
