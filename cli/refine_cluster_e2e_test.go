package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// TestRefineClusterFaults runs refinedSpec on a cluster (a `sweep server` and four `worker`
// processes, chunks of one point, four in flight) while faults land: two workers SIGKILLed
// (and started again) while level 1's chunks run, and the server SIGKILLed (and started again
// on its state) while level 2's run. `sweep run` is run again whenever it exits with an
// error, as a user would. The refined table must equal, bit for bit, the one the embedded
// server and its single in-process worker write in the default chunking: which cells are
// refined depends only on results, not on the workers, the chunking or the faults.
func TestRefineClusterFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	want, _ := runIn(t, refinedSpec, "--no-cache")

	dir := t.TempDir()
	specPath := writeSpec(t, dir, refinedSpec)
	out := filepath.Join(dir, "out")
	addr, logf, server, workers := startProcs(t, dir, 4, "1")

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	finished := rerunSweep(ctx, dir, logf, "run", specPath, "--address", addr, "--out", out,
		"--chunk", "1", "--concurrency", "4", "--no-cache")

	// levelShards counts the shards level L's sweep has written so far; levelDone says whether
	// its table is merged (the level is over).
	levelShards := func(l int) int {
		m, _ := filepath.Glob(filepath.Join(out, layout.Dir, fmt.Sprintf("*-level-%02d", l), "shards", "chunk-*.parquet"))
		return len(m)
	}
	levelDone := func(l int) bool {
		m, _ := filepath.Glob(filepath.Join(out, layout.Dir, "*", "refine", fmt.Sprintf("level-%02d.parquet", l)))
		return len(m) > 0 || fileExists(filepath.Join(out, "results.parquet"))
	}
	workersKilled, serverKilled := false, false
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case res := <-finished:
			if res.err != nil {
				t.Fatalf("%v\n(process log %s)", res.err, logf.Name())
			}
			break wait
		case <-tick.C:
		}
		switch {
		case !workersKilled && levelShards(1) >= 3:
			if levelDone(1) {
				t.Fatal("level 1 ended before its workers could be killed: make the sweep longer")
			}
			workers[0].kill()
			workers[1].kill()
			workersKilled = true
			t.Logf("workers 0 and 1 killed in level 1 (%d shards)", levelShards(1))
			workers[0].start(t, bins.worker)
			workers[1].start(t, bins.worker)
		case workersKilled && !serverKilled && levelShards(2) >= 3:
			if levelDone(2) {
				t.Fatal("level 2 ended before the server could be killed: make the sweep longer")
			}
			server.kill()
			serverKilled = true
			t.Logf("server killed in level 2 (%d shards)", levelShards(2))
			time.Sleep(2 * time.Second)
			server.start(t, bins.sweep)
		}
	}
	if !workersKilled || !serverKilled {
		t.Fatalf("the sweep ended before every fault landed (workers killed %v, server killed %v)", workersKilled, serverKilled)
	}
	got, err := results.ReadFile(filepath.Join(out, "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := results.Equal(&results.Table{Fields: got.Fields, Rows: got.Rows}, &results.Table{Fields: want.Fields, Rows: want.Rows}); !ok {
		t.Errorf("the refined table of the cluster with faults differs from the embedded run's: %s", why)
	}
}
