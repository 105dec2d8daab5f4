package activities

import (
	"context"
	"fmt"
	"os"

	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// ErrDataChanged is the application error type of a sweep whose data file changed after it
// was submitted; it is not retried (rows of two contents must never share a table).
const ErrDataChanged = "DataChanged"

// Pin ties an activity to the sweep it belongs to, as the sweep was submitted: which sweep
// (its id names the directory of its files, pkg/layout), where the spec was stored once, and
// the content hashes taken at submission. Every chunk checks them before it simulates, and the
// merge checks every shard against them. The zero Pin is that of sweeps started before
// pinning (the spec then travels in the input, and nothing is checked).
type Pin struct {
	Sweep    string          `json:",omitempty"` // the sweep id (layout.Sweep.ID)
	SpecCopy string          `json:",omitempty"` // the spec as submitted (layout.Sweep.SpecCopy)
	Hash     string          `json:",omitempty"` // grid.Grid.Hash at submission: the spec and its data's contents
	Data     []grid.DataFile `json:",omitempty"` // the data files named by the spec, with their hashes
	// Level ties the sweep to one level of a refined sweep (nil for any other sweep).
	Level *LevelPin `json:",omitempty"`
}

// LevelPin is one level of a refined sweep (docs/refine.md) run as a sweep of its own: its
// chunks simulate the level's point list (ids First, First+1, ...) instead of the grid, and
// its merge writes the level's table instead of results.parquet.
type LevelPin struct {
	Parent string // the refined sweep's id
	Level  int    // 0 for the coarse grid
	First  int64  // the id of the level's first point
	Points string `json:",omitempty"` // its point list (layout.Sweep.LevelPoints; "" for level 0)
	Hash   string `json:",omitempty"` // refine.Hash of the point list
	Table  string // where the level's merge writes its table (layout.Sweep.LevelTable)
}

// Layout is the layout of the pinned sweep's files under out.
func (p Pin) Layout(out string) layout.Sweep { return layout.Sweep{Out: out, ID: p.Sweep} }

// pinnedGrid loads the grid of an activity's sweep: from the spec copy when the input pins
// one, else from the spec text carried in the input (source). It fails, without retries, when
// the spec cannot be parsed, or the spec or a data file no longer has the content it had at
// submission (the error names the file and says how to sweep the new data).
func pinnedGrid(ctx context.Context, st Store, file, source string, pin Pin) (*grid.Grid, error) {
	if pin.SpecCopy != "" {
		b, err := readBytes(ctx, st, pin.SpecCopy)
		if err != nil {
			if !exists(ctx, st, pin.SpecCopy) {
				return nil, temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("the sweep's stored spec %s is gone (was its output directory changed?)", pin.SpecCopy), ErrSpec, err)
			}
			return nil, fmt.Errorf("read the sweep's stored spec: %w", err)
		}
		source = string(b)
	}
	g, err := loadGrid(file, source)
	if err != nil {
		return nil, err
	}
	if pin.Level != nil && pin.Level.Points != "" {
		if g, err = levelGrid(ctx, st, g, *pin.Level); err != nil {
			return nil, err
		}
	}
	if pin.Hash == "" {
		return g, nil
	}
	if h := g.Hash(); h != pin.Hash {
		if f, changed := g.Changed(pin.Data); changed {
			return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"data file %s (%s) changed since the sweep was submitted; its table would mix rows of two contents: run the sweep with --new to sweep the new data",
				f.Value, f.Path), ErrDataChanged, nil)
		}
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the sweep's spec or data changed since it was submitted (hash %.12s, now %.12s): run the sweep with --new", pin.Hash, h), ErrDataChanged, nil)
	}
	return g, nil
}

// loadGrid parses a spec's text; a bad spec is non-retryable.
func loadGrid(file, source string) (*grid.Grid, error) {
	s, err := spec.Parse(file, []byte(source))
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrSpec, err)
	}
	return grid.New(s), nil
}

// readBytes reads the whole object at loc.
func readBytes(ctx context.Context, st Store, loc string) ([]byte, error) {
	paths, release, err := st.Fetch(ctx, []string{loc})
	defer release()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(paths[0])
}
