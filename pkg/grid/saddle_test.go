package grid

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// TestSaddleExample: examples/saddle.yaml (optimizer saddle, Pesme2023) loads, validates and
// every point runs to a "converged" result whose row carries the jump columns: jumps = steps,
// jump_times a JSON array of jumps non-decreasing times, plateau_losses a JSON array of
// jumps + 1 non-increasing losses starting at L(0), the last equal to train_loss.
func TestSaddleExample(t *testing.T) {
	g, err := Load(filepath.Join("..", "..", "examples", "saddle.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Count() != 12 {
		t.Errorf("Count() = %d, want 12", g.Count())
	}
	fields := results.SweepFields(g.Columns())
	col := map[string]int{}
	for i, f := range fields {
		col[f.Name] = i
	}
	for i := int64(0); i < g.Count(); i++ {
		p := g.Point(i)
		if p.Config.Optimizer != dynamics.OptimizerSaddle {
			t.Fatalf("point %d: optimizer %q", i, p.Config.Optimizer)
		}
		data, err := dynamics.GenerateData(p.Config)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		_, res, err := dynamics.SimulateData(context.Background(), p.Config, data)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		row := results.SweepRow(i, p.Values, res)
		if len(row) != len(fields) {
			t.Fatalf("row has %d values, schema %d fields", len(row), len(fields))
		}
		var times, losses []float64
		if err := json.Unmarshal([]byte(row[col["jump_times"]].S), &times); err != nil {
			t.Fatalf("point %d: jump_times %q: %v", i, row[col["jump_times"]].S, err)
		}
		if err := json.Unmarshal([]byte(row[col["plateau_losses"]].S), &losses); err != nil {
			t.Fatalf("point %d: plateau_losses %q: %v", i, row[col["plateau_losses"]].S, err)
		}
		jumps := row[col["jumps"]].I
		if row[col["status"]].S != dynamics.StatusConverged || row[col["steps"]].I != jumps ||
			int64(len(times)) != jumps || int64(len(losses)) != jumps+1 || losses[jumps] != row[col["train_loss"]].F {
			t.Errorf("point %d (%s): status %s, steps %d, jumps %d, times %v, losses %v, train_loss %v",
				i, g.Describe(p), row[col["status"]].S, row[col["steps"]].I, jumps, times, losses, row[col["train_loss"]].F)
		}
		for k := 1; k < len(times); k++ {
			if times[k] < times[k-1] || losses[k+1] > losses[k]*(1+1e-12) {
				t.Errorf("point %d: times %v or losses %v not monotone", i, times, losses)
				break
			}
		}
	}
	// Other optimisers write 0 and "[]".
	other := map[string]int{}
	for i, f := range results.SweepFields(nil) {
		other[f.Name] = i
	}
	row := results.SweepRow(0, nil, dynamics.Result{Status: dynamics.StatusConverged})
	if j, tm, pl := row[other["jumps"]].I, row[other["jump_times"]].S, row[other["plateau_losses"]].S; j != 0 || tm != "[]" || pl != "[]" {
		t.Errorf("a non-saddle row has jump columns %v %q %q", j, tm, pl)
	}
}
