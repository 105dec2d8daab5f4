package dynamics

import (
	"errors"
	"math"
)

// Config is everything that determines one training run.
//
// Field meanings follow docs/science.md sections 1-3; the names in error messages are the spec
// parameter names (stepsize, batch, init, momentum, noise, rho, depth, order, n, d, sparsity, x_mean,
// label_noise, x_norm, beta_star, test, steps, stop_loss).
type Config struct {
	Model      string  // "uv" or "deep" (ModelNames; "" means "uv")
	Optimizer  string  // "gd", "sgd", "hb", "nag", ... (OptimizerNames)
	Stepsize   float64 // gamma > 0
	Batch      int     // minibatch size b for sgd and label_noise (1 <= b <= N); ignored by gd
	Init       float64 // alpha > 0
	Momentum   float64 // momentum mu of hb and nag, 0 <= mu < 1; Unset when not given
	Noise      float64 // noise: delta of label_noise, eta of sgf, >= 0; Unset when not given
	Rho        float64 // rho of sam, >= 0; Unset when not given
	Depth      int     // depth D of model deep, >= 2; 0 when not given
	Order      int     // order of the flow of hb_flow in the stepsize: 1, 2 or 3; 0 when not given
	N, D       int     // samples, dimension
	Sparsity   int     // s, 0 <= s <= D
	XMean      float64 // x_i ~ N(XMean*1, I)
	LabelNoise float64 // sigma: y = X beta* + sigma eps
	XNorm      string  // x_norm: "none" or "row" (||x_i||^2 = d); "" means "none"
	BetaStar   string  // beta_star: "gaussian", "sign" or "constant"; "" means "gaussian"
	Test       int     // test-set size (>= 1)
	Steps      int     // maximum number of steps
	StopLoss   float64 // converged when train loss < StopLoss (0 disables)
	DataSeed   uint64  // seeds the dataset (X, y, beta*, test set): points differing only in optimiser settings share it
	RunSeed    uint64  // seeds the run's own randomness (sgd minibatches)
	DataFile   string  // data: the dataset file or directory read by pkg/dataset (data_file.go); "" means GenerateData

	// The multi-task family (Lippl2024; models stl, mtl, ptft, lp; see multitask.go and
	// multitask_data.go). Models uv and deep ignore these fields.
	KAux         int     // k_aux: auxiliary teacher support size, 0 <= k_aux <= d; 0 when not given
	KMain        int     // k_main: main teacher support size, 1 <= k_main <= d; 0 when not given
	Overlap      int     // overlap: main-support coordinates shared with the auxiliary support
	NAux         int     // n_aux: auxiliary training samples; 0 when not given
	PretrainInit float64 // pretrain_init: init of the pretraining phase of ptft, lp; Unset means Init
	Rescale      float64 // rescale lambda: w+- <- lambda w+- after pretraining (ptft, lp), > 0
}

// MaxElements bounds n*d and test*d (the number of float64 entries of one design matrix,
// 1 GiB) so that an absurd Config is rejected by Validate instead of exhausting memory.
const MaxElements = 1 << 27

// Validate reports every invalid field of c, one line per field, each naming the field as in
// the spec, e.g. "stepsize must be > 0, got -1": a *ParamError per field, joined with
// errors.Join (errors.As finds the first). It returns nil for a runnable Config.
func (c Config) Validate() error {
	var errs []error
	bad := func(param, format string, args ...any) { errs = append(errs, paramErrorf(param, format, args...)) }

	if _, ok := lookupModel(c.Model); !ok {
		bad("model", "must be one of %q, got %q", ModelNames(), c.Model)
	}
	spec, optOK := optimizerTable[c.Optimizer]
	if !optOK {
		bad("optimizer", "must be one of %q, got %q", OptimizerNames(), c.Optimizer)
	}
	checkPositive(&errs, "stepsize", c.Stepsize)
	if optOK && spec.usesBatch && (c.Batch < 1 || c.Batch > c.N) {
		bad("batch", "must satisfy 1 <= batch <= n (n = %d) for optimizer %q, got %d", c.N, c.Optimizer, c.Batch)
	}
	checkPositive(&errs, "init", c.Init)
	errs = append(errs, c.hyperErrors()...)
	errs = append(errs, c.orderErrors()...) // optimizer_hbflow.go
	errs = append(errs, c.saddleErrors()...)
	errs = append(errs, c.dataErrors()...)
	errs = append(errs, c.multiTaskErrors()...) // multitask.go
	if c.Steps < 0 {
		bad("steps", "must be >= 0, got %d", c.Steps)
	}
	switch {
	case math.IsNaN(c.StopLoss) || c.StopLoss < 0:
		bad("stop_loss", "must be >= 0 (0 disables), got %v", c.StopLoss)
	case math.IsInf(c.StopLoss, 0):
		bad("stop_loss", "must be finite, got %v", c.StopLoss)
	}
	return errors.Join(errs...)
}

// dataErrors checks the fields GenerateData uses (n, d, sparsity, x_mean, label_noise, x_norm,
// beta_star, test).
func (c Config) dataErrors() []error {
	if c.DataFile != "" {
		return c.fileDataErrors()
	}
	var errs []error
	bad := func(param, format string, args ...any) { errs = append(errs, paramErrorf(param, format, args...)) }
	if c.N < 1 {
		bad("n", "must be >= 1, got %d", c.N)
	}
	if c.D < 1 {
		bad("d", "must be >= 1, got %d", c.D)
	}
	if c.Test < 1 {
		bad("test", "must be >= 1, got %d", c.Test)
	}
	if c.D >= 1 {
		if c.N >= 1 && c.N > MaxElements/c.D {
			errs = append(errs, productErrorf("n", "n*d", "must be <= %d, got n = %d, d = %d", MaxElements, c.N, c.D))
		}
		if c.Test >= 1 && c.Test > MaxElements/c.D {
			errs = append(errs, productErrorf("test", "test*d", "must be <= %d, got test = %d, d = %d", MaxElements, c.Test, c.D))
		}
	}
	if c.Sparsity < 0 || c.Sparsity > c.D {
		bad("sparsity", "must satisfy 0 <= sparsity <= d (d = %d), got %d", c.D, c.Sparsity)
	}
	if math.IsNaN(c.XMean) || math.IsInf(c.XMean, 0) {
		bad("x_mean", "must be finite, got %v", c.XMean)
	}
	switch {
	case math.IsNaN(c.LabelNoise) || c.LabelNoise < 0:
		bad("label_noise", "must be >= 0, got %v", c.LabelNoise)
	case math.IsInf(c.LabelNoise, 0):
		bad("label_noise", "must be finite, got %v", c.LabelNoise)
	}
	if _, ok := canonicalXNorm(c.XNorm); !ok {
		bad("x_norm", "must be one of %q, got %q", XNormNames(), c.XNorm)
	}
	if _, ok := canonicalBetaStar(c.BetaStar); !ok {
		bad("beta_star", "must be one of %q, got %q", BetaStarNames(), c.BetaStar)
	}
	return errs
}

// checkPositive appends an error unless x is finite and > 0.
func checkPositive(errs *[]error, name string, x float64) {
	switch {
	case math.IsNaN(x) || x <= 0:
		*errs = append(*errs, paramErrorf(name, "must be > 0, got %v", x))
	case math.IsInf(x, 0):
		*errs = append(*errs, paramErrorf(name, "must be finite, got %v", x))
	}
}
