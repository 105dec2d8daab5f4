package spec

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// topKeys are the keys allowed at the top level of a spec.
var topKeys = []string{"name", "seed", "params", "grid", "record", "chunk", "out", "refine"}

// outSchemes are the URL schemes an out location may have (pkg/store opens them).
var outSchemes = []string{"file", "s3", "gs"}

// recordKeys are the keys allowed under record.
var recordKeys = []string{"every", "beta", "gamma_max"}

// axisKeys are the keys of a generated axis ({linspace: [a, b], num: k}, ...).
var axisKeys = []string{"linspace", "logspace", "num", "range"}

// validName is what a sweep name may contain: it becomes a directory and a workflow id.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Load reads and checks the spec in file.
func Load(file string) (*Spec, error) { return LoadWithOverrides(file, nil) }

// MaxBytes bounds a spec's size. The spec is stored once per sweep and activities read it
// there, so its size costs nothing per chunk; the bound keeps the sweep's own workflow input,
// which carries it, far below Temporal's 2 MB payload limit. Long lists of values are
// written as linspace / logspace / range axes, data as a data: file.
const MaxBytes = 1 << 20

// Parse checks the YAML in src; file names it in errors.
func Parse(file string, src []byte) (*Spec, error) {
	doc, err := decode(file, src)
	if err != nil {
		return nil, err
	}
	return parseTree(file, src, doc, nil)
}

// decode reads src into a YAML node tree; a spec over MaxBytes is refused before it is read.
func decode(file string, src []byte) (*yaml.Node, error) {
	if len(src) > MaxBytes {
		return nil, &Error{File: file, Msg: fmt.Sprintf("spec is %.1f MB, over the limit of %d KiB: write long lists of values as linspace / logspace / range axes, and data as a data: file",
			float64(len(src))/1e6, MaxBytes>>10)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		p := parser{file: file}
		return nil, p.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Msg: "spec is empty"}
	}
	return &doc, nil
}

// parseTree checks the spec in the node tree doc, decoded from src (or from src and then
// changed by Override: from names the argument each node it added came from).
func parseTree(file string, src []byte, doc *yaml.Node, from map[*yaml.Node]string) (*Spec, error) {
	s := &Spec{File: file, Source: src, lines: map[string]int{}}
	p := parser{file: file, spec: s, from: from}
	if err := p.top(doc.Content[0]); err != nil {
		return nil, err
	}
	return s, nil
}

// parser walks the YAML node tree; its errors carry file, line and key path.
type parser struct {
	file  string
	spec  *Spec
	later []func() error        // checks run once the grid's size is known (checkLater)
	from  map[*yaml.Node]string // nodes added by an override: the argument that set them
}

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) *Error {
	line, msg := 0, fmt.Sprintf(format, args...)
	if n != nil {
		line = n.Line
	}
	if arg, ok := p.from[n]; ok { // not in the file: name the argument instead of a line
		line, msg = 0, fmt.Sprintf("%s (set by the argument %q)", msg, arg)
	}
	return &Error{File: p.file, Line: line, Key: key, Msg: msg}
}

// yamlLine matches the line number in yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) yamlError(err error) *Error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: p.file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: p.file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// mapping checks that n is a mapping whose keys are unique and among allowed (when allowed is
// not nil), and returns its key and value nodes in order.
func (p *parser) mapping(n *yaml.Node, path string, allowed []string) ([][2]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, path, "must be a mapping of key: value, got %s", describe(n))
	}
	seen := map[string]bool{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		full := join(path, key)
		if k.Kind != yaml.ScalarNode {
			return nil, p.errorf(k, path, "keys must be plain words")
		}
		if seen[key] {
			return nil, p.errorf(k, full, "key is given twice")
		}
		seen[key] = true
		if allowed != nil && !contains(allowed, key) {
			return nil, p.unknownKey(k, path, key, allowed)
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out, nil
}

func (p *parser) unknownKey(k *yaml.Node, path, key string, allowed []string) *Error {
	msg := fmt.Sprintf("unknown key %q", key)
	if s := suggest(key, allowed); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else {
		msg += fmt.Sprintf(" (valid keys: %s)", strings.Join(allowed, ", "))
	}
	return p.errorf(k, join(path, key), "%s", msg)
}

func (p *parser) top(root *yaml.Node) error {
	entries, err := p.mapping(root, "", topKeys)
	if err != nil {
		return err
	}
	s := p.spec
	var gridNode *yaml.Node
	var refineEntry [2]*yaml.Node
	for _, e := range entries {
		k, v := e[0], e[1]
		switch k.Value {
		case "name":
			if v.Kind != yaml.ScalarNode || !validName.MatchString(v.Value) {
				return p.errorf(v, "name", "must be a word of letters, digits, '_', '-' or '.', got %s", describe(v))
			}
			s.Name = v.Value
		case "chunk":
			val, err := p.scalar(v, "chunk", Int)
			if err != nil {
				return err
			}
			if val.Int < 1 || val.Int > MaxPoints {
				return p.errorf(v, "chunk", "must be between 1 and %d points per activity, got %d", MaxPoints, val.Int)
			}
			s.Chunk = int(val.Int)
		case "out":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || strings.TrimSpace(v.Value) == "" {
				return p.errorf(v, "out", "must be a directory or a URL (s3://bucket/prefix, gs://bucket/prefix, file:///abs/path), got %s", describe(v))
			}
			if scheme, _, ok := strings.Cut(v.Value, "://"); ok && !contains(outSchemes, scheme) {
				return p.errorf(v, "out", "unsupported URL scheme %q (want %s, or a directory)", scheme, strings.Join(outSchemes, ", "))
			}
			s.Out, s.OutLine = v.Value, v.Line
		case "seed":
			val, err := p.scalar(v, "seed", Int)
			if err != nil {
				return err
			}
			if val.Int < 0 {
				return p.errorf(v, "seed", "must be >= 0, got %d", val.Int)
			}
			s.Seed = uint64(val.Int)
		case "params":
			if err := p.params(v); err != nil {
				return err
			}
		case "grid":
			gridNode = v
		case "refine":
			refineEntry = e // after the grid, whose axes it names
		case "record":
			if err := p.record(v); err != nil {
				return err
			}
		}
	}
	if s.Name == "" {
		return &Error{File: p.file, Line: root.Line, Key: "name", Msg: "missing: every spec needs a name (it names the output directory)"}
	}
	if gridNode != nil {
		if err := p.grid(gridNode); err != nil {
			return err
		}
	}
	if refineEntry[1] != nil {
		if err := p.refine(refineEntry[1], refineEntry[0]); err != nil {
			return err
		}
	}
	for _, prm := range Params {
		if prm.Required() {
			if _, set := s.lines[prm.Name]; !set {
				return &Error{File: p.file, Line: root.Line, Key: prm.Name, Msg: "missing: set it under params or grid (" + prm.Doc + ")"}
			}
		}
	}
	return nil
}

func (p *parser) params(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	entries, err := p.mapping(n, "params", ParamNames())
	if err != nil {
		return err
	}
	for _, e := range entries {
		k, v := e[0], e[1]
		prm, _ := LookupParam(k.Value)
		val, err := p.scalar(v, "params."+k.Value, prm.Kind)
		if err != nil {
			return err
		}
		p.spec.Fixed = append(p.spec.Fixed, Setting{Name: k.Value, Value: val, Line: k.Line})
		p.spec.lines[k.Value] = k.Line
	}
	return nil
}

func (p *parser) record(n *yaml.Node) error {
	entries, err := p.mapping(n, "record", recordKeys)
	if err != nil {
		return err
	}
	for _, e := range entries {
		k, v := e[0], e[1]
		switch k.Value {
		case "every":
			val, err := p.scalar(v, "record.every", Int)
			if err != nil {
				return err
			}
			if val.Int < 0 {
				return p.errorf(v, "record.every", "must be >= 0 (0 records no trajectory), got %d", val.Int)
			}
			p.spec.Record.Every = int(val.Int)
		case "gamma_max":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				return p.errorf(v, "record.gamma_max", "must be true or false, got %s", describe(v))
			}
			p.spec.Record.GammaMax = v.Value == "true"
		case "beta":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				return p.errorf(v, "record.beta", "must be true or false, got %s", describe(v))
			}
			p.spec.Record.Beta = v.Value == "true"
		}
	}
	return nil
}

// scalar decodes a scalar node as a value of kind; integral floats (1e5) count as integers
// and integers as floats.
func (p *parser) scalar(n *yaml.Node, path string, kind Kind) (Value, error) {
	if n.Kind != yaml.ScalarNode {
		return Value{}, p.errorf(n, path, "must be a single %s, got %s", kind, describe(n))
	}
	switch kind {
	case String:
		if n.Tag != "!!str" {
			return Value{}, p.errorf(n, path, "must be a word such as gd, got %s", describe(n))
		}
		return StringValue(n.Value), nil
	case Int:
		switch n.Tag {
		case "!!int":
			i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil {
				return Value{}, p.errorf(n, path, "integer %q out of range", n.Value)
			}
			return IntValue(i), nil
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return IntValue(int64(f)), nil
			}
		}
		return Value{}, p.errorf(n, path, "must be an integer, got %s", describe(n))
	default:
		if n.Tag == "!!int" || n.Tag == "!!float" {
			f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err != nil {
				var v float64
				if n.Decode(&v) == nil {
					return FloatValue(v), nil
				}
				return Value{}, p.errorf(n, path, "cannot read %q as a number", n.Value)
			}
			return FloatValue(f), nil
		}
		return Value{}, p.errorf(n, path, "must be a number, got %s", describe(n))
	}
}

// describe names what a node holds, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!null":
			return "nothing"
		default:
			return fmt.Sprintf("%s (%s)", n.Value, strings.TrimPrefix(n.Tag, "!!"))
		}
	default:
		return "an alias"
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
