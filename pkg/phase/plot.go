package phase

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// Options are the choices of `sweep plot` (one field per flag; zero values are the defaults).
type Options struct {
	X, Y, Z string   // axes and metric ("" picks them, see Plot); Z may be an outcome (IsOutcome)
	Agg     string   // aggregation over the other parameters and seeds ("" is mean)
	By      string   // line plot, one line per value of this column
	Facet   string   // one panel per value of this column
	Contour *float64 // heat maps: a contour at this level
	Where   []Cond   // select rows (points) before anything is aggregated
	LogZ    *bool    // log colour scale / log y axis; nil decides by AutoLog
	LogX    bool     // force a log x axis (as XScale log)
	XScale  string   // the x axis: ScaleAuto ("" too), ScaleLinear or ScaleLog
	YScale  string   // the y axis (heat maps; on line and trajectory plots the metric's, as LogZ)
	Mark    string   // line plots: vertical line per series at the median of this column
	Refs    []*Ref   // line plots: reference curves
	// ShowLevels outlines each cell of a refined sweep's heat map and lists the cells per
	// refinement level in the legend (a table with a level column only).
	ShowLevels bool
	Band       string      // line plots: the band (aggregate.Bands; "" is minmax)
	ZLim       *[2]float64 // the colour bar's (line plots: the y axis's) range, or nil: the data's
	XLim       *[2]float64 // line plots: the x axis's range, or nil: the data's
	Coords     bool        // trajectories: beta_i over time instead of a loss
	Out        string      // output file ("" is <dir>/<DefaultName>.png, never overwritten unless Force)
	Force      bool        // replace an existing file of the default name
	MaxCurve   int         // trajectories: at most this many points without --where (0: 8)
	Style      Style       // title, labels, size, resolution
}

// FlagError is a bad plot option, named by its flag (a usage error of the command).
type FlagError struct {
	Flag string
	Err  error
}

func (e *FlagError) Error() string { return e.Flag + ": " + e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

func flagErr(flag string, err error) error { return &FlagError{Flag: flag, Err: err} }

// Figure is what Plot drew, for callers and tests: exactly one of Heat, Lines and Traj is set.
type Figure struct {
	Path        string
	Heat        []*Grid
	HeatOptions HeatOptions
	Lines       []*LineSet
	Traj        []*TrajPanel
}

// AutoLog is the default of --logz: a metric is drawn on a log scale when all its finite
// values are positive and they span more than three decades (max/min > 1e3); a linear scale
// would then give all but the top decade one colour (or one flat line at zero). Losses of
// runs that converge to different precisions, or diverge towards it, are the usual case.
func AutoLog(vs []float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if v <= 0 {
			return false
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return hi > 1e3*lo
}

// Plot reads the table at path and draws it: a trajectory table (IsTrajectory) as curves over
// time (PlotTrajectories), a results table as a heat map or a line plot. Notes on choices the
// user did not make (defaults, points left out) go to notes.
//
// For a results table, x defaults to the first swept numeric parameter of the spec in the
// table's metadata, skipping those used by --by and --facet and those --where leaves at a
// single value; it is a heat map when --by is not given and a second numeric parameter (--y
// or the next swept one) is there, else a line plot, one line per value of --by (default: the
// next swept parameter left). The derived column effective_stepsize is added when an axis
// names it (WithDerived).
func Plot(path string, opt Options, notes io.Writer) (*Figure, error) {
	if opt.Agg == "" {
		opt.Agg = "mean"
	}
	if err := aggregate.CheckAgg(opt.Agg); err != nil {
		return nil, flagErr("--agg", err)
	}
	if opt.Band == "" {
		opt.Band = "minmax"
	}
	if !slices.Contains(aggregate.Bands, opt.Band) {
		return nil, flagErr("--band", fmt.Errorf("unknown band %q (want one of %v)", opt.Band, aggregate.Bands))
	}
	if err := resolveScales(&opt); err != nil {
		return nil, err
	}
	t, err := results.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if IsTrajectory(t) {
		if err := yScaleAsLogZ(&opt); err != nil {
			return nil, err
		}
		return PlotTrajectories(path, t, opt, notes)
	}
	if opt.Coords {
		return nil, flagErr("--coords", fmt.Errorf("%s is not a trajectory table (trajectories.parquet)", path))
	}
	if opt.Z == "" {
		opt.Z = "test_loss"
	}
	if IsOutcome(opt.Z) {
		if _, ok := newTable(t).idx[StatusColumn]; !ok {
			return nil, flagErr("--z", fmt.Errorf("%s: the table has no %s column", opt.Z, StatusColumn))
		}
		if opt.LogZ != nil && *opt.LogZ {
			return nil, flagErr("--logz", fmt.Errorf("--z %s is an outcome (a fraction or a status), not on a log scale", opt.Z))
		}
	}
	t, err = WithDerived(t, opt.X, opt.Y, opt.By, opt.Facet)
	if err != nil {
		return nil, flagErr("--x", err)
	}
	if t, err = Filter(t, opt.Where); err != nil {
		return nil, flagErr("--where", err)
	}
	heat, err := chooseAxes(t, &opt)
	if err != nil {
		return nil, err
	}
	if err := checkKind(heat, opt); err != nil {
		return nil, err
	}
	if !heat {
		if err := yScaleAsLogZ(&opt); err != nil {
			return nil, err
		}
	}
	if opt.Out == "" {
		if opt.Out, err = freeName(filepath.Join(filepath.Dir(path), DefaultName(opt, heat)+".png"), opt.Force, notes); err != nil {
			return nil, err
		}
	}
	logZ := false
	if !IsOutcome(opt.Z) {
		if logZ, err = resolveLogZ(t, opt); err != nil {
			return nil, err
		}
	}
	fig := &Figure{Path: opt.Out}
	if heat {
		fig.Heat, err = HeatGrids(t, opt.X, opt.Y, opt.Z, opt.Agg, opt.Facet)
		if err != nil {
			return nil, err
		}
		for _, g := range fig.Heat {
			if opt.XScale == ScaleAuto && (opt.LogX || logDerived(t, opt.X)) {
				g.LogX, g.XCat = true, false
			}
			if opt.YScale == ScaleAuto && logDerived(t, opt.Y) {
				g.LogY, g.YCat = true, false
			}
			if err := forceScale("--xscale", opt.XScale, opt.X, g.Xs, g.XLabels, &g.LogX, &g.XCat); err != nil {
				return nil, err
			}
			if err := forceScale("--yscale", opt.YScale, opt.Y, g.Ys, g.YLabels, &g.LogY, &g.YCat); err != nil {
				return nil, err
			}
			if g.LogX && !(g.Xs[0] > 0) {
				return nil, flagErr("--logx", fmt.Errorf("%s has a value %g <= 0: no log axis", opt.X, g.Xs[0]))
			}
		}
		if opt.ShowLevels && fig.Heat[0].Refine == nil {
			return nil, flagErr("--show-levels", fmt.Errorf("%s is not a refined sweep's table (no %s column, or neither %s nor %s refined)", path, LevelColumn, opt.X, opt.Y))
		}
		fmt.Fprintf(notes, "%s\n", countsNote(fig.Heat))
		fig.HeatOptions = HeatOptions{FacetName: opt.Facet, Contour: opt.Contour, LogZ: logZ, ZLim: opt.ZLim,
			Where: WhereText(opt.Where), ShowLevels: opt.ShowLevels, Style: opt.Style}
		return fig, RenderHeat(fig.Heat, fig.HeatOptions, opt.Out)
	}
	fig.Lines, err = Lines(t, opt.X, opt.Z, opt.By, opt.Agg, opt.Facet)
	if err != nil {
		return nil, flagErr("--z", err)
	}
	if opt.Mark != "" {
		if err := MarkLines(fig.Lines, t, opt.Mark, opt.Facet); err != nil {
			return nil, flagErr("--mark", err)
		}
	}
	for _, set := range fig.Lines {
		if opt.XScale == ScaleAuto && (opt.LogX || logDerived(t, opt.X)) {
			set.LogX, set.XCat = true, false
		}
		if err := forceScale("--xscale", opt.XScale, opt.X, set.Lines[0].Xs, set.XLabels, &set.LogX, &set.XCat); err != nil {
			return nil, err
		}
		if xs := set.Lines[0].Xs; set.LogX && !(xs[0] > 0) {
			return nil, flagErr("--logx", fmt.Errorf("%s has a value %g <= 0: no log axis", opt.X, xs[0]))
		}
		if len(opt.Refs) > 0 && set.XCat {
			return nil, flagErr("--ref", fmt.Errorf("%s is drawn as categories (few or unevenly spaced values): a curve needs a numeric axis (--xscale log or linear draws one)", opt.X))
		}
		if opt.XLim != nil && set.LogX && !(opt.XLim[0] > 0) {
			return nil, flagErr("--xlim", fmt.Errorf("%g is not on the log axis of %s (give --xscale linear, or LO > 0)", opt.XLim[0], opt.X))
		}
		set.LogY, set.Refs, set.Where, set.YLim, set.XLim = logZ, opt.Refs, WhereText(opt.Where), opt.ZLim, opt.XLim
		set.SetBand(opt.Band)
	}
	return fig, RenderLines(fig.Lines, opt.Facet, opt.Out, opt.Style)
}

// checkKind rejects the options that the kind of figure chosen cannot draw: --contour on a
// line plot or a status map, --mark, --ref and --xlim on a heat map, --show-levels and --z
// status on a line plot.
func checkKind(heat bool, opt Options) error {
	switch {
	case heat && (opt.Mark != "" || len(opt.Refs) > 0):
		return flagErr("--mark/--ref", fmt.Errorf("only for line plots (give --by, or no second numeric axis)"))
	case heat && opt.XLim != nil:
		return flagErr("--xlim", fmt.Errorf("only for line plots (a heat map spans its cells)"))
	case !heat && opt.ShowLevels:
		return flagErr("--show-levels", fmt.Errorf("only for heat maps (give --y, not --by)"))
	case !heat && opt.Contour != nil:
		why := "a line plot has no second axis to draw a contour over; --ref A draws a horizontal line at A"
		if opt.By != "" {
			why = "--by draws a line plot, which has no second axis to draw a contour over; give --y for a heat map, or --ref A for a horizontal line at A"
		}
		return flagErr("--contour", errors.New(why))
	case heat && opt.Z == ZStatus && opt.Contour != nil:
		return flagErr("--contour", fmt.Errorf("a status map draws the boundary between its outcomes itself; --z %s or --z %s takes a contour level", ZConverged, ZDiverged))
	case !heat && opt.Z == ZStatus:
		return flagErr("--z", fmt.Errorf("%s is categorical: a phase map needs two axes (give --y, not --by), or draw --z %s or --z %s as lines", ZStatus, ZConverged, ZDiverged))
	}
	return nil
}

// DefaultName is the file name (without extension) of a figure without --out: the metric and
// axes, then what else selects its data, so that two different figures never share a name:
// test_loss_stepsize_init, test_loss_stepsize_by-init_where-seed=1_median.
func DefaultName(opt Options, heat bool) string {
	parts := []string{opt.Z, opt.X}
	if heat {
		parts = append(parts, opt.Y)
	} else if opt.By != "" {
		parts = append(parts, "by-"+opt.By)
	}
	if opt.Facet != "" {
		parts = append(parts, "facet-"+opt.Facet)
	}
	if len(opt.Where) > 0 {
		parts = append(parts, "where-"+strings.ReplaceAll(WhereText(opt.Where), ", ", ","))
	}
	if opt.Agg != "mean" && !IsOutcome(opt.Z) {
		parts = append(parts, opt.Agg)
	}
	return safeName(strings.Join(parts, "_"))
}

// safeName replaces the characters of name that a file name should not hold (path
// separators, shell and Windows specials, spaces; the "|" of --where) by "+".
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>| `, r) {
			return '+'
		}
		return r
	}, name)
}

// freeName is path, or when a file is there and force is false the first of path-2, path-3,
// ... that is free (with a note saying so).
func freeName(path string, force bool, notes io.Writer) (string, error) {
	if _, err := os.Stat(path); force || errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	for i := 2; i < 1000; i++ {
		p := fmt.Sprintf("%s-%d%s", base, i, ext)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(notes, "%s exists: writing %s (--force replaces it)\n", path, p)
			return p, nil
		}
	}
	return "", fmt.Errorf("%s and 998 numbered versions of it exist: give --out or --force", path)
}

// logDerived: an effective_stepsize axis is logarithmic when the stepsizes are log-spaced.
func logDerived(t *results.Table, axis string) bool {
	if axis != EffectiveStepsize {
		return false
	}
	tb := newTable(t)
	j, err := tb.numCol("stepsize")
	if err != nil {
		return false
	}
	var xs []float64
	for k := range t.Rows {
		xs = append(xs, tb.num(k, j))
	}
	return IsLogSpaced(distinct(xs))
}

// resolveLogZ decides --logz for metric opt.Z of t: as given, else AutoLog over the rows drawn
// on the scale. A log scale needs every such value positive.
func resolveLogZ(t *results.Table, opt Options) (bool, error) {
	tb := newTable(t)
	j, err := tb.numCol(opt.Z)
	if err != nil {
		return false, flagErr("--z", err)
	}
	var vs []float64
	for k := range t.Rows {
		if tb.good(k) {
			vs = append(vs, tb.num(k, j))
		}
	}
	if opt.LogZ == nil {
		return AutoLog(vs), nil
	}
	if *opt.LogZ {
		for _, v := range vs {
			if v <= 0 {
				return false, flagErr("--logz", fmt.Errorf("%s has a value %g <= 0: no log scale", opt.Z, v))
			}
		}
	}
	return *opt.LogZ, nil
}

// chooseAxes fills in opt.X, opt.Y and opt.By (see Plot) and reports whether t is drawn as a
// heat map.
func chooseAxes(t *results.Table, opt *Options) (heat bool, err error) {
	tb := newTable(t)
	numeric := func(name string) bool {
		j, ok := tb.idx[name]
		return ok && t.Fields[j].Kind != results.String
	}
	for _, c := range []struct{ flag, name string }{{"--x", opt.X}, {"--y", opt.Y}, {"--by", opt.By}, {"--facet", opt.Facet}} {
		if c.name != "" {
			if _, err := tb.col(c.name); err != nil {
				return false, flagErr(c.flag, err)
			}
		}
	}
	used := []string{opt.Facet, opt.By, opt.X, opt.Y}
	var free []string // swept columns not otherwise used, with several values, in axis order
	for _, c := range sweptColumns(t) {
		if j, ok := tb.idx[c]; ok && c != "seed" && !slices.Contains(used, c) && len(tb.values(j)) > 1 {
			free = append(free, c)
		}
	}
	take := func(wantNumeric bool) string {
		for i, c := range free {
			if !wantNumeric || numeric(c) {
				free = slices.Delete(free, i, i+1)
				return c
			}
		}
		return ""
	}
	if opt.X == "" {
		if opt.X = take(true); opt.X == "" {
			return false, flagErr("--x", fmt.Errorf("no numeric swept parameter for the x axis: give --x"))
		}
	}
	heat = opt.By == "" && (opt.Y != "" || slices.ContainsFunc(free, numeric))
	if heat && opt.Y == "" {
		opt.Y = take(true)
	}
	if !heat && opt.By == "" && len(free) > 0 {
		opt.By = take(false)
	}
	return heat, nil
}

// sweptColumns are the results columns of the swept parameters of the spec in t's metadata,
// in axis order (none without a readable spec).
func sweptColumns(t *results.Table) []string {
	src, ok := t.Meta[results.MetaSpec]
	if !ok {
		return nil
	}
	s, err := spec.Parse("results metadata", []byte(src))
	if err != nil {
		return nil
	}
	var cols []string
	for _, a := range s.Grid {
		for _, n := range a.Names {
			cols = append(cols, results.ParamColumn(n))
		}
	}
	return cols
}
