package workflows

// Every example spec under examples/ runs through the whole pipeline (spec -> grid -> sweep
// workflow -> chunk activities -> shards -> results.parquet) in the SDK test environment with
// the real activities, as written (no step budget overridden). New examples are picked up by
// the glob.

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// exampleStatuses are the statuses a finished example point may have; anything else (saddle's
// "failed", an empty status) fails the test.
var exampleStatuses = map[string]bool{"converged": true, "diverged": true, "max_steps": true}

// TestExamples runs every examples/*.yaml as written. The 9 examples took 13 s on 2 cores
// (quickstart 4 s, sgf 4 s; timings are logged per spec); -short skips it. An example whose
// sweep takes much longer should shrink its grid or step budget rather than be capped here.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example sweep in full (about 15 s)")
	}
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	total := time.Now()
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			start := time.Now()
			s, err := spec.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			g := grid.New(s)
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			in := SweepInput{
				Spec: string(s.Source), SpecFile: file, OutDir: t.TempDir(),
				Points: g.Count(), ChunkSize: g.ChunkSize(2), Concurrency: 0,
			}
			out := runSweep(t, newEnv(t, &activities.Activities{}), in)
			tab, err := results.ReadFile(out.Results)
			if err != nil {
				t.Fatal(err)
			}
			checkExampleTable(t, g, tab)
			t.Logf("%s: %d points in %v", file, g.Count(), time.Since(start).Round(time.Millisecond))
		})
	}
	t.Logf("all %d examples in %v", len(files), time.Since(total).Round(time.Millisecond))
}

// checkExampleTable checks one row per point in order, the schema of the spec's columns (a
// column for every parameter the spec sets, then every metric), finished statuses, and the
// columns particular to a family: the saddle's jumps and jump times, and finite losses of
// the runs that did not diverge.
func checkExampleTable(t *testing.T, g *grid.Grid, tab *results.Table) {
	t.Helper()
	if int64(len(tab.Rows)) != g.Count() {
		t.Fatalf("%d rows for %d points", len(tab.Rows), g.Count())
	}
	want := results.SweepFields(g.Columns())
	if len(tab.Fields) != len(want) {
		t.Fatalf("columns %v, want %v", tab.Fields, want)
	}
	for j := range want {
		if tab.Fields[j] != want[j] {
			t.Errorf("column %d is %v, want %v", j, tab.Fields[j], want[j])
		}
	}
	status, train, jumps := column(t, tab, "status"), column(t, tab, "train_loss"), column(t, tab, "jumps")
	saddle := false
	if v, ok := g.Spec().Value("optimizer"); ok && v.Str == "saddle" {
		saddle = true
	}
	for k, r := range tab.Rows {
		if r[0].I != int64(k) {
			t.Fatalf("row %d holds point %d", k, r[0].I)
		}
		st := r[status].S
		if !exampleStatuses[st] {
			t.Errorf("point %d (%s): status %q", k, g.Describe(g.Point(int64(k))), st)
			continue
		}
		if st != "diverged" && (math.IsNaN(r[train].F) || math.IsInf(r[train].F, 0)) {
			t.Errorf("point %d: train_loss %v with status %s", k, r[train].F, st)
		}
		if saddle && (r[jumps].I < 1 || r[column(t, tab, "jump_times")].S == "[]") {
			t.Errorf("point %d: saddle run with %d jumps, jump_times %s", k, r[jumps].I, r[column(t, tab, "jump_times")].S)
		}
	}
}
