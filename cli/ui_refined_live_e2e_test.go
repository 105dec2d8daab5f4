package main

// End-to-end test of sweep ui on a running refined sweep (docs/refine.md, docs/ui.md): a real
// refined sweep on the embedded server, its live table read as Parquet from the page.

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/refine"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/workflows"
)

// TestUIRefinedLive runs refinedSpec slowly (chunks of one point, one at a time), pauses it
// once a level after the coarse grid has finished chunks, and downloads the page's table while
// it is paused: marked partial, with the refine metadata and the columns of the final table
// (the level column after point), every point of the finished levels and some of the running
// one, each row equal to the same point's row of the results.parquet the resumed sweep ends
// with. On the old code a running refined sweep has no table (the download is refused).
func TestUIRefinedLive(t *testing.T) {
	dir := t.TempDir()
	specPath := writeSpec(t, dir, refinedSpec)
	id, err := sweepID(specPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run, _, runErr := sweepCmd(ctx, dir, "run", specPath, "--state", "state", "--out", "out", "--chunk", "1", "--concurrency", "1")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Process.Kill(); _ = run.Wait() })
	for !fileExists(filepath.Join(dir, "state", addressFile)) {
		if ctx.Err() != nil {
			t.Fatalf("the sweep's server did not start: %s", runErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	base := startUI(t, ctx, dir, "--state", "state", "--port", "0", "--refresh", "100ms")
	control := func(action string) {
		t.Helper()
		c, _, cerr := sweepCmd(ctx, dir, action, specPath, "--state", "state")
		if err := c.Run(); err != nil {
			t.Fatalf("sweep %s: %v: %s", action, err, cerr)
		}
	}

	// Pause once a refined level has finished chunks.
	var p workflows.Progress
	for {
		var r struct {
			Sweep struct {
				Status   string
				Progress workflows.Progress
			}
		}
		if err := json.Unmarshal([]byte(get(t, base+"/api/sweep/"+id+"/progress")), &r); err == nil {
			if r.Sweep.Status != "running" && r.Sweep.Status != "" {
				t.Fatalf("the sweep %s before a refined level ran: make it slower", r.Sweep.Status)
			}
			if p = r.Sweep.Progress; p.Level >= 1 && p.ChunksDone >= 1 {
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("no refined level ran: %s", runErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	control("pause")

	// The live table, once it has rows of the running level (before, the page answers an
	// error, no Parquet).
	live := filepath.Join(dir, "live.parquet")
	var tab *results.Table
	for deadline := time.Now().Add(time.Minute); tab == nil || len(levelCounts(t, tab)) <= p.Level; {
		if time.Now().After(deadline) {
			t.Fatalf("the page never served a table with rows of level %d: last %v", p.Level, err)
		}
		time.Sleep(200 * time.Millisecond)
		if err = os.WriteFile(live, []byte(get(t, base+"/sweep/"+id+"/download/results.parquet")), 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err = results.ReadFile(live)
	}
	control("resume")
	if err := run.Wait(); err != nil {
		t.Fatalf("sweep run: %v: %s", err, runErr)
	}
	final, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}

	if tab.Meta[results.MetaPartial] != "true" || tab.Meta[refine.MetaRefine] == "" || tab.Meta[refine.MetaRefine] != final.Meta[refine.MetaRefine] {
		t.Errorf("live table: partial %q, refine %q; want partial true and the final table's refine %q",
			tab.Meta[results.MetaPartial], tab.Meta[refine.MetaRefine], final.Meta[refine.MetaRefine])
	}
	if !slices.Equal(tab.Fields, final.Fields) || tab.Fields[1].Name != refine.LevelColumn {
		t.Fatalf("live table's columns %v, want the final table's %v (level second)", tab.Fields, final.Fields)
	}
	got, want := levelCounts(t, tab), levelCounts(t, final)
	t.Logf("paused at level %d (%d chunks done): live points per level %v, final %v", p.Level, p.ChunksDone, got, want)
	if len(got) != p.Level+1 || !slices.Equal(got[:p.Level], want[:p.Level]) || got[p.Level] == 0 || got[p.Level] > want[p.Level] {
		t.Errorf("live table's points per level %v; want every point of the levels before %d %v and some of level %d's %d",
			got, p.Level, want[:p.Level], p.Level, want[p.Level])
	}
	byPoint := map[int64][]results.Value{}
	for _, r := range final.Rows {
		byPoint[r[0].I] = r
	}
	for _, r := range tab.Rows {
		w, ok := byPoint[r[0].I]
		if !ok {
			t.Errorf("live point %d is not in the final table", r[0].I)
			continue
		}
		for j, f := range tab.Fields {
			if r[j].I != w[j].I || r[j].S != w[j].S || math.Float64bits(r[j].F) != math.Float64bits(w[j].F) {
				t.Errorf("point %d, %s: live %v, final %v", r[0].I, f.Name, r[j], w[j])
			}
		}
	}
}
