package main

// End-to-end tests of the server on PostgreSQL persistence: a sweep on the embedded
// server with --db, and a sweep server --db killed with SIGKILL mid-sweep and restarted on the
// same database and port. They need a PostgreSQL server: PHASESWEEP_TEST_POSTGRES, a URL whose
// user may create databases (bash .ci/run starts a throwaway cluster and sets it).

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// postgresURL is PHASESWEEP_TEST_POSTGRES with a database of its own for this test (the
// server creates it), or skips the test when the variable is not set.
func postgresURL(t *testing.T, name string) string {
	t.Helper()
	raw := os.Getenv("PHASESWEEP_TEST_POSTGRES")
	if raw == "" {
		t.Skip("PHASESWEEP_TEST_POSTGRES is not set: no PostgreSQL server to test against (bash .ci/run starts one)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("PHASESWEEP_TEST_POSTGRES: %v", err)
	}
	u.Path = fmt.Sprintf("/%s_%s_%s", strings.TrimPrefix(u.Path, "/"), name, strconv.FormatInt(time.Now().UnixNano(), 36))
	return u.String()
}

func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	embeddedDB := postgresURL(t, "embedded")
	serverDB := postgresURL(t, "server")

	// The embedded server on PostgreSQL runs the sweep in this process; its state is in the
	// database, not in the state directory.
	ref := t.TempDir()
	refTab, _ := runSweepCmd(t, ref, writeSpec(t, ref, e2eSpec), "--db", embeddedDB)
	checkTable(t, refTab, 48, e2eSpec)
	if _, err := os.Stat(filepath.Join(ref, "state", "temporal.db")); err == nil {
		t.Error("the embedded server on PostgreSQL wrote a SQLite state")
	}
	// A second start on the database (schema set up already) finds the finished sweep; the
	// database comes from the environment this time.
	cmd, stdout, stderr := sweepCmd(context.Background(), ref, "status", "spec.yaml", "--state", filepath.Join(ref, "state2"))
	cmd.Env = append(os.Environ(), "PHASESWEEP_DB="+embeddedDB)
	if err := cmd.Run(); err != nil || !strings.Contains(stdout.String(), ": completed") {
		t.Fatalf("status on the same database: %v\n%s\n%s", err, stdout, stderr)
	}

	t.Run("server killed and restarted", func(t *testing.T) {
		tab := killServerMidSweep(t, serverDB)
		if ok, diff := results.Equal(refTab, tab); !ok {
			t.Fatalf("sweep across a killed PostgreSQL-backed server differs from an uninterrupted one: %s", diff)
		}
	})
}

// killServerMidSweep runs the e2e sweep on `sweep server --db db` with one worker, kills the
// server with SIGKILL once a few shards are written, starts it again on the same database and
// port, and returns the table once the sweep completes.
func killServerMidSweep(t *testing.T, db string) *results.Table {
	dir := t.TempDir()
	specPath := writeSpec(t, dir, e2eSpec)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	state := filepath.Join(dir, "server-state")
	startServer := func() *exec.Cmd {
		server, _, _ := sweepCmd(ctx, dir, "server", "--state", state, "--port", fmt.Sprint(port), "--db", db)
		server.Stderr = os.Stderr
		if err := server.Start(); err != nil {
			t.Fatal(err)
		}
		waitForServer(t, ctx, state, server)
		return server
	}
	server := startServer()
	defer func() { _ = server.Process.Signal(os.Interrupt); _ = server.Wait() }()
	w := exec.CommandContext(ctx, bins.worker, "--address", addr, "--concurrency", "1")
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Process.Signal(os.Interrupt); _ = w.Wait() }()

	// Chunks of 2 points: 24 chunks, one at a time on the single worker.
	args := []string{"run", specPath, "--address", addr, "--out", filepath.Join(dir, "out"), "--chunk", "2", "--group-chunks", "4", "--groups-per-run", "2"}
	type outcome struct {
		err            error
		stdout, stderr string
	}
	runs := 0
	runSweep := func() chan outcome {
		runs++
		done := make(chan outcome, 1)
		cmd, stdout, stderr := sweepCmd(ctx, dir, args...)
		go func() { err := cmd.Run(); done <- outcome{err, stdout.String(), stderr.String()} }()
		return done
	}
	done := runSweep()
	shards := filepath.Join(dir, "out", layout.Dir, "*", "shards") // every sweep's shard directory
	for {
		if m, _ := filepath.Glob(filepath.Join(shards, "chunk-*.parquet")); len(m) >= 3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("no shards appeared")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = server.Process.Signal(syscall.SIGKILL)
	_ = server.Wait()
	m, _ := filepath.Glob(filepath.Join(shards, "chunk-*.parquet"))
	t.Logf("server killed with %d of 24 shards written", len(m))
	if _, err := os.Stat(filepath.Join(dir, "out", "results.parquet")); err == nil {
		t.Fatal("the sweep finished before the server was killed; the test needs a longer sweep")
	}
	server = startServer()
	// sweep run may give up while the server is down: run it again, it attaches to the sweep.
	for {
		o := <-done
		if o.err == nil {
			break
		}
		if ctx.Err() != nil || runs > 5 {
			t.Fatalf("sweep run: %v\n%s\n%s", o.err, o.stdout, o.stderr)
		}
		t.Logf("sweep run exited (%v); running it again", o.err)
		done = runSweep()
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}
