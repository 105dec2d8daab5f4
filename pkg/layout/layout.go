// Package layout owns where a sweep's files live under its output location (a directory, or an
// s3:// or gs:// URL: pkg/store). Every other package asks it for a path; none builds one.
//
// Under the output location out, a sweep whose id is ID writes
//
//	out/results.parquet                          the merged table (one row per point)
//	out/trajectories.parquet                     the merged trajectories, when recorded
//	out/results.partial.parquet                  a running sweep's finished chunks (sweep results)
//	out/trajectories.partial.parquet             and their trajectories
//	out/.phasesweep/ID/spec.yaml                 the spec as submitted (activities read it)
//	out/.phasesweep/ID/shards/chunk-NNNNNN.parquet        chunk NNNNNN's rows
//	out/.phasesweep/ID/shards/traj-NNNNNN.parquet         its trajectory rows
//	out/.phasesweep/ID/shards/chunk-NNNNNN.partial.parquet a running chunk's rows so far
//	out/.phasesweep/ID/shards/traj-NNNNNN.partial.parquet  and their trajectory rows
//	out/.phasesweep/ID/set-aside/...             shards found unreadable or foreign, kept for a look
//	out/.phasesweep/ID/refine/level-NN.points.parquet  a refined sweep's level NN: its points
//	out/.phasesweep/ID/refine/level-NN.parquet           and its merged rows (docs/refine.md)
//
// The directory out/.phasesweep/ID belongs to that one sweep: two sweeps (two specs of the
// same name, the same spec with --new) never share an intermediate file, and cleanup removes
// only the files a sweep names here, never a directory it did not create. A Sweep with an
// empty ID is the layout of sweeps started before this package existed (out/shards/...); it
// is kept so that their workflow histories replay and their shards are found.
package layout

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/store"
)

// Dir is the name of the directory under a sweep's output location that holds the
// intermediate files of its sweeps, one subdirectory per sweep id.
const Dir = ".phasesweep"

// validID is what a sweep id may be to name a directory: the workflow ids of sweeps
// (workflows.WorkflowID: sweep-<name>-<hash>[-<unix time>]) match it.
var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Sweep is the layout of one sweep's files: its output location and its id.
type Sweep struct {
	Out string // the output location: an absolute directory or an s3:// / gs:// URL
	ID  string // the sweep's id ("" for the layout of sweeps from before per-sweep directories)
}

// New returns the layout of sweep id under out, or an error if id cannot name a directory.
func New(out, id string) (Sweep, error) {
	if id != "" && (!validID.MatchString(id) || strings.Contains(id, "..")) {
		return Sweep{}, fmt.Errorf("sweep id %q cannot name a directory", id)
	}
	return Sweep{Out: out, ID: id}, nil
}

// Results is the merged table of the sweep.
func (s Sweep) Results() string { return store.Join(s.Out, "results.parquet") }

// Trajectories is the merged trajectory table of a sweep that records trajectories.
func (s Sweep) Trajectories() string { return store.Join(s.Out, "trajectories.parquet") }

// PartialResults is where sweep results merges the finished chunks of a running sweep: beside
// Results, never over it, so that the sweep's own final merge cannot race with that one. The
// final merge removes it (when this sweep wrote it).
func (s Sweep) PartialResults() string { return store.Join(s.Out, "results.partial.parquet") }

// PartialTrajectories is the trajectory table beside PartialResults.
func (s Sweep) PartialTrajectories() string {
	return store.Join(s.Out, "trajectories.partial.parquet")
}

// WorkDir is the directory only this sweep writes to (for the legacy layout, out itself).
func (s Sweep) WorkDir() string {
	if s.ID == "" {
		return s.Out
	}
	return store.Join(s.Out, Dir, s.ID)
}

// SpecCopy is where the spec is stored once at submission, for activities to read (so that
// no activity input carries the spec whatever its size).
func (s Sweep) SpecCopy() string { return store.Join(s.WorkDir(), "spec.yaml") }

// ShardDir is the directory of the sweep's shards.
func (s Sweep) ShardDir() string { return store.Join(s.WorkDir(), "shards") }

// SetAsideDir is where shards that are unreadable or not this sweep's are moved to before
// their chunks are computed again.
func (s Sweep) SetAsideDir() string { return store.Join(s.WorkDir(), "set-aside") }

// Shard is the shard of chunk id: one object per chunk, so that a retried chunk overwrites its
// own shard and never adds a second one.
func (s Sweep) Shard(chunk int) string {
	return store.Join(s.ShardDir(), fmt.Sprintf("chunk-%06d.parquet", chunk))
}

// ChunkOf is the chunk id a shard location (Shard) names, and false for any other name.
func ChunkOf(shard string) (int, bool) {
	b := store.Base(shard)
	num, ok := strings.CutPrefix(b, "chunk-")
	if !ok {
		return 0, false
	}
	num, ok = strings.CutSuffix(num, ".parquet")
	if !ok || len(num) < 6 || strings.Contains(num, ".") {
		return 0, false
	}
	id, err := strconv.Atoi(num)
	if err != nil || id < 0 {
		return 0, false
	}
	return id, true
}

// PartialShard is where the running chunk whose final shard is shard keeps the rows it has
// finished: chunk-000123.parquet -> chunk-000123.partial.parquet.
func PartialShard(shard string) string {
	return store.Join(store.Dir(shard), strings.TrimSuffix(store.Base(shard), ".parquet")+".partial.parquet")
}

// TrajectoryShard is the trajectory shard beside the results shard (or partial shard) shard:
// chunk-000123.parquet -> traj-000123.parquet.
func TrajectoryShard(shard string) string {
	return store.Join(store.Dir(shard), "traj-"+strings.TrimPrefix(store.Base(shard), "chunk-"))
}

// Chunks is the number of chunks of size points each (the last one shorter) that cover points.
func Chunks(points int64, size int) int {
	if size < 1 || points < 1 {
		return 0
	}
	return int((points + int64(size) - 1) / int64(size))
}

// ChunkRange is the range [start, end) of the points of chunk id of a sweep of points points
// in chunks of size.
func ChunkRange(id int, points int64, size int) (start, end int64) {
	start = int64(id) * int64(size)
	return start, min(start+int64(size), points)
}

// Lister lists the objects directly in a directory location (pkg/store's Store does).
type Lister interface {
	List(ctx context.Context, dir string) ([]string, error)
}

// FinishedShards returns the shards of chunks 0..chunks-1 that are finished, in chunk order:
// their results shard is there and, when the spec records trajectories, their trajectory
// shard too. Partial shards do not count. It lists the shard directory once.
func (s Sweep) FinishedShards(ctx context.Context, l Lister, chunks int, recording bool) ([]string, error) {
	listed, err := l.List(ctx, s.ShardDir())
	if err != nil {
		return nil, fmt.Errorf("list shards: %w", err)
	}
	there := make(map[string]bool, len(listed))
	for _, loc := range listed {
		there[loc] = true
	}
	var done []string
	for i := range chunks {
		sh := s.Shard(i)
		if there[sh] && (!recording || there[TrajectoryShard(sh)]) {
			done = append(done, sh)
		}
	}
	return done, nil
}

// Owned reports whether loc, an object listed in the shard directory, is a file this sweep's
// layout names there (a shard, trajectory shard or partial shard of some chunk, or a writer's
// temporary file of one), so that cleanup removes it. Anything else there is left alone.
func Owned(loc string) bool {
	b := store.Base(loc)
	if t, ok := strings.CutPrefix(b, "."); ok { // a temp file: .<name>.<random>.tmp
		if !strings.HasSuffix(t, ".tmp") {
			return false
		}
		name, _, ok := strings.Cut(t, ".parquet.")
		return ok && ownedName(name+".parquet")
	}
	return ownedName(b)
}

// ownedName reports whether b is chunk-N.parquet, traj-N.parquet or their .partial forms.
func ownedName(b string) bool {
	for _, prefix := range []string{"chunk-", "traj-"} {
		if num, ok := strings.CutPrefix(b, prefix); ok {
			num = strings.TrimSuffix(num, ".parquet")
			num = strings.TrimSuffix(num, ".partial")
			if _, err := strconv.Atoi(num); err == nil && len(num) >= 6 {
				return true
			}
		}
	}
	return false
}

// RefineDir is the directory of a refined sweep's levels (docs/refine.md): each level's
// point list and its merged table, until the levels are merged into results.parquet.
func (s Sweep) RefineDir() string { return store.Join(s.WorkDir(), "refine") }

// LevelPoints is the point list of level l of a refined sweep (written by its planning;
// level 0, the coarse grid, has none).
func (s Sweep) LevelPoints(l int) string {
	return store.Join(s.RefineDir(), fmt.Sprintf("level-%02d.points.parquet", l))
}

// LevelTable is the merged table of level l of a refined sweep, written by the level's
// sweep in place of results.parquet.
func (s Sweep) LevelTable(l int) string {
	return store.Join(s.RefineDir(), fmt.Sprintf("level-%02d.parquet", l))
}
