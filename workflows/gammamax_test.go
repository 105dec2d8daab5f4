package workflows

import (
	"math"
	"testing"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// gammaMaxSpec asks for the gamma_max column: 2 seeds x 3 stepsizes of gd, and sgd, so that
// each (optimizer, seed) configuration has one gamma_max shared by its three stepsizes.
const gammaMaxSpec = `name: gm
seed: 3
params:
  n: 10
  d: 15
  sparsity: 2
  init: 0.1
  batch: 2
  steps: 3000
  stop_loss: 1.0e-6
grid:
  optimizer: [gd, sgd]
  stepsize: [0.01, 0.05, 0.1]
  seed: {range: 2}
record:
  gamma_max: true
`

// TestGammaMaxColumn checks record.gamma_max end to end: every point gets a finite gamma_max,
// the points of one configuration share it whatever their stepsize, the table does not depend
// on the chunking (chunks 1 and 100), and without the option the column is NaN.
func TestGammaMaxColumn(t *testing.T) {
	g := testGrid(t, gammaMaxSpec)
	var tables []*results.Table
	for _, chunk := range []int{1, 100} {
		in := sweepInput(t, gammaMaxSpec, g.Count(), chunk, 4)
		out := runSweep(t, newEnv(t, &activities.Activities{}), in)
		tab, err := results.ReadFile(out.Results)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tab)
	}
	if ok, diff := results.Equal(tables[0], tables[1]); !ok {
		t.Fatalf("gamma_max depends on the chunking: %s", diff)
	}
	col := func(tab *results.Table, name string) int {
		for j, f := range tab.Fields {
			if f.Name == name {
				return j
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	tab := tables[0]
	gm, opt, seed := col(tab, "gamma_max"), col(tab, "optimizer"), col(tab, "seed")
	shared := map[[2]string]float64{}
	for _, r := range tab.Rows {
		v := r[gm].F
		if !(v > 0) || math.IsInf(v, 0) {
			t.Fatalf("point %d: gamma_max = %v, want a finite positive stepsize", r[0].I, v)
		}
		key := [2]string{r[opt].S, string(rune('0' + r[seed].I))}
		if prev, ok := shared[key]; ok && prev != v {
			t.Errorf("%v: gamma_max %v and %v for two stepsizes of one configuration", key, prev, v)
		}
		shared[key] = v
	}

	plain := testGrid(t, testSpec)
	out := runSweep(t, newEnv(t, &activities.Activities{}), sweepInput(t, testSpec, plain.Count(), 4, 4))
	tab, err := results.ReadFile(out.Results)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		if v := r[col(tab, "gamma_max")].F; !math.IsNaN(v) {
			t.Fatalf("gamma_max = %v without record.gamma_max, want NaN", v)
		}
	}
}
