package workflows

import (
	"runtime"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/phasesweep/phasesweep/activities"
)

// NewWorker makes a worker for the sweep task queue that runs at most one simulation per core
// at a time (the SDK's default of 1000 would oversubscribe CPU-bound work); concurrency 0 means
// runtime.NumCPU().
func NewWorker(c client.Client, a *activities.Activities, concurrency int) worker.Worker {
	if concurrency < 1 {
		concurrency = runtime.NumCPU()
	}
	w := worker.New(c, TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize: concurrency,
		WorkflowPanicPolicy:                worker.FailWorkflow,
	})
	Register(w, a)
	return w
}
