package spec

import "sort"

// Param describes one parameter of the flat namespace of docs/design.md: its kind and its default.
// A parameter without a default must be given in params or grid.
type Param struct {
	Name    string
	Kind    Kind
	Default *Value
	Doc     string
}

func def(v Value) *Value { return &v }

// optional lists the parameters that have no default and yet may be left out: "not given"
// must differ from every value (sam with rho = 0 is gd; sam without rho is an error), so the
// run configuration marks them unset (dynamics.Unset, depth 0) and dynamics.Config.Validate
// reports one that the point's optimizer or model needs. Leaving them out also keeps the seeds
// of specs that never mention them unchanged (seeds hash the given and default values).
var optional = map[string]bool{"momentum": true, "noise": true, "rho": true, "depth": true, "order": true, "data": true,
	"k_aux": true, "k_main": true, "n_aux": true, "pretrain_init": true}

// Required reports whether every spec must give the parameter (it has no default and is not
// optional).
func (p Param) Required() bool { return p.Default == nil && !optional[p.Name] }

// Params is the parameter namespace, in the canonical order used where no spec order applies.
// Values are checked for kind here; ranges and combinations are checked per point by the
// dynamics (dynamics.Config.Validate).
var Params = []Param{
	{"model", String, def(StringValue("uv")), "parametrisation of beta (uv, deep; multi-task family of Lippl2024: stl, mtl, ptft, lp)"},
	{"optimizer", String, def(StringValue("gd")), "update rule (gd, sgd, hb, nag, sam, label_noise, sgf, flow, hb_flow)"},
	{"stepsize", Float, nil, "stepsize gamma > 0"},
	{"batch", Int, def(IntValue(1)), "minibatch size for sgd and label_noise, 1 <= batch <= n"},
	{"init", Float, def(FloatValue(0.1)), "initialisation scale alpha > 0"},
	{"momentum", Float, nil, "momentum mu of hb, nag and hb_flow, 0 <= momentum < 1 (optional: required by hb, nag, hb_flow)"},
	{"noise", Float, nil, "noise >= 0: delta of label_noise, eta of sgf (optional: required by them)"},
	{"rho", Float, nil, "perturbation radius of sam, rho >= 0 (optional: required by sam)"},
	{"depth", Int, nil, "depth D >= 2 of model deep (optional: required by deep)"},
	{"order", Int, nil, "order 1, 2 or 3 in the stepsize of hb_flow, heavy ball's flow with counter terms (Lyu2025; optional: required by hb_flow)"},
	{"n", Int, def(IntValue(20)), "training samples"},
	{"d", Int, def(IntValue(30)), "dimension"},
	{"sparsity", Int, def(IntValue(3)), "nonzeros of beta*, 0 <= sparsity <= d"},
	{"x_mean", Float, def(FloatValue(0)), "mean of every feature"},
	{"label_noise", Float, def(FloatValue(0)), "label noise sigma >= 0"},
	{"x_norm", String, def(StringValue("none")), "row scaling of X: none, row (||x_i||^2 = d, Lippl2024)"},
	{"beta_star", String, def(StringValue("gaussian")), "entries of beta* on its support: gaussian N(0,1), sign +-1/sqrt(s), constant 1/sqrt(s)"},
	{"test", Int, def(IntValue(1000)), "test samples"},
	{"steps", Int, def(IntValue(10000)), "maximum steps"},
	{"stop_loss", Float, def(FloatValue(1e-10)), "converged when train loss falls below this"},
	{"seed", Int, def(IntValue(0)), "replicate index, mixed into the per-point seeds"},
	{"k_aux", Int, nil, "support size of the auxiliary teacher, 0 <= k_aux <= d (multi-task; optional: required by mtl, ptft, lp)"},
	{"k_main", Int, nil, "support size of the main teacher, 1 <= k_main <= d (multi-task; optional: required by stl, mtl, ptft, lp)"},
	{"overlap", Int, def(IntValue(0)), "main-teacher coordinates shared with the auxiliary teacher, <= min(k_aux, k_main) (multi-task)"},
	{"n_aux", Int, nil, "auxiliary-task training samples (multi-task; optional: required by mtl, ptft, lp)"},
	{"pretrain_init", Float, nil, "init scale of the pretraining network of ptft, lp (optional: defaults to init)"},
	{"rescale", Float, def(FloatValue(1)), "lambda > 0: w+- <- lambda w+- after pretraining (ptft, lp)"},
	{"data", String, nil, "dataset file or directory (pkg/dataset), relative to the spec's directory; replaces n, d, sparsity, x_mean, label_noise, x_norm, beta_star, test (optional)"},
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
