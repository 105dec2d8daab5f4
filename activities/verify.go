package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// chunkMeta is the MetaChunk value of chunk c's shards: "id:start:end".
func chunkMeta(c grid.Chunk) string { return fmt.Sprintf("%d:%d:%d", c.ID, c.Start, c.End) }

// shardCheck is what every shard of a sweep must say of itself to be merged.
type shardCheck struct {
	sweep  string // the sweep id ("" for sweeps from before per-sweep directories: not checked)
	hash   string // the grid hash (spec and data contents)
	points int64
	size   int   // points per chunk
	first  int64 // the id of the sweep's first point (a refined sweep's level, LevelPin.First)
}

// check returns "" when the local file path is chunk's shard of this sweep: readable, of this
// sweep, spec, data and program version, holding exactly the chunk's points; else why not.
func (c shardCheck) check(path string, chunk int) string {
	meta, rows, err := results.ReadMeta(path)
	if err != nil {
		return fmt.Sprintf("unreadable (%v)", err)
	}
	start, end := layout.ChunkRange(chunk, c.points, c.size)
	start, end = start+c.first, end+c.first
	want := chunkMeta(grid.Chunk{ID: chunk, Start: start, End: end})
	switch {
	case c.sweep != "" && meta[results.MetaSweep] != c.sweep:
		return fmt.Sprintf("written by another sweep (%q)", meta[results.MetaSweep])
	case meta[results.MetaSpecHash] != c.hash:
		return fmt.Sprintf("of another spec or data (hash %.12s, want %.12s)", meta[results.MetaSpecHash], c.hash)
	case meta[results.MetaVersion] != version.String():
		return fmt.Sprintf("written by %q", meta[results.MetaVersion])
	case c.sweep != "" && meta[results.MetaChunk] != want:
		return fmt.Sprintf("holds chunk %q, want %q", meta[results.MetaChunk], want)
	case rows != end-start:
		return fmt.Sprintf("holds %d rows for the chunk's %d points", rows, end-start)
	}
	return ""
}

// setAside moves the shard of a chunk that failed its check (and its trajectory shard) out of
// the shard directory into the sweep's set-aside directory, where a person can look at it,
// so that the chunk is computed again. Objects in a bucket are removed instead.
func setAside(ctx context.Context, st Store, l layout.Sweep, shard string) error {
	for _, loc := range []string{layout.TrajectoryShard(shard), shard} {
		if store.Remote(loc) {
			if err := st.Remove(ctx, loc); err != nil {
				return err
			}
			continue
		}
		dir := l.SetAsideDir()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.Rename(loc, filepath.Join(dir, store.Base(loc))); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	activity.GetLogger(ctx).Warn("shard set aside; its chunk runs again", "shard", shard, "to", l.SetAsideDir())
	return nil
}
