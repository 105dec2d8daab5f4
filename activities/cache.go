package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/phasesweep/phasesweep/pkg/cache"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// metricStart is the first metric column of a sweep row: the cache stores a row from there
// on (the metrics, status, steps and any later column), under those columns' names.
const metricStart = "train_loss"

// chunkCache is the result cache (pkg/cache) as one chunk uses it: it looks points up before
// they are simulated and stores the chunk's newly finished points once its shard is written.
// A nil *chunkCache is a disabled cache: lookups miss and stores do nothing.
type chunkCache struct {
	c      *cache.Cache
	g      *grid.Grid
	fields []results.Field // the chunk table's fields
	start  int             // index of metricStart in fields
	status int             // index of the status column in fields (-1: none)
	hits   map[int64]bool  // points found in the cache (not stored again)
}

// openChunkCache opens the cache directory dir for a chunk of g whose table has fields
// (newChunkCache); a directory that cannot be created is logged and the chunk is then
// simulated in full.
func openChunkCache(ctx context.Context, dir string, g *grid.Grid, fields []results.Field) *chunkCache {
	cc, err := newChunkCache(dir, g, fields)
	if err != nil {
		activity.GetLogger(ctx).Warn("result cache disabled", "dir", dir, "error", err)
		return nil
	}
	return cc
}

// newChunkCache opens the cache directory dir for rows of g with fields. It returns nil (no
// cache) when dir is "", when the spec records trajectories (the cache holds no trajectory
// rows), or when fields has no metric columns.
func newChunkCache(dir string, g *grid.Grid, fields []results.Field) (*chunkCache, error) {
	if dir == "" || g.Spec().Record.Every > 0 {
		return nil, nil
	}
	cc := &chunkCache{g: g, fields: fields, start: -1, status: -1, hits: map[int64]bool{}}
	for j, f := range fields {
		switch f.Name {
		case metricStart:
			cc.start = j
		case "status":
			cc.status = j
		}
	}
	if cc.start < 0 {
		return nil, nil
	}
	c, err := cache.Open(dir)
	if err != nil {
		return nil, err
	}
	cc.c = c
	return cc, nil
}

// key is the cache key of p: its run configuration, its dataset's content hash and the
// spec's record options (gamma_max fills a column).
func (cc *chunkCache) key(p grid.Point) (cache.Key, bool) {
	dataHash, err := cc.g.DataHash(p)
	if err != nil {
		return cache.Key{}, false
	}
	return cache.KeyOf(p.Config, dataHash, cc.g.Spec().Record), true
}

// Lookup returns the row of p rebuilt from the cache (this spec's point index and parameter
// values, the cached metrics), its status ("" without a status column), and whether p was
// found (chunkrun.Cache).
func (cc *chunkCache) Lookup(p grid.Point) (row []results.Value, status string, ok bool) {
	if cc == nil {
		return nil, "", false
	}
	k, ok := cc.key(p)
	if !ok {
		return nil, "", false
	}
	metrics, ok := cc.c.Get(k, cc.fields[cc.start:])
	if !ok || (cc.status >= 0 && metrics[cc.status-cc.start].S == results.StatusFailed) {
		return nil, "", false
	}
	row = make([]results.Value, 0, len(cc.fields))
	row = append(row, results.Value{I: p.Index})
	for _, v := range p.Values {
		row = append(row, results.Value{I: v.Int, F: v.Float, S: v.Str})
	}
	if len(row) != cc.start {
		return nil, "", false // a table layout this code does not know: simulate
	}
	row = append(row, metrics...)
	cc.hits[p.Index] = true
	if cc.status >= 0 {
		status = row[cc.status].S
	}
	return row, status, true
}

// store adds the chunk's rows that were simulated (not found by Lookup) and did not fail
// (status results.StatusFailed) to the cache. It is best effort: a cache that cannot be
// written costs recomputation later, never results, so an error is logged and the chunk
// succeeds.
func (cc *chunkCache) store(ctx context.Context, rows [][]results.Value) {
	if _, err := cc.put(rows); err != nil {
		activity.GetLogger(ctx).Warn("result cache not written", "dir", cc.c.Dir(), "error", err)
	}
}

// put stores rows as store does and returns how many it passed to the cache.
func (cc *chunkCache) put(rows [][]results.Value) (int, error) {
	if cc == nil {
		return 0, nil
	}
	var entries []cache.Entry
	for _, r := range rows {
		if len(r) != len(cc.fields) || cc.hits[r[0].I] || (cc.status >= 0 && r[cc.status].S == results.StatusFailed) ||
			r[0].I < cc.g.First() || r[0].I >= cc.g.First()+cc.g.Count() {
			continue
		}
		k, ok := cc.key(cc.g.Point(r[0].I))
		if !ok {
			continue
		}
		entries = append(entries, cache.Entry{Key: k, Values: r[cc.start:]})
	}
	return len(entries), cc.c.Put(cc.fields[cc.start:], entries)
}
