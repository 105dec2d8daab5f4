package dynamics

import (
	"slices"
)

// Model names accepted in Config.Model.
const (
	ModelUV   = "uv"   // beta = u (.) v (docs/science.md section 2); the default
	ModelDeep = "deep" // beta = w+^D - w-^D, D = Config.Depth (Woodworth2020)
)

// model is a parametrisation beta = beta(w) of a diagonal linear network by a flat parameter
// vector w; the training objective is F(w) = L(beta(w)). It is the seam for further models
// (deep, multi-task): add a type and a row in modelTable. Implementations hold no mutable
// state (only settings read from the Config, like deep's depth) and must not allocate.
type model interface {
	// numParams returns len(w) for dimension d.
	numParams(d int) int
	// init sets w to the initial parameters for init scale alpha.
	init(w []float64, alpha float64)
	// beta sets beta = beta(w).
	beta(w, beta []float64)
	// pullback sets gw = grad F(w) = J(w)^T g, where g = grad L(beta(w)) and J is the
	// Jacobian of beta(w) (chain rule).
	pullback(w, g, gw []float64)
}

// modelTable maps Config.Model to the constructor of its model; a model may read its own
// settings from the (valid) Config, e.g. deep its Depth.
var modelTable = map[string]func(Config) model{
	ModelUV:   func(Config) model { return uvModel{} },
	ModelDeep: newDeepModel,
	// The multi-task family (Lippl2024) is run by simulateMultiTask (multitask.go); the
	// model of one network, beta = w+ (.) v+ - w- (.) v-, is twoLayerModel.
	ModelSTL: newTwoLayerModel, ModelMTL: newTwoLayerModel, ModelPTFT: newTwoLayerModel, ModelLP: newTwoLayerModel,
}

// lookupModel returns the constructor of the model called name ("" means "uv").
func lookupModel(name string) (func(Config) model, bool) {
	if name == "" {
		name = ModelUV
	}
	m, ok := modelTable[name]
	return m, ok
}

// ModelNames returns the accepted values of Config.Model, sorted ("" is accepted too and
// means "uv").
func ModelNames() []string {
	names := make([]string, 0, len(modelTable))
	for name := range modelTable {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
