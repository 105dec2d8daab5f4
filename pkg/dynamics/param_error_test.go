package dynamics

import (
	"errors"
	"strings"
	"testing"
)

// TestValidateParamErrors: every error Validate reports is a *ParamError naming the spec
// parameter at fault, and its text is that name (or the product's subject) then its message,
// for one bad Config per check (the parameter each must name written here by hand, from the
// check's meaning, not read from the code).
func TestValidateParamErrors(t *testing.T) {
	t.Parallel()
	ok := baseConfig(OptimizerGD, 0, 0.1)
	mt := ok
	mt.Model, mt.KAux, mt.KMain, mt.NAux, mt.Rescale, mt.PretrainInit = ModelPTFT, 3, 2, 10, 1, Unset
	for _, tc := range []struct {
		param, subject string
		edit           func(*Config)
	}{
		{"model", "", func(c *Config) { c.Model = "cnn" }},
		{"optimizer", "", func(c *Config) { c.Optimizer = "adam" }},
		{"stepsize", "", func(c *Config) { c.Stepsize = -1 }},
		{"batch", "", func(c *Config) { c.Optimizer, c.Batch = OptimizerSGD, 21 }},
		{"init", "", func(c *Config) { c.Init = 0 }},
		{"momentum", "", func(c *Config) { c.Momentum = 1 }},
		{"momentum", "", func(c *Config) { c.Optimizer, c.Momentum = OptimizerHB, Unset }},
		{"noise", "", func(c *Config) { c.Noise = -1 }},
		{"rho", "", func(c *Config) { c.Optimizer, c.Rho = OptimizerSAM, Unset }},
		{"depth", "", func(c *Config) { c.Model = ModelDeep }},
		{"order", "", func(c *Config) { c.Order = 4 }},
		{"model", "", func(c *Config) { c.Optimizer, c.Model, c.Depth = OptimizerSaddle, ModelDeep, 3 }},
		{"n", "", func(c *Config) { c.N = 0 }},
		{"d", "", func(c *Config) { c.D, c.Sparsity = 0, 0 }},
		{"test", "", func(c *Config) { c.Test = 0 }},
		{"n", "n*d", func(c *Config) { c.N, c.D = MaxElements, 2 }},
		{"test", "test*d", func(c *Config) { c.Test, c.D = MaxElements, 2 }},
		{"sparsity", "", func(c *Config) { c.Sparsity = 31 }},
		{"x_mean", "", func(c *Config) { c.XMean = Unset }},
		{"label_noise", "", func(c *Config) { c.LabelNoise = -1 }},
		{"x_norm", "", func(c *Config) { c.XNorm = "col" }},
		{"beta_star", "", func(c *Config) { c.BetaStar = "laplace" }},
		{"steps", "", func(c *Config) { c.Steps = -1 }},
		{"stop_loss", "", func(c *Config) { c.StopLoss = -1 }},
		{"n", "", func(c *Config) { c.DataFile, c.N = "x.csv", 0 }},
	} {
		c := ok
		tc.edit(&c)
		checkParamErrors(t, c, tc.param, tc.subject)
	}
	for _, tc := range []struct {
		param, subject string
		edit           func(*Config)
	}{
		{"optimizer", "", func(c *Config) { c.Optimizer, c.Momentum = OptimizerHB, 0.5 }},
		{"data", "", func(c *Config) { c.DataFile = "x.csv" }},
		{"k_main", "", func(c *Config) { c.KMain = 0 }},
		{"k_aux", "", func(c *Config) { c.KAux = 31 }},
		{"overlap", "", func(c *Config) { c.Overlap = 3 }},
		{"n_aux", "", func(c *Config) { c.NAux = 0 }},
		{"n_aux", "n_aux*d", func(c *Config) { c.NAux = MaxElements }},
		{"rescale", "", func(c *Config) { c.Rescale = 0 }},
		{"pretrain_init", "", func(c *Config) { c.PretrainInit = -1 }},
	} {
		c := mt
		tc.edit(&c)
		checkParamErrors(t, c, tc.param, tc.subject)
	}
}

// checkParamErrors checks that c fails Validate with only *ParamErrors, the first of them
// about param (and subject), each formatted as its subject and message.
func checkParamErrors(t *testing.T, c Config, param, subject string) {
	t.Helper()
	err := c.Validate()
	if err == nil {
		t.Errorf("%s: Validate accepted %+v", param, c)
		return
	}
	var first *ParamError
	if !errors.As(err, &first) {
		t.Errorf("%s: Validate() = %v, no *ParamError", param, err)
		return
	}
	if first.Param != param || first.Subject != subject {
		t.Errorf("first error is about %q (subject %q), want %q (%q): %v", first.Param, first.Subject, param, subject, err)
	}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *ParamError
		if !errors.As(e, &pe) {
			t.Errorf("%s: %v is not a *ParamError", param, e)
			continue
		}
		want := pe.Param
		if pe.Subject != "" {
			want = pe.Subject
			if !strings.HasPrefix(pe.Subject, pe.Param+"*") {
				t.Errorf("%v: subject %q does not start with its parameter %q", e, pe.Subject, pe.Param)
			}
		}
		if e.Error() != want+" "+pe.Msg || pe.Msg == "" {
			t.Errorf("%q is not %q + a message %q", e.Error(), want, pe.Msg)
		}
	}
}
