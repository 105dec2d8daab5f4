package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/grid"
)

func validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate SPEC",
		Short: "Check a spec and summarise its grid without running anything",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := grid.Load(args[0])
			if err != nil {
				return err
			}
			summarize(cmd.OutOrStdout(), args[0], g)
			return nil
		},
	}
}

// summarize prints the point count, the axes and the fixed parameters of a grid.
func summarize(w io.Writer, file string, g *grid.Grid) {
	s := g.Spec()
	fmt.Fprintf(w, "%s: sweep %q, %d points, %d axes, spec hash %s\n", file, s.Name, g.Count(), len(s.Grid), s.Hash()[:16])
	for _, ax := range s.Grid {
		var vals []string
		for k := 0; k < ax.Len(); k++ {
			if ax.Len() > 6 && k == 3 { // the first three, ..., the last
				vals, k = append(vals, "..."), ax.Len()-1
			}
			var parts []string
			for _, v := range ax.Row(k) {
				parts = append(parts, v.String())
			}
			vals = append(vals, strings.Join(parts, "/"))
		}
		fmt.Fprintf(w, "  grid   %-24s %4d values: %s\n", strings.Join(ax.Names, "+"), ax.Len(), strings.Join(vals, ", "))
	}
	for _, f := range s.Fixed {
		fmt.Fprintf(w, "  fixed  %-24s %s\n", f.Name, f.Value)
	}
}
