package main

// End-to-end tests of sweep ui and sweep retry on a refined sweep (docs/refine.md): a real
// refined sweep on the embedded server.

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// TestUIRefined runs refinedSpec, joins sweep ui to its server and reads the page's JSON API:
// the sweeps list holds the refined sweep, completed, with every level's rows as its points,
// and none of its level sweeps (<id>-level-NN); its status map has one cell rectangle per
// refined table row with a distinct (stepsize, init) and a boundary drawn through the cells.
// On the old code the refined sweep is not listed (only SweepWorkflow was).
func TestUIRefined(t *testing.T) {
	dir := t.TempDir()
	specPath := writeSpec(t, dir, refinedSpec)
	tab, _ := runSweepCmd(t, dir, specPath)
	id, err := sweepID(specPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := startUI(t, ctx, dir, "--state", "state", "--port", "0")

	var list struct {
		Sweeps []struct {
			ID, Status string
			Progress   struct{ Done, Total int64 }
		}
	}
	if err := json.Unmarshal([]byte(get(t, base+"/api/sweeps")), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range list.Sweeps {
		if strings.HasPrefix(s.ID, id+"-level-") {
			t.Errorf("the sweeps page lists the level sweep %s", s.ID)
		}
		if s.ID != id {
			continue
		}
		found = true
		n := int64(len(tab.Rows))
		if s.Status != "completed" || s.Progress.Done != n || s.Progress.Total != n {
			t.Errorf("sweeps page: %s %d/%d, want completed %d/%d", s.Status, s.Progress.Done, s.Progress.Total, n, n)
		}
	}
	if !found {
		t.Fatalf("the sweeps page does not list the refined sweep %s: %+v", id, list.Sweeps)
	}

	var fig struct {
		Kind   string
		Rows   int
		Panels []struct {
			Rects         []json.RawMessage
			BoundaryLines [][4]float64
		}
	}
	if err := json.Unmarshal([]byte(get(t, base+"/api/sweep/"+id+"/figure?x=stepsize&y=init&z=status")), &fig); err != nil {
		t.Fatal(err)
	}
	if fig.Kind != "heat" || fig.Rows != len(tab.Rows) || len(fig.Panels) != 1 {
		t.Fatalf("figure: kind %q, %d rows, %d panels; want heat, %d rows, 1 panel", fig.Kind, fig.Rows, len(fig.Panels), len(tab.Rows))
	}
	if want := distinctPairs(t, tab); len(fig.Panels[0].Rects) != want {
		t.Errorf("figure: %d cell rectangles, want one per distinct (stepsize, init) of the table: %d", len(fig.Panels[0].Rects), want)
	}
	if len(fig.Panels[0].BoundaryLines) == 0 {
		t.Error("figure: no boundary through the refined cells")
	}
}

// distinctPairs is the number of distinct (stepsize, init) pairs of tab.
func distinctPairs(t *testing.T, tab *results.Table) int {
	x, y := colOf(t, tab, "stepsize"), colOf(t, tab, "init")
	seen := map[[2]float64]bool{}
	for _, r := range tab.Rows {
		seen[[2]float64{r[x].F, r[y].F}] = true
	}
	return len(seen)
}

// TestRetryRefined: sweep retry of a completed refined sweep is refused with exit code 2 and
// says what to run instead; of a cancelled one it starts the refined sweep again and ends
// with the table of an uninterrupted run. On the old code both fail with "not a sweep
// workflow".
func TestRetryRefined(t *testing.T) {
	dir := t.TempDir()
	specPath := writeSpec(t, dir, refinedSpec)
	want, _ := runSweepCmd(t, dir, specPath)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd, _, stderr := sweepCmd(ctx, dir, "retry", specPath, "--state", "state")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "sweep run SPEC --new") {
		t.Fatalf("retry of a completed refined sweep: %v, stderr %q; want exit 2 naming sweep run SPEC --new", err, stderr)
	}

	// Cancel a second run of the same spec (a fresh state and output, the cache kept) early.
	dir2 := t.TempDir()
	spec2 := writeSpec(t, dir2, refinedSpec)
	run, _, runErr := sweepCmd(ctx, dir2, "run", spec2, "--state", "state", "--out", "out", "--chunk", "2", "--concurrency", "1")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	c, _, cerr := sweepCmd(ctx, dir2, "cancel", spec2, "--state", "state")
	if err := c.Run(); err != nil {
		t.Fatalf("sweep cancel: %v: %s", err, cerr)
	}
	_ = run.Wait()
	r, stdout, rerr := sweepCmd(ctx, dir2, "retry", spec2, "--state", "state")
	if err := r.Run(); err != nil {
		t.Fatalf("retry of a cancelled refined sweep: %v\n%s\nrun: %s", err, rerr, runErr)
	}
	if !strings.HasPrefix(lastLine(stdout.String()), "results: ") || !strings.Contains(rerr.String(), "retrying refined sweep") {
		t.Fatalf("retry printed %q, stderr %q; want it to start the cancelled refined sweep again", stdout, rerr)
	}
	got, err := results.ReadFile(filepath.Join(dir2, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != len(want.Rows) {
		t.Fatalf("retried refined sweep: %d rows, want those of an uninterrupted run: %d", len(got.Rows), len(want.Rows))
	}
	if lv, wl := levelCounts(t, got), levelCounts(t, want); !slices.Equal(lv, wl) {
		t.Errorf("retried refined sweep: points per level %v, want %v", lv, wl)
	}
}
