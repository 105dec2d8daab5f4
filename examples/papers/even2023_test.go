package papers

import (
	"context"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestEven2023StepsizeBelowGammaMaxConverges runs the gd points of the even2023-stepsize
// recipe (the full spec, as `sweep reproduce` expands it) and their gamma_max
// (dynamics.PointGammaMax, as the gamma_max column computes it): every point with a stepsize
// below its gamma_max converges, so that gamma/gamma_max < 1 on the recipe's x axis means a
// converged run, as in Even2023's figures.
func TestEven2023StepsizeBelowGammaMaxConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("about 30 s of runs")
	}
	r, err := Lookup("even2023-stepsize")
	if err != nil {
		t.Fatal(err)
	}
	file, src, err := r.SpecFile(false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := spec.Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	g := grid.New(s)
	gammaMax := map[uint64]float64{}
	below := 0
	for i := range g.Count() {
		c := g.Point(i).Config
		if c.Optimizer != dynamics.OptimizerGD {
			continue
		}
		data, err := dynamics.GenerateData(c)
		if err != nil {
			t.Fatal(err)
		}
		gm, ok := gammaMax[c.DataSeed]
		if !ok {
			if gm, err = dynamics.PointGammaMax(context.Background(), c, data, 1e-3); err != nil {
				t.Fatalf("point %d: gamma_max: %v", i, err)
			}
			gammaMax[c.DataSeed] = gm
		}
		if c.Stepsize >= gm {
			continue
		}
		below++
		_, res, err := dynamics.SimulateData(context.Background(), c, data)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != dynamics.StatusConverged {
			t.Errorf("point %d (%s): stepsize %.4g below gamma_max %.4g ends %s", i, g.Describe(g.Point(i)), c.Stepsize, gm, res.Status)
		}
	}
	t.Logf("gamma_max per dataset %v; %d gd points below it", gammaMax, below)
	if below == 0 {
		t.Error("no gd point below gamma_max")
	}
}
