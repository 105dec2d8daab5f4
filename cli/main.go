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

// sentence marks errors whose message is a whole sentence for the user: main prints it as it
// is, without the "sweep: " prefix.
type sentence interface {
	error
	sentence()
}

// Exit statuses: 2 for usage and spec errors (nothing was submitted), 130 when an interrupt
// (SIGINT, SIGTERM) stopped the command (128 + SIGINT, the shells' convention), 1 for the rest.
const (
	exitRuntime   = 1
	exitUsage     = 2
	exitInterrupt = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := mainRun(ctx, systemIO(), os.Args[1:])
	stop()
	os.Exit(code)
}

// mainRun runs the sweep command line args with the streams ios and returns the exit status:
// on an error it writes one line on ios.ErrOut (the error's sentence, else "sweep: " and the
// error; for an interrupted command, unless the command said it itself, what was saved).
func mainRun(ctx context.Context, ios *IOStreams, args []string) int {
	root := rootCmd(ios)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if ctx.Err() != nil { // interrupted: the command has ended its progress line
		if _, watched := errors.AsType[*interruptedError](err); !watched || !reportsInterrupt[cmd.Name()] {
			fmt.Fprintln(ios.ErrOut, interruptLine(err))
		}
		return exitInterrupt
	}
	if _, ok := errors.AsType[sentence](err); ok {
		fmt.Fprintln(ios.ErrOut, err)
	} else {
		fmt.Fprintln(ios.ErrOut, "sweep:", err)
	}
	return exitCode(err)
}

// rootCmd is the sweep command with all its subcommands, reading and writing ios (cobra's own
// help and version text too).
func rootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "sweep",
		Short:         "Run phase-diagram sweeps of training dynamics on Temporal",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// An unknown command is a usage error (cobra's own check returns a plain error).
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return usageError{errors.New(msg + "; sweep --help lists the commands")}
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// Flags bound to environment variables (dial.BindEnv) take them when not given.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := dial.ApplyEnv(cmd.Flags()); err != nil {
			return usageError{err}
		}
		return nil
	}
	root.AddCommand(runCmd(ios), validateCmd(ios), serverCmd(ios), retryCmd(ios))
	root.AddCommand(plotCmd(ios), reproduceCmd(ios))
	root.AddCommand(controlCmds(ios)...)
	root.AddCommand(summarizeCmd(ios), exportCmd(ios), resultsCmd(ios), uiCmd(ios))
	return root
}

// reportsInterrupt are the commands that print their own line when interrupted while they
// watch a sweep (sweep run says how to resume it, sweep watch that it goes on).
var reportsInterrupt = map[string]bool{"run": true, "reproduce": true, "watch": true}

// interruptLine is main's one line for an interrupted command.
func interruptLine(err error) string {
	if ie, ok := errors.AsType[*interruptedError](err); ok {
		return fmt.Sprintf("interrupted: sweep %s is saved; run the same command again to resume it", ie.id)
	}
	return "sweep: interrupted"
}

// exitCode is 2 for usage and spec errors (nothing was submitted), 1 otherwise.
func exitCode(err error) int {
	var se *spec.Error
	var ue usageError
	if errors.As(err, &se) || errors.As(err, &ue) {
		return exitUsage
	}
	return exitRuntime
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
