// Command worker runs phasesweep's workflows and activities against any Temporal frontend; start
// as many as there are machines (or cores to spare). It links no server.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/workflows"
)

func main() {
	address := flag.String("address", "127.0.0.1:7233", "host:port of the Temporal frontend")
	namespace := flag.String("namespace", "default", "Temporal namespace")
	concurrency := flag.Int("concurrency", 0, "simulations at once (default: one per core)")
	flag.Parse()
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: *address, Namespace: *namespace, Logger: logger})
	if err != nil {
		fmt.Fprintf(os.Stderr, "worker: connect to %s: %v\n", *address, err)
		os.Exit(1)
	}
	defer c.Close()
	w := workflows.NewWorker(c, &activities.Activities{}, *concurrency)
	fmt.Fprintf(os.Stderr, "worker: serving task queue %s on %s\n", workflows.TaskQueue, *address)
	if err := w.Run(worker.InterruptCh()); err != nil {
		fmt.Fprintf(os.Stderr, "worker: %v\n", err)
		os.Exit(1)
	}
}
