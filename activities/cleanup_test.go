package activities

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// TestCleanupRemovesOnlyOwnPartials puts a file at the partial tables' paths
// (layout.Sweep.PartialResults, PartialTrajectories) before a merged sweep's cleanup: the
// partial tables sweep results wrote of this sweep go; a user's file of that name, another
// sweep's partial table and a phasesweep table not marked partial stay.
func TestCleanupRemovesOnlyOwnPartials(t *testing.T) {
	const id, hash = "sweep-p-0123456789abcdef", "spec-hash-of-p"
	partial := func(sweep, specHash string) map[string]string {
		m := map[string]string{results.MetaPartial: "true", results.MetaSpecHash: specHash}
		if sweep != "" {
			m[results.MetaSweep] = sweep
		}
		return m
	}
	for _, c := range []struct {
		name    string
		meta    map[string]string // nil: a file that is not Parquet
		removed bool
	}{
		{"this sweep's", partial(id, hash), true},
		{"this spec's, from before partial tables named their sweep", partial("", hash), true},
		{"another sweep's", partial("sweep-p-fedcba9876543210", hash), false},
		{"another spec's, unnamed", partial("", "other-hash"), false},
		{"not marked partial", map[string]string{results.MetaSweep: id, results.MetaSpecHash: hash}, false},
		{"a user's file", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := layout.New(t.TempDir(), id)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(l.ShardDir(), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, loc := range []string{l.PartialResults(), l.PartialTrajectories()} {
				var err error
				if c.meta == nil {
					err = os.WriteFile(loc, []byte("my notes\n"), 0o644)
				} else {
					err = results.WriteFile(loc, &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}}, Meta: c.meta})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := cleanup(context.Background(), store.New(), l, hash); err != nil {
				t.Fatal(err)
			}
			for _, loc := range []string{l.PartialResults(), l.PartialTrajectories()} {
				_, err := os.Stat(loc)
				if gone := errors.Is(err, fs.ErrNotExist); gone != c.removed {
					t.Errorf("%s: removed %t, want %t", filepath.Base(loc), gone, c.removed)
				}
			}
		})
	}
}
