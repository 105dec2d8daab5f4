package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
	"github.com/phasesweep/phasesweep/workflows"
)

// smallTable has an Int, Float (with NaN, ±Inf, -0, extremes) and String (with CSV
// metacharacters) columns.
func smallTable() *results.Table {
	fields := []results.Field{
		{Name: "point", Kind: results.Int},
		{Name: "optimizer", Kind: results.String},
		{Name: "stepsize", Kind: results.Float},
		{Name: "test_loss", Kind: results.Float},
		{Name: "error", Kind: results.String},
	}
	tenth := 0.1 // tenth + 0.2 is 0.30000000000000004, not the constant 0.3
	losses := []float64{1, 3, math.NaN(), tenth + 0.2, math.Inf(1), math.Copysign(0, -1), math.SmallestNonzeroFloat64, -math.MaxFloat64, math.Inf(-1), 1.0 / 3}
	t := &results.Table{Fields: fields}
	for p, l := range losses {
		t.Rows = append(t.Rows, []results.Value{{I: int64(p) - 1}, {S: []string{"gd", "sgd"}[p%2]}, {F: []float64{0.01, 0.1}[p/5]}, {F: l},
			{S: []string{"", `panic: a "quoted", comma`, "two\nlines"}[p%3]}})
	}
	return t
}

func TestWriteCSVRoundTrip(t *testing.T) {
	want := smallTable()
	var buf bytes.Buffer
	if err := writeCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, buf.String())
	}
	if strings.Join(recs[0], ",") != "point,optimizer,stepsize,test_loss,error" {
		t.Errorf("header %v", recs[0])
	}
	if len(recs) != len(want.Rows)+1 {
		t.Fatalf("%d records, want %d", len(recs), len(want.Rows)+1)
	}
	got := &results.Table{Fields: want.Fields}
	for _, rec := range recs[1:] {
		row := make([]results.Value, len(rec))
		for j, f := range want.Fields {
			switch f.Kind {
			case results.Int:
				row[j].I, err = strconv.ParseInt(rec[j], 10, 64)
			case results.Float:
				row[j].F, err = strconv.ParseFloat(rec[j], 64)
			default:
				row[j].S = rec[j]
			}
			if err != nil {
				t.Fatalf("cell %q: %v", rec[j], err)
			}
		}
		got.Rows = append(got.Rows, row)
	}
	// Bit for bit, except NaN's payload (ParseFloat gives the canonical NaN, as does the
	// simulator).
	if ok, diff := results.Equal(got, want); !ok {
		t.Errorf("CSV does not round-trip: %s", diff)
	}
	cells := map[string]bool{}
	for _, r := range recs {
		for _, c := range r {
			cells[c] = true
		}
	}
	for _, s := range []string{"NaN", "+Inf", "-Inf", "-0", "0.30000000000000004", "5e-324", "-1.7976931348623157e+308", "0.3333333333333333"} {
		if !cells[s] {
			t.Errorf("CSV lacks the cell %s", s)
		}
	}
}

func TestExportCSVFile(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "results.parquet"), filepath.Join(dir, "r.csv")
	if err := results.WriteFile(in, smallTable()); err != nil {
		t.Fatal(err)
	}
	if err := exportCSV(nil, in, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "point,optimizer,stepsize,test_loss,error\n-1,gd,0.01,1,\n") {
		t.Errorf("CSV starts %q", b[:min(len(b), 80)])
	}
}

func TestSummarizeTable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.parquet")
	if err := results.WriteFile(path, smallTable()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := summarizeTable(&buf, path, []string{"optimizer", "stepsize"}, "test_loss", false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// No status column: every run counts as converged.
	// gd@0.01: points -1, 1, 3 -> 1, NaN, +Inf: 3 runs, count 1, non-finite 2.
	// sgd@0.01: 3, 0.30000000000000004: mean 1.65, median 1.65, min 0.3, max 3.
	if len(lines) != 5 || !strings.Contains(lines[0], "OPTIMIZER") || !strings.Contains(lines[0], "NONFINITE") {
		t.Fatalf("table:\n%s", buf.String())
	}
	if f := strings.Fields(lines[1]); strings.Join(f[:9], " ") != "gd 0.01 3 0 0 0 1 2 1" {
		t.Errorf("gd 0.01 row %q", lines[1])
	}
	if f := strings.Fields(lines[3]); strings.Join(f[:9], " ") != "sgd 0.01 2 0 0 0 2 0 1.65" || f[12] != "0.3" || f[13] != "3" {
		t.Errorf("sgd 0.01 row %q", lines[3])
	}

	buf.Reset()
	if err := summarizeTable(&buf, path, []string{"optimizer"}, "test_loss", true); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Groups []struct {
			Key       map[string]string
			Count     int
			NonFinite int `json:"non_finite"`
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &js); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	// gd: 1, NaN, +Inf, 5e-324, -Inf -> 2 finite, 3 not.
	if len(js.Groups) != 2 || js.Groups[0].Key["optimizer"] != "gd" || js.Groups[0].Count != 2 || js.Groups[0].NonFinite != 3 {
		t.Errorf("JSON %s", buf.String())
	}

	err := summarizeTable(&buf, path, []string{"optimiser"}, "test_loss", false)
	var ue usageError
	if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), `"optimiser"`) || !strings.Contains(err.Error(), `did you mean "optimizer"?`) {
		t.Errorf("unknown column: %v", err)
	}
}

// shardSpec is a valid spec of 6 points (2 optimisers x 3 stepsizes).
const shardSpec = `name: shards
seed: 1
params:
  n: 10
  d: 20
  sparsity: 2
  steps: 100
grid:
  optimizer: [gd, sgd]
  stepsize: [0.01, 0.02, 0.05]
`

func TestMergeFinishedShards(t *testing.T) {
	out := t.TempDir()
	ctx, st := context.Background(), store.New()
	defer st.Close()
	in := workflows.SweepInput{Spec: shardSpec, SpecFile: "spec.yaml", OutDir: out, Points: 6, ChunkSize: 2}
	if pm, err := mergeFinishedShards(ctx, st, in, ""); err != nil || pm.Results != "" {
		t.Fatalf("no shards: %+v, %v", pm, err)
	}
	fields := []results.Field{{Name: "point", Kind: results.Int}, {Name: "test_loss", Kind: results.Float}}
	shard := func(path string, points ...int64) {
		t.Helper()
		tb := &results.Table{Fields: fields}
		for _, p := range points {
			tb.Rows = append(tb.Rows, []results.Value{{I: p}, {F: float64(p) / 10}})
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteFile(path, tb); err != nil {
			t.Fatal(err)
		}
	}
	shard(layout.Sweep{Out: out}.Shard(2), 4, 5)
	shard(layout.Sweep{Out: out}.Shard(0), 0, 1)
	shard(layout.PartialShard(layout.Sweep{Out: out}.Shard(1)), 2) // chunk 1 still running
	pm, err := mergeFinishedShards(ctx, st, in, "")
	if err != nil {
		t.Fatal(err)
	}
	if pm.Results != filepath.Join(out, "results.partial.parquet") || pm.Rows != 4 || pm.Trajectories != "" {
		t.Errorf("merge %+v", pm)
	}
	tb, err := results.ReadFile(pm.Results)
	if err != nil {
		t.Fatal(err)
	}
	var points []int64
	for _, r := range tb.Rows {
		points = append(points, r[0].I)
	}
	if len(points) != 4 || points[0] != 0 || points[1] != 1 || points[2] != 4 || points[3] != 5 {
		t.Errorf("points %v, want [0 1 4 5]", points)
	}
	if tb.Meta[results.MetaPartial] != "true" || tb.Meta[results.MetaSpec] != shardSpec || tb.Meta[results.MetaSpecHash] == "" {
		t.Errorf("meta %v", tb.Meta)
	}
	if exists(ctx, st, layout.Sweep{Out: out}.Results()) {
		t.Error("results.parquet written; a running sweep's own table must be left alone")
	}
	if !exists(ctx, st, layout.Sweep{Out: out}.Shard(0)) {
		t.Error("shards removed")
	}
	in.OutDir = filepath.Join(out, "elsewhere")
	if _, err := mergeFinishedShards(ctx, st, in, ""); err == nil || !strings.Contains(err.Error(), "not reachable") {
		t.Errorf("missing output directory: %v", err)
	}
}

// TestResultsSummarizeExportE2E runs a tiny sweep, then `sweep results`, `summarize` and
// `export --csv` on it through the binary.
func TestResultsSummarizeExportE2E(t *testing.T) {
	dir := t.TempDir()
	specPath := writeSpec(t, dir, shardSpec)
	tab, _ := runSweepCmd(t, dir, specPath)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(args ...string) string { return sweepOK(ctx, t, dir, args...) }
	resultsPath := filepath.Join(dir, "out", "results.parquet")
	got := run("results", specPath, "--state", filepath.Join(dir, "state"))
	if want := "results: " + resultsPath + " (6 rows;"; !strings.HasPrefix(got, want) || strings.Contains(got, "PARTIAL") {
		t.Errorf("sweep results: %q, want prefix %q", got, want)
	}
	got = run("summarize", resultsPath, "--by", "optimizer", "--metric", "test_loss")
	if lines := strings.Split(strings.TrimSpace(got), "\n"); len(lines) != 3 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "gd") {
		t.Errorf("summarize:\n%s", got)
	}
	got = run("export", resultsPath, "--csv")
	recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil || len(recs) != len(tab.Rows)+1 || recs[0][0] != "point" {
		t.Errorf("export: %v, %d records\n%s", err, len(recs), got)
	}
	cmd, _, stderr := sweepCmd(ctx, dir, "summarize", resultsPath, "--metric", "loss")
	if err := cmd.Run(); err == nil || !strings.Contains(stderr.String(), `no metric column "loss" in the table; did you mean "train_loss", "test_loss"`) || cmd.ProcessState.ExitCode() != 2 {
		t.Errorf("bad metric: %v, %s", err, stderr)
	}
}

// TestMergeFinishedShardsS3: the finished shards of a running sweep whose output is in an S3
// bucket are merged into a local file (--out-file, else runs/<name>/results.partial.parquet
// in the working directory); the bucket is left as it was.
func TestMergeFinishedShardsS3(t *testing.T) {
	srv := fakes3.Start(t, "phasesweep")
	ctx, st := context.Background(), store.New()
	defer st.Close()
	in := workflows.SweepInput{Spec: shardSpec, SpecFile: "spec.yaml", OutDir: srv.URL("running"), Points: 6, ChunkSize: 2}
	fields := []results.Field{{Name: "point", Kind: results.Int}, {Name: "test_loss", Kind: results.Float}}
	for _, shard := range []struct {
		loc    string
		points []int64
	}{
		{layout.Sweep{Out: in.OutDir}.Shard(2), []int64{4, 5}},
		{layout.PartialShard(layout.Sweep{Out: in.OutDir}.Shard(0)), []int64{0}}, // chunk 0 still running
	} {
		tb := &results.Table{Fields: fields}
		for _, p := range shard.points {
			tb.Rows = append(tb.Rows, []results.Value{{I: p}, {F: float64(p) / 10}})
		}
		if err := st.Put(ctx, shard.loc, func(path string) error { return results.WriteFile(path, tb) }); err != nil {
			t.Fatal(err)
		}
	}
	before := srv.Keys(t)
	outFile := filepath.Join(t.TempDir(), "partial.parquet")
	pm, err := mergeFinishedShards(ctx, st, in, outFile)
	if err != nil || pm.Results != outFile || pm.Rows != 2 {
		t.Fatalf("merge %+v, %v", pm, err)
	}
	t.Chdir(t.TempDir())
	pm, err = mergeFinishedShards(ctx, st, in, "")
	if want := filepath.Join("runs", "shards", "results.partial.parquet"); err != nil || pm.Results != want || pm.Rows != 2 {
		t.Fatalf("merge %+v, %v; want %s", pm, err, want)
	}
	for _, path := range []string{outFile, pm.Results} {
		tb, err := results.ReadFile(path)
		if err != nil || len(tb.Rows) != 2 || tb.Rows[0][0].I != 4 || tb.Rows[1][1].F != 0.5 || tb.Meta[results.MetaPartial] != "true" {
			t.Errorf("%s: %v, %+v", path, err, tb)
		}
	}
	if after := srv.Keys(t); !slices.Equal(after, before) {
		t.Errorf("bucket changed from %v to %v", before, after)
	}
}
