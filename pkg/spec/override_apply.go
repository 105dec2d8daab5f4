package spec

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// apply puts one override into the node tree, by the rules of Override.
func (o *overrider) apply(ov override) error {
	if _, isParam := LookupParam(ov.key); !isParam || (ov.key == "seed" && ov.section == "" && !ov.axis) {
		return o.setTop(ov)
	}
	params, grid := o.lookup(o.root, "params"), o.lookup(o.root, "grid")
	inParams, inGrid := entryOf(params, ov.key), entryOf(grid, ov.key)
	zip, inZip := o.zipMember(grid, ov.key)
	switch {
	case ov.section == "params":
		if inZip >= 0 {
			return o.argError(ov.arg, ov.key, "%s is zipped with %s: it cannot leave its zip for params (give it a zip's worth of values instead)",
				ov.key, strings.Join(keysOf(zip, ov.key), ", "))
		}
		was := ""
		if inGrid >= 0 {
			was = flowText(grid.Content[inGrid+1])
			grid.Content = append(grid.Content[:inGrid], grid.Content[inGrid+2:]...)
		}
		o.set(o.section("params"), ov, "params."+ov.key, was)
	case ov.section == "grid" || ov.axis || inGrid >= 0 || inZip >= 0:
		value := ov.value
		if !ov.axis { // a single value of a swept parameter: the axis [v]
			value = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{ov.value}}
			o.mark(value, ov.arg)
		}
		ov.value = value
		switch {
		case inZip >= 0:
			o.set(zip, ov, "grid.zip."+ov.key, "")
		default:
			was := ""
			if inParams >= 0 {
				was = flowText(params.Content[inParams+1])
				params.Content = append(params.Content[:inParams], params.Content[inParams+2:]...)
			}
			o.set(o.section("grid"), ov, "grid."+ov.key, was)
		}
	default:
		o.set(o.section("params"), ov, "params."+ov.key, "")
	}
	return nil
}

// setTop sets a key outside params and grid (name, seed, chunk, out, record.*).
func (o *overrider) setTop(ov override) error {
	m, path := o.root, ov.key
	if sub, rest, ok := strings.Cut(ov.key, "."); ok {
		m, ov.key = o.section(sub), rest
	}
	o.set(m, ov, path, "")
	return nil
}

// set gives key ov.key of mapping m the value ov.value, replacing its value if it has one
// (was, unless given, is that value) and appending the key otherwise, and records the change.
func (o *overrider) set(m *yaml.Node, ov override, path, was string) {
	if i := entryOf(m, ov.key); i >= 0 {
		if was == "" {
			was = flowText(m.Content[i+1])
		}
		m.Content[i+1] = ov.value
	} else {
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ov.key}
		o.mark(k, ov.arg)
		m.Content = append(m.Content, k, ov.value)
	}
	o.changes = append(o.changes, Change{Arg: ov.arg, Path: path, Was: was})
}

// lookup returns the value of key in mapping m, nil if m is not a mapping or lacks it.
func (o *overrider) lookup(m *yaml.Node, key string) *yaml.Node {
	if i := entryOf(m, key); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

// section returns the mapping under the top-level key name (params, grid, record), creating
// it, or replacing an empty one (params: with nothing after it), as needed.
func (o *overrider) section(name string) *yaml.Node {
	if v := o.lookup(o.root, name); v != nil && v.Kind == yaml.MappingNode {
		return v
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if i := entryOf(o.root, name); i >= 0 {
		o.root.Content[i+1] = m
	} else {
		o.root.Content = append(o.root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, m)
	}
	return m
}

// zipMember finds key among the members of the grid's zips: the zip mapping and the index of
// the key in it, or -1.
func (o *overrider) zipMember(grid *yaml.Node, key string) (*yaml.Node, int) {
	z := o.lookup(grid, "zip")
	if z == nil {
		return nil, -1
	}
	groups := []*yaml.Node{z}
	if z.Kind == yaml.SequenceNode {
		groups = z.Content
	}
	for _, g := range groups {
		if i := entryOf(g, key); i >= 0 {
			return g, i
		}
	}
	return nil, -1
}

// entryOf is the index in m.Content of key's key node, -1 if m is not a mapping or lacks it.
func entryOf(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// keysOf lists the keys of mapping m other than except.
func keysOf(m *yaml.Node, except string) []string {
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i].Value; k != except {
			out = append(out, k)
		}
	}
	return out
}

// flowText writes a value node on one line, in YAML flow style ({logspace: [0.005, 0.8], num: 12}).
func flowText(n *yaml.Node) string {
	c := *n
	c.Style |= yaml.FlowStyle
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	out, err := yaml.Marshal(&c)
	if err != nil {
		return n.Value
	}
	return strings.TrimSpace(string(out))
}
