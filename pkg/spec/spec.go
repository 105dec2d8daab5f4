// Package spec reads the YAML sweep specification of DESIGN.md ("Contracts: Spec"): name,
// seed, fixed params, swept grid axes and recording options. Decoding is strict: an unknown
// key, a value of the wrong type or a malformed axis is an *Error naming file, line and key.
package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Setting is one fixed parameter from the params section.
type Setting struct {
	Name  string
	Value Value
	Line  int
}

// Axis is one dimension of the grid: a single parameter, or several that move together (zip).
// Values[k][j] is the value of Names[j] at position k of the axis.
type Axis struct {
	Names  []string
	Values [][]Value
	Line   int
}

// Len is the number of positions on the axis.
func (a Axis) Len() int { return len(a.Values) }

// Record says what a run records beyond its final metrics.
type Record struct {
	// Every > 0 records a trajectory row every Every steps (0: none).
	Every int
	// Beta adds beta itself to trajectory rows.
	Beta bool
	// GammaMax fills the gamma_max column, each point's largest converging stepsize
	// (dynamics.PointGammaMax), gamma_div, its largest non-diverging one (dynamics.PointGammaDiv),
	// and gamma_rel = stepsize/gamma_max: about 40 extra runs per distinct configuration.
	GammaMax bool
}

// Spec is a parsed, checked sweep specification.
type Spec struct {
	File   string // where it was read from, for messages
	Source []byte // the YAML as written; stored in the results' metadata
	Name   string
	Seed   uint64
	Fixed  []Setting // in the order written
	Grid   []Axis    // in the order written; the grid is their cartesian product
	Record Record
	// Chunk is the number of points per activity (0: sized from the cost of a point). It does
	// not change any result, so it is not part of the hash.
	Chunk int
	// Out is where the results go (the top-level key out: a directory, relative to the spec
	// file's directory, or an s3://, gs:// or file:// URL; "" leaves it to sweep run), and
	// OutLine the line that sets it. Where results are stored changes none of them, so it is
	// not part of the hash.
	Out     string
	OutLine int

	lines map[string]int // parameter name -> line where it is set
}

// MaxPoints bounds the size of a grid.
const MaxPoints = 100_000_000

// Count is the number of points: the product of the axis lengths (1 for an empty grid).
func (s *Spec) Count() int64 {
	n := int64(1)
	for _, a := range s.Grid {
		n *= int64(a.Len())
	}
	return n
}

// Columns lists the parameter columns of the results: the fixed params in written order, then
// the swept ones in axis order.
func (s *Spec) Columns() []string {
	var cols []string
	for _, f := range s.Fixed {
		cols = append(cols, f.Name)
	}
	for _, a := range s.Grid {
		cols = append(cols, a.Names...)
	}
	return cols
}

// Swept reports whether name is a grid parameter.
func (s *Spec) Swept(name string) bool {
	for _, a := range s.Grid {
		for _, n := range a.Names {
			if n == name {
				return true
			}
		}
	}
	return false
}

// Errorf makes an *Error about parameter key, located where the spec sets it (the params or
// grid entry), or at the top of the file when the spec leaves it to its default.
func (s *Spec) Errorf(key, format string, args ...any) *Error {
	path, msg := key, fmt.Sprintf(format, args...)
	if _, ok := s.lines[key]; ok {
		if s.Swept(key) {
			path = "grid." + key
		} else {
			path = "params." + key
		}
	} else if p, ok := LookupParam(key); ok && p.Default != nil {
		msg += fmt.Sprintf(" (%s is not in the spec: its default %s applies; set it under params or grid)", key, p.Default)
	}
	return &Error{File: s.File, Line: s.lines[key], Key: path, Msg: msg}
}

// Hash is a hex SHA-256 of the spec's meaning (name, seed, values, record), independent of
// layout and comments, so that resubmitting the same sweep finds the same workflow.
func (s *Spec) Hash() string {
	var b strings.Builder
	fmt.Fprintf(&b, "phasesweep-spec/1\nname=%q\nseed=%d\n", s.Name, s.Seed)
	fixed := append([]Setting(nil), s.Fixed...)
	sort.Slice(fixed, func(i, j int) bool { return fixed[i].Name < fixed[j].Name })
	for _, f := range fixed {
		fmt.Fprintf(&b, "param %s=%s\n", f.Name, f.Value.Canonical())
	}
	for _, a := range s.Grid {
		fmt.Fprintf(&b, "axis %s:", strings.Join(a.Names, ","))
		for _, row := range a.Values {
			for _, v := range row {
				b.WriteString(" " + v.Canonical())
			}
			b.WriteString(";")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "record every=%d beta=%t\n", s.Record.Every, s.Record.Beta)
	if s.Record.GammaMax { // written only when set, so that older specs keep their hash
		b.WriteString("record gamma_max\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Value returns the value of a fixed parameter, or its default; ok is false for a swept
// parameter or one without a default.
func (s *Spec) Value(name string) (Value, bool) {
	for _, f := range s.Fixed {
		if f.Name == name {
			return f.Value, true
		}
	}
	if s.Swept(name) {
		return Value{}, false
	}
	if p, ok := LookupParam(name); ok && p.Default != nil {
		return *p.Default, true
	}
	return Value{}, false
}
