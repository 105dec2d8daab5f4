// Package refine plans the levels of an adaptively refined sweep (docs/refine.md): from the
// results so far it flags the cells of the refined axes whose corners' outcomes differ, takes
// refine.halo rings of neighbouring cells with them, and lists the points the next level adds
// inside these cells, with their ids. It is pure: the plan is a
// function of the spec and the rows' outcomes, whatever the order of the rows.
package refine

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/suggest"
)

// Planner plans the levels of one refined spec.
type Planner struct {
	s      *spec.Spec
	r      *spec.Refine
	axes   []int     // grid axis of each refined axis, in the order of refine.axes
	scales []*scale  // the values of each refined axis at every position
	carry  []int     // the other grid axes, in grid order
	stride []int64   // the grid's strides (point index = sum position x stride)
	res    int64     // 2^levels: positions are integers in units of the finest cell
	count  int64     // points of the coarse grid
	combos int64     // combinations of the carried axes
	corner [][]int64 // offsets of a cell's corners in units of its size (2 or 4 of them)
}

// New makes the planner of s, which must have a refine section. It checks refine.on: status,
// or a numeric metric column of the results (the error names the file, line and key, with a
// "did you mean").
func New(s *spec.Spec) (*Planner, error) {
	r := s.Refine
	if r == nil {
		return nil, fmt.Errorf("spec %s has no refine section", s.File)
	}
	if err := checkOn(s); err != nil {
		return nil, err
	}
	p := &Planner{s: s, r: r, res: 1 << r.Levels, count: s.Count(), combos: 1}
	p.stride = make([]int64, len(s.Grid))
	st := int64(1)
	for a := len(s.Grid) - 1; a >= 0; a-- {
		p.stride[a] = st
		st *= int64(s.Grid[a].Len())
	}
	for _, name := range r.Axes {
		for a, ax := range s.Grid {
			if len(ax.Names) == 1 && ax.Names[0] == name {
				p.axes = append(p.axes, a)
				p.scales = append(p.scales, newScale(ax, p.res))
			}
		}
	}
	for a, ax := range s.Grid {
		if !slices.Contains(p.axes, a) {
			p.carry = append(p.carry, a)
			p.combos *= int64(ax.Len())
		}
	}
	p.corner = [][]int64{{0, 0}, {1, 0}}
	if len(p.axes) == 2 {
		p.corner = [][]int64{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
	}
	return p, nil
}

// checkOn checks that refine.on is status, divergence or a numeric metric column.
func checkOn(s *spec.Spec) error {
	on := s.Refine.On
	if spec.OnClass(on) {
		return nil
	}
	var names []string
	for _, f := range results.MetricFields() {
		if f.Kind == results.Float || f.Kind == results.Int {
			if f.Name == on {
				return nil
			}
			names = append(names, f.Name)
		}
	}
	msg := fmt.Sprintf("unknown column %q: on is status, divergence or a numeric metric", on)
	if near := closest(on, append(names, spec.OnStatus, spec.OnDivergence)); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	} else {
		msg += fmt.Sprintf(" (%s)", names)
	}
	return &spec.Error{File: s.File, Line: s.Refine.OnLine, Key: "refine.on", Msg: msg}
}

// Point is one point a level adds: the position of its refined coordinates (Vertex, in units
// of the finest cell, 2^levels per coarse cell) and the combination of the carried axes it
// takes (Carried, 0 .. combinations-1 in grid order).
type Point struct {
	ID      int64
	Vertex  [2]int64
	Carried int64
}

// Level is the plan of one refinement level: its points, ids First, First+1, ...
type Level struct {
	Level  int
	First  int64
	Points []Point
	// Flagged is the number of cells of the level before that differ at their corners, and
	// Halved the number of cells it halves: the flagged ones and their halo.
	Flagged, Halved int
	// Capped is set when the budget cut the level short (refinement stops after it).
	Capped bool
}

// Outcome is what a results row tells the planner: its point id, its status and the value of
// the refine.on metric (unused for on: status).
type Outcome struct {
	Point  int64
	Status string
	Value  float64
}

// cell is a cell of the refined axes: its lower corner and its size, in finest units.
type cell struct {
	lo   [2]int64
	size int64
}

// Plan returns level (1 .. refine.levels) of the refinement, planned from rows, which must
// hold the outcome of every point of the levels before it (any further rows are ignored;
// their order does not matter). The levels before are planned again on the way, so the plan
// of a level depends on the rows alone. A level after the one the budget capped, or after one
// that flagged no cell, is empty.
func (p *Planner) Plan(rows []Outcome, level int) (Level, error) {
	if level < 1 || level > p.r.Levels {
		return Level{}, fmt.Errorf("level %d is not among the refinement's levels 1..%d", level, p.r.Levels)
	}
	byPoint := make(map[int64]Outcome, len(rows))
	for _, o := range rows {
		byPoint[o.Point] = o
	}
	vertices := map[[2]int64][]int64{} // vertex -> its points' ids
	for id := range p.count {
		v := p.coarseVertex(id)
		vertices[v] = append(vertices[v], id)
	}
	active := p.coarseCells()
	used := p.count
	for l := 0; ; l++ {
		var flagged []cell
		for _, c := range active {
			f, err := p.flag(c, vertices, byPoint)
			if err != nil {
				return Level{}, fmt.Errorf("level %d: %w", l, err)
			}
			if f {
				flagged = append(flagged, c)
			}
		}
		halved := p.withHalo(flagged, p.res>>l)
		next := Level{Level: l + 1, First: used, Flagged: len(flagged), Halved: len(halved)}
		for i, v := range p.newVertices(halved, vertices) {
			for k := range p.combos {
				next.Points = append(next.Points, Point{ID: used + int64(i)*p.combos + k, Vertex: v, Carried: k})
			}
		}
		if left := p.r.Budget - used; int64(len(next.Points)) > left {
			next.Points, next.Capped = next.Points[:left], true
		}
		if next.Level == level {
			return next, nil
		}
		if next.Capped || len(next.Points) == 0 {
			return Level{Level: level, First: used + int64(len(next.Points))}, nil
		}
		for _, pt := range next.Points {
			vertices[pt.Vertex] = append(vertices[pt.Vertex], pt.ID)
		}
		used += int64(len(next.Points))
		active = halve(halved, len(p.axes))
	}
}

// coarseVertex is the vertex of coarse point id: its refined axes' positions, in finest units.
func (p *Planner) coarseVertex(id int64) [2]int64 {
	var v [2]int64
	for j, a := range p.axes {
		pos := id / p.stride[a] % int64(p.s.Grid[a].Len())
		v[j] = pos * p.res
	}
	return v
}

// coarseCells lists the cells between neighbouring values of the refined axes.
func (p *Planner) coarseCells() []cell {
	n0 := int64(p.s.Grid[p.axes[0]].Len() - 1)
	n1 := int64(1)
	if len(p.axes) == 2 {
		n1 = int64(p.s.Grid[p.axes[1]].Len() - 1)
	}
	var cells []cell
	for i := range n0 {
		for j := range n1 {
			c := cell{lo: [2]int64{i * p.res, 0}, size: p.res}
			if len(p.axes) == 2 {
				c.lo[1] = j * p.res
			}
			cells = append(cells, c)
		}
	}
	return cells
}

// flag reports whether the corners of c have different outcomes.
func (p *Planner) flag(c cell, vertices map[[2]int64][]int64, rows map[int64]Outcome) (bool, error) {
	aggs := make([]vertexOutcome, 0, len(p.corner))
	for _, off := range p.corner {
		v := [2]int64{c.lo[0] + off[0]*c.size, c.lo[1] + off[1]*c.size}
		ids := vertices[v]
		if len(ids) == 0 {
			return false, fmt.Errorf("no points at position %v", v)
		}
		o, err := aggregateVertex(ids, rows, p.r.On)
		if err != nil {
			return false, err
		}
		aggs = append(aggs, o)
	}
	if spec.OnClass(p.r.On) {
		return classesDiffer(aggs), nil
	}
	return jumps(aggs, p.r.Jump), nil
}

// withHalo is flagged, cells of size size, with the refine.halo rings of cells of the same size
// around each (those inside the grid), each once, in lexicographic order of their lower
// corners. A halo cell need not have been examined: it may lie inside a larger cell whose
// corners agreed.
func (p *Planner) withHalo(flagged []cell, size int64) []cell {
	h := int64(p.r.Halo)
	hy := h
	if len(p.axes) == 1 {
		hy = 0
	}
	var hi [2]int64 // the largest lower corner of a cell inside the grid
	for j, a := range p.axes {
		hi[j] = int64(p.s.Grid[a].Len()-1)*p.res - size
	}
	seen := map[[2]int64]bool{}
	var out []cell
	for _, c := range flagged {
		for dx := -h; dx <= h; dx++ {
			for dy := -hy; dy <= hy; dy++ {
				lo := [2]int64{c.lo[0] + dx*size, c.lo[1] + dy*size}
				if lo[0] < 0 || lo[1] < 0 || lo[0] > hi[0] || lo[1] > hi[1] || seen[lo] {
					continue
				}
				seen[lo] = true
				out = append(out, cell{lo: lo, size: size})
			}
		}
	}
	slices.SortFunc(out, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.lo[0], b.lo[0]), cmp.Compare(a.lo[1], b.lo[1]))
	})
	return out
}

// newVertices lists the vertices that halving cells adds: every vertex of the halved cells
// (3 along one axis, 3 x 3 in two) that does not exist already, each once, in lexicographic
// order of the positions. For a cell that was examined these are its edge midpoints and, in
// two axes, its centre; a halo cell inside a larger cell adds its corners too.
func (p *Planner) newVertices(cells []cell, existing map[[2]int64][]int64) [][2]int64 {
	seen := map[[2]int64]bool{}
	var out [][2]int64
	ny := int64(2)
	if len(p.axes) == 1 {
		ny = 0
	}
	for _, c := range cells {
		h := c.size / 2
		for i := range int64(3) {
			for j := int64(0); j <= ny; j++ {
				v := [2]int64{c.lo[0] + i*h, c.lo[1] + j*h}
				if _, ok := existing[v]; !ok && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]int64) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	return out
}

// halve splits each cell into its 2 (one axis) or 4 (two axes) halves.
func halve(cells []cell, axes int) []cell {
	var out []cell
	for _, c := range cells {
		h := c.size / 2
		for _, off := range [][2]int64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
			if axes == 1 && off[1] == 1 {
				continue
			}
			out = append(out, cell{lo: [2]int64{c.lo[0] + off[0]*h, c.lo[1] + off[1]*h}, size: h})
		}
	}
	return out
}

// Base is the coarse point whose carried axes take combination k (and whose refined axes
// their first value): a refined point's parameters are Base's with the refined axes' values
// replaced (Values).
func (p *Planner) Base(k int64) int64 {
	var id int64
	for i := len(p.carry) - 1; i >= 0; i-- {
		a := p.carry[i]
		n := int64(p.s.Grid[a].Len())
		id += (k % n) * p.stride[a]
		k /= n
	}
	return id
}

// Values are the values of the refined axes, in the order of refine.axes, at vertex v.
func (p *Planner) Values(v [2]int64) []float64 {
	out := make([]float64, len(p.axes))
	for j, sc := range p.scales {
		out[j] = sc.at(v[j])
	}
	return out
}

// Axes names the refined axes, in the order of refine.axes.
func (p *Planner) Axes() []string { return p.r.Axes }

// closest is the candidate nearest to word, or "" when none is a plausible misspelling.
func closest(word string, candidates []string) string {
	if near := suggest.Closest(word, candidates); len(near) > 0 {
		return near[0]
	}
	return ""
}
