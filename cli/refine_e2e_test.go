package main

// End-to-end tests of refined sweeps (docs/refine.md): sweep run on the real embedded
// Temporal server, real Parquet tables.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/refine"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// refineParams are tiny gd runs on uv (a few ms each), so that a sweep of hundreds of points
// takes seconds.
const refineParams = `seed: 3
params:
  n: 8
  d: 12
  sparsity: 2
  test: 50
  steps: 1500
  stop_loss: 1.0e-8
`

// refinedSpec refines stepsize x init of a 5 x 3 coarse grid with 2 seeds carried, 2 levels.
const refinedSpec = "name: rx\n" + refineParams + `grid:
  stepsize: {logspace: [0.02, 2], num: 5}
  init: {logspace: [0.01, 1], num: 3}
  seed: {range: 2}
refine:
  axes: [stepsize, init]
  levels: 2
  budget: 2000
`

// denseSpec is the dense grid that contains every refined point: levels 2 make 4 (k - 1) + 1
// values of each axis.
const denseSpec = "name: rx\n" + refineParams + `grid:
  stepsize: {logspace: [0.02, 2], num: 17}
  init: {logspace: [0.01, 1], num: 9}
  seed: {range: 2}
`

// runIn runs spec text in a fresh directory and returns its table and stderr.
func runIn(t *testing.T, text string, extra ...string) (*results.Table, string) {
	t.Helper()
	dir := t.TempDir()
	return runSweepCmd(t, dir, writeSpec(t, dir, text), extra...)
}

// colOf is the index of column name in tab, failing t if it has none.
func colOf(t *testing.T, tab *results.Table, name string) int {
	t.Helper()
	j := slices.IndexFunc(tab.Fields, func(f results.Field) bool { return f.Name == name })
	if j < 0 {
		t.Fatalf("no column %q", name)
	}
	return j
}

// levelCounts is the number of rows of each level of a refined table.
func levelCounts(t *testing.T, tab *results.Table) []int {
	t.Helper()
	lv := colOf(t, tab, refine.LevelColumn)
	var out []int
	for _, r := range tab.Rows {
		for int(r[lv].I) >= len(out) {
			out = append(out, 0)
		}
		out[r[lv].I]++
	}
	return out
}

// TestRefineExact runs a refined sweep and the dense grid containing all its points: every
// row of the refined table (coarse and refined) equals, bit for bit, the dense row with the
// same stepsize, init and seed, column by column except point and level. It also checks the
// refined table's contract: points 0..N-1 in order, level after point, the refine metadata.
func TestRefineExact(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	ref, stderr := runSweepCmd(t, dir, writeSpec(t, dir, refinedSpec), "--no-cache")
	dense, _ := runIn(t, denseSpec, "--no-cache")
	counts := levelCounts(t, ref)
	if len(counts) != 3 || counts[0] != 30 || counts[1] == 0 || counts[2] == 0 {
		t.Fatalf("points per level %v: want 30 coarse and some at levels 1 and 2 (stderr: %s)", counts, stderr)
	}
	if !strings.Contains(stderr, fmt.Sprintf("refined: level 0: 30, level 1: %d, level 2: %d points", counts[1], counts[2])) {
		t.Errorf("stderr does not list the levels' points:\n%s", stderr)
	}
	// sweep status says the points of each level (the rows per level of the table); sweep
	// list shows the refined sweep once, not its three level sweeps beside it.
	state := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd, stdout, stderr := sweepCmd(ctx, dir, append(args, "--state", filepath.Join(dir, "state"))...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("sweep %s: %v %s", args[0], err, stderr)
		}
		return stdout.String()
	}
	if out, want := state("status", "spec.yaml"), fmt.Sprintf("refined: points per level: 30 (coarse), %d, %d\n", counts[1], counts[2]); !strings.Contains(out, want) {
		t.Errorf("sweep status does not say %q:\n%s", want, out)
	}
	if out := state("list"); strings.Count(out, "\n") != 2 || strings.Contains(out, "-level-") {
		t.Errorf("sweep list shows other rows than the refined sweep's:\n%s", out)
	}
	for i, r := range ref.Rows {
		if r[0].I != int64(i) {
			t.Fatalf("row %d is point %d", i, r[0].I)
		}
	}
	if ref.Fields[1] != (results.Field{Name: refine.LevelColumn, Kind: results.Int}) {
		t.Errorf("column 1 is %v, want level (int)", ref.Fields[1])
	}
	s, _ := spec.Parse("x", []byte(refinedSpec))
	if got := ref.Meta[refine.MetaRefine]; got != s.Refine.JSON() {
		t.Errorf("metadata %s = %q, want %q", refine.MetaRefine, got, s.Refine.JSON())
	}
	key := func(tab *results.Table, r []results.Value) string {
		return fmt.Sprintf("%x %x %d", math.Float64bits(r[colOf(t, tab, "stepsize")].F),
			math.Float64bits(r[colOf(t, tab, "init")].F), r[colOf(t, tab, "seed")].I)
	}
	byKey := map[string][]results.Value{}
	for _, r := range dense.Rows {
		byKey[key(dense, r)] = r
	}
	for _, r := range ref.Rows {
		d, ok := byKey[key(ref, r)]
		if !ok {
			t.Fatalf("refined point %d (%s) is not a point of the dense grid", r[0].I, key(ref, r))
		}
		for j, f := range ref.Fields {
			if f.Name == results.PointColumn || f.Name == refine.LevelColumn {
				continue
			}
			dj := colOf(t, dense, f.Name)
			if a, b := r[j], d[dj]; a.I != b.I || a.S != b.S || math.Float64bits(a.F) != math.Float64bits(b.F) {
				t.Fatalf("point %d, column %s: %+v, the dense grid's point %d has %+v", r[0].I, f.Name, a, d[0].I, b)
			}
		}
	}
}

// smallRefined is a smaller refined sweep (4 x 2 coarse, 2 seeds), for the runs in chunks
// of one point; its budget cuts level 2 short (16 + 26 + 18 points).
const smallRefined = "name: rs\n" + refineParams + `grid:
  stepsize: {logspace: [0.02, 2], num: 4}
  init: [0.01, 1]
  seed: {range: 2}
refine:
  axes: [stepsize, init]
  levels: 2
  budget: 60
`

// TestRefineDeterministic runs a refined sweep in the default chunking (one chunk per level
// here), in chunks of 7 points one at a time, and in chunks of 1 point with four in flight
// (so that they finish in other orders), that last run killed (SIGKILL) once level 1 has
// written shards and run again: the same table, bit for bit, each time.
func TestRefineDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	want, _ := runIn(t, smallRefined, "--no-cache")
	if counts := levelCounts(t, want); len(counts) != 3 || len(want.Rows) != 60 {
		t.Fatalf("points per level %v: want 3 levels and the budget's 60 points", counts)
	}
	same := func(what string, got *results.Table) {
		t.Helper()
		if ok, why := results.Equal(&results.Table{Fields: got.Fields, Rows: got.Rows}, &results.Table{Fields: want.Fields, Rows: want.Rows}); !ok {
			t.Errorf("%s: the table differs from the default chunking's: %s", what, why)
		}
	}
	got, _ := runIn(t, smallRefined, "--chunk", "7", "--concurrency", "1", "--no-cache")
	same("chunks of 7", got)

	dir := t.TempDir()
	specPath := writeSpec(t, dir, smallRefined)
	args := []string{"--chunk", "1", "--concurrency", "4", "--no-cache"}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd, _, stderr1 := sweepCmd(ctx, dir, append([]string{"run", specPath, "--state", filepath.Join(dir, "state"), "--out", filepath.Join(dir, "out")}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	level1 := filepath.Join(dir, "out", layout.Dir, "*-level-01", "shards", "chunk-*.parquet")
	for {
		if m, _ := filepath.Glob(level1); len(m) >= 2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("level 1 wrote no shards: %s", stderr1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	got, stderr2 := runSweepCmd(t, dir, specPath, args...)
	if !strings.Contains(stderr2, "resuming sweep") || strings.Contains(stderr2, "level 0/2") {
		t.Errorf("the second run did not resume the sweep after level 0: %s", stderr2)
	}
	same("chunks of 1, killed in level 1 and resumed", got)
}

// boundarySpec refines the stepsize of gd on uv at one init, on status, 4 levels, with the
// gamma_max / gamma_div columns of Even2023's normalisation.
const boundarySpec = "name: rb\n" + refineParams + `  init: 0.1
grid:
  stepsize: {logspace: [0.05, 5], num: 9}
record:
  gamma_max: true
refine:
  axes: [stepsize]
  levels: 4
  budget: 1000
`

// TestRefineBoundaryAgreesWithTheory checks the divergence boundary the refinement finds
// against the gamma_div column (the largest stepsize that does not diverge, by bisection to a
// relative 1e-3; docs/science.md section 4): the last stepsize that does not diverge and the
// first that does are one finest cell apart (the coarse ratio (5/0.05)^(1/8), split 2^4
// times), and gamma_div lies within one finest cell of that cell. Not inside it: at the edge
// of stability divergence need not be monotone in the stepsize (PointThresholds says so): on
// this problem the bisection lands on a diverging sliver a cell below the boundary the grid
// sees (gamma_div 1.721; the cell [1.761, 1.826]), and the refinement's halo finds stepsizes
// above the first divergence (1.893) that do not diverge, a band the corners alone never
// looked into. The first divergence is what is checked; the band is logged.
func TestRefineBoundaryAgreesWithTheory(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tab, _ := runIn(t, boundarySpec, "--no-cache")
	a, b, gdiv, again := checkBoundary(t, tab, tab.Rows, math.Pow(100, 1.0/8/16))
	t.Logf("boundary cell [%v, %v], gamma_div %v; points per level %v; stepsizes above it that do not diverge: %v", a, b, gdiv, levelCounts(t, tab), again)
}

// checkBoundary checks the divergence boundary of rows, which share every parameter but the
// stepsize: the first stepsize that diverges, b, and the one below it, a, are one finest cell
// (ratio finest) apart, and gamma_div lies within one finest cell of [a, b]. It returns them
// and the stepsizes above b that do not diverge.
func checkBoundary(t *testing.T, tab *results.Table, rows [][]results.Value, finest float64) (a, b, gdiv float64, again []float64) {
	t.Helper()
	step, status, div := colOf(t, tab, "stepsize"), colOf(t, tab, "status"), colOf(t, tab, "gamma_div")
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b []results.Value) int { return cmp.Compare(a[step].F, b[step].F) })
	first := slices.IndexFunc(rows, func(r []results.Value) bool { return r[status].S == "diverged" })
	if first <= 0 {
		t.Fatalf("no boundary: first diverged row at %d of %d", first, len(rows))
	}
	for _, r := range rows[first:] {
		if r[status].S != "diverged" {
			again = append(again, r[step].F)
		}
	}
	if len(again) > 0 && again[len(again)-1] >= rows[len(rows)-1][step].F {
		t.Fatalf("the largest stepsize %v does not diverge: no divergence boundary", again[len(again)-1])
	}
	a, b, gdiv = rows[first-1][step].F, rows[first][step].F, rows[first][div].F
	if math.Abs(b/a-finest) > 1e-9 {
		t.Errorf("boundary cell [%v, %v] has ratio %v, want one finest cell %v", a, b, b/a, finest)
	}
	if gdiv < a/finest*(1-1e-3) || gdiv > b*finest*(1+1e-3) {
		t.Errorf("gamma_div %v is more than one finest cell from the refined boundary cell [%v, %v]", gdiv, a, b)
	}
	return a, b, gdiv, again
}

// boundarySpec2 refines stepsize x init of gd on uv on divergence, 9 x 4 coarse, 3 levels,
// with the gamma_div column.
const boundarySpec2 = "name: rb2\n" + refineParams + `grid:
  stepsize: {logspace: [0.05, 5], num: 9}
  init: {logspace: [0.01, 1], num: 4}
record:
  gamma_max: true
refine:
  axes: [stepsize, init]
  on: divergence
  levels: 3
  budget: 5000
`

// TestRefineBoundaryPerInit refines stepsize x init and checks, for each init of the coarse
// grid (a line on which every refined cell the boundary crosses has vertices), that the
// refined divergence boundary along it is one finest cell wide and within one finest cell of
// that init's bisected gamma_div (checkBoundary).
func TestRefineBoundaryPerInit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tab, _ := runIn(t, boundarySpec2, "--no-cache")
	init := colOf(t, tab, "init")
	s, _ := spec.Parse("x", []byte(boundarySpec2))
	for k := range 4 {
		v := s.Grid[1].At(k, 0).Float
		var rows [][]results.Value
		for _, r := range tab.Rows {
			if r[init].F == v {
				rows = append(rows, r)
			}
		}
		a, b, gdiv, again := checkBoundary(t, tab, rows, math.Pow(100, 1.0/8/8))
		t.Logf("init %v: %d stepsizes, boundary cell [%v, %v], gamma_div %v; above it not diverging: %v", v, len(rows), a, b, gdiv, again)
	}
}

// TestRefineSpecErrorExit2 checks that a bad refine section is a spec error before anything
// runs: exit status 2, the file, line and key, a "did you mean".
func TestRefineSpecErrorExit2(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, strings.Replace(refinedSpec, "  levels: 2\n", "  levels: 2\n  on: test_los\n  jump: 1\n", 1))
	cmd, _, stderr := sweepCmd(t.Context(), dir, "validate", path)
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "spec.yaml:17: refine.on:") || !strings.Contains(stderr.String(), `did you mean "test_loss"?`) {
		t.Errorf("validate: exit %d (%v), stderr %s", code, err, stderr)
	}
}
