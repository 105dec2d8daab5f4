package activities

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// refineSpec refines stepsize [1, 2, 4] (geometric: evenly spaced in log) with two seeds, the
// flagged cells alone (halo 0).
const refineSpec = "name: ra\ngrid:\n  stepsize: [1, 2, 4]\n  seed: {range: 2}\nrefine:\n  axes: [stepsize]\n  levels: 1\n  budget: 100\n  halo: 0\n"

// TestPlanLevelAndPinnedList plans level 1 from a hand-made level-0 table (stepsize 4
// diverges), reads the point list back as the level's grid, and checks that a list changed
// after planning fails its chunks without retries.
func TestPlanLevelAndPinnedList(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	l, _ := layout.New(out, "sweep-ra-1")
	if err := os.MkdirAll(l.RefineDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l.SpecCopy(), []byte(refineSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	// Points 0..5: stepsize 1, 1, 2, 2, 4, 4 (seeds 0, 1); 4 diverges.
	level0 := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "status", Kind: results.String}}}
	for i, st := range []string{"converged", "converged", "converged", "converged", "diverged", "diverged"} {
		level0.Rows = append(level0.Rows, []results.Value{{I: int64(i)}, {S: st}})
	}
	if err := results.WriteFile(l.LevelTable(0), level0); err != nil {
		t.Fatal(err)
	}
	a := &Activities{}
	pin := Pin{Sweep: l.ID, SpecCopy: l.SpecCopy()}
	plan, err := a.PlanLevel(ctx, PlanInput{SpecFile: "ra.yaml", OutDir: out, Pin: pin, Level: 1, Before: []int64{6}})
	if err != nil {
		t.Fatal(err)
	}
	// One flagged cell [2, 4]: its geometric midpoint sqrt(8), for both seeds, ids 6 and 7.
	if plan.First != 6 || plan.Points != 2 || plan.Flagged != 1 || plan.Hash == "" {
		t.Fatalf("plan %+v", plan)
	}
	lv := &LevelPin{Parent: l.ID, Level: 1, First: 6, Points: l.LevelPoints(1), Hash: plan.Hash}
	g, err := pinnedGrid(ctx, a.store(), "ra.yaml", "", Pin{SpecCopy: l.SpecCopy(), Level: lv})
	if err != nil {
		t.Fatal(err)
	}
	if g.First() != 6 || g.Count() != 2 {
		t.Fatalf("level grid: first %d, %d points", g.First(), g.Count())
	}
	for k, seed := range []int64{0, 1} {
		p := g.Point(6 + int64(k))
		if p.Index != 6+int64(k) || p.Config.Stepsize != 2*1.4142135623730951 || p.Values[1].Int != seed {
			t.Errorf("point %d: index %d, stepsize %v, seed %d; want sqrt(2) sqrt(4) and seed %d", k, p.Index, p.Config.Stepsize, p.Values[1].Int, seed)
		}
	}
	// The list changed after planning: not the list the level was planned with.
	tab, err := results.ReadFile(l.LevelPoints(1))
	if err != nil {
		t.Fatal(err)
	}
	tab.Rows[0][3].F = 3
	if err := results.WriteFile(l.LevelPoints(1), tab); err != nil {
		t.Fatal(err)
	}
	_, err = pinnedGrid(ctx, a.store(), "ra.yaml", "", Pin{SpecCopy: l.SpecCopy(), Level: lv})
	var appErr *temporal.ApplicationError
	if err == nil || !strings.Contains(err.Error(), "not the list the level was planned with") || !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("changed list: %v, want a non-retryable error", err)
	}
}
