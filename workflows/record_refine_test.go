//go:build recordhistory

package workflows

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestRecordRefineHistories runs a refined sweep (refineTestSpec without its padding: 10
// coarse points, 2 levels, chunks of 2, 2 in flight) on the real embedded server and writes
// to testdata/ the history of each of its three runs (the coarse grid, level 1, level 2 and the
// merge of the levels; each run continues as new into the next) and of level 1's child sweep,
// for TestReplay.
func TestRecordRefineHistories(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := recorder(ctx, t, &activities.Activities{})
	source := refineTestSpec[:strings.Index(refineTestSpec, "# padding")]
	s, err := spec.Parse(testSpecFile, []byte(source))
	if err != nil {
		t.Fatal(err)
	}
	in := RefineInput{Sweep: pinnedInput(t, source, 2, 2), Levels: s.Refine.Levels}
	id := WorkflowID(s.Name, s.Hash())
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, RefineWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	runID := run.GetRunID() // the first run's (Get follows the continue-as-new)
	var out SweepOutput
	if err := run.Get(ctx, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("refined sweep: %+v", out)
	for k := 0; runID != ""; k++ {
		saveHistory(ctx, t, c, id, runID, fmt.Sprintf("refine-run-%d.json", k))
		runID = nextRun(ctx, t, c, id, runID)
	}
	saveHistory(ctx, t, c, levelID(id, 1), "", "refine-level-01.json")
}

// nextRun is the run that run continued as new into, "" when it did not.
func nextRun(ctx context.Context, t *testing.T, c client.Client, id, run string) string {
	it := c.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
			return a.GetNewExecutionRunId()
		}
	}
	return ""
}
