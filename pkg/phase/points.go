package phase

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// firstMetric is the first metric column of a sweep's results: the parameter columns sit
// between point and it (results.SweepFields).
const firstMetric = "train_loss"

// Points is the parameter values of a sweep's points, the table a trajectory table is joined
// with by point: Params holds point and one column per parameter, Results the whole results
// table when it was read (nil otherwise: saddle predictions and statuses need it).
type Points struct {
	Params  *results.Table
	Results *results.Table
	Source  string // where the values come from, for notes
}

// LoadPoints finds the parameter values of the points of the trajectory table traj read from
// path: from results.parquet in the same directory when it exists and comes from the same spec
// (same spec hash), else from the spec in traj's metadata expanded by pkg/grid (the point
// column is the grid index), else only the point numbers.
func LoadPoints(path string, traj *results.Table) (*Points, error) {
	rp := filepath.Join(filepath.Dir(path), "results.parquet")
	if _, err := os.Stat(rp); err == nil {
		rt, err := results.ReadFile(rp)
		if err != nil {
			return nil, err
		}
		h, ok := traj.Meta[results.MetaSpecHash]
		if !ok || rt.Meta[results.MetaSpecHash] == h {
			return &Points{Params: paramsOf(rt), Results: rt, Source: rp}, nil
		}
	}
	if src, ok := traj.Meta[results.MetaSpec]; ok {
		s, err := spec.Parse(path+" (metadata)", []byte(src))
		if err != nil {
			return nil, fmt.Errorf("spec in the metadata of %s: %w", path, err)
		}
		g := grid.New(s)
		cols := g.Columns()
		pt := &results.Table{Fields: results.SweepFields(cols)[:1+len(cols)], Meta: traj.Meta}
		for _, p := range trajPoints(traj) {
			if p < 0 || p >= g.Count() {
				return nil, fmt.Errorf("%s: point %d is not in its spec's grid of %d points", path, p, g.Count())
			}
			row := []results.Value{{I: p}}
			for _, v := range g.Point(p).Values {
				row = append(row, results.Value{I: v.Int, F: v.Float, S: v.Str})
			}
			pt.Rows = append(pt.Rows, row)
		}
		return &Points{Params: pt, Source: "the spec in " + path}, nil
	}
	pt := &results.Table{Fields: []results.Field{{Name: results.PointColumn, Kind: results.Int}}, Meta: traj.Meta}
	for _, p := range trajPoints(traj) {
		pt.Rows = append(pt.Rows, []results.Value{{I: p}})
	}
	return &Points{Params: pt, Source: "point numbers only"}, nil
}

// paramsOf is the point and parameter columns of a results table (those before train_loss).
func paramsOf(rt *results.Table) *results.Table {
	n := slices.IndexFunc(rt.Fields, func(f results.Field) bool { return f.Name == firstMetric })
	if n < 0 {
		n = len(rt.Fields)
	}
	pt := &results.Table{Fields: rt.Fields[:n], Meta: rt.Meta}
	for _, r := range rt.Rows {
		pt.Rows = append(pt.Rows, r[:n])
	}
	return pt
}

// trajPoints lists the distinct points of a trajectory table, ascending.
func trajPoints(traj *results.Table) []int64 {
	var ps []int64
	for _, r := range traj.Rows {
		ps = append(ps, r[0].I)
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// Labels names each row of params (a Points.Params table) by the parameter values that
// differ between its rows, in column order, as "init=1e-06 optimizer=gd"; shared is the
// values common to all rows among the swept columns (all columns when the spec is unknown),
// for a title. A single row is labelled by its swept values. Numbers are in full precision
// (what --where takes); Compact shortens them for a legend.
func Labels(params *results.Table) (labels []string, shared string) {
	tb := newTable(params)
	swept := sweptColumns(params)
	var differ []int
	var common []string
	for j := 1; j < len(params.Fields); j++ {
		name := params.Fields[j].Name
		if len(params.Rows) > 1 && len(tb.values(j)) > 1 {
			differ = append(differ, j)
		} else if len(params.Rows) > 0 && (swept == nil || slices.Contains(swept, name)) {
			common = append(common, name+"="+tb.str(0, j))
		}
	}
	if len(params.Rows) == 1 || len(differ) == 0 {
		differ = nil
		for j := 1; j < len(params.Fields); j++ {
			if swept == nil || slices.Contains(swept, params.Fields[j].Name) {
				differ = append(differ, j)
			}
		}
		common = nil
	}
	for k := range params.Rows {
		var parts []string
		for _, j := range differ {
			parts = append(parts, params.Fields[j].Name+"="+tb.str(k, j))
		}
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("point=%d", params.Rows[k][0].I))
		}
		labels = append(labels, strings.Join(parts, " "))
	}
	return labels, strings.Join(common, " ")
}

// Compact shortens the numbers in a label ("stepsize=0.031622776601683794 optimizer=gd" ->
// "stepsize=0.03162 optimizer=gd"): four significant digits, for legends and titles.
func Compact(label string) string {
	words := strings.Fields(label)
	for i, w := range words {
		name, val, ok := strings.Cut(w, "=")
		if !ok {
			name, val = "", w
		}
		if f, err := strconv.ParseFloat(val, 64); err == nil && strings.ContainsAny(val, ".eE") {
			val = strconv.FormatFloat(f, 'g', 4, 64)
		}
		if ok {
			val = name + "=" + val
		}
		words[i] = val
	}
	return strings.Join(words, " ")
}

// choosePoints picks at most max rows of params (already filtered by --where) to draw, when
// the user selected none: points of a saddle run are left out when others are there (their
// time is the algorithm's, not gradient flow's), then only the first seed is kept, then
// points evenly spaced in point order. It returns the indices of the rows kept and a note
// saying what was left out ("" when nothing was).
func choosePoints(params *results.Table, max int) ([]int, string) {
	tb := newTable(params)
	rows := make([]int, len(params.Rows))
	for k := range rows {
		rows[k] = k
	}
	var why []string
	if j, ok := tb.idx["optimizer"]; ok {
		other := slices.DeleteFunc(slices.Clone(rows), func(k int) bool { return tb.str(k, j) == "saddle" })
		if len(other) > 0 && len(other) < len(rows) {
			rows = other
			why = append(why, "saddle runs left out (their jumps are marked on gd/flow instead)")
		}
	}
	if j, ok := tb.idx["seed"]; ok && tb.t.Fields[j].Kind != results.String {
		first := math.Inf(1)
		for _, k := range rows {
			first = math.Min(first, tb.num(k, j))
		}
		kept := slices.DeleteFunc(slices.Clone(rows), func(k int) bool { return tb.num(k, j) != first })
		if len(kept) < len(rows) {
			rows = kept
			why = append(why, fmt.Sprintf("seed=%g only", first))
		}
	}
	if len(rows) > max && max < 2 {
		why = append(why, fmt.Sprintf("%d of %d points", max, len(rows)))
		rows = rows[:max]
	}
	if len(rows) > max {
		n := len(rows)
		var kept []int
		for i := range max {
			kept = append(kept, rows[i*(n-1)/(max-1)])
		}
		rows = slices.Compact(kept)
		why = append(why, fmt.Sprintf("%d of %d points, evenly spaced", len(rows), n))
	}
	if len(why) == 0 {
		return rows, ""
	}
	return rows, strings.Join(why, "; ")
}
