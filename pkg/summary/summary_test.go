package summary

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/results"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func checkStats(t *testing.T, name string, got, want aggregate.Stats) {
	t.Helper()
	if got.N != want.N || got.NonFinite != want.NonFinite || got.Diverged != want.Diverged {
		t.Errorf("%s: count %d non-finite %d diverged %d, want %d %d %d", name, got.N, got.NonFinite, got.Diverged, want.N, want.NonFinite, want.Diverged)
	}
	for _, c := range []struct {
		what      string
		got, want float64
	}{{"mean", got.Mean, want.Mean}, {"median", got.Median, want.Median}, {"std", got.Std, want.Std},
		{"sem", got.SEM, want.SEM}, {"min", got.Min, want.Min}, {"max", got.Max, want.Max}} {
		if !near(c.got, c.want) {
			t.Errorf("%s: %s = %v, want %v", name, c.what, c.got, c.want)
		}
	}
}

func table() *results.Table {
	nan := math.NaN()
	fields := []results.Field{
		{Name: "point", Kind: results.Int},
		{Name: "optimizer", Kind: results.String},
		{Name: "stepsize", Kind: results.Float},
		{Name: "nnz", Kind: results.Int},
		{Name: "test_loss", Kind: results.Float},
		{Name: "status", Kind: results.String},
	}
	rows := []struct {
		opt  string
		step float64
		nnz  int64
		loss float64
	}{
		{"sgd", 0.1, 3, 1}, {"gd", 0.1, 2, 2}, {"gd", 0.1, 4, 4}, {"sgd", 0.1, 5, 3},
		{"gd", 0.01, 1, 10}, {"gd", 0.01, 1, nan}, {"sgd", 1, 0, nan},
	}
	t := &results.Table{Fields: fields}
	for p, r := range rows {
		status := "converged"
		if math.IsNaN(r.loss) {
			status = "diverged"
		}
		t.Rows = append(t.Rows, []results.Value{{I: int64(p)}, {S: r.opt}, {F: r.step}, {I: r.nnz}, {F: r.loss}, {S: status}})
	}
	return t
}

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	s, err := Summarize(table(), []string{"optimizer", "stepsize"}, "test_loss")
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by optimizer (string), then stepsize (numerically: 0.01 < 0.1 < 1).
	want := []Group{
		{Key: []string{"gd", "0.01"}, Stats: aggregate.Stats{N: 1, Counts: aggregate.Counts{Diverged: 1}, Mean: 10, Median: 10, Std: nan, SEM: nan, Min: 10, Max: 10}},
		// 2, 4: mean 3, std sqrt(2) (deviations 1+1, /1), sem sqrt(2)/sqrt(2) = 1.
		{Key: []string{"gd", "0.1"}, Stats: aggregate.Stats{N: 2, Mean: 3, Median: 3, Std: math.Sqrt2, SEM: 1, Min: 2, Max: 4}},
		// 1, 3: mean 2, std sqrt(2), sem 1.
		{Key: []string{"sgd", "0.1"}, Stats: aggregate.Stats{N: 2, Mean: 2, Median: 2, Std: math.Sqrt2, SEM: 1, Min: 1, Max: 3}},
		{Key: []string{"sgd", "1"}, Stats: aggregate.Stats{Counts: aggregate.Counts{Diverged: 1}, Mean: nan, Median: nan, Std: nan, SEM: nan, Min: nan, Max: nan}},
	}
	if len(s.Groups) != len(want) {
		t.Fatalf("%d groups, want %d: %+v", len(s.Groups), len(want), s.Groups)
	}
	for i, g := range s.Groups {
		if strings.Join(g.Key, ",") != strings.Join(want[i].Key, ",") {
			t.Errorf("group %d key %v, want %v", i, g.Key, want[i].Key)
		}
		checkStats(t, strings.Join(want[i].Key, ","), g.Stats, want[i].Stats)
	}

	// An Int metric, no grouping: nnz 3,2,4,5,1 of the converged runs (the two diverged ones,
	// 1 and 0, left out): mean 3, median 3, min 1, max 5.
	s, err = Summarize(table(), nil, "nnz")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Groups[0].N != 5 || !near(s.Groups[0].Mean, 3) || s.Groups[0].Median != 3 || s.Groups[0].Min != 1 || s.Groups[0].Max != 5 {
		t.Errorf("nnz over all rows: %+v", s.Groups)
	}
}

func TestSummarizeErrors(t *testing.T) {
	for _, c := range []struct {
		by     []string
		metric string
		want   []string
	}{
		{[]string{"optimiser"}, "test_loss", []string{`no grouping column "optimiser"`, `did you mean "optimizer"?`}},
		{nil, "loss", []string{`no metric column "loss"`, `did you mean "test_loss"?`}},
		{nil, "xyz", []string{`no metric column "xyz"`, "point, optimizer, stepsize, nnz, test_loss, status"}},
		{nil, "status", []string{`"status" holds strings`, "point, stepsize, nnz, test_loss"}},
	} {
		_, err := Summarize(table(), c.by, c.metric)
		if err == nil {
			t.Errorf("by %v metric %s: no error", c.by, c.metric)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
	}
}

func TestSummaryJSON(t *testing.T) {
	s, err := Summarize(table(), []string{"optimizer"}, "test_loss")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		By     []string
		Metric string
		Groups []struct {
			Key       map[string]string
			Count     int
			NonFinite int `json:"non_finite"`
			Diverged  int
			Mean      *float64
			Std       *float64
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	// gd: 2, 4, 10 (one diverged): mean 16/3. sgd: 1, 3 (one diverged): mean 2.
	if len(got.Groups) != 2 || got.Groups[0].Key["optimizer"] != "gd" || got.Groups[0].Count != 3 || got.Groups[0].Diverged != 1 ||
		!near(*got.Groups[0].Mean, 16.0/3) || got.Groups[1].Key["optimizer"] != "sgd" || *got.Groups[1].Mean != 2 {
		t.Errorf("JSON %s", b)
	}
	one, _ := Summarize(&results.Table{Fields: table().Fields, Rows: table().Rows[:1]}, nil, "test_loss")
	b, _ = json.Marshal(one)
	if !strings.Contains(string(b), `"std":null`) || !strings.Contains(string(b), `"by":[]`) {
		t.Errorf("NaN std should be null, by []: %s", b)
	}
}
