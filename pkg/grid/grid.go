// Package grid expands a spec into points: their deterministic order and index, the parameter
// values and run configuration of each, the per-point seeds, and chunks of points for workers.
package grid

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// Grid is the cartesian product of a spec's axes, in the order they are written: the first
// axis varies slowest, the last fastest (as nested loops, or itertools.product).
type Grid struct {
	spec    *spec.Spec
	columns []string
	fixed   []spec.Value // values of the fixed columns
	strides []int64      // strides[a] = product of the lengths of the axes after a
	count   int64
	data    dataCache // datasets read for the data parameter (data.go)
	// specHash is the spec's hash, computed on first use (SpecHash).
	specHash func() string
	// list holds the points of a grid made by WithPoints (nil: the cartesian product), the
	// first of them numbered first.
	list  [][]spec.Value
	first int64
}

// Point is one cell of the grid.
type Point struct {
	// Index is the 0-based position in grid order (the results' point column).
	Index int64
	// Values holds the value of each of Grid.Columns().
	Values []spec.Value
	// Config is the run this point describes, with defaults filled in and seeds derived.
	Config dynamics.Config
}

// New builds the grid of s. It does not check the points; see Validate.
func New(s *spec.Spec) *Grid {
	g := &Grid{spec: s, columns: s.Columns(), count: s.Count(), specHash: sync.OnceValue(s.Hash)}
	for _, f := range s.Fixed {
		g.fixed = append(g.fixed, f.Value)
	}
	g.strides = make([]int64, len(s.Grid))
	stride := int64(1)
	for a := len(s.Grid) - 1; a >= 0; a-- {
		g.strides[a] = stride
		stride *= int64(s.Grid[a].Len())
	}
	return g
}

// pointError turns a dynamics validation error into a spec error located at the parameter of
// its first *dynamics.ParamError (dynamics names parameters as the spec does). The message is
// the ParamError's without the parameter's name ("must be > 0, got -1"); a bound on a product
// (n*d, test*d) is located at its first factor (ParamError.Param) and keeps its subject in the
// message. An error that is not a ParamError is reported whole, at no key.
func (g *Grid) pointError(p Point, err error) error {
	first := err
	if joined, ok := err.(interface{ Unwrap() []error }); ok && len(joined.Unwrap()) > 0 {
		first = joined.Unwrap()[0]
	}
	key, msg := "", first.Error()
	var pe *dynamics.ParamError
	if errors.As(first, &pe) {
		key, msg = pe.Param, pe.Msg
		if pe.Subject != "" {
			msg = pe.Subject + " " + pe.Msg
		}
	}
	where := ""
	if g.count > 1 {
		where = fmt.Sprintf(" (at point %d: %s)", p.Index, g.Describe(p))
	}
	return g.spec.Errorf(key, "%s%s", msg, where)
}

// Count is the number of points.
func (g *Grid) Count() int64 { return g.count }

// Columns names the parameter columns of every point (fixed ones, then swept ones).
func (g *Grid) Columns() []string { return g.columns }

// Spec is the spec the grid was built from.
func (g *Grid) Spec() *spec.Spec { return g.spec }

// Point returns the point at index i (0 <= i < Count()).
func (g *Grid) Point(i int64) Point {
	vals := g.values(i)
	return Point{Index: i, Values: vals, Config: g.config(vals)}
}

// values returns the value of each column at point i.
func (g *Grid) values(i int64) []spec.Value {
	if g.list != nil {
		return g.listed(i)
	}
	vals := make([]spec.Value, 0, len(g.columns))
	vals = append(vals, g.fixed...)
	rest := i
	for a, ax := range g.spec.Grid {
		pos := int(rest / g.strides[a])
		rest %= g.strides[a]
		for j := range ax.Names {
			vals = append(vals, ax.At(pos, j))
		}
	}
	return vals
}

// Describe formats the swept values of p as "stepsize=0.1 optimizer=sgd".
func (g *Grid) Describe(p Point) string {
	var parts []string
	for j := len(g.fixed); j < len(g.columns); j++ {
		parts = append(parts, g.columns[j]+"="+p.Values[j].String())
	}
	return strings.Join(parts, " ")
}

// config resolves the value of every parameter (given or default) into a run configuration,
// with its seeds.
func (g *Grid) config(vals []spec.Value) dynamics.Config {
	c, all := g.resolve(vals)
	c.DataSeed, c.RunSeed = Seeds(g.spec.Seed, g.withData(&c, all))
	return c
}

// configNoSeeds is config without the seeds (both 0), for validation.
func (g *Grid) configNoSeeds(vals []spec.Value) dynamics.Config {
	c, all := g.resolve(vals)
	g.withData(&c, all)
	return c
}

// resolve builds the configuration of the column values vals, seeds not set, and the map of
// every parameter's value (given or default) that the seeds hash.
func (g *Grid) resolve(vals []spec.Value) (dynamics.Config, map[string]spec.Value) {
	all := make(map[string]spec.Value, len(spec.Params))
	for _, prm := range spec.Params {
		if prm.Default != nil {
			all[prm.Name] = *prm.Default
		}
	}
	for j, name := range g.columns {
		all[name] = vals[j]
	}
	num := func(k string) float64 { return all[k].Num() }
	integer := func(k string) int { return int(all[k].Int) }
	// optional (momentum, noise, rho): dynamics.Unset when not given; depth, order: 0.
	optional := func(k string) float64 {
		if v, ok := all[k]; ok {
			return v.Num()
		}
		return dynamics.Unset
	}
	c := dynamics.Config{
		Model:      all["model"].Str,
		Optimizer:  all["optimizer"].Str,
		Stepsize:   num("stepsize"),
		Batch:      integer("batch"),
		Init:       num("init"),
		Momentum:   optional("momentum"),
		Noise:      optional("noise"),
		Rho:        optional("rho"),
		Depth:      integer("depth"),
		Order:      integer("order"),
		N:          integer("n"),
		D:          integer("d"),
		Sparsity:   integer("sparsity"),
		XMean:      num("x_mean"),
		LabelNoise: num("label_noise"),
		XNorm:      all["x_norm"].Str,
		BetaStar:   all["beta_star"].Str,
		Test:       integer("test"),
		Steps:      integer("steps"),
		StopLoss:   num("stop_loss"),
		// multi-task (Lippl2024): k_aux, k_main, n_aux 0 and pretrain_init Unset when not given
		KAux:         integer("k_aux"),
		KMain:        integer("k_main"),
		Overlap:      integer("overlap"),
		NAux:         integer("n_aux"),
		PretrainInit: optional("pretrain_init"),
		Rescale:      num("rescale"),
	}
	return c, all
}
