package grid

import (
	"fmt"
	"testing"
)

// TestChunks checks that the chunks cover [0, count) exactly once, in order, with ids
// 0, 1, ..., each of at most size points, and that their number is ceil(count/size) (every
// chunk but the last is full).
func TestChunks(t *testing.T) {
	tests := []struct {
		count int64
		size  int
		want  int // number of chunks: ceil(count / max(size, 1))
	}{
		{0, 10, 0},
		{1, 1, 1},
		{1, 1000, 1},
		{10, 1, 10},
		{10, 3, 4},  // 3 + 3 + 3 + 1
		{10, 5, 2},  // exact division
		{10, 10, 1}, // size = count
		{10, 11, 1}, // size > count
		{7, 1000, 1},
		{1000003, 1000, 1001},
		{5, 0, 5},  // size < 1 is taken as 1
		{5, -3, 5}, // likewise
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d", tt.count, tt.size), func(t *testing.T) {
			cs := Chunks(tt.count, tt.size)
			if len(cs) != tt.want {
				t.Fatalf("%d chunks, want %d", len(cs), tt.want)
			}
			size := int64(max(tt.size, 1))
			next := int64(0)
			for k, c := range cs {
				if c.ID != k {
					t.Errorf("chunk %d has id %d", k, c.ID)
				}
				if c.Start != next {
					t.Errorf("chunk %d starts at %d, want %d (the end of the previous one)", k, c.Start, next)
				}
				if c.Len() < 1 || c.Len() > size || c.Len() != c.End-c.Start {
					t.Errorf("chunk %d = [%d, %d) has length %d, want 1..%d", k, c.Start, c.End, c.Len(), size)
				}
				if k < len(cs)-1 && c.Len() != size {
					t.Errorf("chunk %d of %d is not full: %d points", k, len(cs), c.Len())
				}
				next = c.End
			}
			if next != tt.count {
				t.Errorf("chunks end at %d, want %d", next, tt.count)
			}
		})
	}
}

// chunkSizeOf builds the grid of a spec with the given fixed params and returns its
// ChunkSize for target seconds.
func chunkSizeOf(t *testing.T, params string, target float64) int {
	t.Helper()
	return mustGrid(t, "name: c\nparams: {stepsize: 0.1, "+params+"}\n").ChunkSize(target)
}

// TestChunkSizeBounds checks that ChunkSize stays within [1, 1000] for cheap and expensive
// points and any target, reaching each bound at the extremes.
func TestChunkSizeBounds(t *testing.T) {
	for _, params := range []string{"steps: 0, n: 1, d: 1", "steps: 10000", "steps: 1000000, n: 2000, d: 3000"} {
		for _, target := range []float64{0, 1e-9, 1, 60, 1e12} {
			if got := chunkSizeOf(t, params, target); got < 1 || got > 1000 {
				t.Errorf("%s, target %v: ChunkSize = %d, outside [1, 1000]", params, target, got)
			}
		}
		if got := chunkSizeOf(t, params, 1e12); got != 1000 {
			t.Errorf("%s: ChunkSize(1e12 s) = %d, want the cap 1000", params, got)
		}
		if got := chunkSizeOf(t, params, 0); got != 1 {
			t.Errorf("%s: ChunkSize(0 s) = %d, want the floor 1", params, got)
		}
	}
}

// TestChunkSizeCost checks that more expensive points give smaller chunks: ten times the steps,
// or ten times n*d, is ten times the work per point. The target is chosen so the baseline is
// well inside the clamps (at least 100 points), whatever the calibration constant.
func TestChunkSizeCost(t *testing.T) {
	const base = "steps: 10000, n: 20, d: 30"
	target := 1e-6
	for chunkSizeOf(t, base, target) < 100 {
		target *= 2
	}
	b := chunkSizeOf(t, base, target)
	if b >= 1000 {
		t.Fatalf("could not place the baseline inside the clamps (size %d at target %v)", b, target)
	}
	for _, params := range []string{
		"steps: 100000, n: 20, d: 30",
		"steps: 10000, n: 200, d: 30",
		"steps: 10000, n: 20, d: 300",
	} {
		got := chunkSizeOf(t, params, target)
		// A tenth of the baseline, to within the rounding of each size down to an integer.
		if got >= b || got < b/10-1 || got > b/10+1 {
			t.Errorf("%s: ChunkSize = %d, want about %d (a tenth of %d for the baseline %s)", params, got, b/10, b, base)
		}
	}
	cheaper := chunkSizeOf(t, "steps: 1000, n: 20, d: 30", target)
	if cheaper <= b {
		t.Errorf("a tenth of the steps: ChunkSize = %d, want more than %d", cheaper, b)
	}
}

// TestChunkSizeMixed checks that a grid of cheap and expensive points is sized for their
// mixture: smaller chunks than the cheap points alone, larger than the expensive alone.
func TestChunkSizeMixed(t *testing.T) {
	const target = 1e3
	cheap := mustGrid(t, "name: c\nparams: {stepsize: 0.1, steps: 1000}\n").ChunkSize(target / 1000)
	costly := mustGrid(t, "name: c\nparams: {stepsize: 0.1, steps: 1000000}\n").ChunkSize(target / 1000)
	mixed := mustGrid(t, "name: c\nparams: {stepsize: 0.1}\ngrid:\n  steps: [1000, 1000000]\n  seed: {range: 50}\n").ChunkSize(target / 1000)
	if !(costly <= mixed && mixed <= cheap) || costly == cheap {
		t.Errorf("ChunkSize: costly %d, mixed %d, cheap %d; want costly <= mixed <= cheap, costly < cheap", costly, mixed, cheap)
	}
}

// TestLockstepGroups: the stepsize x init points of gd share a dataset and form one lockstep
// group, whatever the axis order; sgd points (own minibatches) and the deep model do not run
// in lockstep; another replicate seed (another dataset) or another optimiser (hb) makes
// another group. The expected groups follow from the grid order (first axis slowest) by hand.
func TestLockstepGroups(t *testing.T) {
	g := mustGrid(t, `name: b
seed: 1
params: {n: 10, d: 12, steps: 10, momentum: 0.5}
grid:
  stepsize: [0.01, 0.02]
  optimizer: [gd, sgd, hb]
  seed: [0, 1]
`)
	// point = 6*stepsize + 2*optimizer + seed: gd points 0, 1, 6, 7; sgd 2, 3, 8, 9; hb 4, 5, 10, 11.
	want := [][]int64{{0, 6}, {1, 7}, {4, 10}, {5, 11}}
	if got := g.LockstepGroups(0, g.Count()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("LockstepGroups = %v, want %v", got, want)
	}
	if got := g.LockstepGroups(1, 7); fmt.Sprint(got) != fmt.Sprint([][]int64{{1}}[:0]) {
		t.Errorf("LockstepGroups(1, 7) = %v, want none (each dataset has one point in [1, 7))", got)
	}
	deep := mustGrid(t, `name: b
seed: 1
params: {n: 10, d: 12, steps: 10, model: deep, depth: 3}
grid:
  stepsize: [0.01, 0.02]
`)
	if got := deep.LockstepGroups(0, deep.Count()); len(got) != 0 {
		t.Errorf("deep model: LockstepGroups = %v, want none", got)
	}
}
