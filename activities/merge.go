package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// MergeInput names a finished sweep's shards (chunks 0..Chunks-1 of its layout).
type MergeInput struct {
	Spec     string `json:",omitempty"` // the spec's text, for sweeps that pin no SpecCopy
	SpecFile string
	OutDir   string
	Chunks   int
	// Points and ChunkSize give each chunk's point range, which every shard is checked
	// against (0: sweeps from before shards were checked; nothing is checked).
	Points    int64 `json:",omitempty"`
	ChunkSize int   `json:",omitempty"`
	// Partial merges only the shards that exist (a cancelled sweep) and keeps them, so that
	// running the sweep again resumes from them; the tables' metadata marks them partial.
	Partial bool
	Pin     Pin
}

// MergeOutput reports the merged table, and the merged trajectories when the spec records
// them (record.every > 0; else "" and 0).
type MergeOutput struct {
	Results        string
	Rows           int
	Trajectories   string
	TrajectoryRows int
	Partial        bool
	// Recompute lists the chunks whose shards are missing, or were unreadable or not this
	// sweep's and are set aside: nothing was merged, and the sweep runs them again, then
	// merges again.
	Recompute []int `json:",omitempty"`
	// SetAside says, one line each, which shards were set aside and why.
	SetAside []string `json:",omitempty"`
}

// MergeShards writes results.parquet with exactly one row per point, sorted by point, the
// spec, its hash, the sweep id and the program version in the schema metadata; then removes
// the sweep's intermediate files (cleanup). Every shard is checked first (shardCheck: this
// sweep's, spec, data, version and point range): one that fails is set aside and its chunk
// returned in Recompute, as is a missing one, so that a corrupt or foreign shard costs a
// recomputation, never a wrong table or a merge retried forever. Run again after success (a
// lost completion), it returns the table already written.
//
// When the spec records trajectories it also merges the trajectory shards into
// trajectories.parquet, one row per (point, step), sorted, with the same metadata.
func (a *Activities) MergeShards(ctx context.Context, in MergeInput) (MergeOutput, error) {
	defer keepAlive(ctx)()
	st := a.store()
	g, err := pinnedGrid(ctx, st, in.SpecFile, in.Spec, in.Pin)
	if err != nil {
		return MergeOutput{}, err
	}
	l := in.Pin.Layout(in.OutDir)
	if err := CheckOutput(ctx, st, l); err != nil {
		return MergeOutput{}, nonRetryable(err)
	}
	removeStaleTemps(ctx, l)
	recording := g.Spec().Record.Every > 0
	shards, err := l.FinishedShards(ctx, st, in.Chunks, recording)
	if err != nil {
		return MergeOutput{}, err
	}
	var merged MergeOutput
	if in.ChunkSize > 0 {
		if shards, err = checkShards(ctx, st, l, shards, shardCheck{sweep: l.ID, hash: g.Hash(), points: in.Points, size: in.ChunkSize, first: g.First()}, &merged); err != nil {
			return MergeOutput{}, err
		}
	}
	if in.Partial {
		return mergePartial(ctx, st, in, l, shards, recording, g, merged.SetAside)
	}
	if len(shards) < in.Chunks {
		if done, ok := finishedTable(ctx, st, l, in.Pin, g, recording); ok {
			return done, nil
		}
		if in.ChunkSize == 0 {
			return MergeOutput{}, nonRetryable(errors.New("merge: shards are missing and no finished results.parquet is there: was the output directory changed?"))
		}
		merged.Recompute = missingChunks(shards, in.Chunks)
		return merged, nil
	}
	meta := sweepMeta(in, l, g)
	out := resultsOf(l, in.Pin)
	rows, err := MergeTables(ctx, st, shards, out, meta, 1)
	if err != nil {
		return MergeOutput{}, writeFailure("results table "+out, err)
	}
	if int64(rows) != g.Count() {
		return MergeOutput{}, nonRetryable(fmt.Errorf("merge: %d rows for %d points", rows, g.Count()))
	}
	merged.Results, merged.Rows = out, rows
	if recording {
		if merged.Trajectories, merged.TrajectoryRows, err = mergeTrajectories(ctx, st, shards, l, meta); err != nil {
			return MergeOutput{}, err
		}
	}
	if err := cleanup(ctx, st, l, g.Spec().Hash()); err != nil {
		return MergeOutput{}, fmt.Errorf("remove the sweep's shards: %w", err)
	}
	return merged, nil
}

// checkShards checks every finished shard (shardCheck) and returns those that pass; each that
// fails is set aside, its chunk added to out.Recompute and a line to out.SetAside.
func checkShards(ctx context.Context, st Store, l layout.Sweep, shards []string, c shardCheck, out *MergeOutput) ([]string, error) {
	paths, release, err := st.Fetch(ctx, shards)
	defer release()
	if err != nil {
		return nil, fmt.Errorf("read shards: %w", err)
	}
	var good []string
	for i, sh := range shards {
		chunk, _ := layout.ChunkOf(sh)
		why := c.check(paths[i], chunk)
		if why == "" {
			good = append(good, sh)
			continue
		}
		if err := setAside(ctx, st, l, sh); err != nil {
			return nil, fmt.Errorf("set aside shard %s: %w", sh, err)
		}
		out.Recompute = append(out.Recompute, chunk)
		out.SetAside = append(out.SetAside, fmt.Sprintf("chunk %d: shard %s, recomputed", chunk, why))
	}
	return good, nil
}

// missingChunks lists the chunks of 0..chunks-1 that have no shard in shards.
func missingChunks(shards []string, chunks int) []int {
	have := make(map[int]bool, len(shards))
	for _, sh := range shards {
		if id, ok := layout.ChunkOf(sh); ok {
			have[id] = true
		}
	}
	var missing []int
	for i := range chunks {
		if !have[i] {
			missing = append(missing, i)
		}
	}
	return missing
}

// finishedTable returns the sweep's results.parquet (and trajectories.parquet) when this
// sweep already wrote it whole: a merge run again after its completion was lost.
func finishedTable(ctx context.Context, st Store, l layout.Sweep, pin Pin, g *grid.Grid, recording bool) (MergeOutput, bool) {
	out := resultsOf(l, pin)
	meta, rows, err := readMeta(ctx, st, out)
	if err != nil || meta[results.MetaSpecHash] != g.Spec().Hash() || rows != g.Count() || meta[results.MetaPartial] != "" ||
		(l.ID != "" && meta[results.MetaSweep] != l.ID) {
		return MergeOutput{}, false
	}
	done := MergeOutput{Results: out, Rows: int(rows)}
	if !recording {
		return done, true
	}
	tpath := l.Trajectories()
	tm, trows, err := readMeta(ctx, st, tpath)
	if err != nil || tm[results.MetaSpecHash] != g.Spec().Hash() {
		return MergeOutput{}, false
	}
	done.Trajectories, done.TrajectoryRows = tpath, int(trows)
	return done, true
}

// sweepMeta is the schema metadata of a sweep's merged tables.
func sweepMeta(in MergeInput, l layout.Sweep, g *grid.Grid) map[string]string {
	m := map[string]string{
		results.MetaSpec:     string(g.Spec().Source),
		results.MetaSpecHash: g.Spec().Hash(),
		results.MetaVersion:  version.String(),
		results.MetaFile:     in.SpecFile,
	}
	if l.ID != "" {
		m[results.MetaSweep] = l.ID
	}
	return m
}

// mergePartial merges the finished chunks' shards done into results.parquet (and
// trajectories.parquet), marked partial, and keeps the shards. With no finished chunk it
// writes nothing.
func mergePartial(ctx context.Context, st Store, in MergeInput, l layout.Sweep, done []string, recording bool, g *grid.Grid, setAside []string) (MergeOutput, error) {
	merged := MergeOutput{Partial: true, SetAside: setAside}
	if len(done) == 0 {
		return merged, nil
	}
	meta := sweepMeta(in, l, g)
	meta[results.MetaPartial] = "true"
	out := resultsOf(l, in.Pin)
	rows, err := MergeTables(ctx, st, done, out, meta, 1)
	if err != nil {
		return MergeOutput{}, writeFailure("results table "+out, err)
	}
	merged.Results, merged.Rows = out, rows
	if recording {
		if merged.Trajectories, merged.TrajectoryRows, err = mergeTrajectories(ctx, st, done, l, meta); err != nil {
			return MergeOutput{}, err
		}
	}
	return merged, nil
}

// resultsOf is where the merge of sweep l writes its table: results.parquet, or the level's
// table for a level of a refined sweep.
func resultsOf(l layout.Sweep, pin Pin) string {
	if pin.Level != nil {
		return pin.Level.Table
	}
	return l.Results()
}
