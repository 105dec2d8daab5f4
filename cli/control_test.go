package main

// End-to-end test of the control commands (status, list, pause, resume, concurrency, cancel)
// on a real server with a real worker.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/pkg/results"
)

func TestControls(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	specPath := writeSpec(t, dir, strings.Replace(e2eSpec, "num: 8", "num: 16", 1)) // 96 points
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	addr, _ := startCluster(t, ctx, dir, 1, "--concurrency", "1")

	var runErr fmt.Stringer = new(strings.Builder) // the sweep run's stderr, once started
	sweep := func(args ...string) (string, error) {
		cmd, stdout, stderr := sweepCmd(ctx, dir, append(args, "--address", addr)...)
		err := cmd.Run()
		return stdout.String() + stderr.String(), err
	}
	status := func() (string, sweepState) {
		cmd, stdout, stderr := sweepCmd(ctx, dir, "status", "spec.yaml", "--json", "--address", addr)
		if err := cmd.Run(); err != nil {
			return "", sweepState{}
		}
		var st sweepState
		if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
			t.Fatalf("status --json: %v: %s%s", err, stdout, stderr)
		}
		return st.Status, st
	}
	waitFor := func(what string, cond func(sweepState) bool) sweepState {
		for {
			if _, p := status(); cond(p) {
				return p
			}
			if ctx.Err() != nil {
				out, err := sweep("status", "spec.yaml")
				t.Fatalf("timed out waiting for %s: status %v %s; run: %s", what, err, out, runErr)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	run, _, runErrBuf := sweepCmd(ctx, dir, "run", specPath, "--address", addr, "--out", filepath.Join(dir, "out"), "--chunk", "1", "--concurrency", "2")
	runErr = runErrBuf
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor("the first points", func(p sweepState) bool { return p.Done > 0 })

	// jsonOf runs a command with --json and checks its keys against docs/cli-json.md.
	jsonOf := func(doc string, args ...string) map[string]any {
		cmd, stdout, stderr := sweepCmd(ctx, dir, append(args, "--json", "--address", addr)...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v %s", doc, err, stderr)
		}
		return checkKeys(t, doc, stdout.Bytes())
	}

	// Pause: once the chunks in flight finish, nothing moves.
	if m := jsonOf("sweep pause", "pause", "spec.yaml"); m["requested"] != "pause" {
		t.Errorf("pause --json: %v", m)
	}
	waitFor("the pause", func(p sweepState) bool { return p.Status == "paused" })
	time.Sleep(3 * time.Second) // the chunks in flight (one point each, < 1 s) finish
	_, before := status()
	time.Sleep(3 * time.Second)
	_, after := status()
	if after.Done != before.Done || after.Done >= after.Total {
		t.Fatalf("paused sweep moved from %d to %d of %d points", before.Done, after.Done, after.Total)
	}

	// Concurrency: a valid update is applied, an invalid one refused by the validator.
	if out, err := sweep("concurrency", "spec.yaml", "3"); err != nil || !strings.Contains(out, "concurrency 3") {
		t.Fatalf("concurrency 3: %v %s", err, out)
	}
	if m := jsonOf("sweep concurrency", "concurrency", "spec.yaml", "4"); m["concurrency"] != float64(4) {
		t.Errorf("concurrency --json: %v", m)
	}
	if out, err := sweep("concurrency", "spec.yaml", "0"); err == nil || !strings.Contains(out, "concurrency must be between 1 and 2000") {
		t.Fatalf("concurrency 0 was not refused: %v %s", err, out)
	}
	if _, p := status(); p.Concurrency == nil || *p.Concurrency != 4 {
		t.Errorf("progress reports concurrency %v after the update, want 4", p.Concurrency)
	}

	// Search attributes: sweep server registered them and the sweep records them, so the
	// sweep can be found by name and size with a visibility query.
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: devserver.Namespace, Logger: quiet(os.Stderr)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: devserver.Namespace, Query: "SweepName = 'e2e' AND SweepPoints = 96",
		})
		if err == nil && len(resp.GetExecutions()) == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no sweep found by its search attributes: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// List shows it, paused.
	if out, err := sweep("list"); err != nil || !strings.Contains(out, "paused") || !strings.Contains(out, "sweep-e2e-") {
		t.Errorf("list: %v\n%s", err, out)
	}

	// Resume: it moves again.
	if m := jsonOf("sweep resume", "resume", "spec.yaml"); m["requested"] != "resume" {
		t.Errorf("resume --json: %v", m)
	}
	waitFor("progress after resume", func(p sweepState) bool { return p.Status == "running" && p.Done > after.Done })

	// Cancel: the run ends, the finished points are merged into a partial table.
	if out, err := sweep("cancel", "spec.yaml"); err != nil {
		t.Fatalf("cancel: %v %s", err, out)
	}
	_ = run.Wait()
	if code := run.ProcessState.ExitCode(); code != 1 {
		t.Errorf("sweep run of a sweep cancelled from elsewhere exited %d, want 1: %s", code, runErr)
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatalf("no partial table after cancel: %v", err)
	}
	// The run says so in one line, the last.
	lines := strings.Split(strings.TrimSpace(runErr.String()), "\n")
	want := fmt.Sprintf("sweep %s was cancelled: %d of 96 points kept in %s (marked partial); running its spec again resumes it",
		workflowIDOf(t, specPath), len(tab.Rows), filepath.Join(dir, "out", "results.parquet"))
	if lines[len(lines)-1] != want || strings.Contains(runErr.String(), "workflow execution error") || strings.Contains(runErr.String(), "canceled") {
		t.Errorf("the run's stderr after a cancel from elsewhere:\n%s\nwant its last line %q", runErr, want)
	}
	if tab.Meta[results.MetaPartial] != "true" || len(tab.Rows) == 0 || len(tab.Rows) >= 96 {
		t.Fatalf("partial table: %d rows, meta partial=%q", len(tab.Rows), tab.Meta[results.MetaPartial])
	}
	// One spelling; the counts are the partial table's rows.
	if st, s := status(); st != "cancelled" || s.Done != int64(len(tab.Rows)) || s.Total != 96 || !s.Partial {
		t.Errorf("status after cancel = %q, %d/%d points, partial %v; want cancelled, %d/96, partial", st, s.Done, s.Total, s.Partial, len(tab.Rows))
	}

	// Running it again resumes from the kept shards and completes the table.
	cmd, stdout, stderr := sweepCmd(ctx, dir, "run", specPath, "--address", addr, "--out", filepath.Join(dir, "out"), "--chunk", "1", "--concurrency", "2")
	if err := cmd.Run(); err != nil {
		t.Fatalf("rerun after cancel: %v\n%s\n%s", err, stdout, stderr)
	}
	full, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil || len(full.Rows) != 96 || full.Meta[results.MetaPartial] != "" {
		t.Fatalf("rerun table: %v, %d rows, partial=%q", err, len(full.Rows), full.Meta[results.MetaPartial])
	}
	// The partial table's rows are the full table's rows for those points, bit for bit.
	for _, r := range tab.Rows {
		want := &results.Table{Fields: tab.Fields, Rows: [][]results.Value{full.Rows[r[0].I]}}
		got := &results.Table{Fields: tab.Fields, Rows: [][]results.Value{r}}
		if ok, diff := results.Equal(want, got); !ok {
			t.Fatalf("point %d differs between the partial and the full table: %s", r[0].I, diff)
		}
	}
}

// workflowIDOf is the id sweep run gives the sweep of specPath.
func workflowIDOf(t *testing.T, specPath string) string {
	t.Helper()
	id, err := sweepID(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
