package main

// End-to-end test of the control commands (status, list, pause, resume, concurrency, cancel)
// on a real server with a real worker; issue 4.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/workflows"
)

func TestControls(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	specPath := writeSpec(t, dir, strings.Replace(e2eSpec, "num: 8", "num: 16", 1)) // 96 points
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	server, _, _ := sweepCmd(ctx, dir, "server", "--state", filepath.Join(dir, "server-state"), "--port", fmt.Sprint(port))
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Process.Signal(os.Interrupt); _ = server.Wait() }()
	w := exec.CommandContext(ctx, bins.worker, "--address", addr, "--concurrency", "1")
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Process.Signal(os.Interrupt); _ = w.Wait() }()

	var runErr fmt.Stringer = new(strings.Builder) // the sweep run's stderr, once started
	sweep := func(args ...string) (string, error) {
		cmd, stdout, stderr := sweepCmd(ctx, dir, append(args, "--address", addr)...)
		err := cmd.Run()
		return stdout.String() + stderr.String(), err
	}
	status := func() (string, workflows.Progress) {
		out, err := sweep("status", "spec.yaml", "--json")
		if err != nil {
			return "", workflows.Progress{}
		}
		var st struct {
			Status   string
			Progress workflows.Progress
		}
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("status --json: %v: %s", err, out)
		}
		return st.Status, st.Progress
	}
	waitFor := func(what string, cond func(workflows.Progress) bool) workflows.Progress {
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
	waitFor("the first points", func(p workflows.Progress) bool { return p.Done > 0 })

	// Pause: once the chunks in flight finish, nothing moves.
	if out, err := sweep("pause", "spec.yaml"); err != nil {
		t.Fatalf("pause: %v %s", err, out)
	}
	waitFor("the pause", func(p workflows.Progress) bool { return p.Paused })
	time.Sleep(3 * time.Second) // the chunks in flight (one point each, < 1 s) finish
	_, before := status()
	time.Sleep(3 * time.Second)
	_, after := status()
	if after.Done != before.Done || after.Done >= after.Total {
		t.Fatalf("paused sweep moved from %d to %d of %d points", before.Done, after.Done, after.Total)
	}

	// Concurrency: a valid update is applied, an invalid one refused by the validator.
	if out, err := sweep("concurrency", "spec.yaml", "4"); err != nil || !strings.Contains(out, "concurrency 4") {
		t.Fatalf("concurrency 4: %v %s", err, out)
	}
	if out, err := sweep("concurrency", "spec.yaml", "0"); err == nil || !strings.Contains(out, "concurrency must be between 1 and 2000") {
		t.Fatalf("concurrency 0 was not refused: %v %s", err, out)
	}
	if _, p := status(); p.Concurrency != 4 {
		t.Errorf("progress reports concurrency %d after the update, want 4", p.Concurrency)
	}

	// Search attributes: sweep server registered them and the sweep records them, so the
	// sweep can be found by name and size with a visibility query.
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: devserver.Namespace, Logger: quiet()})
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
	if out, err := sweep("resume", "spec.yaml"); err != nil {
		t.Fatalf("resume: %v %s", err, out)
	}
	waitFor("progress after resume", func(p workflows.Progress) bool { return !p.Paused && p.Done > after.Done })

	// Cancel: the run ends, the finished points are merged into a partial table.
	if out, err := sweep("cancel", "spec.yaml"); err != nil {
		t.Fatalf("cancel: %v %s", err, out)
	}
	if err := run.Wait(); err == nil {
		t.Errorf("sweep run of a cancelled sweep exited 0: %s", runErr)
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatalf("no partial table after cancel: %v", err)
	}
	if tab.Meta[results.MetaPartial] != "true" || len(tab.Rows) == 0 || len(tab.Rows) >= 96 {
		t.Fatalf("partial table: %d rows, meta partial=%q", len(tab.Rows), tab.Meta[results.MetaPartial])
	}
	if st, _ := status(); st != "canceled" {
		t.Errorf("status after cancel = %q", st)
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
