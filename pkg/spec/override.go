package spec

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Change is what one command-line override did to a spec (Override).
type Change struct {
	Arg  string // the argument as given: stepsize=logspace(0.01,1,5)
	Path string // what it set: params.steps, grid.stepsize, seed, record.every, ...
	Was  string // the file's value it replaced, in YAML flow style ("" when the file had none)
}

// LoadWithOverrides reads the spec in file and applies the command-line overrides args
// (Override); without args it is Load.
func LoadWithOverrides(file string, args []string) (*Spec, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read spec: %v", err)}
	}
	return Override(file, src, args)
}

// Override applies command-line overrides to the spec src (read from file) and parses the
// result. Each argument is key=value:
//
//   - key=scalar (steps=20000, optimizer=sgd) sets a parameter: under params, or, when the
//     key is swept, as the axis's only value (key=[v]: it stays a column of the grid).
//   - key=a,b,c sets a grid axis of those values (a trailing comma makes a list of one: a,);
//     key=linspace(a,b,k), key=logspace(a,b,k) and key=range(k) set a generated axis, as
//     {linspace: [a, b], num: k} does. A swept key's axis is replaced where it stands (a zip
//     member keeps its zip, whose lengths must then agree); a key under params moves to the
//     grid, after its other axes (the innermost loop).
//   - params.key=scalar puts a parameter under params even if it was swept (not out of a
//     zip); grid.key=... puts it in the grid even with a single value.
//   - The top-level keys name, seed, chunk and out, and record.every, record.beta and
//     record.gamma_max, take a scalar. seed=N is the spec seed; seed=a,b / seed=range(k) is
//     the replicate axis of the seed parameter, and params.seed=N fixes that parameter.
//
// Values are YAML scalars (1e-3 is a number, gd a word). A key given twice, an unknown key
// (with the same "did you mean" hint as the YAML) and a malformed value are *Errors naming
// the argument. The overrides are applied to the YAML node tree of the file, so the file's own
// keys keep their lines in messages; the returned spec's Source is the rewritten YAML (with
// a comment listing the arguments), which is what the spec hash and the stored spec see:
// overrides make a different sweep. Overrides lists what each argument did.
func Override(file string, src []byte, args []string) (*Spec, error) {
	if len(args) == 0 {
		return Parse(file, src)
	}
	doc, err := decode(file, src)
	if err != nil {
		return nil, err
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Parse(file, src) // the parser says what is wrong with it
	}
	o := overrider{file: file, root: root, from: map[*yaml.Node]string{}}
	seen := map[string]string{}
	for _, arg := range args {
		ov, err := o.parseArg(arg)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[ov.target()]; dup {
			return nil, o.argError(arg, ov.key, "sets %s, which the argument %q sets too", ov.target(), prev)
		}
		seen[ov.target()] = arg
		if err := o.apply(ov); err != nil {
			return nil, err
		}
	}
	doc.HeadComment = strings.TrimSpace(doc.HeadComment + "\n# with the overrides: " + strings.Join(args, " "))
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot write the overridden spec: %v", err)}
	}
	s, err := parseTree(file, out.Bytes(), doc, o.from)
	if err != nil {
		return nil, err
	}
	s.Overrides = o.changes
	s.overridden = map[string]string{}
	for _, c := range o.changes {
		if section, _, _ := strings.Cut(c.Path, "."); section == "params" || section == "grid" {
			s.overridden[c.Path[strings.LastIndex(c.Path, ".")+1:]] = c.Arg
		}
	}
	return s, nil
}

// override is one parsed argument.
type override struct {
	arg     string
	key     string // the parameter or top-level key (record keys as record.every)
	section string // "params" or "grid" when the argument forces one, else ""
	value   *yaml.Node
	axis    bool // value is a list or a generated axis
}

// target is what the override sets, for detecting two arguments that set the same thing.
func (ov override) target() string {
	if _, isParam := LookupParam(ov.key); isParam && (ov.section != "" || ov.axis || ov.key != "seed") {
		return "parameter " + ov.key
	}
	return ov.key
}

// overrider applies overrides to the node tree of a spec.
type overrider struct {
	file    string
	root    *yaml.Node
	from    map[*yaml.Node]string
	changes []Change
}

// argError is an *Error about an argument.
func (o *overrider) argError(arg, key, format string, args ...any) *Error {
	return &Error{File: o.file, Key: key, Msg: fmt.Sprintf("argument %q: ", arg) + fmt.Sprintf(format, args...)}
}

// topScalars are the keys outside params and grid that an override may set.
var topScalars = []string{"name", "seed", "chunk", "out", "record.every", "record.beta", "record.gamma_max"}

// generatorCall matches linspace(a,b,k), logspace(a,b,k) and range(k); callLike anything
// that starts as a call.
var (
	generatorCall = regexp.MustCompile(`^(linspace|logspace|range)\((.*)\)$`)
	callLike      = regexp.MustCompile(`^[A-Za-z_]+\s*\(`)
)

// parseArg reads key=value into an override with its value as YAML nodes.
func (o *overrider) parseArg(arg string) (override, error) {
	key, val, ok := strings.Cut(arg, "=")
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	if !ok || key == "" {
		return override{}, o.argError(arg, "", "an override is key=value (steps=20000, stepsize=logspace(0.01,1,5), optimizer=gd,sgd)")
	}
	ov := override{arg: arg, key: key}
	if section, rest, dotted := strings.Cut(key, "."); dotted && (section == "params" || section == "grid") {
		ov.section, ov.key = section, rest
	}
	_, isParam := LookupParam(ov.key)
	if !isParam && (ov.section != "" || !contains(topScalars, ov.key)) {
		candidates := ParamNames()
		if ov.section == "" {
			candidates = append(candidates, topScalars...)
		}
		msg := fmt.Sprintf("unknown key %q", ov.key)
		if s := suggest(ov.key, candidates); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else {
			msg += " (a parameter, or one of " + strings.Join(topScalars, ", ") + ")"
		}
		return override{}, o.argError(arg, key, "%s", msg)
	}
	if val == "" {
		return override{}, o.argError(arg, key, "no value after =")
	}
	var err error
	switch m := generatorCall.FindStringSubmatch(val); {
	case m != nil:
		ov.value, err = o.generatorNode(arg, key, m[1], m[2])
		ov.axis = true
	case callLike.MatchString(val):
		return override{}, o.argError(arg, key, "%q is not linspace(first,last,num), logspace(first,last,num) or range(num)", val)
	case strings.Contains(val, ","):
		ov.value, err = o.listNode(arg, key, val)
		ov.axis = true
	default:
		ov.value, err = o.scalarNode(arg, key, val)
	}
	if err != nil {
		return override{}, err
	}
	if (ov.axis || ov.section == "grid") && !isParam {
		return override{}, o.argError(arg, key, "%s takes a single value, not a list or an axis", ov.key)
	}
	if ov.axis && ov.section == "params" {
		return override{}, o.argError(arg, key, "params take a single value; give grid.%s=... or %s=... for an axis", ov.key, ov.key)
	}
	o.mark(ov.value, arg)
	return ov, nil
}

// scalarNode reads one YAML scalar (a number, a word, true, ...).
func (o *overrider) scalarNode(arg, key, text string) (*yaml.Node, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.ScalarNode {
		return nil, o.argError(arg, key, "%q is not a single value (a number or a word; quote it for the shell if it holds spaces)", text)
	}
	v := n.Content[0]
	v.Line, v.Column = 0, 0
	return v, nil
}

// listNode reads a,b,c into a flow list of scalars; a trailing comma ends a list of one.
func (o *overrider) listNode(arg, key, text string) (*yaml.Node, error) {
	items := strings.Split(strings.TrimSuffix(text, ","), ",")
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, it := range items {
		if strings.TrimSpace(it) == "" {
			return nil, o.argError(arg, key, "empty value in the list %q", text)
		}
		v, err := o.scalarNode(arg, key, strings.TrimSpace(it))
		if err != nil {
			return nil, err
		}
		list.Content = append(list.Content, v)
	}
	return list, nil
}

// generatorNode turns linspace(a,b,k) and logspace(a,b,k) into {linspace: [a, b], num: k},
// and range(k) into {range: k}; the parser checks the numbers.
func (o *overrider) generatorNode(arg, key, fn, inner string) (*yaml.Node, error) {
	parts := strings.Split(inner, ",")
	want := 3
	if fn == "range" {
		want = 1
	}
	if len(parts) != want || strings.TrimSpace(inner) == "" {
		form := fn + "(first,last,num)"
		if fn == "range" {
			form = "range(num): 0, 1, ..., num-1"
		}
		return nil, o.argError(arg, key, "%s takes %d arguments, got %q: write %s", fn, want, inner, form)
	}
	var vals []*yaml.Node
	for _, p := range parts {
		v, err := o.scalarNode(arg, key, strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
	word := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	if fn == "range" {
		m.Content = []*yaml.Node{word("range"), vals[0]}
		return m, nil
	}
	ends := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: vals[:2]}
	m.Content = []*yaml.Node{word(fn), ends, word("num"), vals[2]}
	return m, nil
}

// mark records that n and everything under it came from arg.
func (o *overrider) mark(n *yaml.Node, arg string) {
	o.from[n] = arg
	for _, c := range n.Content {
		o.mark(c, arg)
	}
}
