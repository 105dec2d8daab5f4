package dynamics

import (
	"math"
	"strings"
	"testing"
)

// TestValidate: every bad field gives an error naming it; good configs pass.
func TestValidate(t *testing.T) {
	good := baseConfig(OptimizerSGD, 5, 0.1)
	if err := good.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	okCases := []struct {
		name string
		mod  func(*Config)
	}{
		{"empty model means uv", func(c *Config) { c.Model = "" }},
		{"gd ignores batch", func(c *Config) { c.Optimizer, c.Batch = OptimizerGD, 0 }},
		{"batch = n", func(c *Config) { c.Batch = c.N }},
		{"sparsity 0", func(c *Config) { c.Sparsity = 0 }},
		{"sparsity d", func(c *Config) { c.Sparsity = c.D }},
		{"zero steps", func(c *Config) { c.Steps = 0 }},
		{"negative x_mean", func(c *Config) { c.XMean = -2 }},
	}
	for _, tc := range okCases {
		c := good
		tc.mod(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, err)
		}
	}
	badCases := []struct {
		mod  func(*Config)
		want string // substring of the error
	}{
		{func(c *Config) { c.Model = "mlp" }, "model must be one of"},
		{func(c *Config) { c.Optimizer = "adam" }, "optimizer must be one of"},
		{func(c *Config) { c.Optimizer = "" }, "optimizer must be one of"},
		{func(c *Config) { c.Stepsize = 0 }, "stepsize must be > 0, got 0"},
		{func(c *Config) { c.Stepsize = -1 }, "stepsize must be > 0, got -1"},
		{func(c *Config) { c.Stepsize = math.NaN() }, "stepsize must be > 0, got NaN"},
		{func(c *Config) { c.Stepsize = math.Inf(1) }, "stepsize must be finite"},
		{func(c *Config) { c.Batch = 0 }, "batch must satisfy 1 <= batch <= n"},
		{func(c *Config) { c.Batch = c.N + 1 }, "batch must satisfy 1 <= batch <= n (n = 20) for optimizer \"sgd\", got 21"},
		{func(c *Config) { c.Init = 0 }, "init must be > 0, got 0"},
		{func(c *Config) { c.Init = math.Inf(1) }, "init must be finite"},
		{func(c *Config) { c.N = 0; c.Batch = 0 }, "n must be >= 1, got 0"},
		{func(c *Config) { c.D = 0; c.Sparsity = 0 }, "d must be >= 1, got 0"},
		{func(c *Config) { c.Test = 0 }, "test must be >= 1, got 0"},
		{func(c *Config) { c.Sparsity = c.D + 1 }, "sparsity must satisfy 0 <= sparsity <= d (d = 30), got 31"},
		{func(c *Config) { c.Sparsity = -1 }, "sparsity must satisfy"},
		{func(c *Config) { c.XMean = math.NaN() }, "x_mean must be finite"},
		{func(c *Config) { c.LabelNoise = -0.1 }, "label_noise must be >= 0, got -0.1"},
		{func(c *Config) { c.LabelNoise = math.Inf(1) }, "label_noise must be finite"},
		{func(c *Config) { c.Steps = -1 }, "steps must be >= 0, got -1"},
		{func(c *Config) { c.StopLoss = -1 }, "stop_loss must be >= 0"},
		{func(c *Config) { c.StopLoss = math.Inf(1) }, "stop_loss must be finite"},
		{func(c *Config) { c.N, c.D = 1<<20, 1<<10 }, "n*d must be <="},
		{func(c *Config) { c.Test = 1 << 30 }, "test*d must be <="},
	}
	for _, tc := range badCases {
		c := good
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want error containing %q, got %v", tc.want, err)
		}
	}
	// Several bad fields are all reported.
	c := good
	c.Stepsize, c.Init = -1, -2
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "stepsize") || !strings.Contains(err.Error(), "init") {
		t.Errorf("two bad fields: got %v", err)
	}
}
