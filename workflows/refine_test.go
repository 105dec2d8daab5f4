package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/refine"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// refineTestSpec refines the stepsize of tiny gd runs across their divergence, 2 levels, with
// a long comment that makes the spec over 100 KB.
var refineTestSpec = `name: wfrefine
seed: 2
params:
  n: 8
  d: 12
  sparsity: 2
  test: 20
  steps: 1000
  stop_loss: 1.0e-8
grid:
  stepsize: {logspace: [0.05, 5], num: 5}
  seed: {range: 2}
refine:
  axes: [stepsize]
  levels: 2
  budget: 100
# ` + strings.Repeat("padding ", 13000) + "\n"

// TestRefineContinuesAsNewPerLevel runs RefineWorkflow under the SDK's test suite one run at
// a time: each run does one level and continues as new with the next level in its state, the
// run of the last level merges; no activity input is over 4 KB though the spec is over 100 KB (the point
// lists stay in files); the table holds every level's points with their level, and the level
// files are gone.
func TestRefineContinuesAsNewPerLevel(t *testing.T) {
	in := RefineInput{Sweep: pinnedInput(t, refineTestSpec, 2, 4), Levels: 2}
	var largest int
	var levels []int64
	for run := 0; ; run++ {
		env := newEnv(t, &activities.Activities{})
		env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
			var v json.RawMessage
			if err := args.Get(&v); err == nil && info.ActivityType.Name != "PrepareSweep" {
				largest = max(largest, len(v))
			}
		})
		env.ExecuteWorkflow(RefineWorkflow, in)
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			var out SweepOutput
			if err := env.GetWorkflowResult(&out); err != nil {
				t.Fatal(err)
			}
			levels = out.LevelPoints
			// Done, the sweep is at its last level (2 of 2), not one past it.
			var pr Progress
			if v, err := env.QueryWorkflow(ProgressQuery); err != nil || v.Get(&pr) != nil {
				t.Errorf("progress query after the merge: %v", err)
			} else if pr.Level != 2 || pr.Levels != 2 {
				t.Errorf("progress after the merge: level %d of %d, want 2 of 2", pr.Level, pr.Levels)
			}
			if run+1 != len(levels) {
				t.Errorf("%d runs for %d levels: want one run per level, the last one merging", run+1, len(levels))
			}
			break
		}
		var next RefineInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		if next.State == nil || next.State.Level != run+1 || len(next.State.LevelPoints) != run+1 {
			t.Fatalf("run %d continued with state %+v, want level %d next", run, next.State, run+1)
		}
		in = next
	}
	if len(levels) != 3 || levels[0] != 10 || levels[1] == 0 || levels[2] == 0 {
		t.Fatalf("points per level %v: want 10 coarse and some at levels 1 and 2", levels)
	}
	if largest > 4096 {
		t.Errorf("largest activity input is %d bytes, want at most 4 KB", largest)
	}
	l := layout.Sweep{Out: in.Sweep.OutDir, ID: in.Sweep.SweepID}
	tab, err := results.ReadFile(l.Results())
	if err != nil {
		t.Fatal(err)
	}
	var k int
	for lv, n := range levels {
		for range n {
			if r := tab.Rows[k]; r[0].I != int64(k) || r[1].I != int64(lv) {
				t.Fatalf("row %d is point %d of level %d, want point %d of level %d", k, r[0].I, r[1].I, k, lv)
			}
			k++
		}
	}
	if k != len(tab.Rows) || tab.Meta[refine.MetaRefine] == "" || tab.Meta[results.MetaSweep] != in.Sweep.SweepID {
		t.Errorf("%d rows for %d points; metadata %v", len(tab.Rows), k, tab.Meta[refine.MetaRefine])
	}
	if _, err := os.Stat(l.RefineDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("level files left after the merge (%v)", err)
	}
}
