package summary

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// TestSummarizeExcludesDiverged reads back a Parquet table in which a diverged sgd run kept
// the finite, huge test loss it had when it stopped (4.1e27, as quickstart's diverged runs
// do): the sgd group's statistics are over its two other runs (0.2 and 0.4: mean 0.3) and
// the diverged run is counted apart, as is the max_steps run (included).
func TestSummarizeExcludesDiverged(t *testing.T) {
	tb := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "optimizer", Kind: results.String},
		{Name: "test_loss", Kind: results.Float}, {Name: "status", Kind: results.String}}, Meta: map[string]string{}}
	for p, r := range []struct {
		opt, status string
		loss        float64
	}{{"gd", "converged", 1}, {"gd", "converged", 3}, {"sgd", "converged", 0.2}, {"sgd", "diverged", 4.1e27}, {"sgd", "max_steps", 0.4}} {
		tb.Rows = append(tb.Rows, []results.Value{{I: int64(p)}, {S: r.opt}, {F: r.loss}, {S: r.status}})
	}
	path := filepath.Join(t.TempDir(), "results.parquet")
	if err := results.WriteFile(path, tb); err != nil {
		t.Fatal(err)
	}
	read, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(read, []string{"optimizer"}, "test_loss")
	if err != nil {
		t.Fatal(err)
	}
	sgd := s.Groups[1]
	if sgd.Key[0] != "sgd" || math.Abs(sgd.Mean-0.3) > 1e-12 || sgd.Max != 0.4 {
		t.Fatalf("sgd: mean %g max %g, want 0.3 and 0.4 (the diverged run left out)", sgd.Mean, sgd.Max)
	}
	if sgd.N != 2 || sgd.Converged != 1 || sgd.MaxSteps != 1 || sgd.Diverged != 1 || sgd.Failed != 0 {
		t.Errorf("sgd counts: %+v", sgd.Stats.Counts)
	}
}
