package phase

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// IsTrajectory reports whether t is a trajectory table (results.TrajectoryFields): its first
// columns are point and step, and it has a time column.
func IsTrajectory(t *results.Table) bool {
	return len(t.Fields) >= 3 && t.Fields[0].Name == results.PointColumn && t.Fields[1].Name == results.StepColumn &&
		slices.ContainsFunc(t.Fields, func(f results.Field) bool { return f.Name == "time" })
}

// Curve is one line of a trajectory panel: a metric of one point over time (Coord -1), or
// coordinate Coord (0-based) of its beta.
type Curve struct {
	Point  int64
	Coord  int
	Label  string
	Xs, Ys []float64
	// Minor marks a coordinate that never becomes non-negligible (max_t |beta_i(t)| <=
	// 1e-3 max_{t,j} |beta_j(t)|, the threshold of nnz): drawn thin and grey, one legend entry
	// for all of them.
	Minor bool
}

// TrajPanel is one panel of a trajectory figure: curves over time or step, and the predicted
// saddle jumps of some of their points.
type TrajPanel struct {
	Title        string
	XName, YName string
	LogX, LogY   bool
	Curves       []Curve
	Jumps        []Jumps
	// Plateaus draws the Jumps' plateau losses as horizontal steps (the panel shows
	// train_loss, which is what they predict).
	Plateaus bool
}

// maxCoordCurves is the number of coordinates drawn in colour (with a legend entry) on a
// coordinate panel: the first to become non-negligible; the others join the grey ones.
const maxCoordCurves = 12

// coordPanels is the default number of points (panels) of a --coords figure.
const coordPanels = 4

// PlotTrajectories draws the trajectory table t read from path (see Plot): one panel of
// metric opt.Z (default train_loss) over time with one curve per point, or with opt.Coords one
// panel per point with one curve per coordinate of beta (needs record.beta). Points are those
// --where selects among the parameter values (LoadPoints), or at most opt.MaxCurve (8; 4
// panels with --coords) chosen by choosePoints, with a note. When results.parquet beside it
// has a saddle run on the same data as a gd or flow point, the predicted jump times are drawn
// as vertical dashed lines (PredictJumps), and on a train_loss panel the plateau losses as
// dotted steps. The y axis is logarithmic for a loss whose values are positive, else by
// AutoLog, unless --logz says otherwise.
func PlotTrajectories(path string, t *results.Table, opt Options, notes io.Writer) (*Figure, error) {
	xName := opt.X
	switch xName {
	case "":
		xName = "time"
	case "time", "step":
	default:
		return nil, flagErr("--x", fmt.Errorf("%q: a trajectory plot has time or step on the x axis", opt.X))
	}
	if opt.Y != "" || opt.By != "" || opt.Facet != "" || opt.Mark != "" || len(opt.Refs) > 0 || opt.Contour != nil || opt.ZLim != nil || opt.XLim != nil {
		return nil, flagErr("--y/--by/--facet/--mark/--ref/--contour/--zlim/--xlim", fmt.Errorf("not for trajectory tables (use --where to choose points)"))
	}
	if IsOutcome(opt.Z) {
		return nil, flagErr("--z", fmt.Errorf("%s is an outcome of a whole run: plot it from results.parquet", opt.Z))
	}
	z := opt.Z
	if z == "" {
		z = "train_loss"
	}
	tb := newTable(t)
	jx, err := tb.numCol(xName)
	if err != nil {
		return nil, flagErr("--x", err)
	}
	jz := -1
	if opt.Coords {
		if jz, err = tb.col(results.BetaColumn); err != nil {
			return nil, flagErr("--coords", fmt.Errorf("%s has no beta column: record it with record: {beta: true}", path))
		}
	} else if jz, err = tb.numCol(z); err != nil {
		return nil, flagErr("--z", err)
	}
	pts, err := LoadPoints(path, t)
	if err != nil {
		return nil, err
	}
	params, err := Filter(withTrajectory(pts.Params, t), opt.Where)
	if err != nil {
		return nil, flagErr("--where", err)
	}
	max := opt.MaxCurve
	if max <= 0 {
		max = 8
		if opt.Coords {
			max = coordPanels
		}
	}
	var rows []int
	var note string
	if len(opt.Where) == 0 {
		rows, note = choosePoints(params, max)
	} else {
		for k := range params.Rows {
			rows = append(rows, k)
		}
		if len(rows) > 3*max {
			return nil, flagErr("--where", fmt.Errorf("selects %d points: more than %d would not read; narrow it", len(rows), 3*max))
		}
	}
	sel := &results.Table{Fields: params.Fields, Meta: params.Meta}
	for _, k := range rows {
		sel.Rows = append(sel.Rows, params.Rows[k])
	}
	labels, shared := Labels(sel)
	if pts.Results != nil {
		markStatus(pts.Results, sel, labels)
	}
	if note != "" {
		fmt.Fprintf(notes, "%s: plotting %s (choose with --where P=V,...):\n", filepath.Base(path), note)
		for i, r := range sel.Rows {
			fmt.Fprintf(notes, "  point %d: %s\n", r[0].I, labels[i])
		}
	}
	byPoint := trajRows(t)
	var panels []*TrajPanel
	if opt.Coords {
		for i, r := range sel.Rows {
			p, err := coordPanel(tb, byPoint[r[0].I], jx, jz, xName, Compact(labels[i]))
			if err != nil {
				return nil, err
			}
			panels = append(panels, p)
		}
	} else {
		title := z
		if shared != "" {
			title += "\n" + Compact(shared)
		}
		p := &TrajPanel{Title: title, XName: xName, YName: z, Plateaus: z == "train_loss"}
		for i, r := range sel.Rows {
			p.Curves = append(p.Curves, metricCurve(tb, byPoint[r[0].I], r[0].I, jx, jz, Compact(labels[i])))
		}
		panels = append(panels, p)
	}
	if pts.Results != nil {
		for i, r := range sel.Rows {
			j, why, err := PredictJumps(pts.Results, r[0].I, xName)
			if err != nil {
				return nil, err
			}
			if j == nil {
				if hasSaddle(pts.Results) && why != "not gd or flow on model uv" {
					fmt.Fprintf(notes, "no predicted jumps for point %d: %s\n", r[0].I, why)
				}
				continue
			}
			if opt.Coords {
				panels[i].Jumps = append(panels[i].Jumps, *j)
			} else {
				panels[0].Jumps = append(panels[0].Jumps, *j)
			}
		}
	}
	if err := setTrajScales(panels, opt, notes); err != nil {
		return nil, err
	}
	if opt.Out == "" {
		name := z + "_" + xName
		if opt.Coords {
			name = "beta_" + xName
		}
		if len(opt.Where) > 0 {
			name += "_where-" + strings.ReplaceAll(WhereText(opt.Where), ", ", ",")
		}
		var err error
		if opt.Out, err = freeName(filepath.Join(filepath.Dir(path), safeName(name)+".png"), opt.Force, notes); err != nil {
			return nil, err
		}
	}
	fig := &Figure{Path: opt.Out, Traj: panels}
	return fig, RenderTrajectories(panels, opt.Out, opt.Style)
}

// markStatus appends the status of the points of sel that diverged or failed (in results
// table res) to their labels: "init=0.1 (diverged)".
func markStatus(res, sel *results.Table, labels []string) {
	tb := newTable(res)
	j, ok := tb.idx[StatusColumn]
	if !ok {
		return
	}
	status := map[int64]string{}
	for k, r := range res.Rows {
		if !tb.good(k) {
			status[r[0].I] = r[j].S
		}
	}
	for i, r := range sel.Rows {
		if st, ok := status[r[0].I]; ok {
			labels[i] += " (" + st + ")"
		}
	}
}

// withTrajectory keeps the rows of params whose point has rows in the trajectory table traj
// (multi-task runs record none).
func withTrajectory(params, traj *results.Table) *results.Table {
	has := map[int64]bool{}
	for _, p := range trajPoints(traj) {
		has[p] = true
	}
	out := &results.Table{Fields: params.Fields, Meta: params.Meta}
	for _, r := range params.Rows {
		if has[r[0].I] {
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

// hasSaddle reports whether a results table has saddle runs.
func hasSaddle(res *results.Table) bool {
	tb := newTable(res)
	j, ok := tb.idx["optimizer"]
	return ok && slices.ContainsFunc(res.Rows, func(r []results.Value) bool { return r[j].S == "saddle" })
}

// trajRows groups the rows of a trajectory table by point, each group sorted by step.
func trajRows(t *results.Table) map[int64][]int {
	by := map[int64][]int{}
	for k, r := range t.Rows {
		by[r[0].I] = append(by[r[0].I], k)
	}
	for _, ks := range by {
		sort.SliceStable(ks, func(a, b int) bool { return t.Rows[ks[a]][1].I < t.Rows[ks[b]][1].I })
	}
	return by
}

// metricCurve is the curve of numeric column jz of the rows ks of one point.
func metricCurve(tb *table, ks []int, point int64, jx, jz int, label string) Curve {
	c := Curve{Point: point, Coord: -1, Label: label}
	for _, k := range ks {
		c.Xs = append(c.Xs, tb.num(k, jx))
		c.Ys = append(c.Ys, tb.num(k, jz))
	}
	return c
}

// coordPanel is the panel of the coordinates of beta (JSON column jb) over the rows ks of one
// point: a curve per coordinate, named beta_i with i 1-based (as DuckDB indexes the array),
// coloured in the order they become non-negligible.
func coordPanel(tb *table, ks []int, jx, jb int, xName, label string) (*TrajPanel, error) {
	p := &TrajPanel{Title: "beta over " + xName + "\n" + label, XName: xName, YName: "beta_i"}
	if len(ks) == 0 {
		return p, nil
	}
	point := tb.t.Rows[ks[0]][0].I
	var betas [][]float64
	var xs []float64
	d := -1
	for _, k := range ks {
		b, err := ParseJSONFloats(tb.str(k, jb))
		if err != nil {
			return nil, fmt.Errorf("beta of point %d at step %d: %w", point, tb.t.Rows[k][1].I, err)
		}
		if d >= 0 && len(b) != d {
			return nil, fmt.Errorf("beta of point %d at step %d has %d coordinates, earlier rows %d", point, tb.t.Rows[k][1].I, len(b), d)
		}
		d = len(b)
		betas = append(betas, b)
		xs = append(xs, tb.num(k, jx))
	}
	top := 0.0
	for _, b := range betas {
		for _, v := range b {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				top = math.Max(top, math.Abs(v))
			}
		}
	}
	// first[i] is the row where coordinate i first exceeds the threshold (-1: never).
	first := make([]int, d)
	for i := range first {
		first[i] = -1
		for r, b := range betas {
			if math.Abs(b[i]) > 1e-3*top {
				first[i] = r
				break
			}
		}
	}
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := first[order[a]], first[order[b]]
		if (fa < 0) != (fb < 0) {
			return fb < 0
		}
		return fa < fb
	})
	for n, i := range order {
		c := Curve{Point: point, Coord: i, Label: fmt.Sprintf("beta_%d", i+1), Xs: xs, Minor: first[i] < 0 || n >= maxCoordCurves}
		for _, b := range betas {
			c.Ys = append(c.Ys, b[i])
		}
		p.Curves = append(p.Curves, c)
	}
	return p, nil
}

// isLoss reports whether a metric is a loss (drawn on a log axis by default).
func isLoss(name string) bool { return strings.Contains(name, "loss") }

// setTrajScales sets the log axes of the panels: x by --logx; y as --logz says, else log for
// a loss whose finite values are all positive and by AutoLog otherwise (coordinates are
// signed: linear). On a log axis the non-positive values (time 0, a loss of exactly 0) are
// left out of the curves, with a note.
func setTrajScales(panels []*TrajPanel, opt Options, notes io.Writer) error {
	for _, p := range panels {
		var vs []float64
		for _, c := range p.Curves {
			vs = append(vs, c.Ys...)
		}
		positive := !slices.ContainsFunc(vs, func(v float64) bool { return v <= 0 })
		p.LogX = opt.LogX
		switch {
		case opt.LogZ != nil && *opt.LogZ && p.YName == "beta_i":
			return flagErr("--logz", fmt.Errorf("coordinates of beta are signed: no log scale"))
		case opt.LogZ != nil:
			p.LogY = *opt.LogZ
		case p.YName != "beta_i":
			p.LogY = (isLoss(p.YName) && positive) || AutoLog(vs)
		}
		dropped := 0
		for i := range p.Curves {
			c := &p.Curves[i]
			var xs, ys []float64
			for k, x := range c.Xs {
				y := c.Ys[k]
				if (p.LogX && x <= 0) || (p.LogY && y <= 0) {
					if !(p.LogX && x <= 0) {
						dropped++
					}
					continue
				}
				xs, ys = append(xs, x), append(ys, y)
			}
			c.Xs, c.Ys = xs, ys
		}
		if dropped > 0 {
			fmt.Fprintf(notes, "%d values of %s <= 0 left out of the log axis\n", dropped, p.YName)
		}
	}
	return nil
}
