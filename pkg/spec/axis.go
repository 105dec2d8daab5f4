package spec

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// grid reads the grid section: each key is a parameter with a list or generated axis, or
// "zip" with a mapping (or a list of mappings) of parameters whose axes move together. The
// number of points is checked from the axis lengths before anything looks at the values of
// a generated axis (checkLater), so that a grid over MaxPoints is refused at once.
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
	if count, ok := points(p.spec.Grid); !ok || count > MaxPoints {
		return p.errorf(n, "grid", "%s: too many points (more than %d); sweep fewer values, or split the sweep into several",
			describeCount(p.spec.Grid, count, ok), MaxPoints)
	}
	for _, check := range p.later {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// points is the product of the axis lengths; ok is false when it overflows int64 (four axes
// of 2^16 values make 2^64, which would wrap to 0).
func points(axes []Axis) (count int64, ok bool) {
	count = 1
	for _, a := range axes {
		hi, lo := bits.Mul64(uint64(count), uint64(a.Len()))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		count = int64(lo)
	}
	return count, true
}

// describeCount says how many points the axes make and how: "has 1000000000000 points
// (1000000 x 1000000)".
func describeCount(axes []Axis, count int64, ok bool) string {
	lens := make([]string, len(axes))
	for i, a := range axes {
		lens[i] = strconv.Itoa(a.Len())
	}
	total := fmt.Sprintf("has %d points", count)
	if !ok {
		total = fmt.Sprintf("has more than %d points", int64(math.MaxInt64))
	}
	return fmt.Sprintf("%s (%s)", total, strings.Join(lens, " x "))
}

// checkLater runs check after the point count is known to be within MaxPoints: checks that
// look at every value of a generated axis take time proportional to its length.
func (p *parser) checkLater(check func() error) { p.later = append(p.later, check) }

// zip reads one group of axes of equal length that form a single grid dimension. A member
// may repeat a value (optimizer: [gd, sgd, sgd] with batch: [1, 1, 5]); only a repeated
// position, which would be the same point twice, is an error.
func (p *parser) zip(n *yaml.Node) error {
	entries, err := p.mapping(n, "grid.zip", ParamNames())
	if err != nil {
		return err
	}
	if len(entries) < 2 {
		return p.errorf(n, "grid.zip", "needs at least two parameters to pair")
	}
	out := Axis{Line: n.Line}
	lists := false
	for i, e := range entries {
		ax, err := p.axis(e[0], e[1], "grid.zip."+e[0].Value, false)
		if err != nil {
			return err
		}
		if i > 0 && ax.Len() != out.Len() {
			by := ""
			if arg, ok := p.from[entries[0][1]]; ok {
				by = fmt.Sprintf(" (%s is set by the argument %q)", out.Names[0], arg)
			}
			return p.errorf(e[0], "grid.zip."+e[0].Value, "has %d values but %s has %d%s: zipped axes must have equal length",
				ax.Len(), out.Names[0], out.Len(), by)
		}
		out.Names = append(out.Names, ax.Names[0])
		out.cols = append(out.cols, ax.cols[0])
		lists = lists || ax.cols[0].list != nil
	}
	check := func() error {
		if j, i := firstRepeat(out.cols, out.Len()); j >= 0 {
			var desc []string
			for m, name := range out.Names {
				desc = append(desc, name+"="+out.At(j, m).String())
			}
			return p.errorf(n, "grid.zip", "position %d (%s) repeats position %d: the same point twice", j, strings.Join(desc, " "), i)
		}
		return nil
	}
	if lists { // as long as the YAML list: check now, in written order
		if err := check(); err != nil {
			return err
		}
	} else {
		p.checkLater(check)
	}
	p.spec.Grid = append(p.spec.Grid, out)
	return nil
}

// axis reads the values of one swept parameter: a list, {linspace: [a, b], num: k},
// {logspace: [a, b], num: k} or {range: k}. With distinct, a repeated value is an error (a
// zip member may repeat values: zip checks its positions instead); a list is checked now, a
// generated axis once the grid's size is known (checkLater).
func (p *parser) axis(k, v *yaml.Node, path string, distinct bool) (Axis, error) {
	name := k.Value
	prm, _ := LookupParam(name)
	if _, dup := p.spec.lines[name]; dup {
		return Axis{}, p.errorf(k, path, "is set twice (params and grid, or two grid entries)")
	}
	p.spec.lines[name] = k.Line
	var col column
	switch v.Kind {
	case yaml.SequenceNode:
		for _, item := range v.Content {
			val, err := p.scalar(item, path, prm.Kind)
			if err != nil {
				return Axis{}, err
			}
			col.list = append(col.list, val)
		}
		if len(col.list) == 0 {
			return Axis{}, p.errorf(v, path, "has no values")
		}
	case yaml.MappingNode:
		gen, err := p.generated(v, path, prm.Kind)
		if err != nil {
			return Axis{}, err
		}
		col.gen = gen
	default:
		return Axis{}, p.errorf(v, path, "a grid axis must be a list [a, b, ...] or {linspace|logspace: [a, b], num: k} or {range: k}, got %s (a single value belongs under params)", describe(v))
	}
	ax := Axis{Names: []string{name}, Line: k.Line, cols: []column{col}}
	check := func() error {
		if j, _ := firstRepeat(ax.cols, ax.Len()); j >= 0 {
			return p.errorf(v, path, "value %s appears twice", ax.At(j, 0))
		}
		return nil
	}
	switch {
	case !distinct:
	case col.list != nil:
		if err := check(); err != nil {
			return Axis{}, err
		}
	default:
		p.checkLater(check)
	}
	return ax, nil
}

// generated reads a linspace, logspace or range axis into its generator. The endpoints are
// kept exactly as written; integer parameters get values rounded to the nearest integer.
func (p *parser) generated(n *yaml.Node, path string, kind Kind) (generator, error) {
	entries, err := p.mapping(n, path, axisKeys)
	if err != nil {
		return generator{}, err
	}
	get := map[string]*yaml.Node{}
	for _, e := range entries {
		get[e[0].Value] = e[1]
	}
	if r, ok := get["range"]; ok {
		if len(get) > 1 {
			return generator{}, p.errorf(n, path, "range takes no other keys: {range: k} gives 0, 1, ..., k-1")
		}
		if kind == String {
			return generator{}, p.errorf(r, path+".range", "a categorical parameter needs a list of values")
		}
		k, err := p.scalar(r, path+".range", Int)
		if err != nil {
			return generator{}, err
		}
		if k.Int < 1 || k.Int > MaxPoints {
			return generator{}, p.errorf(r, path+".range", "must be between 1 and %d, got %d", MaxPoints, k.Int)
		}
		return generator{shape: counting, num: int(k.Int), kind: kind}, nil
	}
	lin, isLin := get["linspace"]
	logn, isLog := get["logspace"]
	if isLin == isLog {
		return generator{}, p.errorf(n, path, "needs exactly one of linspace, logspace or range")
	}
	if kind == String {
		return generator{}, p.errorf(n, path, "a categorical parameter needs a list of values")
	}
	gen, genKey := generator{shape: linear, kind: kind}, "linspace"
	node := lin
	if isLog {
		gen.shape, genKey, node = geometric, "logspace", logn
	}
	if node.Kind != yaml.SequenceNode || len(node.Content) != 2 {
		return generator{}, p.errorf(node, path+"."+genKey, "must be [first, last], got %s", describe(node))
	}
	var ends [2]float64
	for i, e := range node.Content {
		v, err := p.scalar(e, path+"."+genKey, Float)
		if err != nil {
			return generator{}, err
		}
		ends[i] = v.Float
		if math.IsNaN(ends[i]) || math.IsInf(ends[i], 0) {
			return generator{}, p.errorf(e, path+"."+genKey, "endpoints must be finite, got %v", ends[i])
		}
		if isLog && ends[i] <= 0 {
			return generator{}, p.errorf(e, path+"."+genKey, "logspace endpoints are values (not exponents) and must be > 0, got %v", ends[i])
		}
	}
	numNode, ok := get["num"]
	if !ok {
		return generator{}, p.errorf(n, path, "%s needs num: the number of values", genKey)
	}
	num, err := p.scalar(numNode, path+".num", Int)
	if err != nil {
		return generator{}, err
	}
	if num.Int < 1 || num.Int > MaxPoints {
		return generator{}, p.errorf(numNode, path+".num", "must be between 1 and %d, got %d", MaxPoints, num.Int)
	}
	if num.Int == 1 && ends[0] != ends[1] {
		return generator{}, p.errorf(numNode, path+".num", "num 1 cannot reach both endpoints %v and %v", ends[0], ends[1])
	}
	gen.first, gen.last, gen.num = ends[0], ends[1], int(num.Int)
	return gen, nil
}
