package main

import (
	"context"
	"fmt"
	"io"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/workflows"
)

// copyToOut writes the tables of sweep id (res) to the output location l of this sweep run
// when the sweep wrote them elsewhere: a finished (or running) sweep attached with another
// --out keeps the output it was started with, so its tables are copied, byte for byte, to the
// one asked for. It says so in one line on errOut and returns the results table written and
// the one it was copied from ("" when the sweep's output is l itself: nothing is copied).
func copyToOut(ctx context.Context, errOut io.Writer, st *store.Store, id string, res workflows.SweepOutput, l layout.Sweep) (written, from string, err error) {
	if res.Results == "" || res.Results == l.Results() {
		return res.Results, "", nil
	}
	if err := copyObject(ctx, st, res.Results, l.Results()); err != nil {
		return "", "", err
	}
	if res.Trajectories != "" {
		if err := copyObject(ctx, st, res.Trajectories, l.Trajectories()); err != nil {
			return "", "", err
		}
	}
	fmt.Fprintf(errOut, "sweep %s has its table at %s (the output it was started with); copied it to %s\n", id, res.Results, l.Results())
	return l.Results(), res.Results, nil
}

// copyObject copies the object at src to dst (either a local path or an s3:// / gs:// URL),
// atomically: dst is replaced whole or left as it was.
func copyObject(ctx context.Context, st *store.Store, src, dst string) error {
	err := st.Put(ctx, dst, func(path string) error { return st.CopyToFile(ctx, src, path) })
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}
