package dynamics

import (
	"context"
	"math"
	"testing"
)

// TestSimulateFileData runs on a Data as pkg/dataset builds it: read from a file, without
// beta* or a test set. The metrics that need them are NaN, the others are as for the same
// arrays in a generated Data.
func TestSimulateFileData(t *testing.T) {
	c := Config{Optimizer: OptimizerGD, Stepsize: 0.05, Batch: 1, Init: 0.1, Momentum: Unset, Noise: Unset, Rho: Unset,
		N: 10, D: 15, Sparsity: 3, Test: 20, Steps: 500, StopLoss: 1e-12, DataSeed: 7}
	gen := mustGenerate(t, c)
	fc := c
	fc.DataFile, fc.Test = "mine.csv", 0
	file := &Data{N: gen.N, D: gen.D, X: gen.X, Y: gen.Y, File: "mine.csv"}
	_, want, err := SimulateData(context.Background(), c, gen)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := SimulateData(context.Background(), fc, file)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]float64{"test_loss": got.TestLoss, "beta_err": got.BetaErr, "precision": got.Precision,
		"recall": got.Recall, "gain_on": got.GainOn, "gain_off": got.GainOff} {
		if !math.IsNaN(v) {
			t.Errorf("%s = %v without beta* or test set, want NaN", name, v)
		}
	}
	if got.TrainLoss != want.TrainLoss || got.L1 != want.L1 || got.GainL1 != want.GainL1 || got.Sharpness != want.Sharpness || got.Steps != want.Steps {
		t.Errorf("file data gives %+v, generated %+v", got, want)
	}

	fc.DataFile = "other.csv"
	if _, _, err := SimulateData(context.Background(), fc, file); err == nil {
		t.Error("data read from another file accepted")
	}
	if _, _, err := SimulateData(context.Background(), c, file); err == nil {
		t.Error("file data accepted for a generated config")
	}
	fc.DataFile, fc.N = "mine.csv", 0
	if err := fc.Validate(); err == nil {
		t.Error("n = 0 from a file accepted")
	}
}
