package results

// Trajectory columns (docs/science.md section 7, "Trajectories"; docs/design.md "Contracts:
// Results"): trajectories.parquet is in long form, one row per recorded iterate of a point,
// keyed by (point, step).
const (
	StepColumn = "step" // the second key column of a trajectory table
	BetaColumn = "beta" // beta as a JSON array of numbers (JSONFloats), when recorded
)

// TrajectoryKeyColumns is the key width of a trajectory table: (point, step), the first two
// columns. MergeKeyed(shards, out, meta, TrajectoryKeyColumns) merges trajectory shards.
const TrajectoryKeyColumns = 2

// trajectoryFields are the columns of every trajectory table, in order.
var trajectoryFields = []Field{
	{PointColumn, Int}, {StepColumn, Int}, {"time", Float},
	{"train_loss", Float}, {"test_loss", Float}, {"l1", Float},
}

// TrajectoryFields is the schema of trajectories.parquet: point (Int), step (Int), time,
// train_loss, test_loss, l1 (Float), and with beta a String column beta holding beta as a
// JSON array of d numbers (JSONFloats: shortest round-trip decimals, null for NaN and
// infinities). One row per (point, step) whatever d, so that points of different dimension
// share one fixed schema and the losses are plotted without deduplication; DuckDB reads the
// array with beta::DOUBLE[] (and unnest), pandas with json.loads.
func TrajectoryFields(beta bool) []Field {
	fields := append([]Field(nil), trajectoryFields...)
	if beta {
		fields = append(fields, Field{BetaColumn, String})
	}
	return fields
}

// TrajectoryRow is the row of one recorded iterate of point (dynamics.Recorder's arguments):
// its step, time, train_loss, test_loss and l1, then beta as JSON when beta is not nil (for
// the table of TrajectoryFields(true)); nil beta makes the row of TrajectoryFields(false).
func TrajectoryRow(point int64, step int, time, trainLoss, testLoss, l1 float64, beta []float64) []Value {
	row := make([]Value, 0, len(trajectoryFields)+1)
	row = append(row, Value{I: point}, Value{I: int64(step)}, Value{F: time},
		Value{F: trainLoss}, Value{F: testLoss}, Value{F: l1})
	if beta != nil {
		row = append(row, Value{S: JSONFloats(beta)})
	}
	return row
}

// MergeKeyed is Merge keyed by the first keyCols columns instead of point alone: it keeps
// exactly one row per key (rows of the same key in several shards must be identical, floats
// bit for bit, else an error naming the key, both files and the column), sorts by key, and
// writes out atomically with Meta = meta. The first column must be point (Int) and the other
// key columns Int. keyCols is 1 (Merge) or 2 (TrajectoryKeyColumns: many rows per point, one
// per (point, step)). Returns the number of rows written.
//
// Memory: the merge holds the key of every row of every shard (24 bytes a row) and the
// columns of the shards it is copying from.
func MergeKeyed(shards []string, out string, meta map[string]string, keyCols int) (int, error) {
	st, err := mergeKeyed(shards, out, meta, keyCols)
	return st.rows, err
}

// ReadMeta returns the schema metadata (as ReadFile's Meta) and the row count of a Parquet
// file without reading its rows.
func ReadMeta(path string) (map[string]string, int64, error) {
	p, err := openParquet(path)
	if err != nil {
		return nil, 0, err
	}
	defer p.close()
	return p.meta, p.numRows(), nil
}

// keyIndices returns the column indices 0..keyCols-1.
func keyIndices(keyCols int) []int {
	idx := make([]int, keyCols)
	for j := range idx {
		idx[j] = j
	}
	return idx
}
