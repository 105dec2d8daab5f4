// Command sweep runs phasesweep's hyperparameter sweeps of training dynamics: one YAML spec in,
// one results.parquet out, on an embedded Temporal server or a cluster (see README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/dial"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/version"
)

// usageError marks errors in how the command was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "sweep",
		Short:         "Run phase-diagram sweeps of training dynamics on Temporal",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// Flags bound to environment variables (dial.BindEnv) take them when not given.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := dial.ApplyEnv(cmd.Flags()); err != nil {
			return usageError{err}
		}
		return nil
	}
	root.AddCommand(runCmd(), validateCmd(), serverCmd(), retryCmd())
	root.AddCommand(plotCmd(), reproduceCmd())
	root.AddCommand(controlCmds()...)
	root.AddCommand(summarizeCmd(), exportCmd(), resultsCmd())
	root.AddCommand(uiCmd())
	err := root.ExecuteContext(ctx)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "sweep:", err)
	os.Exit(exitCode(err))
}

// exitCode is 2 for usage and spec errors (nothing was submitted), 1 otherwise.
func exitCode(err error) int {
	var se *spec.Error
	var ue usageError
	if errors.As(err, &se) || errors.As(err, &ue) {
		return 2
	}
	return 1
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
