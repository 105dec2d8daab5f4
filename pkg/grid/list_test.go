package grid

import (
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestWithPointsSeeds: a listed point has the configuration, seeds included, of the grid
// point with the same values in a grid that sweeps them (seeds hash values, never indices),
// and the index it is listed under.
func TestWithPointsSeeds(t *testing.T) {
	load := func(src string) *Grid {
		t.Helper()
		s, err := spec.Parse("l.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return New(s)
	}
	coarse := load("name: l\nseed: 4\ngrid:\n  stepsize: [0.1, 0.4]\n  seed: {range: 2}\n")
	dense := load("name: l\nseed: 4\ngrid:\n  stepsize: [0.1, 0.2, 0.4]\n  seed: {range: 2}\n")
	var vals [][]spec.Value
	for k := range int64(2) { // stepsize 0.2 with seeds 0 and 1: the coarse points 0 and 1 changed
		v := coarse.Values(k)
		v[0] = spec.FloatValue(0.2)
		vals = append(vals, v)
	}
	g := coarse.WithPoints(4, vals)
	if g.First() != 4 || g.Count() != 2 {
		t.Fatalf("first %d, count %d", g.First(), g.Count())
	}
	for k := range int64(2) {
		got, want := g.Point(4+k), dense.Point(2+k) // dense points 2, 3: stepsize 0.2, seeds 0, 1
		if got.Index != 4+k || got.Config != want.Config {
			t.Errorf("listed point %d: index %d, config %+v; want the dense grid's %+v", k, got.Index, got.Config, want.Config)
		}
	}
	if c := coarse.Point(0).Config; c.RunSeed == g.Point(4).Config.RunSeed {
		t.Error("the listed point kept the seeds of the coarse point it was made from")
	}
}
