package dynamics

import "math"

// Unset marks an optional float hyperparameter of a Config (Momentum, Noise, Rho) as "not
// given" (the spec left it out). It is distinct from every value, in particular from 0: sam
// with rho = 0 is a valid run (it equals gd), sam without rho is a spec error. It is -Inf
// rather than NaN so that a Config stays comparable and usable as a map key (NaN != NaN),
// and it lies outside every valid range. Go code that builds a Config directly just sets the
// value it means (the zero value 0 is a given 0). Depth uses 0 for "not given".
var Unset = math.Inf(-1)

// IsUnset reports whether x is Unset.
func IsUnset(x float64) bool { return math.IsInf(x, -1) }

// Hyperparameter names as in the spec, for Validate messages and optimizerSpec.requires.
const (
	paramMomentum = "momentum"
	paramNoise    = "noise"
	paramRho      = "rho"
)

// hyperErrors checks momentum, noise, rho and depth: a given value must be in range whatever
// the optimiser or model (0 <= momentum < 1, noise >= 0, rho >= 0, depth >= 2, all finite);
// an optimiser that requires one (optimizerSpec.requires) needs it given, and model deep needs
// depth. A given value that the optimiser or model does not use is ignored (so that a sweep
// over optimizer: [gd, hb] may fix momentum), as batch is for gd.
func (c Config) hyperErrors() []error {
	var errs []error
	bad := func(param, format string, args ...any) { errs = append(errs, paramErrorf(param, format, args...)) }
	values := map[string]float64{paramMomentum: c.Momentum, paramNoise: c.Noise, paramRho: c.Rho}
	for _, name := range []string{paramMomentum, paramNoise, paramRho} {
		x := values[name]
		switch {
		case IsUnset(x):
		case math.IsInf(x, 1):
			bad(name, "must be finite, got %v", x)
		case name == paramMomentum && !(x >= 0 && x < 1):
			bad("momentum", "must satisfy 0 <= momentum < 1, got %v", x)
		case name != paramMomentum && !(x >= 0):
			bad(name, "must be >= 0, got %v", x)
		}
	}
	if spec, ok := optimizerTable[c.Optimizer]; ok {
		for _, name := range spec.requires {
			if IsUnset(values[name]) {
				bad(name, "must be set for optimizer %q (%s)", c.Optimizer, hyperDoc[name])
			}
		}
	}
	switch {
	case c.Depth != 0 && c.Depth < 2:
		bad("depth", "must be >= 2, got %d", c.Depth)
	case c.Depth > MaxDepth:
		bad("depth", "must be <= %d, got %d", MaxDepth, c.Depth)
	case c.Depth == 0 && c.Model == ModelDeep:
		bad("depth", "must be set for model %q (an integer >= 2)", ModelDeep)
	}
	return errs
}

// MaxDepth bounds Config.Depth (a sanity limit: beyond it w^D under- or overflows for any
// useful init).
const MaxDepth = 64

// hyperDoc says what each hyperparameter is, for "must be set" messages.
var hyperDoc = map[string]string{
	paramMomentum: "0 <= momentum < 1",
	paramNoise:    "noise >= 0",
	paramRho:      "rho >= 0",
}
