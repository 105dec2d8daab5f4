package spec

import "sort"

// Param describes one parameter of the flat namespace of DESIGN.md: its kind and its default.
// A parameter without a default must be given in params or grid.
type Param struct {
	Name    string
	Kind    Kind
	Default *Value
	Doc     string
}

func def(v Value) *Value { return &v }

// Params is the parameter namespace, in the canonical order used where no spec order applies.
// Values are checked for kind here; ranges and combinations are checked per point by the
// dynamics (dynamics.Config.Validate).
var Params = []Param{
	{"model", String, def(StringValue("uv")), "parametrisation of beta (uv)"},
	{"optimizer", String, def(StringValue("gd")), "update rule (gd, sgd)"},
	{"stepsize", Float, nil, "stepsize gamma > 0"},
	{"batch", Int, def(IntValue(1)), "minibatch size for sgd, 1 <= batch <= n"},
	{"init", Float, def(FloatValue(0.1)), "initialisation scale alpha > 0"},
	{"n", Int, def(IntValue(20)), "training samples"},
	{"d", Int, def(IntValue(30)), "dimension"},
	{"sparsity", Int, def(IntValue(3)), "nonzeros of beta*, 0 <= sparsity <= d"},
	{"x_mean", Float, def(FloatValue(0)), "mean of every feature"},
	{"label_noise", Float, def(FloatValue(0)), "label noise sigma >= 0"},
	{"test", Int, def(IntValue(1000)), "test samples"},
	{"steps", Int, def(IntValue(10000)), "maximum steps"},
	{"stop_loss", Float, def(FloatValue(1e-10)), "converged when train loss falls below this"},
	{"seed", Int, def(IntValue(0)), "replicate index, mixed into the per-point seeds"},
}

// LookupParam finds a parameter by name.
func LookupParam(name string) (Param, bool) {
	for _, p := range Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// ParamNames lists the parameter names, sorted.
func ParamNames() []string {
	names := make([]string, len(Params))
	for i, p := range Params {
		names[i] = p.Name
	}
	sort.Strings(names)
	return names
}
