package grid

import "testing"

// TestSeedsPinned: the seeds of two specs, one with a replicate axis and the multi-task and
// x_norm parameters that are hashed only away from their defaults. The expected values were
// printed by the seed derivation before hashValues was rewritten for speed (it hashed with a
// streaming SHA-256 and re-sorted DataParams per call): a spec's seeds must never change, or
// its results would no longer reproduce and the result cache would miss.
func TestSeedsPinned(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want [][2]uint64 // data seed, run seed per point
	}{{`name: pin-a
seed: 7
params: {steps: 100, n: 10, d: 20}
grid:
  stepsize: [0.1, 0.25]
  optimizer: [gd, sgd]
`, [][2]uint64{
		{0xdb465bb8321e60a5, 0xbd0f68ae64535a26},
		{0xdb465bb8321e60a5, 0x54cc47f7f349a550},
		{0xdb465bb8321e60a5, 0xd368a37c857b1878},
		{0xdb465bb8321e60a5, 0x288ace60fe691495},
	}}, {`name: pin-b
seed: 12345
params: {steps: 10, stepsize: 0.05, x_norm: row, k_aux: 2, k_main: 2, n_aux: 5, overlap: 1, optimizer: gd}
grid:
  seed: {range: 2}
  init: {logspace: [0.01, 1.0], num: 2}
`, [][2]uint64{
		{0x342214d15be567e7, 0x39c31cab0388f5e6},
		{0x342214d15be567e7, 0x8599caccaf337598},
		{0x82ba35c9c359ab46, 0x9abd6bd3adacb049},
		{0x82ba35c9c359ab46, 0x7578db28ab0fa74},
	}}} {
		g := mustGrid(t, tc.src)
		if g.Count() != int64(len(tc.want)) {
			t.Fatalf("%d points, want %d", g.Count(), len(tc.want))
		}
		for i, w := range tc.want {
			c := g.Point(int64(i)).Config
			if got := [2]uint64{c.DataSeed, c.RunSeed}; got != w {
				t.Errorf("point %d: seeds %#x, want %#x", i, got, w)
			}
		}
	}
}
