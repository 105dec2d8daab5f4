package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/layout"
)

// pinChange is the workflow.GetVersion change id of per-sweep directories and pinning: sweeps
// whose history predates it keep the shared out/shards layout and carry the spec in every
// input; the others run PrepareSweep first and pin their chunks (activities.Pin).
const pinChange = "per-sweep-directory"

// maxHealRounds bounds how often a sweep recomputes chunks whose shards the merge set aside
// before it fails with the merge's reasons (a shard that is corrupt again each time is a
// fault no recomputation fixes).
const maxHealRounds = 3

// prepare returns the pin of the sweep's chunks and, the first time, runs PrepareSweep: the
// spec stored once at the pin's SpecCopy, the output location checked. Sweeps recorded before
// pinChange get the zero pin and no activity, as they did.
func prepare(ctx workflow.Context, in SweepInput, st *SweepState) (activities.Pin, error) {
	if workflow.GetVersion(ctx, pinChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return activities.Pin{}, nil
	}
	id := in.SweepID
	if id == "" {
		id = workflow.GetInfo(ctx).WorkflowExecution.ID
	}
	l, err := layout.New(in.OutDir, id)
	if err != nil {
		return activities.Pin{}, temporal.NewNonRetryableApplicationError(err.Error(), activities.ErrSpec, nil)
	}
	pin := activities.Pin{Sweep: id, SpecCopy: l.SpecCopy(), Hash: in.Hash, Data: in.Data, Level: in.Level}
	if st.Prepared {
		return pin, nil
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         chunkRetry,
	})
	var a *activities.Activities
	err = workflow.ExecuteActivity(actx, a.PrepareSweep, activities.PrepareInput{
		Spec: in.Spec, SpecFile: in.SpecFile, OutDir: in.OutDir, Pin: pin,
	}).Get(ctx, nil)
	if err != nil {
		return activities.Pin{}, err
	}
	st.Prepared = true
	return pin, nil
}

// mergeHealing merges the sweep's shards; when the merge sets shards aside or finds some
// missing (activities.MergeOutput.Recompute), it runs those chunks again and merges again, at
// most maxHealRounds times, noting each in the progress.
func mergeHealing(ctx workflow.Context, in SweepInput, p plan, pin activities.Pin, pr *Progress) (activities.MergeOutput, error) {
	for round := 0; ; round++ {
		merged, err := merge(ctx, in, p, pin, false)
		if err != nil || len(merged.Recompute) == 0 {
			return merged, err
		}
		pr.Recomputed += len(merged.Recompute)
		if n := len(merged.SetAside); n > 0 {
			pr.SetAside = merged.SetAside[n-1]
		}
		workflow.GetLogger(ctx).Warn("recomputing chunks before the merge", "chunks", merged.Recompute, "setAside", merged.SetAside)
		if round == maxHealRounds {
			return merged, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"chunks %v still have no good shard after %d recomputations: %v", merged.Recompute, maxHealRounds, merged.SetAside), activities.ErrOutput, nil)
		}
		if err := recompute(ctx, in, pin, p.window, merged.Recompute); err != nil {
			return merged, err
		}
	}
}

// recompute runs the chunks again, at most window at once.
func recompute(ctx workflow.Context, in SweepInput, pin activities.Pin, window int, chunks []int) error {
	actx := workflow.WithActivityOptions(ctx, chunkActivity)
	sw := in
	sw.Spec = ""
	var a *activities.Activities
	for len(chunks) > 0 {
		n := min(window, len(chunks))
		var fs []workflow.Future
		for _, id := range chunks[:n] {
			fs = append(fs, workflow.ExecuteActivity(actx, a.SimulateChunk, chunkInput(sw, pin, id)))
		}
		for _, f := range fs {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		chunks = chunks[n:]
	}
	return nil
}
