package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
)

// replayHistories are event histories of SweepWorkflow, ChunkGroupWorkflow and RefineWorkflow
// recorded on the real embedded server by TestRecordHistory (record_history_test.go),
// TestRecordControlHistories (record_controls_test.go) and TestRecordRefineHistories
// (record_refine_test.go), all behind the build tag recordhistory. The control sweeps have
// 8 chunks of 2 points in 2 groups, one chunk in flight per group, and take their control
// while chunk 1 (group 0) runs; they were recorded after groupStartChange.
var replayHistories = []string{
	"sweep-ok.json",               // one group child, then the merge
	"batch-sweep-ok.json",         // its 6 chunks 2 at a time, one retried, each signalled
	"sweep-spec-error.json",       // the group child fails
	"batch-sweep-spec-error.json", // chunks fail with a spec error while others are in flight
	// paused (forwarded to both groups, no chunk started until resumed), then resumed
	"sweep-pause-resume.json",
	"batch-sweep-pause-resume.json",
	// the concurrency update to 4, its window forwarded to both groups
	"sweep-concurrency.json",
	"batch-sweep-concurrency.json", // a second chunk started at the new window
	// cancelled: the groups cancelled, a partial merge, the sweep ends cancelled
	"sweep-cancel.json",
	"batch-sweep-cancel.json", // its running chunk cancelled
	// GroupsPerRun 1: group 0, then continue-as-new with the state; the next run runs group 1
	// and merges
	"sweep-continue-as-new.json",
	"sweep-continue-as-new-2.json",
	"batch-sweep-continue-as-new.json",
	// a refined sweep (TestRecordRefineHistories): its coarse grid as a child sweep, then
	// continue-as-new; level 1 planned and run; level 2 planned and run, then the levels merged;
	// and level 1's child sweep, which forwards its chunks' counts to the refined sweep
	"refine-run-0.json",
	"refine-run-1.json",
	"refine-run-2.json",
	"refine-level-01.json",
}

// TestReplay replays the recorded histories against the current SweepWorkflow: a change that
// makes the workflow issue different commands for the same events (and so would break sweeps
// running while a worker is upgraded) fails here. Re-record only for a deliberate change.
func TestReplay(t *testing.T) {
	for _, name := range replayHistories {
		t.Run(name, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(SweepWorkflow)
			r.RegisterWorkflowWithOptions(ChunkGroupWorkflow, workflow.RegisterOptions{Name: ChunkGroupType})
			r.RegisterWorkflow(RefineWorkflow)
			hist := loadHistory(t, name)
			opts := worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: originalID(hist)}}
			if err := r.ReplayWorkflowHistoryWithOptions(replayLogger(t), hist, opts); err != nil {
				t.Fatalf("replay %s: %v", name, err)
			}
		})
	}
}

// TestReplayDetectsChange checks that TestReplay can fail: a workflow registered under the
// same name that runs the merge before any chunk does not replay the recorded history.
func TestReplayDetectsChange(t *testing.T) {
	mergeFirst := func(ctx workflow.Context, in SweepInput) (SweepOutput, error) {
		var a *activities.Activities
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Hour})
		var out activities.MergeOutput
		err := workflow.ExecuteActivity(ctx, a.MergeShards, activities.MergeInput{Spec: in.Spec, OutDir: in.OutDir}).Get(ctx, &out)
		return SweepOutput{Results: out.Results, Rows: out.Rows}, err
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(mergeFirst, workflow.RegisterOptions{Name: "SweepWorkflow"})
	err := r.ReplayWorkflowHistoryFromJSONFile(replayLogger(t), filepath.Join("testdata", replayHistories[0]))
	if err == nil {
		t.Fatal("a workflow issuing other commands replayed the recorded history without error")
	}
	if !strings.Contains(err.Error(), "TMPRL1100") { // the SDK's code of nondeterminism errors
		t.Errorf("replay error = %v, want a nondeterminism error (TMPRL1100)", err)
	}
}

func replayLogger(t *testing.T) sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// loadHistory reads a recorded history from testdata.
func loadHistory(t *testing.T, name string) *historypb.History {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hist, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return hist
}

// originalID recovers the workflow id a sweep history ran under from the id of its first
// child ("<id>-batch-NNNNNN", groupID; "<id>-level-NN", levelID), since child ids derive from
// it; "" for other histories.
func originalID(hist *historypb.History) string {
	for _, e := range hist.GetEvents() {
		if a := e.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil {
			id := a.GetWorkflowId()
			if i := strings.LastIndex(id, "-batch-"); i >= 0 {
				return id[:i]
			}
			if parent, ok := LevelOf(id); ok {
				return parent
			}
			return id
		}
	}
	return ""
}
