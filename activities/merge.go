package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// MergeInput names a finished sweep's shards (chunks 0..Chunks-1 under OutDir).
type MergeInput struct {
	Spec     string
	SpecFile string
	OutDir   string
	Chunks   int
	// Partial merges only the shards that exist (a cancelled sweep) and keeps them, so that
	// running the sweep again resumes from them; the tables' metadata marks them partial.
	Partial bool
}

// MergeOutput reports the merged table, and the merged trajectories when the spec records
// them (record.every > 0; else "" and 0).
type MergeOutput struct {
	Results        string
	Rows           int
	Trajectories   string
	TrajectoryRows int
	Partial        bool
}

// MergeShards writes results.parquet with exactly one row per point, sorted by point, the
// spec, its hash and the program version in the schema metadata; then removes the shards.
// Run again after success (a lost completion), it returns the table already written.
//
// When the spec records trajectories (record.every > 0) it also merges the trajectory shards
// (TrajectoryShardPath) into trajectories.parquet (TrajectoriesPath), one row per (point,
// step), sorted, with the same metadata, before removing the shards.
func (a *Activities) MergeShards(ctx context.Context, in MergeInput) (MergeOutput, error) {
	defer keepAlive(ctx)()
	g, err := loadGrid(in.SpecFile, in.Spec)
	if err != nil {
		return MergeOutput{}, err
	}
	st := a.store()
	hash := g.Spec().Hash()
	recording := g.Spec().Record.Every > 0
	out := ResultsPath(in.OutDir)
	shards, err := FinishedShards(ctx, st, in.OutDir, in.Chunks, recording)
	if err != nil {
		return MergeOutput{}, err
	}
	if in.Partial {
		return mergePartial(ctx, st, in, shards, recording, hash)
	}
	if len(shards) < in.Chunks {
		if t, err := readTable(ctx, st, out); err == nil && t.Meta[results.MetaSpecHash] == hash && int64(len(t.Rows)) == g.Count() {
			done := MergeOutput{Results: out, Rows: len(t.Rows)}
			if !recording {
				return done, nil
			}
			tpath := TrajectoriesPath(in.OutDir)
			if tm, rows, err := readMeta(ctx, st, tpath); err == nil && tm[results.MetaSpecHash] == hash {
				done.Trajectories, done.TrajectoryRows = tpath, int(rows)
				return done, nil
			}
		}
		return MergeOutput{}, nonRetryable(errors.New("merge: shards are missing and no finished results.parquet is there: was the output directory changed?"))
	}
	meta := sweepMeta(in, hash)
	rows, err := MergeTables(ctx, st, shards, out, meta, 1)
	if err != nil {
		return MergeOutput{}, fmt.Errorf("merge shards into %s: %w", out, err)
	}
	if int64(rows) != g.Count() {
		return MergeOutput{}, nonRetryable(fmt.Errorf("merge: %d rows for %d points", rows, g.Count()))
	}
	merged := MergeOutput{Results: out, Rows: rows}
	if recording {
		if merged.Trajectories, merged.TrajectoryRows, err = mergeTrajectories(ctx, st, shards, in.OutDir, meta); err != nil {
			return MergeOutput{}, err
		}
	}
	if err := st.RemoveAll(ctx, ShardDir(in.OutDir)); err != nil {
		return MergeOutput{}, fmt.Errorf("remove shards: %w", err)
	}
	return merged, nil
}

// sweepMeta is the schema metadata of a sweep's merged tables.
func sweepMeta(in MergeInput, hash string) map[string]string {
	return map[string]string{
		results.MetaSpec:     in.Spec,
		results.MetaSpecHash: hash,
		results.MetaVersion:  version.String(),
		results.MetaFile:     in.SpecFile,
	}
}

// FinishedShards returns the shards (ShardPath) of the chunks 0..chunks-1 of the sweep under
// outDir that are finished, in chunk order: their results shard is there, and, when the spec
// records trajectories, their trajectory shard too. A running chunk's partial shards do not
// count. It lists the shard directory once (one request for object storage).
func FinishedShards(ctx context.Context, st Store, outDir string, chunks int, recording bool) ([]string, error) {
	listed, err := st.List(ctx, ShardDir(outDir))
	if err != nil {
		return nil, fmt.Errorf("list shards: %w", err)
	}
	there := make(map[string]bool, len(listed))
	for _, l := range listed {
		there[l] = true
	}
	var done []string
	for i := range chunks {
		s := ShardPath(outDir, i)
		if there[s] && (!recording || there[TrajectoryShardPath(s)]) {
			done = append(done, s)
		}
	}
	return done, nil
}

// mergePartial merges the finished chunks' shards done into results.parquet (and
// trajectories.parquet), marked partial, and keeps the shards. With no finished chunk it
// writes nothing.
func mergePartial(ctx context.Context, st Store, in MergeInput, done []string, recording bool, hash string) (MergeOutput, error) {
	if len(done) == 0 {
		return MergeOutput{Partial: true}, nil
	}
	meta := sweepMeta(in, hash)
	meta[results.MetaPartial] = "true"
	out := ResultsPath(in.OutDir)
	rows, err := MergeTables(ctx, st, done, out, meta, 1)
	if err != nil {
		return MergeOutput{}, fmt.Errorf("merge shards into %s: %w", out, err)
	}
	merged := MergeOutput{Results: out, Rows: rows, Partial: true}
	if recording {
		if merged.Trajectories, merged.TrajectoryRows, err = mergeTrajectories(ctx, st, done, in.OutDir, meta); err != nil {
			return MergeOutput{}, err
		}
	}
	return merged, nil
}
