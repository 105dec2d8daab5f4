package dynamics

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The configurations below panicked before GenerateData, GenerateMultiTaskData and newRunner
// returned errors; each is one a user of the package (or a spec, through the Go API) can
// write.

// TestGenerateDataErrors: GenerateData returns an error for invalid data fields, wrapping
// the *ParamError of the field (n = 0 here; sparsity > d), and for a Config whose data comes
// from a file; it panicked on both.
func TestGenerateDataErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c     Config
		param string
	}{
		{Config{N: 0, D: 3, Test: 1}, "n"},
		{Config{N: 5, D: 3, Test: 1, Sparsity: 4}, "sparsity"},
	} {
		dt, err := GenerateData(tc.c)
		var pe *ParamError
		if dt != nil || !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("GenerateData(%+v) = %v, %v; want an error about %s", tc.c, dt, err, tc.param)
		}
	}
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.DataFile = "own/data.csv"
	if dt, err := GenerateData(c); dt != nil || err == nil || !strings.Contains(err.Error(), "own/data.csv") {
		t.Errorf("GenerateData with a data file = %v, %v; want an error naming the file", dt, err)
	}
}

// TestSimulateDataFileConfigErrors: Simulate, Run and GammaMax of a valid Config whose data
// comes from a file (they cannot read it: SimulateData takes the file's Data) return an error;
// they panicked in GenerateData.
func TestSimulateDataFileConfigErrors(t *testing.T) {
	t.Parallel()
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.DataFile, c.StopLoss = "own/data.csv", 1e-6
	if err := c.Validate(); err != nil {
		t.Fatalf("the config must be valid for this test: %v", err)
	}
	if st, _, err := Simulate(context.Background(), c); st != nil || err == nil {
		t.Errorf("Simulate = %v, %v; want an error", st, err)
	}
	if _, err := Run(context.Background(), c); err == nil {
		t.Error("Run returned no error")
	}
	if _, err := GammaMax(context.Background(), c, 0.01, 0.1, 0.1); err == nil {
		t.Error("GammaMax returned no error")
	}
}

// TestGenerateMultiTaskDataErrors: GenerateMultiTaskData returns an error for an invalid
// Config (k_main > d: the *ParamError of k_main), a model outside the multi-task family, and
// a base dataset drawn for another Config; it panicked on all three.
func TestGenerateMultiTaskDataErrors(t *testing.T) {
	t.Parallel()
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.Model, c.KAux, c.KMain, c.NAux, c.Rescale, c.PretrainInit = ModelMTL, 3, 2, 10, 1, Unset
	base := mustGenerate(t, c)
	if _, err := GenerateMultiTaskData(c, base); err != nil {
		t.Fatalf("the reference config must work: %v", err)
	}
	bad := c
	bad.KMain = c.D + 1
	var pe *ParamError
	if mt, err := GenerateMultiTaskData(bad, base); mt != nil || !errors.As(err, &pe) || pe.Param != "k_main" {
		t.Errorf("k_main > d: %v, %v; want an error about k_main", mt, err)
	}
	uv := c
	uv.Model = ModelUV
	if mt, err := GenerateMultiTaskData(uv, base); mt != nil || err == nil {
		t.Errorf("model uv: %v, %v; want an error", mt, err)
	}
	other := c
	other.DataSeed++
	if mt, err := GenerateMultiTaskData(other, base); mt != nil || err == nil {
		t.Errorf("base of another data seed: %v, %v; want an error", mt, err)
	}
	if mt, err := GenerateMultiTaskData(c, nil); mt != nil || err == nil {
		t.Errorf("nil base: %v, %v; want an error", mt, err)
	}
}

// TestNewRunnerRefusesSaddle: the saddle optimiser has no steps (SaddleToSaddle computes it),
// so newRunner returns an error for it instead of a runner whose first step panicked.
func TestNewRunnerRefusesSaddle(t *testing.T) {
	t.Parallel()
	c := baseConfig(OptimizerSaddle, 0, 0.1)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if r, err := newRunner(c, mustGenerate(t, c)); r != nil || err == nil || !strings.Contains(err.Error(), "saddle") {
		t.Errorf("newRunner(saddle) = %v, %v; want an error", r, err)
	}
}
