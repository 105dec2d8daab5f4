package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// ChunkInput names a chunk of a sweep and where its shard goes.
type ChunkInput struct {
	Spec     string // the spec's YAML
	SpecFile string // for messages
	Chunk    grid.Chunk
	Shard    string // path of the shard to write
}

// ChunkOutput reports a written shard.
type ChunkOutput struct {
	Shard    string
	Rows     int
	Diverged int
	// Trajectory is the trajectory shard written beside Shard (TrajectoryShardPath) and
	// TrajectoryRows its rows, when the spec records trajectories ("" and 0 otherwise).
	Trajectory     string
	TrajectoryRows int
}

// heartbeatEvery is how often a running chunk tells the server it is alive.
const heartbeatEvery = 2 * time.Second

// SimulateChunk runs every point of the chunk and writes their rows to the shard atomically.
// A shard already written for the same spec (by an attempt whose completion was lost) is
// returned as it is. Points with the same data seed share one generated dataset. When the
// spec records trajectories (record.every > 0) it first writes the chunk's trajectory rows to
// the trajectory shard beside it (TrajectoryShardPath), also atomically, and a shard is
// reused only with its trajectory shard.
func (a *Activities) SimulateChunk(ctx context.Context, in ChunkInput) (ChunkOutput, error) {
	g, err := loadGrid(in.SpecFile, in.Spec)
	if err != nil {
		return ChunkOutput{}, err
	}
	if in.Chunk.Start < 0 || in.Chunk.Start > in.Chunk.End || in.Chunk.End > g.Count() {
		return ChunkOutput{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("chunk %d covers points [%d, %d) but the spec has %d points", in.Chunk.ID, in.Chunk.Start, in.Chunk.End, g.Count()), ErrSpec, nil)
	}
	hash := g.Hash() // the spec's hash, plus its data files' content hashes when it sets data
	record := g.Spec().Record
	if out, ok := existingShard(in.Shard, hash, in.Chunk); ok && reuseTrajectory(&out, record, in.Shard, hash) {
		return out, nil
	}
	info := activity.GetInfo(ctx)
	done := make(chan struct{})
	defer close(done)
	last := make(chan int64, 1)
	go heartbeat(ctx, done, last)

	table := &results.Table{
		Fields: results.SweepFields(g.Columns()),
		Meta:   map[string]string{results.MetaSpecHash: hash, results.MetaVersion: version.String()},
	}
	traj := newTrajectoryTable(record, hash) // nil: no trajectories
	datasets := map[uint64]*dynamics.Data{}
	diverged := 0
	for i := in.Chunk.Start; i < in.Chunk.End; i++ {
		if a.Inject != nil {
			if err := a.Inject(info, i); err != nil {
				return ChunkOutput{}, err
			}
		}
		p := g.Point(i)
		fileData, err := g.Dataset(p) // spec parameter data: read once per chunk (nil if generated)
		if err != nil {
			return ChunkOutput{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("point %d: %v", i, err), ErrSpec, err)
		}
		if err := p.Config.Validate(); err != nil { // else GenerateData panics, and panics are retried
			return ChunkOutput{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("point %d (%s): %v", i, g.Describe(p), err), ErrSpec, err)
		}
		data, ok := datasets[p.Config.DataSeed]
		if fileData != nil {
			data, ok = fileData, true
		}
		if !ok {
			data = dynamics.GenerateData(p.Config)
			datasets = map[uint64]*dynamics.Data{p.Config.DataSeed: data} // keep one: memory stays bounded
		}
		_, res, err := traj.simulate(ctx, i, p.Config, data)
		if err != nil {
			if ctx.Err() != nil {
				return ChunkOutput{}, ctx.Err()
			}
			return ChunkOutput{}, nonRetryable(fmt.Errorf("point %d (%s): %w", i, g.Describe(p), err))
		}
		if res.Status == dynamics.StatusDiverged {
			diverged++
		}
		table.Rows = append(table.Rows, results.SweepRow(i, p.Values, res))
		select {
		case <-last:
		default:
		}
		last <- i
	}
	trajRows, trajPath, err := traj.write(in.Shard, table.Meta) // before the shard that names its row count
	if err != nil {
		return ChunkOutput{}, fmt.Errorf("write trajectory shard of chunk %d: %w", in.Chunk.ID, err)
	}
	if err := results.WriteFile(in.Shard, table); err != nil {
		return ChunkOutput{}, fmt.Errorf("write shard of chunk %d: %w", in.Chunk.ID, err)
	}
	return ChunkOutput{Shard: in.Shard, Rows: len(table.Rows), Diverged: diverged, Trajectory: trajPath, TrajectoryRows: trajRows}, nil
}

// existingShard reads a shard left by an earlier attempt for the same spec, chunk and program
// version. A shard of an earlier sweep run with another chunk size, or by another version,
// holds other points or other numbers, and is computed again.
func existingShard(path, hash string, c grid.Chunk) (ChunkOutput, bool) {
	t, err := results.ReadFile(path)
	if err != nil || t.Meta[results.MetaSpecHash] != hash || t.Meta[results.MetaVersion] != version.String() ||
		int64(len(t.Rows)) != c.Len() || len(t.Fields) == 0 || t.Fields[0].Name != results.PointColumn {
		return ChunkOutput{}, false
	}
	for k, r := range t.Rows {
		if r[0].I != c.Start+int64(k) {
			return ChunkOutput{}, false
		}
	}
	out := ChunkOutput{Shard: path, Rows: len(t.Rows)}
	for j, f := range t.Fields {
		if f.Name != "status" {
			continue
		}
		for _, r := range t.Rows {
			if r[j].S == dynamics.StatusDiverged {
				out.Diverged++
			}
		}
	}
	return out, true
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
