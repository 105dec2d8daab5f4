package workflows

import (
	"runtime"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/phasesweep/phasesweep/activities"
)

// NewWorker makes a worker for the default task queue (TaskQueue); see NewWorkerOn.
func NewWorker(c client.Client, a *activities.Activities, concurrency int) worker.Worker {
	return NewWorkerOn(c, TaskQueue, a, concurrency)
}

// NewWorkerOn makes a worker for the task queue queue that runs at most one simulation per
// core at a time (the SDK's default of 1000 would oversubscribe CPU-bound work); concurrency 0
// means runtime.NumCPU().
func NewWorkerOn(c client.Client, queue string, a *activities.Activities, concurrency int) worker.Worker {
	if concurrency < 1 {
		concurrency = runtime.NumCPU()
	}
	w := worker.New(c, queue, worker.Options{
		MaxConcurrentActivityExecutionSize: concurrency,
		WorkflowPanicPolicy:                worker.FailWorkflow,
	})
	Register(w, a)
	return w
}
