package grid

import (
	"errors"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestOrderWiring: the parameter order reaches Config.Order (0 when not given), a spec with
// hb_flow validates with an order and is a *spec.Error at key order without one, and an out
// of range order is an error at its key.
func TestOrderWiring(t *testing.T) {
	g := mustGrid(t, "name: o\nparams:\n  stepsize: 0.01\n  optimizer: hb_flow\n  momentum: 0.5\ngrid:\n  order: [1, 2, 3]\n")
	for i := range int64(3) {
		if c := g.Point(i).Config; c.Order != int(i)+1 {
			t.Errorf("point %d: Order = %d, want %d", i, c.Order, i+1)
		}
	}
	if err := g.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if c := mustGrid(t, "name: p\nparams:\n  stepsize: 0.1\n").Point(0).Config; c.Order != 0 {
		t.Errorf("order not given: Config.Order = %d, want 0", c.Order)
	}
	for _, tc := range []struct{ src, key, msg string }{
		{"name: v\nparams: {stepsize: 0.1, optimizer: hb_flow, momentum: 0.5}\n", "order", `must be set for optimizer "hb_flow"`},
		{"name: v\nparams:\n  stepsize: 0.1\n  optimizer: hb_flow\n  momentum: 0.5\n  order: 4\n", "params.order", "must be 1, 2 or 3, got 4"},
	} {
		err := mustGrid(t, tc.src).Validate()
		var e *spec.Error
		if !errors.As(err, &e) || e.Key != tc.key || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("Validate() = %v; want a *spec.Error at key %q containing %q", err, tc.key, tc.msg)
		}
	}
}
