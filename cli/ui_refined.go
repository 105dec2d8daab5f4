package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/webui"
	"github.com/phasesweep/phasesweep/workflows"
)

// refinedTable is the table of the running refined sweep sw (in: its coarse grid's input):
// the tables of its finished levels and the finished shards of its running level, laid out
// as its results.parquet will be (activities.MergeRefined: the level column, the refine
// metadata) and marked partial; merged again only when the set of those files changed.
// Between two levels, and while the levels merge, the last table stays.
func (s *uiSource) refinedTable(ctx context.Context, sw webui.Sweep, in workflows.SweepInput, prev webui.Table) (webui.Table, error) {
	child, err := s.runningLevel(ctx, sw.ID)
	if err != nil {
		return prev, err
	}
	if child == nil && prev.Key != "" {
		return prev, nil
	}
	finished := sw.Progress.Level // the levels before the running one
	if child != nil {
		finished = child.Level.Level
	}
	l := sweepLayout(in)
	locs := make([]string, finished)
	for lv := range locs {
		locs[lv] = l.LevelTable(lv)
	}
	var done []string
	if child != nil {
		done, err = sweepLayout(*child).FinishedShards(ctx, s.st, layout.Chunks(child.Points, child.ChunkSize), false)
		if err != nil {
			return prev, err
		}
	}
	key := filesKey(append(append([]string(nil), locs...), done...))
	if key == prev.Key || len(locs)+len(done) == 0 {
		return prev, nil
	}
	sp, err := spec.Parse(in.SpecFile, []byte(in.Spec))
	if err != nil {
		return prev, err
	}
	dir := s.newDir()
	if len(done) > 0 {
		pm, err := mergeFinishedShards(ctx, s.st, *child, filepath.Join(dir, "level.parquet"))
		if err != nil {
			_ = os.RemoveAll(dir)
			return prev, err
		}
		locs = append(locs, pm.Results)
	}
	t := webui.Table{Results: filepath.Join(dir, "results.parquet"), Key: key, Partial: true}
	m := activities.RefinedMerge{Grid: grid.New(sp), Layout: l, SpecFile: in.SpecFile, Levels: locs, Out: t.Results}
	if _, err := activities.MergeRefined(ctx, s.st, m); err != nil {
		_ = os.RemoveAll(dir)
		return prev, fmt.Errorf("sweep %s: merge its levels: %w", sw.ID, err)
	}
	s.replaceMerged(sw.ID, prev, t)
	return t, nil
}

// runningLevel is the input of the level sweep refined sweep id runs now (its pending child,
// workflows.LevelOf), or nil between two levels.
func (s *uiSource) runningLevel(ctx context.Context, id string) (*workflows.SweepInput, error) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	desc, err := s.client().DescribeWorkflowExecution(cctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", id, err)
	}
	for _, c := range desc.GetPendingChildren() {
		if parent, ok := workflows.LevelOf(c.GetWorkflowId()); !ok || parent != id {
			continue
		}
		in, err := s.input(ctx, c.GetWorkflowId())
		if err != nil {
			return nil, err
		}
		if in.Level == nil {
			return nil, fmt.Errorf("sweep %s: its child %s is not one of its levels", id, c.GetWorkflowId())
		}
		return &in, nil
	}
	return nil, nil
}
