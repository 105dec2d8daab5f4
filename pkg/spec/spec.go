// Package spec reads the YAML sweep specification of docs/design.md ("Contracts: Spec"): name,
// seed, fixed params, swept grid axes and recording options. Decoding is strict: an unknown
// key, a value of the wrong type or a malformed axis is an *Error naming file, line and key.
package spec

import (
	"bufio"
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
// At(k, j) is the value of Names[j] at position k of the axis. A written list is held as the
// YAML gave it; a linspace, logspace or range axis is generated, each value computed when
// asked for, so that an axis costs memory independent of its length.
type Axis struct {
	Names []string
	Line  int
	cols  []column // one per name
}

// Len is the number of positions on the axis.
func (a Axis) Len() int { return a.cols[0].len() }

// At is the value of Names[j] at position k (0 <= k < Len()).
func (a Axis) At(k, j int) Value { return a.cols[j].at(k) }

// Row is the values of all Names at position k, in order.
func (a Axis) Row(k int) []Value {
	row := make([]Value, len(a.cols))
	for j, c := range a.cols {
		row[j] = c.at(k)
	}
	return row
}

// Generated describes how Names[j] is generated, as an override would write it
// ("logspace(0.01,1,5)", "linspace(0,1,3)", "range(4)"), or is "" for a written list.
func (a Axis) Generated(j int) string {
	if a.cols[j].list != nil {
		return ""
	}
	return a.cols[j].gen.String()
}

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
	// Refine is the refine section (docs/refine.md), nil when the spec has none.
	Refine *Refine
	// Chunk is the number of points per activity (0: sized from the cost of a point). It does
	// not change any result, so it is not part of the hash.
	Chunk int
	// Out is where the results go (the top-level key out: a directory, relative to the spec
	// file's directory, or an s3://, gs:// or file:// URL; "" leaves it to sweep run), and
	// OutLine the line that sets it. Where results are stored changes none of them, so it is
	// not part of the hash.
	Out     string
	OutLine int
	// Overrides lists what the command-line overrides it was loaded with did (Override), in
	// the order given; Source already holds them, so a spec parsed from it has none.
	Overrides []Change

	lines      map[string]int    // parameter name -> line where it is set
	overridden map[string]string // parameter name -> the override argument that set it
}

// MaxPoints bounds the number of points of a grid (the product of its axis lengths), and with
// it the length of any one axis and the chunk size. A spec over it is refused while it is
// parsed, from the axis lengths alone, in well under a millisecond whatever the lengths.
// Parsing and validating a grid at the limit and computing any of its points take memory
// independent of the axis lengths (generated axes are computed on demand, about 4 KB per
// point computed); running a sweep that large does not: docs/limits.md gives the measured
// costs and what a 10^8-point sweep needs (its merge alone sorts 24 bytes per row: 2.4 GB).
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
	if arg, ok := s.overridden[key]; ok {
		msg += fmt.Sprintf(" (set by the argument %q)", arg)
	}
	return &Error{File: s.File, Line: s.lines[key], Key: path, Msg: msg}
}

// Hash is a hex SHA-256 of the spec's meaning (name, seed, values, record), independent of
// layout and comments, so that resubmitting the same sweep finds the same workflow. The text
// hashed is streamed: an axis of MaxPoints values is hashed in constant memory (in seconds).
func (s *Spec) Hash() string {
	h := sha256.New()
	w := bufio.NewWriterSize(h, 1<<16)
	fmt.Fprintf(w, "phasesweep-spec/1\nname=%q\nseed=%d\n", s.Name, s.Seed)
	fixed := append([]Setting(nil), s.Fixed...)
	sort.Slice(fixed, func(i, j int) bool { return fixed[i].Name < fixed[j].Name })
	for _, f := range fixed {
		fmt.Fprintf(w, "param %s=%s\n", f.Name, f.Value.Canonical())
	}
	buf := make([]byte, 0, 1<<16)
	for _, a := range s.Grid {
		fmt.Fprintf(w, "axis %s:", strings.Join(a.Names, ","))
		for k := range a.Len() {
			for _, c := range a.cols {
				buf = c.at(k).appendCanonical(append(buf, ' '))
			}
			if buf = append(buf, ';'); len(buf) > cap(buf)-256 {
				w.Write(buf)
				buf = buf[:0]
			}
		}
		w.Write(append(buf, '\n'))
		buf = buf[:0]
	}
	fmt.Fprintf(w, "record every=%d beta=%t\n", s.Record.Every, s.Record.Beta)
	if s.Record.GammaMax { // written only when set, so that older specs keep their hash
		w.WriteString("record gamma_max\n")
	}
	if s.Refine != nil { // likewise: a refined sweep runs other points than its coarse grid
		fmt.Fprintf(w, "refine %s\n", s.Refine.JSON())
	}
	w.Flush() // a hash.Hash never fails to write
	return hex.EncodeToString(h.Sum(nil))
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
