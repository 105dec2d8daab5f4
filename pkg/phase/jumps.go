package phase

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// Jumps is the saddle-to-saddle prediction (Pesme2023; docs/science.md section 5) for the
// trajectory of one gd or gradient-flow point: gradient flow from initialisation scale alpha
// visits the saddles of the algorithm, jumping from one to the next at T_k ~ ln(1/alpha) t_k
// as alpha -> 0, where t_k are the jump times of the saddle run on the same data
// (results column jump_times); between jumps the loss sits on the plateaus L(beta_k)
// (plateau_losses).
type Jumps struct {
	Point  int64 // the gd/flow point
	Saddle int64 // the saddle run on the same data
	// Times are T_k in the units of the plot's x axis: ln(1/alpha) t_k on a time axis (the
	// trajectory's time is step*stepsize), ln(1/alpha) t_k / stepsize on a step axis.
	Times []float64
	// Plateaus are plateau_losses: Plateaus[0] = L(0) before Times[0], Plateaus[k] between
	// Times[k-1] and Times[k], the last one after the last jump (len(Times)+1 values).
	Plateaus []float64
}

// jumpOptimizers are the optimizers whose trajectories follow gradient flow closely enough for
// the prediction to be drawn: gd at a small stepsize is an Euler discretisation of the flow.
var jumpOptimizers = []string{"gd", "flow"}

// PredictJumps returns the Jumps of the point of results table res, with x axis xName ("time"
// or "step"), or nil and a reason when there is none: the point is not gd or flow on model
// uv, no saddle row (optimizer saddle) has the same data parameters (grid.DataParams, and the
// data file), or its init is not in (0, 1).
func PredictJumps(res *results.Table, point int64, xName string) (*Jumps, string, error) {
	tb := newTable(res)
	k := slices.IndexFunc(res.Rows, func(r []results.Value) bool { return r[0].I == point })
	if k < 0 {
		return nil, "not in results.parquet", nil
	}
	str := func(k int, name, def string) string {
		if j, ok := tb.idx[name]; ok {
			return tb.str(k, j)
		}
		return def
	}
	if !slices.Contains(jumpOptimizers, str(k, "optimizer", "gd")) || str(k, "model", "uv") != "uv" {
		return nil, "not gd or flow on model uv", nil
	}
	alpha := paramValue(tb, k, "init")
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Sprintf("init %g is not in (0, 1)", alpha), nil
	}
	data := append(slices.Clone(grid.DataParams), grid.DataParam)
	s := -1
	for ks := range res.Rows {
		if str(ks, "optimizer", "") != "saddle" || str(ks, results.ErrorColumn, "") != "" {
			continue
		}
		same := true
		for _, name := range data {
			if j, ok := tb.idx[name]; ok && tb.str(ks, j) != tb.str(k, j) {
				same = false
			}
		}
		if same {
			s = ks
			break
		}
	}
	if s < 0 {
		return nil, "no saddle run on the same data in results.parquet", nil
	}
	jt, err := tb.col("jump_times")
	if err != nil {
		return nil, "", err
	}
	pl, err := tb.col("plateau_losses")
	if err != nil {
		return nil, "", err
	}
	ts, err := ParseJSONFloats(tb.str(s, jt))
	if err != nil {
		return nil, "", fmt.Errorf("jump_times of point %d: %w", res.Rows[s][0].I, err)
	}
	ls, err := ParseJSONFloats(tb.str(s, pl))
	if err != nil {
		return nil, "", fmt.Errorf("plateau_losses of point %d: %w", res.Rows[s][0].I, err)
	}
	unit := math.Log(1 / alpha)
	if xName == "step" {
		unit /= paramValue(tb, k, "stepsize")
	}
	j := &Jumps{Point: point, Saddle: res.Rows[s][0].I, Plateaus: ls}
	for _, t := range ts {
		j.Times = append(j.Times, unit*t)
	}
	return j, "", nil
}

// paramValue is numeric parameter name of row k, or its default when t has no such column
// (NaN without a default).
func paramValue(tb *table, k int, name string) float64 {
	if j, err := tb.numCol(name); err == nil {
		return tb.num(k, j)
	}
	if p, ok := spec.LookupParam(name); ok && p.Default != nil {
		return p.Default.Float
	}
	return math.NaN()
}

// ParseJSONFloats parses a JSON array of numbers as written by results.JSONFloats (the beta
// column of trajectories, jump_times, plateau_losses): null is NaN.
func ParseJSONFloats(s string) ([]float64, error) {
	var raw []*float64
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of numbers: %w", err)
	}
	out := make([]float64, len(raw))
	for i, p := range raw {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	return out, nil
}
