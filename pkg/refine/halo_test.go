package refine

import (
	"reflect"
	"strings"
	"testing"
)

// vertexValues are the refined axis's values of a level's points, one per vertex (the first
// carried combination), in id order.
func vertexValues(p *Planner, l Level) []float64 {
	var out []float64
	for _, pt := range l.Points {
		if pt.Carried == 0 {
			out = append(out, p.Values(pt.Vertex)[0])
		}
	}
	return out
}

// TestHaloLine works the halo of one ring by hand on the line 1 .. 5 (two seeds, res 8).
// Level 1: the corners differ on [3, 4] only; its neighbours [2, 3] and [4, 5] are halved with
// it, adding 2.5, 3.5 and 4.5. Level 2, with 2.5 and 3.5 diverged: the cells [2, 2.5],
// [2.5, 3] and [3, 3.5] differ at their ends; the halo adds [1.5, 2], inside the coarse cell
// [1, 2] that was never halved, so its lower end 1.5 is new too, and [3.5, 4].
func TestHaloLine(t *testing.T) {
	p := planner(t, strings.Replace(lineSpec("100"), "halo: 0", "halo: 1", 1))
	rows := append(statusRows("converged", 0, 1, 2, 3, 4, 5), statusRows("diverged", 6, 7, 8, 9)...)
	l1, err := p.Plan(rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := vertexValues(p, l1); l1.Flagged != 1 || l1.Halved != 3 || l1.First != 10 || !reflect.DeepEqual(got, []float64{2.5, 3.5, 4.5}) {
		t.Fatalf("level 1: %d flagged, %d halved, first %d, values %v; want 1, 3, 10, [2.5 3.5 4.5]", l1.Flagged, l1.Halved, l1.First, got)
	}
	// ids 10..15: 2.5, 3.5, 4.5 for seeds 0 and 1.
	rows = append(rows, statusRows("diverged", 10, 11, 12, 13, 14, 15)...)
	l2, err := p.Plan(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1.5, 1.75, 2.25, 2.75, 3.25, 3.75}
	if got := vertexValues(p, l2); l2.Flagged != 3 || l2.Halved != 5 || l2.First != 16 || len(l2.Points) != 12 || !reflect.DeepEqual(got, want) {
		t.Fatalf("level 2: %d flagged, %d halved, first %d, %d points at %v; want 3, 5, 16, 12 at %v", l2.Flagged, l2.Halved, l2.First, len(l2.Points), got, want)
	}
}

// TestHaloSquare: on the 3 x 3 square the two flagged cells (stepsize 1 .. 2) and their
// neighbours (stepsize 0 .. 1) cover the grid, so level 1 is the whole 5 x 5 lattice of
// half steps less its 9 coarse points, in lexicographic order; at the edge of the grid the
// halo stops (no cell below stepsize 0 or above init 3).
func TestHaloSquare(t *testing.T) {
	p := planner(t, strings.Replace(strings.Replace(square, "%s", "100", 1), "halo: 0", "halo: 1", 1))
	l1, err := p.Plan(squareRows(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var want [][2]int64
	for x := int64(0); x <= 8; x += 2 {
		for y := int64(0); y <= 8; y += 2 {
			if x%4 != 0 || y%4 != 0 {
				want = append(want, [2]int64{x, y})
			}
		}
	}
	if l1.Flagged != 2 || l1.Halved != 4 || len(l1.Points) != len(want) {
		t.Fatalf("level 1 = %+v, want 2 flagged, 4 halved, %d points", l1, len(want))
	}
	for i, pt := range l1.Points {
		if pt.ID != 9+int64(i) || pt.Vertex != want[i] {
			t.Errorf("point %d = %+v, want id %d at %v", i, pt, 9+i, want[i])
		}
	}
}

// TestOnDivergence: on the line 1 .. 5 (two seeds) converged at 1 and 2, max_steps at 3,
// diverged at 4 and 5, on: status flags [2, 3] and [3, 4]; on: divergence only [3, 4], the
// one cell across which the runs start to diverge. A vertex with one seed diverged and one
// not is a tie, which goes to diverged.
func TestOnDivergence(t *testing.T) {
	rows := append(statusRows("converged", 0, 1, 2, 3), statusRows("max_steps", 4, 5)...)
	rows = append(rows, statusRows("diverged", 6, 7, 8, 9)...)
	for on, want := range map[string][]float64{"status": {2.5, 3.5}, "divergence": {3.5}} {
		p := planner(t, strings.Replace(lineSpec("100"), "refine:\n", "refine:\n  on: "+on+"\n", 1))
		l1, err := p.Plan(rows, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := vertexValues(p, l1); !reflect.DeepEqual(got, want) {
			t.Errorf("on: %s refines at %v, want %v", on, got, want)
		}
	}
	// 3.5 (ids 10, 11): one seed diverged, one max_steps: diverged, so [3, 3.5] is flagged.
	p := planner(t, strings.Replace(lineSpec("100"), "refine:\n", "refine:\n  on: divergence\n", 1))
	rows = append(rows, Outcome{Point: 10, Status: "max_steps"}, Outcome{Point: 11, Status: "diverged"})
	l2, err := p.Plan(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := vertexValues(p, l2); !reflect.DeepEqual(got, []float64{3.25}) {
		t.Errorf("level 2 refines at %v, want [3.25]", got)
	}
}
