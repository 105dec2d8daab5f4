package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/phase"
)

func plotCmd() *cobra.Command { return newPlotCmd(nil) }

// newPlotCmd is the plot command; drawn, when not nil, receives each figure it draws (tests
// check its structure).
func newPlotCmd(drawn func(*phase.Figure)) *cobra.Command {
	var opt phase.Options
	var where, ref string
	var contour float64
	var logZ bool
	cmd := &cobra.Command{
		Use:   "plot RESULTS",
		Short: "Draw a heat map, a line plot or trajectories from results.parquet or trajectories.parquet",
		Long: `Draw a figure from a sweep's table (PNG or SVG, gonum/plot).

results.parquet: a heat map of --z over two numeric parameters (log axes where log-spaced,
diverged or failed cells hatched grey), or with --by a line plot with one line per value and
a band over the other parameters and seeds (diverged points: a cross at the top edge).
trajectories.parquet: --z (default train_loss) over time, one curve per point, or with
--coords the coordinates of beta over time, one panel per point; gd/flow points get the jump
times predicted by a saddle run on the same data in results.parquet (Pesme2023).

--logz defaults to a log scale when the metric is positive and spans more than three decades
(trajectories of a loss: whenever it is positive); --logz=false forces linear.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opt.Where, err = phase.ParseWhere(where); err != nil {
				return usageError{fmt.Errorf("--where %w", err)}
			}
			if ref != "" {
				if opt.Ref, err = phase.ParseRef(ref); err != nil {
					return usageError{fmt.Errorf("--ref %w", err)}
				}
			}
			if cmd.Flags().Changed("contour") {
				opt.Contour = &contour
			}
			if cmd.Flags().Changed("logz") {
				opt.LogZ = &logZ
			}
			fig, err := phase.Plot(args[0], opt, cmd.ErrOrStderr())
			var fe *phase.FlagError
			if errors.As(err, &fe) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if drawn != nil {
				drawn(fig)
			}
			fmt.Fprintln(cmd.OutOrStdout(), fig.Path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.X, "x", "", "parameter on the x axis (default: the first swept numeric parameter; time or step for trajectories); effective_stepsize = stepsize/(1-momentum)^2")
	f.StringVar(&opt.Y, "y", "", "parameter on the y axis of a heat map (default: the next swept numeric parameter)")
	f.StringVar(&opt.Z, "z", "", "metric to plot (default: test_loss; train_loss for trajectories)")
	f.StringVar(&opt.Agg, "agg", "mean", "aggregate over the other parameters and seeds: mean, median, min or max")
	f.StringVar(&opt.By, "by", "", "line plot with one line per value of this parameter")
	f.StringVar(&opt.Facet, "facet", "", "one panel per value of this parameter, side by side")
	f.Float64Var(&contour, "contour", 0, "draw the contour of the metric at this level on a heat map")
	f.StringVar(&where, "where", "", "keep only rows (points) with these values: P=V[,P=V...] (a parameter named twice: either value)")
	f.BoolVar(&logZ, "logz", false, "log colour scale (heat map) or log y axis (default: log when the metric is positive and spans > 3 decades)")
	f.BoolVar(&opt.LogX, "logx", false, "log x axis (default: log when the parameter is log-spaced)")
	f.StringVar(&opt.Mark, "mark", "", "line plots: a vertical dashed line per line at the median of this column (e.g. gamma_max)")
	f.StringVar(&ref, "ref", "", "line plots: a reference curve A/x, A*x or A (e.g. 2/x: the edge of stability)")
	f.BoolVar(&opt.Coords, "coords", false, "trajectories: the coordinates of beta over time (needs record: {beta: true})")
	f.StringVar(&opt.Out, "out", "", "output file, .png or .svg (default: <dir of RESULTS>/<z>_<x>_<y>.png)")
	return cmd
}
