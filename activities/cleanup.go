package activities

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// cleanup removes a merged sweep's intermediate files: every file of its shard directory that
// the layout names (layout.Owned: shards, trajectory and partial shards, their writers' temp
// files) and its spec copy; then the shard directory, the sweep's directory and the
// .phasesweep directory, each only if nothing else is left in it; and the partial tables that
// sweep results wrote of this sweep while it ran (stalePartials). It never removes a file the
// layout does not name, nor a directory that is not empty: a user's files survive it. Shards
// set aside stay (with their directory) for a person to look at. specHash is the spec's hash
// (spec.Spec.Hash), which names the sweep's tables in their metadata.
func cleanup(ctx context.Context, st Store, l layout.Sweep, specHash string) error {
	if err := removeStalePartials(ctx, st, l, specHash); err != nil {
		return err
	}
	listed, err := st.List(ctx, l.ShardDir())
	if err != nil {
		return err
	}
	for _, loc := range listed {
		if !layout.Owned(loc) {
			continue
		}
		if err := st.Remove(ctx, loc); err != nil {
			return err
		}
	}
	removeEmptyDir(l.ShardDir())
	if l.ID == "" { // the legacy layout's work directory is the output directory itself
		return nil
	}
	if err := st.Remove(ctx, l.SpecCopy()); err != nil {
		return err
	}
	removeEmptyDir(l.WorkDir())
	removeEmptyDir(store.Dir(l.WorkDir()))
	return nil
}

// removeStalePartials removes the partial tables beside the sweep's final ones
// (layout.Sweep.PartialResults, PartialTrajectories) that sweep results merged from this
// sweep's finished chunks while it ran: once results.parquet is whole they only mislead. A
// file there is removed only when phasesweep wrote it for this sweep: its metadata marks it
// partial and names this sweep (phasesweep.sweep), or, for tables written before partial
// tables named their sweep, this spec (phasesweep.spec_hash). A user's file of that name, or
// the partial table of another sweep writing to the same output, stays.
func removeStalePartials(ctx context.Context, st Store, l layout.Sweep, specHash string) error {
	for _, loc := range []string{l.PartialResults(), l.PartialTrajectories()} {
		if !exists(ctx, st, loc) {
			continue
		}
		meta, _, err := readMeta(ctx, st, loc)
		if err != nil || meta[results.MetaPartial] != "true" {
			continue
		}
		sweep := meta[results.MetaSweep]
		if own := (sweep != "" && sweep == l.ID) || (sweep == "" && meta[results.MetaSpecHash] == specHash); !own {
			continue
		}
		if err := st.Remove(ctx, loc); err != nil {
			return fmt.Errorf("remove the stale partial table %s: %w", loc, err)
		}
	}
	return nil
}

// removeEmptyDir removes the local directory dir if it is empty (an object store has no
// directories; a directory with anything in it, or none at all, is left as it is).
func removeEmptyDir(dir string) {
	if store.IsURL(dir) {
		return
	}
	_ = os.Remove(dir) // fails, and changes nothing, on a directory that is not empty
}

// shardDirGone reports whether the local shard directory of l no longer exists: the sweep
// was merged and cleaned up, and an attempt still running (one whose worker lost the server
// long enough for its chunk to be run again elsewhere) must not write its shard into a new
// one. Sweeps from before per-sweep directories create it on their first write.
func shardDirGone(l layout.Sweep) bool {
	if l.ID == "" || l.Out == "" || store.IsURL(l.ShardDir()) {
		return false
	}
	_, err := os.Stat(l.ShardDir())
	return errors.Is(err, fs.ErrNotExist)
}
