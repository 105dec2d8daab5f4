package activities

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// cleanup removes a merged sweep's intermediate files: every file of its shard directory that
// the layout names (layout.Owned: shards, trajectory and partial shards, their writers' temp
// files) and its spec copy; then the shard directory, the sweep's directory and the
// .phasesweep directory, each only if nothing else is left in it. It never removes a file the
// layout does not name, nor a directory that is not empty: a user's files survive it. Shards
// set aside stay (with their directory) for a person to look at.
func cleanup(ctx context.Context, st Store, l layout.Sweep) error {
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
