package webui

// This file is the server's only use of pkg/phase: every figure the pages show or offer for
// download is drawn by phase.Plot, the function behind `sweep plot`, from the same table and
// the same options, so that the page and the command cannot disagree on a cell, a value or a
// mark. The page's heat maps and line plots are drawn in the browser from the grids and lines
// phase.Plot computed, with what pkg/phase decides of their look sent as values: the colours
// of phase.HeatScale, the legends of phase.HeatLegend and phase.LineSet.Legend, the series
// styles of phase.SeriesStyle, the bands of phase.LineSet.Banded, a refined grid's cell
// rectangles (phase.Grid.CellRects). Trajectories are phase.Plot's own SVG.

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/summary"
)

// plotQuery is the figure controls of the sweep page: the flags of `sweep plot` of the same
// names, as typed ("" is the command's default).
type plotQuery struct {
	X, Y, Z, Agg, By, Facet, Where, LogZ string
}

// plotQueryOf reads the controls from a request's query.
func plotQueryOf(q url.Values) plotQuery {
	return plotQuery{X: q.Get("x"), Y: q.Get("y"), Z: q.Get("z"), Agg: q.Get("agg"), By: q.Get("by"),
		Facet: q.Get("facet"), Where: q.Get("where"), LogZ: q.Get("logz")}
}

// values is the query that asks for p (empty controls left out).
func (p plotQuery) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"x", p.X}, {"y", p.Y}, {"z", p.Z}, {"agg", p.Agg}, {"by", p.By},
		{"facet", p.Facet}, {"where", p.Where}, {"logz", p.LogZ}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// options are the phase.Options of `sweep plot` with these flags, drawing into out.
func (p plotQuery) options(out string) (phase.Options, error) {
	opt := phase.Options{X: p.X, Y: p.Y, Z: p.Z, Agg: p.Agg, By: p.By, Facet: p.Facet, Out: out}
	var err error
	if opt.Where, err = phase.ParseWhere(p.Where); err != nil {
		return opt, fmt.Errorf("where: %w", err)
	}
	switch p.LogZ {
	case "":
	case "true", "false":
		b := p.LogZ == "true"
		opt.LogZ = &b
	default:
		return opt, fmt.Errorf("logz: want true, false or empty, got %q", p.LogZ)
	}
	return opt, nil
}

// statuses are the outcomes counted per cell and per sweep, in display order: the statuses of
// finished runs (dynamics.Status*) and of failed simulations (results.StatusFailed).
var statuses = []string{"converged", "max_steps", "diverged", results.StatusFailed}

// figure is what the sweep page draws, as JSON.
type figure struct {
	Kind  string `json:"kind"` // "heat" or "lines"
	Key   string `json:"key"`  // the table's key (Table.Key)
	Rows  int    `json:"rows"` // rows of the table (before --where)
	X     string `json:"x"`
	Y     string `json:"y,omitempty"`
	Z     string `json:"z"`
	Agg   string `json:"agg"`
	By    string `json:"by,omitempty"`
	Facet string `json:"facet,omitempty"`
	Where string `json:"where,omitempty"`
	Notes string `json:"notes,omitempty"` // what sweep plot would print on stderr
	// Statuses names the columns of the cells' Counts.
	Statuses []string    `json:"statuses"`
	Scale    *scaleJSON  `json:"scale,omitempty"`
	Panels   []heatPanel `json:"panels,omitempty"`
	Lines    []lineSet   `json:"lines,omitempty"`
	// Legend is what the marks and lines drawn mean, as `sweep plot`'s figure lists them.
	Legend []legendEntry `json:"legend"`
}

// barColors is the number of colours of the page's colour bar.
const barColors = 32

// scaleJSON is the colour scale of a heat map (phase.HeatScale) and a colour bar of it, and
// the colours of the cells' marks.
type scaleJSON struct {
	Min, Max float64
	Log      bool
	Bar      []string // the colours at the scale's Stops(barColors); none on a status map
	Bad      string   // the fill of cells without a value (phase.BadColor)
	Hatch    string   // phase.HatchColor
	Corner   string   // phase.MarkColor, the corner triangle
	// Boundary, BoundaryWidth are the line of a status map's boundary (phase.BoundaryStyle; points).
	Boundary      string
	BoundaryWidth float64
}

// heatPanel is one phase.Grid with what the tooltip says about each cell. Cells are row-major
// from the lowest y: cell iy*len(Xs)+ix is x = Xs[ix], y = Ys[iy].
type heatPanel struct {
	Title string
	Facet string
	Xs    []float64
	Ys    []float64
	LogX  bool
	LogY  bool
	Z     []jsonFloat // the aggregate; null for a Bad cell
	Bad   []bool
	N     []int    // rows in the cell; 0: no run there, drawn blank
	Color []string // phase.Scale.CellColor ("" for N = 0)
	Marks []int    // phase.Grid.Marks as bits (markHatched, ...)
	// Rects are a refined grid's cells with runs where phase draws them (phase.Grid.CellRects:
	// fractions of the data area, finer cells last); XTicks, YTicks its axes' coarse values
	// there. Nil for any other grid, whose cells are drawn one per (x, y) pair.
	Rects          []rectJSON `json:",omitempty"`
	XTicks, YTicks []tickJSON `json:",omitempty"`
	// Boundary is a status map's phase boundary (phase.Boundary): vertical edges left of
	// cell (ix, iy), horizontal edges below it.
	Boundary *boundaryJSON `json:",omitempty"`
	// BoundaryLines is a refined status map's boundary (phase.Grid.BoundaryLines): segments
	// x0, y0, x1, y1 in the fractions of Rects.
	BoundaryLines [][4]float64 `json:",omitempty"`
	// Counts[c][s] is how many rows of cell c have status Statuses[s]; Seeds[c] their seeds.
	Counts [][]int
	Seeds  [][]int64
}

// rectJSON is a cell's rectangle: cell C (iy*len(Xs)+ix) over X0..X1, Y0..Y1 (fractions of
// the data area from its bottom left corner).
type rectJSON struct {
	C              int
	X0, X1, Y0, Y1 float64
}

// tickJSON is an axis tick: its label at a fraction of the axis.
type tickJSON struct {
	At    float64
	Label string
}

// refined sets the Rects and ticks of the panel of refined grid g.
func (p *heatPanel) refined(g *phase.Grid) {
	for _, r := range g.CellRects() {
		p.Rects = append(p.Rects, rectJSON{C: r.IY*len(g.Xs) + r.IX, X0: r.X0, X1: r.X1, Y0: r.Y0, Y1: r.Y1})
	}
	xs, ys := g.Xs, g.Ys
	if g.Refine.X != nil {
		xs = g.Refine.X.Coarse
	}
	if g.Refine.Y != nil {
		ys = g.Refine.Y.Coarse
	}
	for i, l := range phase.ShortLabels(xs) {
		fx, _ := g.Fraction(xs[i], ys[0])
		p.XTicks = append(p.XTicks, tickJSON{At: fx, Label: l})
	}
	for i, l := range phase.ShortLabels(ys) {
		_, fy := g.Fraction(xs[0], ys[i])
		p.YTicks = append(p.YTicks, tickJSON{At: fy, Label: l})
	}
}

// boundaryJSON is a phase boundary as cell edges (phase.Boundary).
type boundaryJSON struct {
	V, H [][2]int
}

// jsonFloats converts a slice for JSON.
func jsonFloats(vs []float64) []jsonFloat {
	out := make([]jsonFloat, len(vs))
	for i, v := range vs {
		out[i] = jsonFloat(v)
	}
	return out
}

// jsonFloat is a float64 that encodes NaN and infinities as null.
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// plotError is a figure option the table cannot be drawn with (a user's choice, not a fault).
type plotError struct{ err error }

func (e plotError) Error() string { return e.err.Error() }
func (e plotError) Unwrap() error { return e.err }

// drawFigure draws the table t read from path as `sweep plot path` would with the options of p,
// into out (.svg or .png), and returns what the page draws of it.
func drawFigure(path string, t *results.Table, p plotQuery, out string) (*figure, error) {
	opt, err := p.options(out)
	if err != nil {
		return nil, plotError{err}
	}
	var notes bytes.Buffer
	fig, err := phase.Plot(path, opt, &notes)
	if err != nil {
		return nil, plotError{err}
	}
	f := &figure{Rows: len(t.Rows), Where: p.Where, Notes: notes.String(), Statuses: statuses, By: p.By, Facet: p.Facet}
	switch {
	case len(fig.Heat) > 0:
		return f, f.addHeat(fig, t, opt)
	case len(fig.Lines) > 0:
		f.addLines(fig.Lines)
		return f, nil
	}
	return nil, plotError{fmt.Errorf("%s is not a results table", path)}
}

// addHeat fills f with the grids of fig, coloured by the scale RenderHeat uses, and the
// outcomes and seeds of each cell's rows (the rows HeatGrids put there: after the derived
// columns and --where).
func (f *figure) addHeat(fig *phase.Figure, t *results.Table, opt phase.Options) error {
	g0 := fig.Heat[0]
	f.Kind, f.X, f.Y, f.Z, f.Agg = "heat", g0.XName, g0.YName, g0.ZName, g0.Agg
	sc := phase.HeatScale(fig.Heat, fig.HeatOptions)
	f.Scale = &scaleJSON{Min: sc.Min, Max: sc.Max, Log: sc.Log, Bad: cssColor(phase.BadColor), Hatch: cssColor(phase.HatchColor),
		Corner: cssColor(phase.MarkColor), Boundary: cssColor(phase.BoundaryStyle.Color), BoundaryWidth: phase.BoundaryStyle.Width.Points()}
	if g0.ZName != phase.ZStatus { // a status map has a legend of statuses instead
		for _, v := range sc.Stops(barColors) {
			f.Scale.Bar = append(f.Scale.Bar, cssColor(sc.Color(v)))
		}
	}
	rows, err := phase.WithDerived(t, g0.XName, g0.YName, opt.Facet)
	if err == nil {
		rows, err = phase.Filter(rows, opt.Where)
	}
	if err != nil {
		return plotError{err}
	}
	for _, g := range fig.Heat {
		p := heatPanel{Title: phase.Title(g.ZName, g.Agg, opt.Facet, g.Facet), Facet: g.Facet,
			Xs: g.Xs, Ys: g.Ys, LogX: g.LogX, LogY: g.LogY}
		for iy := range g.Ys {
			for ix := range g.Xs {
				p.Z = append(p.Z, jsonFloat(g.Z[iy][ix]))
				p.Bad = append(p.Bad, g.Bad[iy][ix])
				p.N = append(p.N, g.N[iy][ix])
				c := ""
				if g.N[iy][ix] > 0 {
					c = cssColor(sc.CellColor(g, ix, iy))
				}
				p.Color = append(p.Color, c)
				p.Marks = append(p.Marks, cellMarks(g, ix, iy))
			}
		}
		switch {
		case g.Refine != nil:
			p.refined(g)
			if g.ZName == phase.ZStatus {
				p.BoundaryLines = g.BoundaryLines()
			}
		case g.ZName == phase.ZStatus:
			v, h := phase.Boundary(g)
			p.Boundary = &boundaryJSON{V: v, H: h}
		}
		f.Panels = append(f.Panels, p)
	}
	f.Legend = legendOf(phase.HeatLegend(fig.Heat))
	return f.countCells(rows, opt.Facet)
}

// countCells sets the Counts and Seeds of the panels' cells from the rows drawn.
func (f *figure) countCells(t *results.Table, facet string) error {
	col := columnIndex(t)
	jx, jy, jf := col[f.X], col[f.Y], -1
	js, hasStatus := col[phase.StatusColumn]
	if facet != "" {
		jf = col[facet]
	}
	jseed, hasSeed := col["seed"]
	panel := map[string]*heatPanel{}
	for i := range f.Panels {
		p := &f.Panels[i]
		panel[p.Facet] = p
		p.Counts = make([][]int, len(p.Z))
		p.Seeds = make([][]int64, len(p.Z))
		for c := range p.Counts {
			p.Counts[c] = make([]int, len(statuses))
		}
	}
	for _, r := range t.Rows {
		fv := ""
		if jf >= 0 {
			fv = valueString(t.Fields[jf], r[jf])
		}
		p := panel[fv]
		if p == nil {
			return fmt.Errorf("row of point %d: facet %q is in no panel", r[0].I, fv)
		}
		ix, okx := slices.BinarySearch(p.Xs, number(t.Fields[jx], r[jx]))
		iy, oky := slices.BinarySearch(p.Ys, number(t.Fields[jy], r[jy]))
		if !okx || !oky {
			continue // a NaN coordinate: HeatGrids leaves it out too
		}
		c := iy*len(p.Xs) + ix
		if s := slices.Index(statuses, r[js].S); hasStatus && s >= 0 {
			p.Counts[c][s]++
		}
		if hasSeed && !slices.Contains(p.Seeds[c], r[jseed].I) {
			p.Seeds[c] = append(p.Seeds[c], r[jseed].I)
		}
	}
	for _, p := range f.Panels {
		for _, s := range p.Seeds {
			slices.Sort(s)
		}
	}
	return nil
}

// statusCounts counts the rows of t by status, in the order of statuses.
func statusCounts(t *results.Table) []int {
	counts := make([]int, len(statuses))
	j, ok := columnIndex(t)[phase.StatusColumn]
	if !ok {
		return counts
	}
	for _, r := range t.Rows {
		if s := slices.Index(statuses, r[j].S); s >= 0 {
			counts[s]++
		}
	}
	return counts
}

// cellRows are the rows of t that --where and cond (P=V[,P=V...], a cell's coordinates)
// select, after the derived columns cond names.
func cellRows(t *results.Table, where, cond string) (*results.Table, error) {
	all := strings.Trim(where+","+cond, ",")
	conds, err := phase.ParseWhere(all)
	if err != nil {
		return nil, plotError{err}
	}
	var names []string
	for _, c := range conds {
		names = append(names, c.Name)
	}
	if t, err = phase.WithDerived(t, names...); err != nil {
		return nil, plotError{err}
	}
	sel, err := phase.Filter(t, conds)
	if err != nil {
		return nil, plotError{err}
	}
	return sel, nil
}

// drawTrajectory draws the trajectory of one point from the trajectory table at path as
// `sweep plot path --where point=N` does (with the predicted saddle jumps when
// results.parquet beside it has a saddle run on the same data) into out.
func drawTrajectory(path string, point int64, out string) error {
	opt := phase.Options{Out: out, Where: []phase.Cond{{Name: results.PointColumn, Values: []string{strconv.FormatInt(point, 10)}}}}
	var notes bytes.Buffer
	_, err := phase.Plot(path, opt, &notes)
	return err
}

// jumps is the predicted saddle-to-saddle jumps of a gd or flow point (Pesme2023) as
// `sweep plot` draws them on its trajectory, or why there are none.
type jumps struct {
	Saddle   int64
	Times    []float64
	Plateaus []float64
	None     string
}

// predictJumps is the jumps of point in results table t on a time axis.
func predictJumps(t *results.Table, point int64) (jumps, error) {
	j, why, err := phase.PredictJumps(t, point, "time")
	if err != nil || j == nil {
		return jumps{None: why}, err
	}
	return jumps{Saddle: j.Saddle, Times: j.Times, Plateaus: j.Plateaus}, nil
}

// columnIndex maps t's column names to their indices.
func columnIndex(t *results.Table) map[string]int {
	m := make(map[string]int, len(t.Fields))
	for j, f := range t.Fields {
		m[f.Name] = j
	}
	return m
}

// number is a numeric value as a float64 (NaN for a string).
func number(f results.Field, v results.Value) float64 {
	switch f.Kind {
	case results.Int:
		return float64(v.I)
	case results.Float:
		return v.F
	}
	return math.NaN()
}

// valueString formats a value as pkg/phase names facets and --where takes it: integers in
// decimal, floats in the shortest form that parses back to the same float64.
func valueString(f results.Field, v results.Value) string { return summary.FormatValue(f.Kind, v) }

// cssColor is c as CSS: #rrggbb when opaque, else rgba(r,g,b,alpha).
func cssColor(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	if n.A == 255 {
		return fmt.Sprintf("#%02x%02x%02x", n.R, n.G, n.B)
	}
	return fmt.Sprintf("rgba(%d,%d,%d,%s)", n.R, n.G, n.B, strconv.FormatFloat(float64(n.A)/255, 'g', 4, 64))
}
