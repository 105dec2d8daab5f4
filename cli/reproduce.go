package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/examples/papers"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// reproduceOptions are sweep reproduce's: its streams, the recipe's name ("": list them),
// --quick, and the flags of sweep run it takes (--out and the connection's).
type reproduceOptions struct {
	IO    *IOStreams
	name  string
	quick bool
	runFlags
}

func reproduceCmd(ios *IOStreams) *cobra.Command {
	opts := &reproduceOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "reproduce [NAME]",
		Short: "Run a paper's key experiment (a recipe of examples/papers) and draw its figures",
		Long: `Run the recipe NAME of examples/papers: its sweep, exactly as sweep run would run the
recipe's spec, then its figures, exactly as sweep plot would draw them. Without NAME, list the
recipes. --quick runs the recipe's smaller grid (under a minute). The spec is written into the
output directory (default runs/<spec name>) next to results.parquet and the figures; the plot
commands are printed on stderr, so that they can be rerun or edited by hand.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.MaximumNArgs(1)(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.name = args[0]
			}
			return reproduceRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.quick, "quick", false, "run the recipe's quick spec (a smaller grid, under a minute)")
	fl.StringVar(&opts.out, "out", "", "output directory (default runs/<spec name>)")
	opts.conn.register(cmd)
	return cmd
}

// listRecipes prints each recipe's name, paper, points of the full and quick specs and title.
func listRecipes(w io.Writer) error {
	all, err := papers.All()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPAPER\tPOINTS\tQUICK\tTITLE")
	for _, r := range all {
		var counts [2]int64
		for i, quick := range []bool{false, true} {
			s, err := recipeSpec(r, quick)
			if err != nil {
				return err
			}
			counts[i] = s.Count()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", r.Name, r.Source, counts[0], counts[1], r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nsweep reproduce NAME [--quick] runs one; see examples/papers/README.md")
	return nil
}

// recipeSpec parses the recipe's full or quick spec (errors name its path in the repository).
func recipeSpec(r papers.Recipe, quick bool) (*spec.Spec, error) {
	file, src, err := r.SpecFile(quick)
	if err != nil {
		return nil, err
	}
	return spec.Parse(file, src)
}

// reproduceRun lists the recipes, or runs the recipe's sweep through runSweep (the code of
// sweep run) from a copy of its spec in the output directory, then draws each of its plots
// through plotCmd (the code of sweep plot).
func reproduceRun(ctx context.Context, opts *reproduceOptions) error {
	if opts.name == "" {
		return listRecipes(opts.IO.Out)
	}
	r, err := papers.Lookup(opts.name)
	if errors.Is(err, papers.ErrUnknown) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	s, err := recipeSpec(r, opts.quick)
	if err != nil {
		return err
	}
	run := &runOptions{IO: opts.IO, runFlags: opts.runFlags}
	if run.out == "" {
		run.out = filepath.Join("runs", s.Name)
	}
	if err := os.MkdirAll(run.out, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	// The copy is what the sweep reads (workers on other machines see it where they see the
	// output), and it records next to the results what produced them.
	file, src, err := r.SpecFile(opts.quick)
	if err != nil {
		return err
	}
	run.file = filepath.Join(run.out, filepath.Base(file))
	if err := os.WriteFile(run.file, src, 0o644); err != nil {
		return fmt.Errorf("write the recipe's spec: %w", err)
	}
	if err := runSweep(ctx, run); err != nil {
		return err
	}
	for i, p := range r.Plots {
		fmt.Fprintln(opts.IO.ErrOut, p.Command(run.out))
		if err := drawRecipePlot(ctx, opts.IO, p.Argv(run.out)); err != nil {
			return fmt.Errorf("recipe %s, plot %d (%s): %w", r.Name, i+1, p.File, err)
		}
	}
	return nil
}

// drawRecipePlot runs `sweep plot argv...` in this process.
func drawRecipePlot(ctx context.Context, ios *IOStreams, argv []string) error {
	cmd := plotCmd(ios)
	cmd.SetArgs(argv)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(ctx)
}
