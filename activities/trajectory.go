package activities

import (
	"context"
	"fmt"
	"maps"
	"strconv"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// metaTrajectoryRows is a key of a results shard's metadata (not of results.parquet): the
// number of rows of its trajectory shard, written before it, so that a shard is reused only
// together with the trajectory shard of the same attempt.
const metaTrajectoryRows = "phasesweep.trajectory_rows"

// trajectoryTable collects the trajectory rows of a chunk (nil when the spec records none).
type trajectoryTable struct {
	rec   spec.Record
	table *results.Table
}

// newTrajectoryTable starts the trajectory table of a chunk whose shards have metadata meta
// (shardMeta), or returns nil when rec records no trajectory.
func newTrajectoryTable(rec spec.Record, meta map[string]string) *trajectoryTable {
	if rec.Every <= 0 {
		return nil
	}
	return &trajectoryTable{rec: rec, table: &results.Table{
		Fields: results.TrajectoryFields(rec.Beta),
		Meta:   maps.Clone(meta),
	}}
}

// write writes the trajectory shard of the results shard shard to st, and records its row
// count in the results shard's metadata meta. It does nothing when tt is nil.
func (tt *trajectoryTable) write(ctx context.Context, st Store, shard string, meta map[string]string) (rows int, path string, err error) {
	if tt == nil {
		return 0, "", nil
	}
	path = layout.TrajectoryShard(shard)
	if err := writeTable(ctx, st, path, tt.table); err != nil {
		return 0, "", err
	}
	meta[metaTrajectoryRows] = strconv.Itoa(len(tt.table.Rows))
	return len(tt.table.Rows), path, nil
}

// reuseTrajectory reports whether the trajectory shard of the reusable results shard shard
// (existingShard) may be reused too, and sets out's trajectory fields: always when rec records
// nothing; else when the trajectory shard has the spec hash, the program version and the row
// count the results shard's metadata names (so both come from the same attempt).
func reuseTrajectory(ctx context.Context, st Store, out *ChunkOutput, rec spec.Record, shard, hash string) bool {
	if rec.Every <= 0 {
		return true
	}
	meta, _, err := readMeta(ctx, st, shard)
	if err != nil {
		return false
	}
	want, err := strconv.ParseInt(meta[metaTrajectoryRows], 10, 64)
	if err != nil {
		return false
	}
	path := layout.TrajectoryShard(shard)
	tm, rows, err := readMeta(ctx, st, path)
	if err != nil || tm[results.MetaSpecHash] != hash || tm[results.MetaVersion] != version.String() || rows != want {
		return false
	}
	out.Trajectory, out.TrajectoryRows = path, int(rows)
	return true
}

// mergeTrajectories merges the trajectory shards of the results shards shards into the
// sweep's trajectories.parquet with metadata meta, keyed by (point, step).
func mergeTrajectories(ctx context.Context, st Store, shards []string, l layout.Sweep, meta map[string]string) (string, int, error) {
	trajShards := make([]string, len(shards))
	for i, s := range shards {
		trajShards[i] = layout.TrajectoryShard(s)
	}
	out := l.Trajectories()
	rows, err := MergeTables(ctx, st, trajShards, out, meta, results.TrajectoryKeyColumns)
	if err != nil {
		return "", 0, fmt.Errorf("merge trajectory shards into %s: %w", out, err)
	}
	return out, rows, nil
}

// add appends the trajectory rows of a finished point (nothing when tt is nil).
func (tt *trajectoryTable) add(rows [][]results.Value) {
	if tt != nil {
		tt.table.Rows = append(tt.table.Rows, rows...)
	}
}
