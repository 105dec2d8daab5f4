package activities

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/refine"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// levelGrid is the grid of the points of a refined sweep's level: its point list read from
// lv.Points and checked against the hash it was planned with, each point the values of its
// base point with the refined axes' values replaced (grid.Grid.WithPoints).
func levelGrid(ctx context.Context, st Store, g *grid.Grid, lv LevelPin) (*grid.Grid, error) {
	s := g.Spec()
	if s.Refine == nil {
		return nil, temporal.NewNonRetryableApplicationError("a level of a refined sweep, but the spec has no refine section", ErrSpec, nil)
	}
	t, err := readTable(ctx, st, lv.Points)
	if err != nil {
		if !exists(ctx, st, lv.Points) {
			return nil, nonRetryable(fmt.Errorf("the point list %s of level %d is gone", lv.Points, lv.Level))
		}
		return nil, fmt.Errorf("read the point list of level %d: %w", lv.Level, err)
	}
	list, err := refine.ReadList(t, s.Refine.Axes)
	if err == nil && refine.Hash(list) != lv.Hash {
		err = fmt.Errorf("its content (hash %.12s) is not the list the level was planned with (%.12s)", refine.Hash(list), lv.Hash)
	}
	if err != nil {
		return nil, nonRetryable(fmt.Errorf("point list %s of level %d: %w", lv.Points, lv.Level, err))
	}
	cols := make([]int, len(s.Refine.Axes))
	for j, name := range s.Refine.Axes {
		cols[j] = slices.Index(g.Columns(), name)
	}
	vals := make([][]spec.Value, len(list))
	for k, pt := range list {
		if pt.ID != lv.First+int64(k) || pt.Base < 0 || pt.Base >= g.Count() {
			return nil, nonRetryable(fmt.Errorf("point list %s: row %d is point %d of base %d, want point %d", lv.Points, k, pt.ID, pt.Base, lv.First+int64(k)))
		}
		v := g.Values(pt.Base)
		for j, c := range cols {
			v[c] = spec.FloatValue(pt.Values[j])
		}
		vals[k] = v
	}
	return g.WithPoints(lv.First, vals), nil
}

// PlanInput asks for the plan of one level of a refined sweep: its spec (pinned as for a
// sweep: Pin.SpecCopy, the hashes), the output location, and the point counts of the levels
// before it, whose tables (layout.Sweep.LevelTable) hold their rows.
type PlanInput struct {
	SpecFile string
	OutDir   string
	Pin      Pin // the refined sweep's own pin (its id, spec copy, hashes)
	Level    int
	Before   []int64 // points of levels 0 .. Level-1
}

// PlanOutput is a planned level: its first id and point count (0: refinement stops), the
// content hash of its point list, the cells flagged, and whether the budget cut it short.
type PlanOutput struct {
	First   int64
	Points  int64
	Hash    string `json:",omitempty"`
	Flagged int
	Capped  bool `json:",omitempty"`
}

// PlanLevel plans level in.Level of a refined sweep (refine.Planner.Plan) from the tables of
// the levels before it and writes its point list to layout.Sweep.LevelPoints, atomically;
// only the counts and the list's hash go back to the workflow. The plan depends on the
// tables' rows alone, so running it again writes the same list.
func (a *Activities) PlanLevel(ctx context.Context, in PlanInput) (PlanOutput, error) {
	st := a.store()
	g, err := pinnedGrid(ctx, st, in.SpecFile, "", in.Pin)
	if err != nil {
		return PlanOutput{}, err
	}
	p, err := refine.New(g.Spec())
	if err != nil {
		return PlanOutput{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrSpec, err)
	}
	l := in.Pin.Layout(in.OutDir)
	var rows []refine.Outcome
	for lv, n := range in.Before {
		got, err := levelOutcomes(ctx, st, l.LevelTable(lv), g.Spec().Refine.On)
		if err != nil {
			return PlanOutput{}, fmt.Errorf("level %d: %w", lv, err)
		}
		if int64(len(got)) != n {
			return PlanOutput{}, nonRetryable(fmt.Errorf("level %d: its table %s has %d rows for %d points", lv, l.LevelTable(lv), len(got), n))
		}
		rows = append(rows, got...)
	}
	plan, err := p.Plan(rows, in.Level)
	if err != nil {
		return PlanOutput{}, nonRetryable(fmt.Errorf("plan level %d: %w", in.Level, err))
	}
	out := PlanOutput{First: plan.First, Points: int64(len(plan.Points)), Flagged: plan.Flagged, Capped: plan.Capped}
	if out.Points == 0 {
		return out, nil
	}
	list := p.List(plan)
	out.Hash = refine.Hash(list)
	t := refine.ListTable(p.Axes(), in.Level, list)
	t.Meta[results.MetaSweep], t.Meta[results.MetaSpecHash] = in.Pin.Sweep, g.Hash()
	if err := writeTable(ctx, st, l.LevelPoints(in.Level), t); err != nil {
		return PlanOutput{}, writeFailure(fmt.Sprintf("point list of level %d", in.Level), err)
	}
	return out, nil
}

// levelOutcomes reads the point, status and on columns of a level's table.
func levelOutcomes(ctx context.Context, st Store, loc, on string) ([]refine.Outcome, error) {
	t, err := readTable(ctx, st, loc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", loc, err)
	}
	status, metric := -1, -1
	for j, f := range t.Fields {
		switch f.Name {
		case "status":
			status = j
		case on:
			metric = j
		}
	}
	if status < 0 || (!spec.OnClass(on) && metric < 0) {
		return nil, nonRetryable(fmt.Errorf("%s has no status or %s column", loc, on))
	}
	out := make([]refine.Outcome, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = refine.Outcome{Point: r[0].I, Status: r[status].S}
		if metric >= 0 {
			out[i].Value = r[metric].F
			if t.Fields[metric].Kind == results.Int {
				out[i].Value = float64(r[metric].I)
			}
		}
	}
	return out, nil
}

// MergeLevelsInput names a refined sweep's levels (their point counts, in level order).
type MergeLevelsInput struct {
	SpecFile string
	OutDir   string
	Pin      Pin // the refined sweep's own pin
	Levels   []int64
	// Partial merges the level tables there are (a cancelled sweep) and keeps every file.
	Partial bool `json:",omitempty"`
}

// MergeLevels writes the refined sweep's results.parquet: the rows of every level's table,
// sorted by point, with the level column after point (refine.LevelColumn) and the refine
// section in the metadata (refine.MetaRefine) beside the sweep's usual keys; then removes the
// levels' files. Run again after success, it returns the table already written.
func (a *Activities) MergeLevels(ctx context.Context, in MergeLevelsInput) (MergeOutput, error) {
	defer keepAlive(ctx)()
	st := a.store()
	g, err := pinnedGrid(ctx, st, in.SpecFile, "", in.Pin)
	if err != nil {
		return MergeOutput{}, err
	}
	l := in.Pin.Layout(in.OutDir)
	var total int64
	for _, n := range in.Levels {
		total += n
	}
	if meta, rows, err := readMeta(ctx, st, l.Results()); err == nil && !in.Partial && meta[results.MetaSweep] == l.ID &&
		rows == total && meta[results.MetaPartial] == "" && meta[refine.MetaRefine] != "" {
		return MergeOutput{Results: l.Results(), Rows: int(rows)}, nil
	}
	m := RefinedMerge{Grid: g, Layout: l, SpecFile: in.SpecFile, Levels: make([]string, len(in.Levels)), Out: l.Results()}
	for lv := range in.Levels {
		if !in.Partial || exists(ctx, st, l.LevelTable(lv)) {
			m.Levels[lv] = l.LevelTable(lv)
		}
	}
	if !in.Partial {
		m.Points = in.Levels
	}
	rows, err := MergeRefined(ctx, st, m)
	if err != nil {
		return MergeOutput{}, err
	}
	if rows == 0 {
		return MergeOutput{Partial: in.Partial}, nil
	}
	out := MergeOutput{Results: l.Results(), Rows: rows, Partial: in.Partial}
	if in.Partial {
		return out, nil
	}
	if err := cleanupLevels(ctx, st, l, len(in.Levels), g.Spec().Hash()); err != nil {
		return MergeOutput{}, fmt.Errorf("remove the levels' files: %w", err)
	}
	return out, nil
}

// RefinedMerge names the level tables MergeRefined lays out as a refined sweep's table.
type RefinedMerge struct {
	Grid     *grid.Grid
	Layout   layout.Sweep // the refined sweep's: its id goes in the metadata
	SpecFile string
	// Levels[lv] is the location of level lv's table ("": none, skipped); each has the
	// columns of a sweep's table.
	Levels []string
	// Points are the levels' point counts, which their tables must have as rows; nil makes
	// the table partial (results.MetaPartial), its tables' rows not checked.
	Points []int64
	Out    string // where the table goes
}

// MergeRefined writes the table of a refined sweep to m.Out: the rows of m's level tables,
// sorted by point, with the level column after point (refine.LevelColumn) and the refine
// section in the metadata (refine.MetaRefine) beside the sweep's usual keys. It returns the
// rows written; with none it writes nothing.
func MergeRefined(ctx context.Context, st Store, m RefinedMerge) (int, error) {
	merged := &results.Table{}
	for lv, loc := range m.Levels {
		if loc == "" {
			continue
		}
		t, err := readTable(ctx, st, loc)
		if err != nil {
			return 0, fmt.Errorf("read the table of level %d: %w", lv, err)
		}
		if m.Points != nil && int64(len(t.Rows)) != m.Points[lv] {
			return 0, nonRetryable(fmt.Errorf("level %d: %s has %d rows for %d points", lv, loc, len(t.Rows), m.Points[lv]))
		}
		fields := slices.Insert(slices.Clone(t.Fields), 1, results.Field{Name: refine.LevelColumn, Kind: results.Int})
		if merged.Fields == nil {
			merged.Fields = fields
		} else if !slices.Equal(merged.Fields, fields) {
			return 0, nonRetryable(fmt.Errorf("level %d's table %s has other columns than level 0's", lv, loc))
		}
		for _, r := range t.Rows {
			merged.Rows = append(merged.Rows, slices.Insert(r, 1, results.Value{I: int64(lv)}))
		}
	}
	if len(merged.Rows) == 0 {
		return 0, nil
	}
	slices.SortFunc(merged.Rows, func(a, b []results.Value) int { return cmp.Compare(a[0].I, b[0].I) })
	merged.Meta = sweepMeta(MergeInput{SpecFile: m.SpecFile}, m.Layout, m.Grid)
	merged.Meta[refine.MetaRefine] = m.Grid.Spec().Refine.JSON()
	if m.Points == nil {
		merged.Meta[results.MetaPartial] = "true"
	}
	if err := writeTable(ctx, st, m.Out, merged); err != nil {
		return 0, writeFailure("results table "+m.Out, err)
	}
	return len(merged.Rows), nil
}

// cleanupLevels removes a merged refined sweep's level files (point lists and tables), then
// its refine directory if empty, then what cleanup removes of its own directory (specHash as
// there).
func cleanupLevels(ctx context.Context, st Store, l layout.Sweep, levels int, specHash string) error {
	for lv := range levels {
		for _, loc := range []string{l.LevelPoints(lv), l.LevelTable(lv)} {
			if err := st.Remove(ctx, loc); err != nil {
				return err
			}
		}
	}
	removeEmptyDir(l.RefineDir())
	return cleanup(ctx, st, l, specHash)
}
