package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/chunkrun"
	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// ChunkInput names a chunk of a sweep and where its shard goes.
type ChunkInput struct {
	Spec     string `json:",omitempty"` // the spec's text, for sweeps that pin no SpecCopy
	SpecFile string // where the spec was read from: messages, and relative data paths
	Chunk    grid.Chunk
	Shard    string // location of the shard to write (layout.Sweep.Shard)
	// CacheDir is the result cache's directory (pkg/cache); "" disables the cache.
	CacheDir string `json:",omitempty"`
	// Pin ties the chunk to its sweep: the spec copy it reads, the hashes it checks, the
	// sweep id its shard's metadata names.
	Pin Pin `json:",omitempty"`
	// OutDir is the sweep's output location (for its layout); "" for sweeps from before it.
	OutDir string `json:",omitempty"`
}

// ChunkOutput reports a written shard.
type ChunkOutput struct {
	Shard    string
	Rows     int
	Diverged int
	// Failed counts the rows of points whose simulation failed (status results.StatusFailed).
	Failed int `json:",omitempty"`
	// Trajectory is the trajectory shard written beside Shard (TrajectoryShardPath) and
	// TrajectoryRows its rows, when the spec records trajectories ("" and 0 otherwise).
	Trajectory     string
	TrajectoryRows int
}

// heartbeatEvery is how often a running chunk tells the server it is alive.
const heartbeatEvery = 2 * time.Second

// lockstepByDefault reports whether chunks run lockstep groups as one
// dynamics.SimulateLockstep (chunkrun.Runner.Lockstep): when the lockstep kernels are
// vectorised (dynamics.LockstepVectorised: amd64 with AVX2; with the portable kernels a
// lockstep block is no faster than its single runs). The results are the same bit for bit
// either way; tests choose with Hooks.Lockstep to cover both paths in every build.
var lockstepByDefault = dynamics.LockstepVectorised()

// SimulateChunk runs every point of the chunk and writes their rows to the shard atomically.
// The points run through a chunkrun.Runner, in point order: the result cache first, lockstep
// groups (grid.LockstepGroups: gd, hb, nag on one dataset) as one dynamics.SimulateLockstep
// when their first point is reached (see lockstepByDefault), with results bit for bit those of
// single runs, one generated dataset at a time, gamma_max and trajectories; rows are taken
// (and Hooks.Inject is called) in point order. SimulateChunk adds what makes it an activity.
//
// A shard already written for the same spec (by an attempt whose completion was lost) is
// returned as it is. When the spec records trajectories (record.every > 0) it first writes
// the chunk's trajectory rows to the trajectory shard beside it (TrajectoryShardPath), also
// atomically, and a shard is reused only with its trajectory shard.
//
// While it runs, it heartbeats the last finished point and now and then writes the rows
// finished so far to the chunk's partial shard (PartialShardPath, partial.go); an attempt
// after a killed worker loads them and continues after them, so that the final shard is the
// one an uninterrupted attempt writes. A point whose simulation panics or returns an error
// (other than a cancellation) becomes a row with status results.StatusFailed and the message
// in the error column, and the chunk goes on; a spec that cannot run (chunkrun.SpecError) is
// a non-retryable ErrSpec error.
func (a *Activities) SimulateChunk(ctx context.Context, in ChunkInput) (ChunkOutput, error) {
	st := a.store()
	g, err := pinnedGrid(ctx, st, in.SpecFile, in.Spec, in.Pin)
	if err != nil {
		return ChunkOutput{}, err
	}
	if in.Chunk.Start < g.First() || in.Chunk.Start > in.Chunk.End || in.Chunk.End > g.First()+g.Count() {
		return ChunkOutput{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("chunk %d covers points [%d, %d) but the spec has %d points from %d", in.Chunk.ID, in.Chunk.Start, in.Chunk.End, g.Count(), g.First()), ErrSpec, nil)
	}
	hash := g.Hash() // the spec's hash, plus its data files' content hashes when it sets data
	record := g.Spec().Record
	l := in.Pin.Layout(in.OutDir)
	if out, ok := existingShard(ctx, st, in.Shard, hash, in.Pin.Sweep, in.Chunk, results.SweepFields(g.Columns())); ok && reuseTrajectory(ctx, st, &out, record, in.Shard, hash) {
		removePartial(ctx, st, in.Shard) // left if the worker died right after writing the shard
		return out, nil
	}
	done := make(chan struct{})
	defer close(done)
	last := make(chan int64, 1)
	go heartbeat(ctx, done, last)

	table := &results.Table{
		Fields: results.SweepFields(g.Columns()),
		Meta:   shardMeta(hash, in),
	}
	traj := newTrajectoryTable(record, shardMeta(hash, in)) // nil: no trajectories
	// The result cache (cache.go); nil when disabled.
	cc := openChunkCache(ctx, in.CacheDir, g, table.Fields)
	partial := a.resumePartial(ctx, in, l, table, traj) // rows an earlier attempt finished (partial.go)
	diverged, failed := statusCounts(table)
	run := a.chunkRunner(ctx, cc, record.GammaMax, func(p chunkrun.Point) {
		table.Rows = append(table.Rows, p.Row)
		traj.add(p.Trajectory)
		switch p.Status {
		case dynamics.StatusDiverged:
			diverged++
		case results.StatusFailed:
			failed++
		}
		pointDone(ctx, last, partial, p.Index, in.Chunk.End)
	})
	if err := run.Run(ctx, g, in.Chunk.Start+int64(len(table.Rows)), in.Chunk.End); err != nil {
		var se *chunkrun.SpecError
		if errors.As(err, &se) { // not retried
			return ChunkOutput{}, temporal.NewNonRetryableApplicationError(se.Error(), ErrSpec, se.Err)
		}
		return ChunkOutput{}, err
	}
	if shardDirGone(l) {
		return ChunkOutput{}, nonRetryable(fmt.Errorf("chunk %d: the sweep's shard directory %s is gone (the sweep was merged, or its output removed): not writing its shard", in.Chunk.ID, l.ShardDir()))
	}
	trajRows, trajPath, err := traj.write(ctx, st, in.Shard, table.Meta) // before the shard that names its row count
	if err != nil {
		return ChunkOutput{}, writeFailure(fmt.Sprintf("trajectory shard of chunk %d", in.Chunk.ID), err)
	}
	if err := writeTable(ctx, st, in.Shard, table); err != nil {
		return ChunkOutput{}, writeFailure(fmt.Sprintf("shard of chunk %d", in.Chunk.ID), err)
	}
	removePartial(ctx, st, in.Shard)
	cc.store(ctx, table.Rows) // the newly finished points, not the failed ones
	return ChunkOutput{Shard: in.Shard, Rows: len(table.Rows), Diverged: diverged, Failed: failed, Trajectory: trajPath, TrajectoryRows: trajRows}, nil
}

// chunkRunner is the chunkrun.Runner of a chunk of the running activity (ctx): the result
// cache cc (nil: none), the worker's gamma_max thresholds when gammaMax, lockstep groups when
// lockstepByDefault (or Hooks.Lockstep), the test hooks (Hooks.Inject with the activity's info, Hooks.BeforeSimulate),
// the activity's logger, and done for every finished point.
func (a *Activities) chunkRunner(ctx context.Context, cc *chunkCache, gammaMax bool, done func(chunkrun.Point)) *chunkrun.Runner {
	run := &chunkrun.Runner{
		Lockstep:       lockstepByDefault,
		BeforeSimulate: a.hooks.BeforeSimulate,
		Done:           done,
		Log:            activity.GetLogger(ctx),
	}
	if a.hooks.Lockstep != nil {
		run.Lockstep = *a.hooks.Lockstep
	}
	if cc != nil {
		run.Cache = cc
	}
	if gammaMax {
		run.Thresholds = workerGammaMaxes
	}
	if inject := a.hooks.Inject; inject != nil {
		info := activity.GetInfo(ctx)
		run.BeforePoint = func(point int64) error { return inject(info, point) }
	}
	return run
}

// shardMeta is the schema metadata of a chunk's shards: the grid hash and program version,
// and, for pinned sweeps, the sweep id and the chunk's range, which the merge checks.
func shardMeta(hash string, in ChunkInput) map[string]string {
	m := map[string]string{results.MetaSpecHash: hash, results.MetaVersion: version.String()}
	if in.Pin.Sweep != "" {
		m[results.MetaSweep], m[results.MetaChunk] = in.Pin.Sweep, chunkMeta(in.Chunk)
	}
	return m
}

// existingShard reads a shard left by an earlier attempt for the same sweep, spec, chunk and
// program version, with the columns fields. A shard of an earlier sweep run with another chunk
// size, or by another version, holds other points or other numbers, and is computed again.
func existingShard(ctx context.Context, st Store, path, hash, sweep string, c grid.Chunk, fields []results.Field) (ChunkOutput, bool) {
	t, err := readTable(ctx, st, path)
	if err != nil || t.Meta[results.MetaSpecHash] != hash || t.Meta[results.MetaVersion] != version.String() ||
		int64(len(t.Rows)) != c.Len() || !slices.Equal(t.Fields, fields) ||
		(sweep != "" && (t.Meta[results.MetaSweep] != sweep || t.Meta[results.MetaChunk] != chunkMeta(c))) {
		return ChunkOutput{}, false
	}
	for k, r := range t.Rows {
		if r[0].I != c.Start+int64(k) {
			return ChunkOutput{}, false
		}
	}
	out := ChunkOutput{Shard: path, Rows: len(t.Rows)}
	out.Diverged, out.Failed = statusCounts(t)
	return out, true
}

// pointDone reports point, just finished, to the heartbeat and updates the partial shard
// (unless point is the chunk's last: its final shard follows).
func pointDone(ctx context.Context, last chan int64, partial *partialShard, point, end int64) {
	select {
	case <-last:
	default:
	}
	last <- point
	if point+1 < end {
		partial.update(ctx)
	}
}

// heartbeat records the last finished point every heartbeatEvery until done, so that the
// server notices a dead worker within the heartbeat timeout even while one long point runs.
func heartbeat(ctx context.Context, done <-chan struct{}, last <-chan int64) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	point := int64(-1)
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case p := <-last:
			point = p
		case <-t.C:
			activity.RecordHeartbeat(ctx, point)
		}
	}
}
