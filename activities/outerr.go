package activities

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/store"
)

// ErrOutput is the application error type of an output location that no retry can make
// writable (permission denied, a read-only filesystem, a path through a file); it is not
// retried, so the sweep fails at once with the reason instead of stalling.
const ErrOutput = "OutputError"

// writeFailure classifies an error writing to the output location: a failure no retry can
// fix (or a plain-http endpoint this worker's environment does not allow, pkg/store) becomes a
// non-retryable ErrOutput error naming what was written (what, e.g. "shard of
// chunk 3"); any other (a full disk, a network error) stays retryable, and the stalled
// attempt is what `sweep status` shows.
func writeFailure(what string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("write %s: %w", what, err)
	if permanentWrite(err) || errors.Is(err, store.ErrInsecureEndpoint) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrOutput, err)
	}
	return err
}

// permanentWrite reports whether err is a write failure that retrying cannot fix.
func permanentWrite(err error) bool {
	for _, e := range []error{fs.ErrPermission, syscall.EROFS, syscall.ENOTDIR, syscall.EISDIR, syscall.EPERM, syscall.EACCES} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
