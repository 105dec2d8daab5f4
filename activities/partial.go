package activities

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// partialInterval is the least time between two writes of a running chunk's partial shard
// (more than heartbeatEvery). A write that takes long (a chunk with many trajectory rows)
// pushes the next one further out, so that rewriting the partial shard costs at most about a
// tenth of the chunk's time.
const partialInterval = 5 * time.Second

// partialShard is a running chunk's partial shard: the rows the chunk has finished so far,
// rewritten atomically now and then (results.WriteFile), with the spec hash and program
// version in its metadata like the final shard.
type partialShard struct {
	st      Store
	layout  layout.Sweep
	path    string
	every   int // write after this many new rows too (Hooks.PartialEvery); 0: by time only
	table   *results.Table
	traj    *trajectoryTable // nil: no trajectories
	written int              // rows in the partial shard on disk
	next    time.Time        // earliest time of the next write by time
}

// resumePartial starts the partial shard of the chunk whose final shard is in.Shard and whose
// rows go to table (and trajectory rows to traj). When an earlier attempt of the chunk left a
// partial shard for the same spec and program version, holding the chunk's first points in
// order (and, with trajectories, its trajectory partial shard with the row count it names),
// it loads those rows into table and traj: the caller continues after them. Anything else
// there is ignored, and overwritten by this attempt's partial shard.
func (a *Activities) resumePartial(ctx context.Context, in ChunkInput, l layout.Sweep, table *results.Table, traj *trajectoryTable) *partialShard {
	ps := &partialShard{st: a.store(), layout: l, path: layout.PartialShard(in.Shard), every: a.hooks.PartialEvery, table: table, traj: traj, next: time.Now().Add(partialInterval)}
	rows, trajRows, ok := loadPartial(ctx, ps.st, ps.path, table, traj, in.Chunk)
	if !ok {
		return ps
	}
	table.Rows = rows
	if traj != nil {
		traj.table.Rows = trajRows
	}
	ps.written = len(rows)
	last := int64(-1)
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &last)
	}
	activity.GetLogger(ctx).Info("resuming chunk from its partial shard", "chunk", in.Chunk.ID,
		"points", len(rows), "next", in.Chunk.Start+int64(len(rows)), "lastHeartbeatPoint", last)
	return ps
}

// loadPartial reads the partial shard at path and its trajectory partial shard, and returns
// their rows if they may be resumed (see resumePartial).
func loadPartial(ctx context.Context, st Store, path string, table *results.Table, traj *trajectoryTable, c grid.Chunk) (rows, trajRows [][]results.Value, ok bool) {
	t, err := readTable(ctx, st, path)
	if err != nil || !sameHeader(t, table) || len(t.Rows) == 0 || int64(len(t.Rows)) > c.Len() {
		return nil, nil, false
	}
	for k, r := range t.Rows {
		if r[0].I != c.Start+int64(k) {
			return nil, nil, false
		}
	}
	if traj == nil {
		return t.Rows, nil, true
	}
	want, err := strconv.Atoi(t.Meta[metaTrajectoryRows])
	if err != nil {
		return nil, nil, false
	}
	tt, err := readTable(ctx, st, layout.TrajectoryShard(path))
	if err != nil || !sameHeader(tt, traj.table) || len(tt.Rows) != want {
		return nil, nil, false
	}
	end := c.Start + int64(len(t.Rows))
	for _, r := range tt.Rows {
		if r[0].I < c.Start || r[0].I >= end {
			return nil, nil, false
		}
	}
	return t.Rows, tt.Rows, true
}

// sameHeader reports whether t, read from a file, has the fields, spec hash and program
// version of the table want that this attempt writes.
func sameHeader(t, want *results.Table) bool {
	return t.Meta[results.MetaSpecHash] == want.Meta[results.MetaSpecHash] &&
		t.Meta[results.MetaVersion] == version.String() && slices.Equal(t.Fields, want.Fields)
}

// update writes the partial shard when rows were finished since the last write and either
// Hooks.PartialEvery of them are new or partialInterval has passed. It is best effort: a
// partial shard that cannot be written costs recomputation after a crash, never results, so
// an error is logged and the chunk goes on.
func (ps *partialShard) update(ctx context.Context) {
	n := len(ps.table.Rows)
	if n == ps.written {
		return
	}
	now := time.Now()
	if (ps.every <= 0 || n-ps.written < ps.every) && now.Before(ps.next) {
		return
	}
	if err := ps.write(ctx); err != nil {
		activity.GetLogger(ctx).Warn("partial shard not written", "path", ps.path, "error", err)
	}
	took := time.Since(now)
	ps.next = time.Now().Add(max(partialInterval, 10*took))
}

// write writes the partial shard: first the trajectory rows, then the rows with the count of
// trajectory rows in the metadata (as the final shard does), so that a partial shard is
// resumed only together with the trajectory rows of the same write.
func (ps *partialShard) write(ctx context.Context) error {
	if shardDirGone(ps.layout) {
		return fmt.Errorf("the sweep's shard directory %s is gone", ps.layout.ShardDir())
	}
	t := &results.Table{Fields: ps.table.Fields, Rows: ps.table.Rows, Meta: maps.Clone(ps.table.Meta)}
	if _, _, err := ps.traj.write(ctx, ps.st, ps.path, t.Meta); err != nil {
		return err
	}
	if err := writeTable(ctx, ps.st, ps.path, t); err != nil {
		return err
	}
	ps.written = len(t.Rows)
	return nil
}

// removePartial removes the partial shards of the chunk whose final shard is shard, once that
// is written; a leftover is only logged (MergeShards removes the shard directory anyway).
func removePartial(ctx context.Context, st Store, shard string) {
	path := layout.PartialShard(shard)
	for _, p := range []string{layout.TrajectoryShard(path), path} {
		if err := st.Remove(ctx, p); err != nil {
			activity.GetLogger(ctx).Warn("partial shard not removed", "path", p, "error", err)
		}
	}
}

// statusCounts counts the diverged and the failed rows of a sweep table.
func statusCounts(t *results.Table) (diverged, failed int) {
	j := slices.IndexFunc(t.Fields, func(f results.Field) bool { return f.Name == "status" })
	if j < 0 {
		return 0, 0
	}
	for _, r := range t.Rows {
		switch r[j].S {
		case dynamics.StatusDiverged:
			diverged++
		case results.StatusFailed:
			failed++
		}
	}
	return diverged, failed
}
