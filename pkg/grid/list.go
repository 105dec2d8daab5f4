package grid

import (
	"slices"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// WithPoints is a grid of g's spec whose points are listed instead of the cartesian product
// of its axes: point first+k (0 <= k < len(vals)) has the column values vals[k] (in the order
// of Columns), its configuration and seeds derived from them as for any point, so that a
// point has the seeds and results of every grid point with the same values. The levels of a
// refined sweep (pkg/refine) run their points so. Count is len(vals), and the points are
// first .. first+Count()-1.
func (g *Grid) WithPoints(first int64, vals [][]spec.Value) *Grid {
	return &Grid{spec: g.spec, columns: g.columns, fixed: g.fixed, strides: g.strides, count: int64(len(vals)),
		specHash: g.specHash, list: vals, first: first}
}

// First is the index of the grid's first point: 0, or the first id of a WithPoints grid.
func (g *Grid) First() int64 { return g.first }

// Values are the column values of point i (in the order of Columns).
func (g *Grid) Values(i int64) []spec.Value { return g.values(i) }

// listed is the values of point i of a WithPoints grid.
func (g *Grid) listed(i int64) []spec.Value { return slices.Clone(g.list[i-g.first]) }
