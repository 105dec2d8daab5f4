package spec

import (
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// grid reads the grid section: each key is a parameter with a list or generated axis, or
// "zip" with a mapping (or a list of mappings) of parameters whose axes move together.
func (p *parser) grid(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	entries, err := p.mapping(n, "grid", append(ParamNames(), "zip"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		k, v := e[0], e[1]
		if k.Value == "zip" {
			groups := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				groups = v.Content
			}
			for _, g := range groups {
				if err := p.zip(g); err != nil {
					return err
				}
			}
			continue
		}
		ax, err := p.axis(k, v, "grid."+k.Value, true)
		if err != nil {
			return err
		}
		p.spec.Grid = append(p.spec.Grid, ax)
	}
	// The product is checked axis by axis: computed whole it can overflow int64 and wrap to
	// a small number (four axes of 2^16 values make 2^64 = 0).
	count := int64(1)
	for _, a := range p.spec.Grid {
		if count *= int64(a.Len()); count > MaxPoints {
			return p.errorf(n, "grid", "has too many points (more than %d)", MaxPoints)
		}
	}
	return nil
}

// zip reads one group of axes of equal length that form a single grid dimension.
func (p *parser) zip(n *yaml.Node) error {
	entries, err := p.mapping(n, "grid.zip", ParamNames())
	if err != nil {
		return err
	}
	if len(entries) < 2 {
		return p.errorf(n, "grid.zip", "needs at least two parameters to pair")
	}
	var out Axis
	seen := map[string]int{}
	out.Line = n.Line
	for i, e := range entries {
		ax, err := p.axis(e[0], e[1], "grid.zip."+e[0].Value, false)
		if err != nil {
			return err
		}
		if i > 0 && ax.Len() != out.Len() {
			return p.errorf(e[0], "grid.zip."+e[0].Value, "has %d values but %s has %d: zipped axes must have equal length",
				ax.Len(), out.Names[0], out.Len())
		}
		if i == 0 {
			out.Values = make([][]Value, ax.Len())
		}
		out.Names = append(out.Names, ax.Names[0])
		for j := range out.Values {
			out.Values[j] = append(out.Values[j], ax.Values[j][0])
		}
	}
	// A member may repeat a value (optimizer: [gd, sgd, sgd] with batch: [1, 1, 5]); only a
	// repeated position, which would be the same point twice, is an error.
	for j, row := range out.Values {
		var key, desc strings.Builder
		for m, v := range row {
			key.WriteString(v.Canonical() + "\x00")
			fmt.Fprintf(&desc, " %s=%s", out.Names[m], v)
		}
		if prev, dup := seen[key.String()]; dup {
			return p.errorf(n, "grid.zip", "position %d (%s) repeats position %d: the same point twice",
				j, strings.TrimSpace(desc.String()), prev)
		}
		seen[key.String()] = j
	}
	p.spec.Grid = append(p.spec.Grid, out)
	return nil
}

// axis reads the values of one swept parameter: a list, {linspace: [a, b], num: k},
// {logspace: [a, b], num: k} or {range: k}. With distinct, a repeated value is an error (a
// zip member may repeat values: zip checks its positions instead).
func (p *parser) axis(k, v *yaml.Node, path string, distinct bool) (Axis, error) {
	name := k.Value
	prm, _ := LookupParam(name)
	if _, dup := p.spec.lines[name]; dup {
		return Axis{}, p.errorf(k, path, "is set twice (params and grid, or two grid entries)")
	}
	p.spec.lines[name] = k.Line
	var vals []Value
	switch v.Kind {
	case yaml.SequenceNode:
		for _, item := range v.Content {
			val, err := p.scalar(item, path, prm.Kind)
			if err != nil {
				return Axis{}, err
			}
			vals = append(vals, val)
		}
	case yaml.MappingNode:
		var err error
		if vals, err = p.generated(v, path, prm.Kind); err != nil {
			return Axis{}, err
		}
	default:
		return Axis{}, p.errorf(v, path, "a grid axis must be a list [a, b, ...] or {linspace|logspace: [a, b], num: k} or {range: k}, got %s (a single value belongs under params)", describe(v))
	}
	if len(vals) == 0 {
		return Axis{}, p.errorf(v, path, "has no values")
	}
	seen := map[string]bool{}
	for _, val := range vals {
		if distinct && seen[val.Canonical()] {
			return Axis{}, p.errorf(v, path, "value %s appears twice", val)
		}
		seen[val.Canonical()] = true
	}
	ax := Axis{Names: []string{name}, Line: k.Line}
	for _, val := range vals {
		ax.Values = append(ax.Values, []Value{val})
	}
	return ax, nil
}

// generated expands linspace, logspace and range axes. The endpoints are returned exactly as
// written; integer parameters get values rounded to the nearest integer.
func (p *parser) generated(n *yaml.Node, path string, kind Kind) ([]Value, error) {
	entries, err := p.mapping(n, path, axisKeys)
	if err != nil {
		return nil, err
	}
	get := map[string]*yaml.Node{}
	for _, e := range entries {
		get[e[0].Value] = e[1]
	}
	if r, ok := get["range"]; ok {
		if len(get) > 1 {
			return nil, p.errorf(n, path, "range takes no other keys: {range: k} gives 0, 1, ..., k-1")
		}
		if kind == String {
			return nil, p.errorf(r, path+".range", "a categorical parameter needs a list of values")
		}
		k, err := p.scalar(r, path+".range", Int)
		if err != nil {
			return nil, err
		}
		if k.Int < 1 || k.Int > MaxPoints {
			return nil, p.errorf(r, path+".range", "must be between 1 and %d, got %d", MaxPoints, k.Int)
		}
		vals := make([]Value, k.Int)
		for i := range vals {
			vals[i] = IntValue(int64(i))
			if kind == Float {
				vals[i] = FloatValue(float64(i))
			}
		}
		return vals, nil
	}
	lin, isLin := get["linspace"]
	logn, isLog := get["logspace"]
	if isLin == isLog {
		return nil, p.errorf(n, path, "needs exactly one of linspace, logspace or range")
	}
	if kind == String {
		return nil, p.errorf(n, path, "a categorical parameter needs a list of values")
	}
	gen, genKey := lin, "linspace"
	if isLog {
		gen, genKey = logn, "logspace"
	}
	if gen.Kind != yaml.SequenceNode || len(gen.Content) != 2 {
		return nil, p.errorf(gen, path+"."+genKey, "must be [first, last], got %s", describe(gen))
	}
	var ends [2]float64
	for i, e := range gen.Content {
		v, err := p.scalar(e, path+"."+genKey, Float)
		if err != nil {
			return nil, err
		}
		ends[i] = v.Float
		if math.IsNaN(ends[i]) || math.IsInf(ends[i], 0) {
			return nil, p.errorf(e, path+"."+genKey, "endpoints must be finite, got %v", ends[i])
		}
		if isLog && ends[i] <= 0 {
			return nil, p.errorf(e, path+"."+genKey, "logspace endpoints are values (not exponents) and must be > 0, got %v", ends[i])
		}
	}
	numNode, ok := get["num"]
	if !ok {
		return nil, p.errorf(n, path, "%s needs num: the number of values", genKey)
	}
	num, err := p.scalar(numNode, path+".num", Int)
	if err != nil {
		return nil, err
	}
	if num.Int < 1 || num.Int > MaxPoints {
		return nil, p.errorf(numNode, path+".num", "must be between 1 and %d, got %d", MaxPoints, num.Int)
	}
	if num.Int == 1 && ends[0] != ends[1] {
		return nil, p.errorf(numNode, path+".num", "num 1 cannot reach both endpoints %v and %v", ends[0], ends[1])
	}
	xs := spaced(ends[0], ends[1], int(num.Int), isLog)
	vals := make([]Value, len(xs))
	for i, x := range xs {
		if kind == Int {
			vals[i] = IntValue(int64(math.Round(x)))
		} else {
			vals[i] = FloatValue(x)
		}
	}
	return vals, nil
}

// spaced returns k values from a to b, evenly spaced (linear) or geometrically spaced (log):
// x_i = a + (b-a) i/(k-1), or x_i = a (b/a)^(i/(k-1)); the endpoints are a
// and b exactly.
func spaced(a, b float64, k int, log bool) []float64 {
	xs := make([]float64, k)
	for i := range xs {
		t := 0.0
		if k > 1 {
			t = float64(i) / float64(k-1)
		}
		if log {
			xs[i] = a * math.Pow(b/a, t)
		} else {
			xs[i] = a + (b-a)*t
		}
	}
	xs[0], xs[k-1] = a, b
	return xs
}
