package activities

import (
	"context"
	"errors"
	"fmt"
	"os"

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
	g, err := loadGrid(in.SpecFile, in.Spec)
	if err != nil {
		return MergeOutput{}, err
	}
	hash := g.Spec().Hash()
	recording := g.Spec().Record.Every > 0
	out := ResultsPath(in.OutDir)
	shards := make([]string, in.Chunks)
	missing := false
	for i := range shards {
		shards[i] = ShardPath(in.OutDir, i)
		if _, err := os.Stat(shards[i]); err != nil {
			missing = true
		}
		if recording {
			if _, err := os.Stat(TrajectoryShardPath(shards[i])); err != nil {
				missing = true
			}
		}
	}
	if in.Partial {
		return mergePartial(in, shards, recording, hash)
	}
	if missing {
		if t, err := results.ReadFile(out); err == nil && t.Meta[results.MetaSpecHash] == hash && int64(len(t.Rows)) == g.Count() {
			done := MergeOutput{Results: out, Rows: len(t.Rows)}
			if !recording {
				return done, nil
			}
			tpath := TrajectoriesPath(in.OutDir)
			if tm, rows, err := results.ReadMeta(tpath); err == nil && tm[results.MetaSpecHash] == hash {
				done.Trajectories, done.TrajectoryRows = tpath, int(rows)
				return done, nil
			}
		}
		return MergeOutput{}, nonRetryable(errors.New("merge: shards are missing and no finished results.parquet is there: was the output directory changed?"))
	}
	meta := sweepMeta(in, hash)
	rows, err := results.Merge(shards, out, meta)
	if err != nil {
		return MergeOutput{}, fmt.Errorf("merge shards into %s: %w", out, err)
	}
	if int64(rows) != g.Count() {
		return MergeOutput{}, nonRetryable(fmt.Errorf("merge: %d rows for %d points", rows, g.Count()))
	}
	merged := MergeOutput{Results: out, Rows: rows}
	if recording {
		if merged.Trajectories, merged.TrajectoryRows, err = mergeTrajectories(shards, in.OutDir, meta); err != nil {
			return MergeOutput{}, err
		}
	}
	if err := os.RemoveAll(ShardDir(in.OutDir)); err != nil {
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

// mergePartial merges the chunks whose shards exist into results.parquet (and
// trajectories.parquet), marked partial, and keeps the shards. With no finished chunk it
// writes nothing.
func mergePartial(in MergeInput, shards []string, recording bool, hash string) (MergeOutput, error) {
	var done []string
	for _, s := range shards {
		if _, err := os.Stat(s); err != nil {
			continue
		}
		if recording {
			if _, err := os.Stat(TrajectoryShardPath(s)); err != nil {
				continue
			}
		}
		done = append(done, s)
	}
	if len(done) == 0 {
		return MergeOutput{Partial: true}, nil
	}
	meta := sweepMeta(in, hash)
	meta[results.MetaPartial] = "true"
	out := ResultsPath(in.OutDir)
	rows, err := results.Merge(done, out, meta)
	if err != nil {
		return MergeOutput{}, fmt.Errorf("merge shards into %s: %w", out, err)
	}
	merged := MergeOutput{Results: out, Rows: rows, Partial: true}
	if recording {
		if merged.Trajectories, merged.TrajectoryRows, err = mergeTrajectories(done, in.OutDir, meta); err != nil {
			return MergeOutput{}, err
		}
	}
	return merged, nil
}
