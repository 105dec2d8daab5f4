package activities

import (
	"context"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// RebuildInput is a finished sweep whose merged table is to be written again: its spec, the
// layout of its files, its chunking, its result cache and its pinned contents.
type RebuildInput struct {
	Layout    layout.Sweep
	SpecFile  string
	Spec      string // the spec's text as submitted
	Points    int64
	ChunkSize int
	CacheDir  string // "" when the sweep ran without a result cache
	Hash      string // grid.Grid.Hash at submission ("": not checked)
	Data      []grid.DataFile
}

// RebuildSources says where the rows of a finished sweep would come from if its chunks ran
// again (SimulateChunk) and were merged (MergeShards): a chunk whose finished shard is still
// in the sweep's layout is returned as it is; the points of the other chunks are read from
// the result cache, and those found in neither would be simulated.
type RebuildSources struct {
	Points       int64 // points of the sweep
	Shards       int   // chunks with a finished shard
	ShardPoints  int64 // their points
	Cached       int64 // points of the other chunks found in the cache
	Missing      int64 // points found in neither
	FirstMissing int64 // the first of them (-1: none)
	Recording    bool  // the spec records trajectories, which the cache does not hold
}

// FindRebuildSources checks, without simulating or writing anything, where every point of the
// finished sweep in would come from if its table were merged again. It reads the spec from
// in.Spec and fails, as a chunk would, when the spec or a data file no longer has the
// content it had at submission (in.Hash, in.Data). The cache is looked up exactly as
// SimulateChunk looks it up (chunkCache.Lookup), so a point counted as cached is one a chunk
// would read; failed points are never cached, and a spec that records trajectories uses no
// cache (its chunks need their shards).
func FindRebuildSources(ctx context.Context, st Store, in RebuildInput) (RebuildSources, error) {
	g, err := pinnedGrid(ctx, st, in.SpecFile, in.Spec, Pin{Hash: in.Hash, Data: in.Data})
	if err != nil {
		return RebuildSources{}, err
	}
	src := RebuildSources{Points: g.Count(), FirstMissing: -1, Recording: g.Spec().Record.Every > 0}
	chunks := layout.Chunks(in.Points, in.ChunkSize)
	finished, err := in.Layout.FinishedShards(ctx, st, chunks, src.Recording)
	if err != nil {
		return src, err
	}
	have := make(map[int]bool, len(finished))
	for _, sh := range finished {
		if id, ok := layout.ChunkOf(sh); ok {
			have[id] = true
		}
	}
	cc, err := newChunkCache(in.CacheDir, g, results.SweepFields(g.Columns()))
	if err != nil {
		return src, err
	}
	for id := range chunks {
		start, end := layout.ChunkRange(id, in.Points, in.ChunkSize)
		if have[id] {
			src.Shards++
			src.ShardPoints += end - start
			continue
		}
		for i := start; i < end; i++ {
			if _, _, ok := cc.Lookup(g.Point(i)); ok {
				src.Cached++
				continue
			}
			if src.Missing == 0 {
				src.FirstMissing = i
			}
			src.Missing++
		}
	}
	return src, nil
}
