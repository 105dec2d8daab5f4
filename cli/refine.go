package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/refine"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/workflows"
)

// sweepWorkflowOf is the workflow sweep run starts for the sweep in and its input: the
// refined sweep's parent (workflows.RefineWorkflow, docs/refine.md) when the spec has a
// refine section, else workflows.SweepWorkflow.
func sweepWorkflowOf(in workflows.SweepInput) (wf, arg any) {
	s, err := spec.Parse(in.SpecFile, []byte(in.Spec))
	if err != nil || s.Refine == nil { // sweep run parsed it before: err is nil
		return workflows.SweepWorkflow, in
	}
	return workflows.RefineWorkflow, workflows.RefineInput{Sweep: in, Levels: s.Refine.Levels}
}

// checkRefine checks what the spec parser leaves to pkg/refine (refine.on names a metric),
// so that a bad refine section is a spec error before anything is submitted.
func checkRefine(s *spec.Spec) error {
	if s.Refine == nil {
		return nil
	}
	_, err := refine.New(s)
	return err
}

// describeRefine is the line sweep validate prints for a refined spec.
func describeRefine(s *spec.Spec) string {
	r := s.Refine
	on := r.On
	if !spec.OnClass(on) {
		on = fmt.Sprintf("%s (jump %v)", r.On, r.Jump)
	}
	return fmt.Sprintf("refine: %s on %s, up to %d levels, halo %d, budget %d points (coarse grid %d)",
		strings.Join(r.Axes, " x "), on, r.Levels, r.Halo, r.Budget, s.Count())
}

// printLevels writes the points of each level of a finished refined sweep.
func printLevels(w io.Writer, levels []int64) {
	if len(levels) == 0 {
		return
	}
	parts := make([]string, len(levels))
	for l, n := range levels {
		parts[l] = fmt.Sprintf("level %d: %d", l, n)
	}
	fmt.Fprintf(w, "refined: %s points\n", strings.Join(parts, ", "))
}

// levelsOf asks a running refined sweep for the points of its levels so far.
func levelsOf(ctx context.Context, c client.Client, id string) ([]int64, error) {
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	v, err := c.QueryWorkflow(qctx, id, "", workflows.LevelsQuery)
	if err != nil {
		return nil, err
	}
	var levels []int64
	return levels, v.Get(&levels)
}
