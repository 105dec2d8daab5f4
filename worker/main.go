// Command worker runs phasesweep's workflows and activities against any Temporal frontend; start
// as many as there are machines (or cores to spare). It links no server.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

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
	wait := flag.Duration("wait", 2*time.Minute, "how long to keep trying to reach the server at start")
	flag.Parse()
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := dial(client.Options{HostPort: *address, Namespace: *namespace, Logger: logger}, *wait)
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

// dial connects to the frontend, retrying for up to wait so that workers may be started before
// (or while) the server comes up.
func dial(opts client.Options, wait time.Duration) (client.Client, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := client.Dial(opts)
		if err == nil || time.Now().After(deadline) {
			return c, err
		}
		time.Sleep(time.Second)
	}
}
