package phase

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// lambdaTable lays points out at equal lambda = stepsize/(1-momentum)^2 as the lyu2025
// recipe does: lambda 0.01, 0.02, 0.04 for momentum 0 and 0.9 (stepsize lambda (1-mu)^2, in
// floating point 0.0004/(1-0.9)^2 = 0.04000000000000001), steps 8/stepsize, two seeds.
func lambdaTable() *results.Table {
	t := &results.Table{Fields: []results.Field{{Name: "point", Kind: results.Int}, {Name: "momentum", Kind: results.Float},
		{Name: "stepsize", Kind: results.Float}, {Name: "max_steps", Kind: results.Int}, {Name: "seed", Kind: results.Int},
		{Name: "hb_gap", Kind: results.Float}, {Name: "status", Kind: results.String}},
		Meta: map[string]string{results.MetaSpec: `name: l
seed: 1
grid:
  zip:
    momentum: [0, 0, 0, 0.9, 0.9, 0.9]
    stepsize: [0.01, 0.02, 0.04, 0.0001, 0.0002, 0.0004]
    steps: [800, 400, 200, 80000, 40000, 20000]
  seed: {range: 2}
`}}
	p := int64(0)
	for _, mu := range []float64{0, 0.9} {
		for _, lr := range []float64{0.01, 0.02, 0.04} {
			step := lr * (1 - mu) * (1 - mu)
			if mu == 0.9 {
				step = map[float64]float64{0.01: 0.0001, 0.02: 0.0002, 0.04: 0.0004}[lr]
			}
			for s := range int64(2) {
				t.Rows = append(t.Rows, []results.Value{{I: p}, {F: mu}, {F: step}, {I: int64(8 / step)}, {I: s}, {F: lr * (1 + float64(s))}, {S: "converged"}})
				p++
			}
		}
	}
	return t
}

// TestEffectiveStepsizeShared: points at equal lambda share one x value, so the axis has the
// three lambdas, log-spaced (ticked at the values), not six near-duplicates; and the band of
// a line is over the seeds alone: stepsize and steps vary along the line, decided by x and
// momentum. (Before: six x values ticked by decades, and the band "over seeds and stepsize,
// max_steps".)
func TestEffectiveStepsizeShared(t *testing.T) {
	dir := t.TempDir()
	path := writeTable(t, dir, "results.parquet", lambdaTable())
	fig, err := Plot(path, Options{X: EffectiveStepsize, Z: "hb_gap", By: "momentum", Out: filepath.Join(dir, "e.png")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	set := fig.Lines[0]
	if xs := set.Lines[0].Xs; len(xs) != 3 || xs[0] != 0.01 || xs[1] != 0.02 || xs[2] != 0.04 || !set.LogX {
		t.Errorf("x values %v (log %v), want 0.01 0.02 0.04 on a log axis", xs, set.LogX)
	}
	if set.BandOver != "seeds" {
		t.Errorf("band over %q, want seeds", set.BandOver)
	}
}
