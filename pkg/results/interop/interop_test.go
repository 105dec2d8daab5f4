// Package interop checks that an independent Parquet engine, DuckDB (through
// github.com/duckdb/duckdb-go/v2, cgo), reads the tables pkg/results writes with the
// documented types and the exact values.
package interop

import (
	"database/sql"
	"math"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/phasesweep/phasesweep/pkg/results"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// describe returns column name -> DuckDB type of the Parquet file at path, in order.
func describe(t *testing.T, db *sql.DB, path string) ([]string, map[string]string) {
	t.Helper()
	rows, err := db.Query("DESCRIBE SELECT * FROM read_parquet(?)", path)
	if err != nil {
		t.Fatalf("DESCRIBE: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	types := map[string]string{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		name, typ := vals[0].(string), vals[1].(string)
		names = append(names, name)
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names, types
}

func checkSchema(t *testing.T, db *sql.DB, path string, fields []results.Field) {
	t.Helper()
	want := map[results.Kind]string{results.Int: "BIGINT", results.Float: "DOUBLE", results.String: "VARCHAR"}
	names, types := describe(t, db, path)
	if len(names) != len(fields) {
		t.Fatalf("DuckDB sees columns %v, want %d", names, len(fields))
	}
	for j, f := range fields {
		if names[j] != f.Name || types[f.Name] != want[f.Kind] {
			t.Errorf("column %d: DuckDB %s %s, want %s %s", j, names[j], types[names[j]], f.Name, want[f.Kind])
		}
	}
}

// sameFloat compares bit for bit, except that any NaN equals any NaN (DuckDB may
// canonicalise the payload).
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// checkRows reads every row back with SELECT * ... ORDER BY the first column(s) and
// compares each cell with want.
func checkRows(t *testing.T, db *sql.DB, path, order string, want *results.Table) {
	t.Helper()
	rows, err := db.Query("SELECT * FROM read_parquet(?) ORDER BY "+order, path)
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	defer rows.Close()
	k := 0
	for rows.Next() {
		if k >= len(want.Rows) {
			t.Fatalf("DuckDB returned more than %d rows", len(want.Rows))
		}
		ints := make([]int64, len(want.Fields))
		floats := make([]float64, len(want.Fields))
		strs := make([]string, len(want.Fields))
		ptrs := make([]any, len(want.Fields))
		for j, f := range want.Fields {
			switch f.Kind {
			case results.Int:
				ptrs[j] = &ints[j]
			case results.Float:
				ptrs[j] = &floats[j]
			default:
				ptrs[j] = &strs[j]
			}
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("row %d: scan: %v", k, err)
		}
		for j, f := range want.Fields {
			w := want.Rows[k][j]
			switch f.Kind {
			case results.Int:
				if ints[j] != w.I {
					t.Errorf("row %d %s: DuckDB %d, want %d", k, f.Name, ints[j], w.I)
				}
			case results.Float:
				if !sameFloat(floats[j], w.F) {
					t.Errorf("row %d %s: DuckDB %v (%#x), want %v (%#x)", k, f.Name, floats[j], math.Float64bits(floats[j]), w.F, math.Float64bits(w.F))
				}
			default:
				if strs[j] != w.S {
					t.Errorf("row %d %s: DuckDB %q, want %q", k, f.Name, strs[j], w.S)
				}
			}
		}
		k++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if k != len(want.Rows) {
		t.Errorf("DuckDB returned %d rows, want %d", k, len(want.Rows))
	}
}

func TestDuckDBReadsResults(t *testing.T) {
	fields := []results.Field{
		{Name: "point", Kind: results.Int},
		{Name: "seed", Kind: results.Int},
		{Name: "stepsize", Kind: results.Float},
		{Name: "optimizer", Kind: results.String},
		{Name: "test_loss", Kind: results.Float},
		{Name: "status", Kind: results.String},
		{Name: "jump_times", Kind: results.String},
	}
	tiny := math.SmallestNonzeroFloat64
	floats := []float64{0.1, 1.0 / 3, math.NaN(), math.Inf(1), math.Inf(-1), tiny, math.MaxFloat64, -2.5e-300, 0, math.Copysign(0, -1), 1e10 + 0.5}
	tb := &results.Table{Fields: fields, Meta: map[string]string{results.MetaSpecHash: "abc"}}
	for p, f := range floats {
		status := "converged"
		if math.IsNaN(f) || math.IsInf(f, 0) {
			status = "diverged"
		}
		tb.Rows = append(tb.Rows, []results.Value{
			{I: int64(p)}, {I: int64(p*7) - 20}, {F: math.Pow(10, -float64(p))}, {S: []string{"gd", "sgd", "label_noise"}[p%3]},
			{F: f}, {S: status}, {S: results.JSONFloats([]float64{float64(p), 0.1 * float64(p)})},
		})
	}
	path := filepath.Join(t.TempDir(), "results.parquet")
	if err := results.WriteFile(path, tb); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	checkSchema(t, db, path, fields)
	checkRows(t, db, path, "point", tb)

	// SQL sees NaN as NaN (isnan), and aggregates work over the finite, converged rows.
	var nans, diverged int
	var sum float64
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE isnan(test_loss)), count(*) FILTER (WHERE status = 'diverged'),
		sum(test_loss) FILTER (WHERE status = 'converged' AND point < 2) FROM read_parquet(?)`, path).Scan(&nans, &diverged, &sum); err != nil {
		t.Fatal(err)
	}
	if nans != 1 || diverged != 3 || sum != 0.1+1.0/3 {
		t.Errorf("isnan count %d (want 1), diverged %d (want 3), sum %v (want %v)", nans, diverged, sum, 0.1+1.0/3)
	}
	// The JSON array column parses with from_json, as README.md says.
	var second float64
	if err := db.QueryRow(`SELECT from_json(jump_times, '["DOUBLE"]')[2] FROM read_parquet(?) WHERE point = 3`, path).Scan(&second); err != nil {
		t.Fatal(err)
	}
	three := 3.0
	if want := 0.1 * three; second != want { // the float64 product written by JSONFloats, not the constant 0.3
		t.Errorf("from_json(jump_times)[2] = %v, want %v", second, want)
	}
	// The schema metadata is visible as key-value metadata.
	var hash string
	if err := db.QueryRow(`SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = ?`, path, results.MetaSpecHash).Scan(&hash); err != nil {
		t.Fatalf("parquet_kv_metadata: %v", err)
	}
	if hash != "abc" {
		t.Errorf("spec hash metadata %q, want abc", hash)
	}
}

func TestDuckDBReadsTrajectories(t *testing.T) {
	fields := results.TrajectoryFields(true)
	tb := &results.Table{Fields: fields}
	for p := int64(0); p < 3; p++ {
		for step := 0; step <= 20; step += 5 {
			loss := 1 / float64(step+1+int(p))
			if p == 2 && step >= 10 {
				loss = math.NaN()
			}
			tb.Rows = append(tb.Rows, results.TrajectoryRow(p, step, 0.01*float64(step), loss, 2*loss, 3*loss, []float64{loss, -loss, math.Inf(1)}))
		}
	}
	path := filepath.Join(t.TempDir(), "trajectories.parquet")
	if err := results.WriteFile(path, tb); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	checkSchema(t, db, path, fields)
	checkRows(t, db, path, "point, step", tb)
}
