package interop

import (
	"database/sql"
	"math"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// sweepSpec is a small real sweep: gd at a converging and a diverging stepsize and the saddle
// algorithm on the same data, recording trajectories with beta every 100 steps.
const sweepSpec = `name: interop
seed: 3
params:
  n: 10
  d: 8
  sparsity: 2
  test: 50
  init: 0.1
  steps: 400
record: {every: 100, beta: true}
grid:
  optimizer: [gd, saddle]
  stepsize: [0.05, 50]
`

// runSweep runs every point of sweepSpec through the activities a worker runs (SimulateChunk
// in one chunk, MergeShards) in the SDK's activity test environment; dir gets results.parquet
// and trajectories.parquet.
func runSweep(t *testing.T, dir string) {
	t.Helper()
	s, err := spec.Parse("interop.yaml", []byte(sweepSpec))
	if err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	in := activities.ChunkInput{Spec: sweepSpec, SpecFile: "interop.yaml", Chunk: grid.Chunk{End: grid.New(s).Count()}, Shard: layout.Sweep{Out: dir}.Shard(0)}
	if _, err := env.ExecuteActivity(a.SimulateChunk, in); err != nil {
		t.Fatalf("SimulateChunk: %v", err)
	}
	if _, err := env.ExecuteActivity(a.MergeShards, activities.MergeInput{Spec: sweepSpec, SpecFile: "interop.yaml", OutDir: dir, Chunks: 1}); err != nil {
		t.Fatalf("MergeShards: %v", err)
	}
}

// TestDuckDBReadsSweepTables reads the tables of a real sweep with DuckDB and with pkg/results:
// same columns and types, same values bit for bit (NaN as NaN), and relations between the two
// tables that the simulator guarantees hold in SQL too.
func TestDuckDBReadsSweepTables(t *testing.T) {
	dir := t.TempDir()
	runSweep(t, dir)
	db := openDB(t)
	resPath, trajPath := filepath.Join(dir, "results.parquet"), filepath.Join(dir, "trajectories.parquet")
	res, err := results.ReadFile(resPath)
	if err != nil {
		t.Fatal(err)
	}
	traj, err := results.ReadFile(trajPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 4 || len(traj.Rows) == 0 {
		t.Fatalf("%d results rows, %d trajectory rows", len(res.Rows), len(traj.Rows))
	}
	checkSchema(t, db, resPath, res.Fields)
	checkRows(t, db, resPath, "point", res)
	checkSchema(t, db, trajPath, traj.Fields)
	checkRows(t, db, trajPath, "point, step", traj)

	// The sweep as SQL sees it: gd at stepsize 50 diverged, at 0.05 it stopped after its 400
	// steps; the saddle algorithm ignores the stepsize and converged.
	var statuses string
	if err := db.QueryRow(`SELECT string_agg(optimizer || '@' || stepsize || '=' || status, ' ' ORDER BY point)
		FROM read_parquet(?)`, resPath).Scan(&statuses); err != nil {
		t.Fatal(err)
	}
	if want := "gd@0.05=max_steps gd@50.0=diverged saddle@0.05=converged saddle@50.0=converged"; statuses != want {
		t.Errorf("statuses %q", statuses)
	}
	// The last trajectory row of a finished run is its result (dynamics.SimulateRecorded:
	// equal bit for bit): joined in SQL, for every point that did not diverge.
	var mismatches, joined int
	if err := db.QueryRow(`WITH last AS (SELECT point, arg_max(train_loss, step) AS tl, arg_max(l1, step) AS l1
		FROM read_parquet(?) GROUP BY point)
		SELECT count(*) FILTER (WHERE r.train_loss <> last.tl OR r.l1 <> last.l1), count(*)
		FROM read_parquet(?) r JOIN last USING (point) WHERE r.status <> 'diverged'`, trajPath, resPath).Scan(&mismatches, &joined); err != nil {
		t.Fatal(err)
	}
	if mismatches != 0 || joined != 3 {
		t.Errorf("final trajectory rows: %d of %d differ from the results", mismatches, joined)
	}
	// beta is a JSON array of d = 8 numbers in every row; unnested, its coordinates sum to
	// l1 in absolute value (the simulator sums |beta_i| in index order, DuckDB in any order).
	var badLen int
	var maxErr float64
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE len(from_json(beta, '["DOUBLE"]')) <> 8),
		max(abs(list_sum(list_transform(from_json(beta, '["DOUBLE"]'), x -> abs(x))) - l1) / greatest(l1, 1e-300))
		FROM read_parquet(?) WHERE isfinite(l1)`, trajPath).Scan(&badLen, &maxErr); err != nil {
		t.Fatal(err)
	}
	if badLen != 0 || !(maxErr <= 1e-12) {
		t.Errorf("beta arrays: %d of the wrong length; relative l1 error %g", badLen, maxErr)
	}
	// A saddle run's trajectory is its saddles at the jump times: step k at time t_k.
	checkSaddleTimes(t, db, resPath, trajPath)
}

// checkSaddleTimes compares jump_times of the saddle rows with the time column of their
// trajectories, in SQL.
func checkSaddleTimes(t *testing.T, db *sql.DB, resPath, trajPath string) {
	t.Helper()
	rows, err := db.Query(`SELECT r.point, t.step, t.time, from_json(r.jump_times, '["DOUBLE"]')[t.step]
		FROM read_parquet(?) r JOIN read_parquet(?) t USING (point)
		WHERE r.optimizer = 'saddle' AND t.step > 0 ORDER BY r.point, t.step`, resPath, trajPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var point, step int64
		var time, jump float64
		if err := rows.Scan(&point, &step, &time, &jump); err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(time) != math.Float64bits(jump) {
			t.Errorf("saddle point %d step %d: time %v, jump_times[%d] %v", point, step, time, step, jump)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("%d saddle trajectory rows after the origin, want at least one per point", n)
	}
}
