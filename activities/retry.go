package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// RetryPlan says what PrepareRetry found and did.
type RetryPlan struct {
	Points  int64 // points of the spec
	Rows    int   // rows of the earlier results.parquet (0: none, or of another spec or version)
	Failed  int   // of those, rows with status results.StatusFailed
	Cached  int   // finished rows stored in the cache from results.parquet
	Removed int   // shards removed because they hold failed rows
}

// PrepareRetry readies a sweep for running again so that only its failed or missing points
// are simulated (sweep retry): it stores the finished rows of the sweep's results.parquet
// (when this spec and program version wrote it, and the spec sets no data) in the cache at
// cacheDir, and removes the
// shards and partial shards in the sweep's layout l (read and written through st) that hold
// failed rows, so that their chunks run again (their finished points then come from
// the cache). The sweep itself is then started again with the same input and cacheDir.
func PrepareRetry(ctx context.Context, st Store, l layout.Sweep, specFile, specSource, cacheDir string) (RetryPlan, error) {
	g, err := loadGrid(specFile, specSource)
	if err != nil {
		return RetryPlan{}, err
	}
	plan := RetryPlan{Points: g.Count()}
	fields := results.SweepFields(g.Columns())
	// An absent or unreadable table, or one of another spec or version, is not reused; nor is
	// the table of a spec that sets data (its metadata does not say which content it had).
	t, err := readTable(ctx, st, l.Results())
	if err == nil && g.Hash() == g.Spec().Hash() && t.Meta[results.MetaSpecHash] == g.Spec().Hash() &&
		t.Meta[results.MetaVersion] == version.String() && slices.Equal(t.Fields, fields) {
		plan.Rows = len(t.Rows)
		plan.Failed = countStatus(t, results.StatusFailed)
		cc, err := newChunkCache(cacheDir, g, fields)
		if err != nil {
			return plan, fmt.Errorf("open cache: %w", err)
		}
		if plan.Cached, err = cc.put(t.Rows); err != nil {
			return plan, fmt.Errorf("store finished rows in the cache: %w", err)
		}
	}
	shards, err := st.List(ctx, l.ShardDir())
	if err != nil {
		return plan, err
	}
	for _, s := range shards {
		if !strings.HasSuffix(store.Base(s), ".parquet") {
			continue
		}
		t, err := readTable(ctx, st, s)
		if err != nil || countStatus(t, results.StatusFailed) == 0 {
			continue
		}
		if err := st.Remove(ctx, s); err != nil {
			return plan, fmt.Errorf("remove shard with failed rows: %w", err)
		}
		plan.Removed++
	}
	return plan, nil
}

// countStatus counts the rows of t whose status column is status (0 without the column).
func countStatus(t *results.Table, status string) int {
	j := slices.IndexFunc(t.Fields, func(f results.Field) bool { return f.Name == "status" })
	if j < 0 {
		return 0
	}
	n := 0
	for _, r := range t.Rows {
		if r[j].S == status {
			n++
		}
	}
	return n
}
