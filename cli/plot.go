package main

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

func plotCmd() *cobra.Command {
	var x, y, z, agg, by, facet, out string
	var contour float64
	cmd := &cobra.Command{
		Use:   "plot RESULTS",
		Short: "Draw a heat map (two numeric axes) or a line plot of a metric from results.parquet",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(phase.Aggs, agg) {
				return usageError{fmt.Errorf("--agg %q: want one of %v", agg, phase.Aggs)}
			}
			t, err := results.ReadFile(args[0])
			if err != nil {
				return err
			}
			// Defaults from the swept parameters of the spec, skipping those already used.
			used := []string{facet, by, x, y}
			numeric := func(name string) bool {
				for _, f := range t.Fields {
					if f.Name == name {
						return f.Kind != results.String
					}
				}
				return false
			}
			var free []string // swept columns not otherwise used, in axis order
			if src, ok := t.Meta[results.MetaSpec]; ok {
				if s, err := spec.Parse(args[0], []byte(src)); err == nil {
					for _, a := range s.Grid {
						for _, n := range a.Names {
							if c := results.ParamColumn(n); c != "seed" && !slices.Contains(used, c) {
								free = append(free, c)
							}
						}
					}
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
			if x == "" {
				if x = take(true); x == "" {
					return usageError{fmt.Errorf("no numeric swept parameter for the x axis: give --x")}
				}
			}
			heat := by == "" && (y != "" || slices.ContainsFunc(free, numeric))
			if heat && y == "" {
				y = take(true)
			}
			name := z + "_" + x
			if heat {
				name += "_" + y
			} else if by == "" && len(free) > 0 {
				by = take(false)
			}
			if !heat && by != "" {
				name += "_" + by
			}
			if out == "" {
				out = filepath.Join(filepath.Dir(args[0]), name+".png")
			}
			if heat {
				grids, err := phase.HeatGrids(t, x, y, z, agg, facet)
				if err != nil {
					return err
				}
				opt := phase.HeatOptions{FacetName: facet}
				if cmd.Flags().Changed("contour") {
					opt.Contour = &contour
				}
				err = phase.RenderHeat(grids, opt, out)
				if err != nil {
					return err
				}
			} else {
				sets, err := phase.Lines(t, x, z, by, agg, facet)
				if err != nil {
					return err
				}
				if err := phase.RenderLines(sets, facet, out); err != nil {
					return err
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&x, "x", "", "parameter on the x axis (default: the first swept numeric parameter)")
	f.StringVar(&y, "y", "", "parameter on the y axis of a heat map (default: the next swept numeric parameter)")
	f.StringVar(&z, "z", "test_loss", "metric to plot")
	f.StringVar(&agg, "agg", "mean", "aggregate over the other parameters and seeds: mean, median, min or max")
	f.StringVar(&by, "by", "", "line plot with one line per value of this parameter")
	f.StringVar(&facet, "facet", "", "one panel per value of this parameter, side by side")
	f.Float64Var(&contour, "contour", 0, "draw the contour of the metric at this level on a heat map")
	f.StringVar(&out, "out", "", "output file, .png or .svg (default: <dir of RESULTS>/<z>_<x>_<y>.png)")
	return cmd
}
