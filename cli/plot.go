package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/phasesweep/phasesweep/pkg/phase"
)

func plotCmd(ios *IOStreams) *cobra.Command { return newPlotCmd(ios, nil) }

// plotOptions are sweep plot's: the table, the figure's options and the flags parsed into
// them, the streams, and drawn.
type plotOptions struct {
	IO    *IOStreams
	table string
	opt   phase.Options
	// The flags that plotRun parses into opt; contour and logZ count when given (set).
	where, size, zlim, xlim string
	refs                    []string
	contour                 float64
	logZ                    bool
	contourSet, logZSet     bool
	// drawn, when not nil, receives each figure drawn (tests check its structure).
	drawn func(*phase.Figure)
}

// newPlotCmd is the plot command; drawn, when not nil, receives each figure it draws (tests
// check its structure).
func newPlotCmd(ios *IOStreams, drawn func(*phase.Figure)) *cobra.Command {
	opts := &plotOptions{IO: ios, drawn: drawn}
	opt := &opts.opt // the flags below fill it
	cmd := &cobra.Command{
		Use:   "plot RESULTS",
		Short: "Draw a heat map, a line plot or trajectories from results.parquet or trajectories.parquet",
		Long: `Draw a figure from a sweep's table (PNG or SVG, gonum/plot).

results.parquet: a heat map of --z over two parameters, or with --by a line plot with one line
per value and a band over the other parameters and seeds (--band: min-max, std, sem or none).
Every aggregate leaves out the runs that diverged or failed (a diverged run keeps the finite,
often huge, metrics it stopped with) and counts them: a heat-map cell whose runs all diverged
is hatched grey, one where some did is the aggregate of the others with a magenta corner, one
where some stopped at max_steps gets a dashed outline; on a line plot such points are hollow
and an x whose runs all diverged is a cross at the top edge. --z status draws the phase map
of the outcome (converged, max_steps, diverged, failed) with the boundary between them; --z
converged and --z diverged the fraction of runs, on a colour bar from 0 to 1.

Axes are ticked at the values: log-spaced values on a log axis, evenly spaced ones on a linear
axis, a few unevenly spaced ones (momentum 0, 0.5, 0.8, 0.9, 0.95) or strings (--x optimizer)
as categories; --xscale and --yscale linear or log force a numeric axis of that kind. Tick
labels are the shortest that tell the values apart, and --where takes a number at any
precision it is shown with (init=0.03162 selects 0.031622776601683794).

A refined sweep's table (a level column) draws each heat-map cell at its true size, finer
levels over coarser, with contours and boundaries through the finest cells; --show-levels
outlines the cells and counts them per level.

Without --out the file is <dir of RESULTS>/<z>_<x>_<y or by-B>[_facet-F][_where-...][_agg].png;
an existing file of that name is kept and a numbered name used (-2, -3, ...) unless --force.
trajectories.parquet: --z (default train_loss) over time, one curve per point, or with
--coords the coordinates of beta over time, one panel per point; gd/flow points get the jump
times predicted by a saddle run on the same data in results.parquet (Pesme2023).

--logz defaults to a log scale when the metric is positive and spans more than three decades
(trajectories of a loss: whenever it is positive); --logz=false forces linear.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.table = args[0]
			opts.contourSet, opts.logZSet = cmd.Flags().Changed("contour"), cmd.Flags().Changed("logz")
			return plotRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.X, "x", "", "parameter on the x axis (default: the first swept numeric parameter; time or step for trajectories); effective_stepsize = stepsize/(1-momentum)^2")
	f.StringVar(&opt.Y, "y", "", "parameter on the y axis of a heat map (default: the next swept numeric parameter)")
	f.StringVar(&opt.Z, "z", "", "metric to plot (default: test_loss; train_loss for trajectories); status, converged or diverged: the runs' outcome")
	f.StringVar(&opt.Agg, "agg", "mean", "aggregate over the other parameters and seeds: mean, median, min or max")
	f.StringVar(&opt.By, "by", "", "line plot with one line per value of this parameter")
	f.StringVar(&opt.Facet, "facet", "", "one panel per value of this parameter, side by side")
	f.Float64Var(&opts.contour, "contour", 0, "draw the contour of the metric at this level on a heat map (not on line plots or --z status, which draws its boundary itself)")
	f.StringVar(&opts.where, "where", "", "keep only rows (points) with these values: P=V[,P=V...] (a parameter named twice: either value)")
	f.BoolVar(&opts.logZ, "logz", false, "log colour scale (heat map) or log y axis (default: log when the metric is positive and spans > 3 decades)")
	f.BoolVar(&opt.LogX, "logx", false, "log x axis (default: log when the parameter is log-spaced); as --xscale log")
	f.StringVar(&opt.XScale, "xscale", phase.ScaleAuto, "the x axis: linear, log, or auto (log for log-spaced values, categories for a few uneven ones, else linear)")
	f.StringVar(&opt.YScale, "yscale", phase.ScaleAuto, "the y axis of a heat map: linear, log or auto; on a line or trajectory plot the metric's axis (as --logz)")
	f.BoolVar(&opt.ShowLevels, "show-levels", false, "heat map of a refined sweep (a level column): outline every cell and count the cells per refinement level in the legend")
	f.StringVar(&opt.Mark, "mark", "", "line plots: a vertical dashed line per line at the median of this column (e.g. gamma_max)")
	f.StringArrayVar(&opts.refs, "ref", nil, "line plots: a reference curve A, A*x^p or A/x^p (2/x: the edge of stability; 0.5*x^2: slope 2 on log-log axes); repeat for several")
	f.BoolVar(&opt.Coords, "coords", false, "trajectories: the coordinates of beta over time (needs record: {beta: true})")
	f.StringVar(&opt.Out, "out", "", "output file, .png or .svg (default: <dir of RESULTS>/<z>_<x>_<y>.png, see above)")
	f.BoolVar(&opt.Force, "force", false, "replace an existing file of the default name instead of numbering a new one")
	f.StringVar(&opt.Band, "band", "minmax", "line plots: the band around each line: minmax, std (mean ± std), sem (mean ± standard error) or none")
	f.StringVar(&opts.zlim, "zlim", "", "LO,HI: the colour bar's range (line plots: the y axis's), instead of the data's")
	f.StringVar(&opts.xlim, "xlim", "", "LO,HI: a line plot's x range, instead of the data's (gamma_rel: 0,1)")
	f.StringVar(&opt.Style.Title, "title", "", "the title (default: the metric and aggregation)")
	f.StringVar(&opt.Style.XLabel, "xlabel", "", "the x axis's label (default: the column)")
	f.StringVar(&opt.Style.YLabel, "ylabel", "", "the y axis's label (default: the column, or the metric on a line plot)")
	f.StringVar(&opt.Style.ZLabel, "zlabel", "", "the colour bar's label (line plots: the y axis's; default: the metric)")
	f.StringVar(&opts.size, "size", "", "the figure's size: WxH in inches (6x4), or in pixels with px (1200x800px, at --dpi)")
	f.IntVar(&opt.Style.DPI, "dpi", 96, "PNG resolution in dots per inch")
	return cmd
}

// plotRun parses the flags into the figure's options, draws the figure and prints its path.
func plotRun(opts *plotOptions) error {
	opt := opts.opt
	var err error
	if opt.Where, err = phase.ParseWhere(opts.where); err != nil {
		return usageError{fmt.Errorf("--where %w", err)}
	}
	for _, ref := range opts.refs {
		r, err := phase.ParseRef(ref)
		if err != nil {
			return usageError{fmt.Errorf("--ref %w", err)}
		}
		opt.Refs = append(opt.Refs, r)
	}
	if opts.contourSet {
		opt.Contour = &opts.contour
	}
	if opts.logZSet {
		opt.LogZ = &opts.logZ
	}
	if err := parseLook(&opt, opts.size, opts.zlim, opts.xlim); err != nil {
		return usageError{err}
	}
	fig, err := phase.Plot(opts.table, opt, opts.IO.ErrOut)
	var fe *phase.FlagError
	if errors.As(err, &fe) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if opts.drawn != nil {
		opts.drawn(fig)
	}
	fmt.Fprintln(opts.IO.Out, fig.Path)
	return nil
}

// parseLook checks --dpi and parses --size, --zlim and --xlim into opt.
func parseLook(opt *phase.Options, size, zlim, xlim string) error {
	if opt.Style.DPI <= 0 || opt.Style.DPI > 2400 {
		return fmt.Errorf("--dpi %d: want 1 to 2400", opt.Style.DPI)
	}
	if size != "" {
		w, h, err := parseSize(size, opt.Style.DPI)
		if err != nil {
			return fmt.Errorf("--size %q: %w", size, err)
		}
		opt.Style.Width, opt.Style.Height = w, h
	}
	var err error
	if opt.ZLim, err = parseLim("--zlim", zlim); err != nil {
		return err
	}
	opt.XLim, err = parseLim("--xlim", xlim)
	return err
}

// parseLim parses the range LO,HI of flag ("": nil).
func parseLim(flag, s string) (*[2]float64, error) {
	if s == "" {
		return nil, nil
	}
	lo, hi, ok := strings.Cut(s, ",")
	a, errA := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	b, errB := strconv.ParseFloat(strings.TrimSpace(hi), 64)
	if !ok || errA != nil || errB != nil || !(a < b) {
		return nil, fmt.Errorf("%s %q: want LO,HI, two numbers with LO < HI", flag, s)
	}
	return &[2]float64{a, b}, nil
}

// parseSize parses WxH in inches ("6x4", "6inx4in") or pixels at dpi ("1200x800px").
func parseSize(s string, dpi int) (w, h vg.Length, err error) {
	unit := vg.Inch
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasSuffix(t, "px") {
		unit = vg.Inch / vg.Length(dpi)
		t = strings.ReplaceAll(t, "px", "")
	} else {
		t = strings.ReplaceAll(t, "in", "")
	}
	ws, hs, ok := strings.Cut(t, "x")
	a, errA := strconv.ParseFloat(ws, 64)
	b, errB := strconv.ParseFloat(hs, 64)
	if !ok || errA != nil || errB != nil || !(a > 0) || !(b > 0) {
		return 0, 0, fmt.Errorf("want WxH in inches (6x4) or pixels (1200x800px), both positive")
	}
	return vg.Length(a) * unit, vg.Length(b) * unit, nil
}
