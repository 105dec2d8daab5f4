// Command worker runs phasesweep's workflows and activities against any Temporal frontend; start
// as many as there are machines (or cores to spare). It links no server.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	sdklog "go.temporal.io/sdk/log"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/dial"
	"github.com/phasesweep/phasesweep/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := command().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// command is the worker's command line: the connection flags of dial.Options, --concurrency
// and --wait, each flag also read from its environment variable when not given.
func command() *cobra.Command {
	var opts dial.Options
	var concurrency int
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run phasesweep's sweep workflows and simulations for a Temporal frontend",
		Long: `Run phasesweep's sweep workflows and simulation activities for the Temporal frontend at
--address, on the task queue --task-queue of namespace --namespace, at most --concurrency
simulations at once. Every flag may also come from the environment variable named in its
help; a flag given on the command line overrides the variable.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PreRunE:       func(cmd *cobra.Command, _ []string) error { return dial.ApplyEnv(cmd.Flags()) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), opts.WithDefaults(), concurrency, wait)
		},
	}
	fl := cmd.Flags()
	opts.Register(fl, "127.0.0.1:7233", "")
	fl.IntVar(&concurrency, "concurrency", 0, "simulations at once (default: one per core)")
	dial.BindEnv(fl, "concurrency", "PHASESWEEP_WORKER_CONCURRENCY")
	fl.DurationVar(&wait, "wait", 2*time.Minute, "how long to keep trying to reach the server at start")
	return cmd
}

// run serves the task queue until ctx ends (SIGINT, SIGTERM).
func run(ctx context.Context, opts dial.Options, concurrency int, wait time.Duration) error {
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	copts, err := opts.Client(logger)
	if err != nil {
		return err
	}
	// Workers may be started before (or while) the server comes up: Dial retries for wait.
	c, err := dial.Dial(ctx, copts, wait)
	if err != nil {
		return err
	}
	defer c.Close()
	w := workflows.NewWorkerOn(c, opts.TaskQueue, &activities.Activities{}, concurrency)
	fmt.Fprintf(os.Stderr, "worker: serving task queue %s of namespace %s on %s\n", opts.TaskQueue, opts.Namespace, opts.Address)
	stopped := make(chan any)
	go func() { <-ctx.Done(); close(stopped) }()
	return w.Run(stopped)
}
