package activities

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// TestGammaMaxesShared: the worker's threshold cache gives every point of a configuration
// (any stepsize, any run seed, asked from concurrent chunks) the thresholds that
// dynamics.PointThresholds computes for it, bit for bit, and a cancelled search is not
// remembered.
func TestGammaMaxesShared(t *testing.T) {
	c := dynamics.Config{Model: dynamics.ModelUV, Optimizer: dynamics.OptimizerGD, Stepsize: 0.1, Init: 0.1,
		N: 8, D: 12, Sparsity: 2, Test: 10, Steps: 3000, StopLoss: 1e-6, DataSeed: 5, RunSeed: 6,
		Momentum: dynamics.Unset, Noise: dynamics.Unset, Rho: dynamics.Unset}
	data, err := dynamics.GenerateData(c)
	if err != nil {
		t.Fatal(err)
	}
	gmax, gdiv, err := dynamics.PointThresholds(context.Background(), c, data, gammaMaxRelTol)
	if err != nil {
		t.Fatal(err)
	}
	m := &gammaMaxes{entries: map[dynamics.Config]*thresholdEntry{}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if th := m.of(cancelled, c, data); !math.IsNaN(th.max) || len(m.entries) != 0 {
		t.Fatalf("cancelled search: %+v, %d entries kept; want NaN and none", th, len(m.entries))
	}
	var wg sync.WaitGroup
	got := make([]thresholds, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := c
			cc.Stepsize, cc.RunSeed = 0.01*float64(i+1), uint64(100+i)
			got[i] = m.of(context.Background(), cc, data)
		}()
	}
	wg.Wait()
	for i, th := range got {
		if math.Float64bits(th.max) != math.Float64bits(gmax) || math.Float64bits(th.div) != math.Float64bits(gdiv) {
			t.Errorf("asker %d: %+v, want max %v div %v", i, th, gmax, gdiv)
		}
	}
	if len(m.entries) != 1 {
		t.Errorf("%d entries for one configuration", len(m.entries))
	}
}
