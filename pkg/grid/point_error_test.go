package grid

import (
	"errors"
	"fmt"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestPointErrorLocatesParamError: pointError locates a validation error at the Param of its
// *dynamics.ParamError, found with errors.As, not at the first word of its text: wrapped in
// context ("point 3: batch must ...") or after another error of the join, the key and line
// are those of batch (line 2 of the spec below), and the message is the ParamError's. On the
// old first-word rule the wrapped case was located at the key "point". A product keeps its
// subject and is located at its first factor.
func TestPointErrorLocatesParamError(t *testing.T) {
	t.Parallel()
	g := mustGrid(t, "name: v\nparams: {optimizer: sgd, batch: 30, stepsize: 0.1, n: 20}\n")
	batch := &dynamics.ParamError{Param: "batch", Msg: "must satisfy 1 <= batch <= n (n = 20), got 30"}
	product := &dynamics.ParamError{Param: "n", Subject: "n*d", Msg: "must be <= 1, got n = 20, d = 30"}
	for _, tc := range []struct {
		name     string
		err      error
		key, msg string
	}{
		{"plain", batch, "params.batch", batch.Msg},
		{"wrapped", fmt.Errorf("point 3: %w", batch), "params.batch", batch.Msg},
		{"joined", errors.Join(fmt.Errorf("context: %w", batch), product), "params.batch", batch.Msg},
		{"product", product, "params.n", "n*d " + product.Msg},
	} {
		var e *spec.Error
		if err := g.pointError(g.Point(0), tc.err); !errors.As(err, &e) {
			t.Fatalf("%s: pointError = %v (%T), want a *spec.Error", tc.name, err, err)
		}
		wantLine := 2
		if e.Key != tc.key || e.Line != wantLine || e.Msg != tc.msg {
			t.Errorf("%s: %s line %d %q, want %s line %d %q", tc.name, e.Key, e.Line, e.Msg, tc.key, wantLine, tc.msg)
		}
	}
}
