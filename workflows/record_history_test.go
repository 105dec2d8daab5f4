//go:build recordhistory

package workflows

// TestRecordHistory runs sweeps on the real embedded Temporal server and writes their event
// histories to testdata/, for TestReplay; TestRecordControlHistories (record_controls_test.go)
// records the sweeps that take pause, resume, the concurrency update, cancel and
// continue-as-new. They are behind a build tag because they link the server (a large, slow
// build); run them again after a deliberate change to the workflow's commands (CONTRIBUTING.md
// "Changing a workflow", keeping the old files under new names):
//
//	go test -tags recordhistory -run 'TestRecordHistory|TestRecordControlHistories' ./workflows/

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// recorder starts an embedded server and a worker of the activities a with 2 activity slots,
// and returns a client of it; all stop when the test ends.
func recorder(ctx context.Context, t *testing.T, a *activities.Activities) client.Client {
	srv, err := devserver.Start(ctx, devserver.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: devserver.Namespace, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := NewWorker(c, a, 2)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return c
}

func TestRecordHistory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Chunk 1 (points 3-5 with chunks of 3) is slow, so that in the failing sweep chunk 2
	// fails at point 8 while chunk 1 is still in flight; and its first attempt fails at its
	// second point, so that the successful sweep has a retried activity.
	a := activities.WithHooks(activities.Hooks{Inject: func(info activity.Info, point int64) error {
		if point == 3 && info.Attempt == 1 {
			time.Sleep(500 * time.Millisecond)
		}
		if point == 4 && info.Attempt == 1 {
			return temporal.NewApplicationError("injected crash", "Injected")
		}
		return nil
	}})
	c := recorder(ctx, t, a)

	cases := []struct {
		file   string
		source string
		wantOK bool
	}{
		// 16 points in 6 chunks, 2 at a time: the sliding window, a retry and the merge.
		{"sweep-ok.json", testSpec, true},
		// Points 8-15 (sgd) have batch > n: chunk 2 fails with a spec error while chunk 1 runs.
		{"sweep-spec-error.json", strings.Replace(testSpec, "batch: 2", "batch: 11", 1), false},
	}
	for _, tc := range cases {
		s, err := spec.Parse(testSpecFile, []byte(tc.source))
		if err != nil {
			t.Fatal(err)
		}
		in := SweepInput{Spec: tc.source, SpecFile: testSpecFile, OutDir: t.TempDir(), Points: s.Count(), ChunkSize: 3, Concurrency: 2, SweepID: testSweepID}
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: WorkflowID(s.Name, s.Hash()), TaskQueue: TaskQueue}, SweepWorkflow, in)
		if err != nil {
			t.Fatal(err)
		}
		var out SweepOutput
		runErr := run.Get(ctx, &out)
		if (runErr == nil) != tc.wantOK {
			t.Fatalf("%s: workflow error %v, want success %t", tc.file, runErr, tc.wantOK)
		}
		saveHistory(ctx, t, c, run.GetID(), run.GetRunID(), tc.file)
		// The first batch: the child workflow that ran the chunks.
		saveHistory(ctx, t, c, run.GetID()+"-batch-000000", "", "batch-"+tc.file)
		t.Logf("%s: result %+v, error %v", tc.file, out, runErr)
	}
}

// saveHistory writes the event history of a workflow execution to testdata/file as JSON.
func saveHistory(ctx context.Context, t *testing.T, c client.Client, id, runID, file string) {
	hist := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, e)
	}
	data, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", file)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d events", path, len(hist.Events))
}
