package workflows

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

// TestPauseBeforeContinueAsNew: a pause signalled by the last batch of a run of the sweep, in
// the very task in which that batch completes, must survive the continue-as-new that follows
// (the next run starts paused). The batch is a mock child that signals the pause to its parent
// and completes; the selector then sees the completion and the signal together. On main only
// the chunk-done channel was drained before continue-as-new, so the pause was dropped.
func TestPauseBeforeContinueAsNew(t *testing.T) {
	in := sweepInput(t, testSpec, 16, 2, 2)
	in.ChunksPerBatch, in.BatchesPerRun = 2, 1 // 4 batches, one per run
	for _, signal := range []string{PauseSignal} {
		t.Run(signal, func(t *testing.T) {
			env := newEnv(t, nil)
			env.OnActivity("PrepareSweep", mock.Anything, mock.Anything).Return(nil)
			env.OnWorkflow(BatchWorkflow, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, b BatchInput) error {
				return workflow.SignalExternalWorkflow(ctx, b.ParentID, "", signal, nil).Get(ctx, nil)
			})
			start := in
			start.State = &SweepState{Paused: signal == ResumeSignal} // resume must unpause a paused sweep
			if start.State.Paused {
				start.State.NextBatch = 0
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(ResumeSignal, nil) }, 0)
			}
			env.ExecuteWorkflow(SweepWorkflow, start)
			var can *workflow.ContinueAsNewError
			if err := env.GetWorkflowError(); !errors.As(err, &can) {
				t.Fatalf("workflow ended with %v, want a continue-as-new after one batch", err)
			}
			var next SweepInput
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
				t.Fatal(err)
			}
			if want := signal == PauseSignal; next.State == nil || next.State.Paused != want {
				t.Errorf("next run's state %+v, want Paused = %v (the %s signal of the last task carried over)", next.State, want, signal)
			}
		})
	}
}
