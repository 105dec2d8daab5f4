package summary

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func checkStats(t *testing.T, name string, got, want Stats) {
	t.Helper()
	if got.Count != want.Count || got.NonFinite != want.NonFinite {
		t.Errorf("%s: count %d non-finite %d, want %d %d", name, got.Count, got.NonFinite, want.Count, want.NonFinite)
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

func TestCompute(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		xs   []float64
		want Stats
	}{
		// 2,4,4,4,5,5,7,9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
		// sample variance 32/7, std sqrt(32/7) = 2.138089935299395; sem = std/sqrt(8) = sqrt(4/7)
		// = 0.7559289460184544; median (4+5)/2 = 4.5.
		{"eight", []float64{9, 2, 4, 4, 5, 4, 7, 5}, Stats{Count: 8, Mean: 5, Median: 4.5, Std: math.Sqrt(32.0 / 7), SEM: math.Sqrt(4.0 / 7), Min: 2, Max: 9}},
		// 1, 2, 6 and three non-finite values: mean 3, median 2; deviations 4+1+9 = 14, variance
		// 14/2 = 7, std sqrt(7) = 2.6457513110645907, sem sqrt(7/3) = 1.5275252316519468.
		{"with non-finite", []float64{6, nan, 1, math.Inf(1), 2, math.Inf(-1)}, Stats{Count: 3, NonFinite: 3, Mean: 3, Median: 2, Std: math.Sqrt(7), SEM: math.Sqrt(7.0 / 3), Min: 1, Max: 6}},
		// one value: std and sem undefined.
		{"one", []float64{-0.5}, Stats{Count: 1, Mean: -0.5, Median: -0.5, Std: nan, SEM: nan, Min: -0.5, Max: -0.5}},
		// all diverged.
		{"none finite", []float64{nan, nan}, Stats{NonFinite: 2, Mean: nan, Median: nan, Std: nan, SEM: nan, Min: nan, Max: nan}},
		{"empty", nil, Stats{Mean: nan, Median: nan, Std: nan, SEM: nan, Min: nan, Max: nan}},
		// 1e9+1, 1e9+2, 1e9+3: mean 1e9+2, std exactly 1 (two-pass keeps it exact).
		{"offset", []float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, Stats{Count: 3, Mean: 1e9 + 2, Median: 1e9 + 2, Std: 1, SEM: 1 / math.Sqrt(3), Min: 1e9 + 1, Max: 1e9 + 3}},
	}
	for _, c := range cases {
		in := append([]float64(nil), c.xs...)
		checkStats(t, c.name, Compute(c.xs), c.want)
		for i := range in {
			if math.Float64bits(in[i]) != math.Float64bits(c.xs[i]) {
				t.Errorf("%s: Compute modified its input", c.name)
			}
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
		{Key: []string{"gd", "0.01"}, Stats: Stats{Count: 1, NonFinite: 1, Mean: 10, Median: 10, Std: nan, SEM: nan, Min: 10, Max: 10}},
		// 2, 4: mean 3, std sqrt(2) (deviations 1+1, /1), sem sqrt(2)/sqrt(2) = 1.
		{Key: []string{"gd", "0.1"}, Stats: Stats{Count: 2, Mean: 3, Median: 3, Std: math.Sqrt2, SEM: 1, Min: 2, Max: 4}},
		// 1, 3: mean 2, std sqrt(2), sem 1.
		{Key: []string{"sgd", "0.1"}, Stats: Stats{Count: 2, Mean: 2, Median: 2, Std: math.Sqrt2, SEM: 1, Min: 1, Max: 3}},
		{Key: []string{"sgd", "1"}, Stats: Stats{NonFinite: 1, Mean: nan, Median: nan, Std: nan, SEM: nan, Min: nan, Max: nan}},
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

	// An Int metric, no grouping: nnz 3,2,4,5,1,1,0: mean 16/7, median 2, min 0, max 5.
	s, err = Summarize(table(), nil, "nnz")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Groups[0].Count != 7 || !near(s.Groups[0].Mean, 16.0/7) || s.Groups[0].Median != 2 || s.Groups[0].Max != 5 {
		t.Errorf("nnz over all rows: %+v", s.Groups)
	}
}

func TestSummarizeErrors(t *testing.T) {
	for _, c := range []struct {
		by     []string
		metric string
		want   []string
	}{
		{[]string{"optimiser"}, "test_loss", []string{`unknown grouping column "optimiser"`, "point, optimizer, stepsize, nnz, test_loss, status"}},
		{nil, "loss", []string{`unknown metric column "loss"`, "optimizer"}},
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
			Mean      *float64
			Std       *float64
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	// gd: 2, 4, 10 (one NaN): mean 16/3. sgd: 1, 3 (one NaN): mean 2.
	if len(got.Groups) != 2 || got.Groups[0].Key["optimizer"] != "gd" || got.Groups[0].Count != 3 || got.Groups[0].NonFinite != 1 ||
		!near(*got.Groups[0].Mean, 16.0/3) || got.Groups[1].Key["optimizer"] != "sgd" || *got.Groups[1].Mean != 2 {
		t.Errorf("JSON %s", b)
	}
	one, _ := Summarize(&results.Table{Fields: table().Fields, Rows: table().Rows[:1]}, nil, "test_loss")
	b, _ = json.Marshal(one)
	if !strings.Contains(string(b), `"std":null`) || !strings.Contains(string(b), `"by":[]`) {
		t.Errorf("NaN std should be null, by []: %s", b)
	}
}
