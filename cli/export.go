package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/summary"
)

// exportOptions are sweep export's: the table, --csv, --out, the streams.
type exportOptions struct {
	IO   *IOStreams
	path string
	csv  bool
	out  string
}

func exportCmd(ios *IOStreams) *cobra.Command {
	opts := &exportOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "export RESULTS --csv",
		Short: "Convert a results table to CSV",
		Long: `Write RESULTS (results.parquet, trajectories.parquet) as CSV with a header row: integers in
decimal, floats in the shortest form that parses back to the same float64 (NaN, +Inf, -Inf for
the non-finite ones), strings quoted where CSV needs it. On stdout, or to --out.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.path = args[0]
			return exportRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.csv, "csv", false, "write CSV")
	cmd.Flags().StringVarP(&opts.out, "out", "o", "", "output file (default stdout)")
	return cmd
}

// exportRun writes the table as CSV to --out, else on the output stream.
func exportRun(opts *exportOptions) error {
	if !opts.csv {
		return usageError{errors.New("give the output format: --csv")}
	}
	return exportCSV(opts.IO.Out, opts.path, opts.out)
}

// exportCSV reads path and writes it as CSV to out ("" or "-": stdout).
func exportCSV(stdout io.Writer, path, out string) (err error) {
	t, err := results.ReadFile(path)
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		return writeCSV(stdout, t)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := writeCSV(f, t); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

// writeCSV writes t as CSV with a header row of its column names.
func writeCSV(w io.Writer, t *results.Table) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	rec := make([]string, len(t.Fields))
	for j, f := range t.Fields {
		rec[j] = f.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range t.Rows {
		for j, f := range t.Fields {
			rec[j] = summary.FormatValue(f.Kind, row[j])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
