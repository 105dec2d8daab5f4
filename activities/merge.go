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
}

// MergeOutput reports the merged table.
type MergeOutput struct {
	Results string
	Rows    int
}

// MergeShards writes results.parquet with exactly one row per point, sorted by point, the
// spec, its hash and the program version in the schema metadata; then removes the shards.
// Run again after success (a lost completion), it returns the table already written.
func (a *Activities) MergeShards(ctx context.Context, in MergeInput) (MergeOutput, error) {
	g, err := loadGrid(in.SpecFile, in.Spec)
	if err != nil {
		return MergeOutput{}, err
	}
	hash := g.Spec().Hash()
	out := ResultsPath(in.OutDir)
	shards := make([]string, in.Chunks)
	missing := false
	for i := range shards {
		shards[i] = ShardPath(in.OutDir, i)
		if _, err := os.Stat(shards[i]); err != nil {
			missing = true
		}
	}
	if missing {
		if t, err := results.ReadFile(out); err == nil && t.Meta[results.MetaSpecHash] == hash && int64(len(t.Rows)) == g.Count() {
			return MergeOutput{Results: out, Rows: len(t.Rows)}, nil
		}
		return MergeOutput{}, nonRetryable(errors.New("merge: shards are missing and no finished results.parquet is there: was the output directory changed?"))
	}
	meta := map[string]string{
		results.MetaSpec:     in.Spec,
		results.MetaSpecHash: hash,
		results.MetaVersion:  version.String(),
		results.MetaFile:     in.SpecFile,
	}
	rows, err := results.Merge(shards, out, meta)
	if err != nil {
		return MergeOutput{}, fmt.Errorf("merge shards into %s: %w", out, err)
	}
	if int64(rows) != g.Count() {
		return MergeOutput{}, nonRetryable(fmt.Errorf("merge: %d rows for %d points", rows, g.Count()))
	}
	if err := os.RemoveAll(ShardDir(in.OutDir)); err != nil {
		return MergeOutput{}, fmt.Errorf("remove shards: %w", err)
	}
	return MergeOutput{Results: out, Rows: rows}, nil
}
