package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/summary"
)

// summarizeOptions are sweep summarize's: the table, --by, --metric, --json, the streams.
type summarizeOptions struct {
	IO         *IOStreams
	path       string
	by, metric string
	json       bool
}

func summarizeCmd(ios *IOStreams) *cobra.Command {
	opts := &summarizeOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "summarize RESULTS",
		Short: "Aggregate a metric of a results table over groups of rows",
		Long: `Group the rows of RESULTS (a results.parquet, or any table sweep writes) by the columns of
--by and print, per group, its runs by status (CONVERGED, MAX_STEPS, DIVERGED, FAILED) and the
count, mean, median, sample standard deviation (n-1), standard error, min and max of --metric
over the converged and max_steps runs where it is finite. Diverged and failed runs are left
out of the statistics (a diverged run keeps the finite, often huge, metrics it stopped with),
and so are the NONFINITE values (NaN or ±Inf) of the others. Without --by, all rows form one
group. Groups are sorted by their key. --json prints the same with snake_case keys.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.path = args[0]
			return summarizeRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.by, "by", "", "comma-separated columns to group by")
	cmd.Flags().StringVar(&opts.metric, "metric", "", "numeric column to summarise (e.g. test_loss)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print JSON (statistics that are undefined as null)")
	return cmd
}

// summarizeRun prints the summary of the table on the output stream.
func summarizeRun(opts *summarizeOptions) error {
	if opts.metric == "" {
		return usageError{errors.New("--metric is required")}
	}
	return summarizeTable(opts.IO.Out, opts.path, splitList(opts.by), opts.metric, opts.json)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// summarizeTable reads path and writes the summary of metric by the columns by to w.
func summarizeTable(w io.Writer, path string, by []string, metric string, asJSON bool) error {
	t, err := results.ReadFile(path)
	if err != nil {
		return err
	}
	s, err := summary.Summarize(t, by, metric)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", path, err)}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(s)
	}
	if t.Meta[results.MetaPartial] == "true" {
		fmt.Fprintln(w, "# partial table: the sweep had not finished")
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	var head []string
	for _, b := range by {
		head = append(head, strings.ToUpper(b))
	}
	head = append(head, "CONVERGED", "MAX_STEPS", "DIVERGED", "FAILED", "COUNT", "NONFINITE", "MEAN", "MEDIAN", "STD", "SEM", "MIN", "MAX")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, g := range s.Groups {
		cells := append([]string{}, g.Key...)
		failed := g.Failed + g.Other // another status is left out like a failure
		for _, n := range []int{g.Converged, g.MaxSteps, g.Diverged, failed, g.N, g.NonFinite} {
			cells = append(cells, strconv.Itoa(n))
		}
		for _, x := range []float64{g.Mean, g.Median, g.Std, g.SEM, g.Min, g.Max} {
			cells = append(cells, strconv.FormatFloat(x, 'g', 6, 64))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}
