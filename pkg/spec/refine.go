package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// refineKeys are the keys allowed under refine.
var refineKeys = []string{"axes", "on", "jump", "levels", "budget", "halo"}

// MaxRefineLevels bounds refine.levels: a cell of the coarse grid is halved at most that many
// times along each refined axis (2^20 sub-intervals), far below where float64 positions stop
// being exact.
const MaxRefineLevels = 20

// DefaultHalo and MaxHalo are refine.halo's default and largest value.
const (
	DefaultHalo = 1
	MaxHalo     = 2
)

// The values of refine.on that refine where an outcome class changes; any other value names
// a metric column. OnStatus: the class is the status (converged, max_steps, diverged).
// OnDivergence: the class is whether the runs diverge (converged and max_steps are one
// class), for a divergence boundary alone.
const (
	OnStatus     = "status"
	OnDivergence = "divergence"
)

// OnClass reports whether refine.on value on refines on an outcome class (OnStatus or
// OnDivergence) rather than a metric column.
func OnClass(on string) bool { return on == OnStatus || on == OnDivergence }

// Refine is the refine section of a spec (docs/refine.md): which swept axes are refined, on
// what outcome, how many levels deep and within how many points in all.
type Refine struct {
	// Axes are the one or two refined parameters, each a single (not zipped) swept axis of a
	// real-valued parameter with at least two values, in the order written.
	Axes []string `json:"axes"`
	// On is OnStatus, OnDivergence or the name of a metric column (pkg/refine checks the
	// name).
	On string `json:"on"`
	// Jump is the change of the metric between neighbouring cells that flags a cell (in log10
	// when both values are positive); 0 with On = OnStatus.
	Jump float64 `json:"jump,omitempty"`
	// Levels is how many times a flagged cell is halved at most (>= 1).
	Levels int `json:"levels"`
	// Budget caps the number of points of the whole sweep, coarse grid included.
	Budget int64 `json:"budget"`
	// Halo is how many rings of neighbouring cells around each flagged cell are halved with
	// it (0 .. MaxHalo; DefaultHalo when left out): a boundary that enters a cell between its
	// corners is then still followed from the flagged cell next to it.
	Halo int `json:"halo"`
	// Line is the line of the refine key, OnLine that of on (or of refine when on is left
	// out), for messages.
	Line   int `json:"-"`
	OnLine int `json:"-"`
}

// JSON is the refine section as one JSON object (the phasesweep.refine metadata of a refined
// sweep's table).
func (r *Refine) JSON() string {
	b, _ := json.Marshal(r) // a struct of strings and numbers always marshals
	return string(b)
}

// refineError is an error about key (under refine) located at n.
func (p *parser) refineError(n *yaml.Node, key, format string, args ...any) *Error {
	return p.errorf(n, join("refine", key), format, args...)
}

// refine reads the refine section; it runs after the grid, whose axes it names.
func (p *parser) refine(n *yaml.Node, key *yaml.Node) error {
	entries, err := p.mapping(n, "refine", refineKeys)
	if err != nil {
		return err
	}
	r := &Refine{On: OnStatus, Halo: DefaultHalo, Line: key.Line, OnLine: key.Line}
	got := map[string]*yaml.Node{}
	for _, e := range entries {
		k, v := e[0], e[1]
		got[k.Value] = v
		switch k.Value {
		case "axes":
			if r.Axes, err = p.refineAxes(v); err != nil {
				return err
			}
		case "on":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || v.Value == "" {
				return p.refineError(v, "on", "must be status or a metric column such as test_loss, got %s", describe(v))
			}
			r.On, r.OnLine = v.Value, v.Line
		case "jump":
			val, err := p.scalar(v, "refine.jump", Float)
			if err != nil {
				return err
			}
			if !(val.Float > 0) || math.IsInf(val.Float, 0) {
				return p.refineError(v, "jump", "must be a finite number > 0 (the change of the metric that flags a cell, in log10 for positive values), got %v", val.Float)
			}
			r.Jump = val.Float
		case "levels":
			if r.Levels, err = p.refineInt(v, "levels", 1, MaxRefineLevels, "each level halves the flagged cells"); err != nil {
				return err
			}
		case "budget":
			val, err := p.scalar(v, "refine.budget", Int)
			if err != nil {
				return err
			}
			if count := p.spec.Count(); val.Int < count {
				return p.refineError(v, "budget", "is %d points, fewer than the %d of the coarse grid: the budget counts every point, the coarse grid's included", val.Int, count)
			}
			if val.Int > MaxPoints {
				return p.refineError(v, "budget", "must be at most %d points, got %d", MaxPoints, val.Int)
			}
			r.Budget = val.Int
		case "halo":
			if r.Halo, err = p.refineInt(v, "halo", 0, MaxHalo, "the rings of neighbours halved with a flagged cell; 0 halves the flagged cells alone"); err != nil {
				return err
			}
		}
	}
	for _, req := range []string{"axes", "levels", "budget"} {
		if got[req] == nil {
			return p.refineError(key, req, "missing: refine needs axes, levels and budget")
		}
	}
	switch {
	case p.spec.Record.Every > 0:
		return p.errorf(key, "refine", "a refined sweep records no trajectories yet: set record.every to 0, or sweep without refine")
	case OnClass(r.On) && got["jump"] != nil:
		return p.refineError(got["jump"], "jump", "applies to a metric: on: %s refines where the outcome class changes (remove jump, or set on to a metric)", r.On)
	case !OnClass(r.On) && got["jump"] == nil:
		return p.refineError(onNode(got, key), "jump", "missing: on: %s needs jump, the change of %s between neighbours that flags a cell (in log10 when both values are positive)", r.On, r.On)
	}
	p.spec.Refine = r
	return nil
}

// refineInt reads the integer refine.key at n, which must lie in [lo, hi]; why says what the
// key means, in the message.
func (p *parser) refineInt(n *yaml.Node, key string, lo, hi int, why string) (int, error) {
	val, err := p.scalar(n, "refine."+key, Int)
	if err != nil {
		return 0, err
	}
	if val.Int < int64(lo) || val.Int > int64(hi) {
		return 0, p.refineError(n, key, "must be between %d and %d (%s), got %d", lo, hi, why, val.Int)
	}
	return int(val.Int), nil
}

// refineAxes reads refine.axes: one or two distinct swept axes of real-valued parameters,
// not zipped, with at least two values, a written list in increasing or decreasing order.
func (p *parser) refineAxes(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) < 1 || len(n.Content) > 2 {
		return nil, p.refineError(n, "axes", "must be a list of one or two swept axes such as [stepsize, init], got %s", describe(n))
	}
	var names []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.Tag != "!!str" {
			return nil, p.refineError(item, "axes", "must name swept axes, got %s", describe(item))
		}
		name := item.Value
		if contains(names, name) {
			return nil, p.refineError(item, "axes", "names %s twice", name)
		}
		if err := p.refineAxis(item, name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// refineAxis checks that name is an axis refine can halve.
func (p *parser) refineAxis(item *yaml.Node, name string) error {
	var candidates []string
	var found *Axis
	for i, a := range p.spec.Grid {
		if len(a.Names) == 1 {
			if prm, _ := LookupParam(a.Names[0]); prm.Kind == Float {
				candidates = append(candidates, a.Names[0])
			}
		}
		if contains(a.Names, name) {
			found = &p.spec.Grid[i]
		}
	}
	if found == nil {
		msg := fmt.Sprintf("%q is not a swept axis", name)
		if s := suggest(name, candidates); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if len(candidates) > 0 {
			msg += fmt.Sprintf(" (the real-valued swept axes are: %s)", strings.Join(candidates, ", "))
		}
		if _, isParam := LookupParam(name); isParam {
			msg += "; refine halves the cells of grid axes, so sweep it under grid first"
		}
		return p.refineError(item, "axes", "%s", msg)
	}
	prm, _ := LookupParam(name)
	switch {
	case len(found.Names) > 1:
		return p.refineError(item, "axes", "%s is zipped with %s: refine needs an axis of its own", name, strings.Join(found.Names, ", "))
	case prm.Kind != Float:
		return p.refineError(item, "axes", "%s is a %s parameter: refine places values between neighbours, so it needs a real-valued axis (stepsize, init, momentum, ...)", name, prm.Kind)
	case found.Len() < 2:
		return p.refineError(item, "axes", "%s has a single value: there is no cell to refine", name)
	case !monotonic(*found):
		return p.refineError(item, "axes", "the values of %s are not in increasing or decreasing order: refine places points between neighbouring values, so write the list sorted", name)
	}
	return nil
}

// monotonic reports whether the values of the one-parameter axis a are strictly increasing
// or strictly decreasing (a generated axis always is; a list is checked).
func monotonic(a Axis) bool {
	up, down := true, true
	for k := 1; k < a.Len(); k++ {
		x, y := a.At(k-1, 0).Float, a.At(k, 0).Float
		up, down = up && y > x, down && y < x
	}
	return up || down
}

// Spacing says how the values between two neighbours of a refined axis are placed.
type Spacing int

// The spacings of a refined axis.
const (
	Arithmetic Spacing = iota // the midpoint of a and b is (a + b) / 2
	Geometric                 // the midpoint of a and b is sqrt(a b)
)

// Spacing is the spacing of the one-parameter axis a: that of a linspace (Arithmetic) or
// logspace (Geometric); for a list, Geometric when every value is positive and the list is at
// least as evenly spaced in log as in value (the ratio of its largest to its smallest gap
// between neighbours is no larger in log10), else Arithmetic.
func (a Axis) Spacing() Spacing {
	if c := a.cols[0]; c.list == nil {
		if c.gen.shape == geometric {
			return Geometric
		}
		return Arithmetic
	}
	lin, lg := gapRatio(a, func(x float64) float64 { return x }), gapRatio(a, math.Log10)
	for k := range a.Len() {
		if !(a.At(k, 0).Float > 0) {
			return Arithmetic
		}
	}
	if lg <= lin {
		return Geometric
	}
	return Arithmetic
}

// gapRatio is the largest over the smallest |f(x_{k+1}) - f(x_k)| of the axis's values.
func gapRatio(a Axis, f func(float64) float64) float64 {
	lo, hi := math.Inf(1), 0.0
	for k := 1; k < a.Len(); k++ {
		g := math.Abs(f(a.At(k, 0).Float) - f(a.At(k-1, 0).Float))
		lo, hi = math.Min(lo, g), math.Max(hi, g)
	}
	return hi / lo
}

// Dense is the generated axis a with factor times as many gaps between its values (num - 1
// becomes factor (num - 1)): position factor k of the dense axis is position k of a, and
// the positions between are the values a finer linspace or logspace with the same endpoints
// has, computed the same way bit for bit. ok is false for a written list.
func (a Axis) Dense(factor int) (dense Axis, ok bool) {
	c := a.cols[0]
	if c.list != nil || c.gen.shape == counting || len(a.cols) != 1 {
		return Axis{}, false
	}
	c.gen.num = (c.gen.num-1)*factor + 1
	return Axis{Names: a.Names, Line: a.Line, cols: []column{c}}, true
}

// onNode is the node of refine.on, or the refine key when on is left out.
func onNode(got map[string]*yaml.Node, key *yaml.Node) *yaml.Node {
	if n := got["on"]; n != nil {
		return n
	}
	return key
}
