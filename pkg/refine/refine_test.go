package refine

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

func planner(t *testing.T, src string) *Planner {
	t.Helper()
	s, err := spec.Parse("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMidpoints checks refined values by hand: geometric means for a logspace (and equal bit
// for bit to the denser logspace), arithmetic means for an evenly spaced list, geometric for
// a list even in log.
func TestMidpoints(t *testing.T) {
	p := planner(t, "name: r\ngrid:\n  stepsize: {logspace: [0.01, 1], num: 3}\n  init: [1, 2, 3]\nrefine:\n  axes: [stepsize, init]\n  levels: 2\n  budget: 100\n")
	// res = 4: position 2 is halfway between 0.01 and 0.1, position 1 a quarter of the way.
	for q, want := range map[int64]float64{0: 0.01, 2: math.Sqrt(0.01 * 0.1), 1: math.Pow(10, -1.75), 4: 0.1, 6: math.Sqrt(0.1), 8: 1} {
		got := p.Values([2]int64{q, 0})[0]
		if math.Abs(got-want) > 1e-15*want { // a few ulps: a (b/a)^t rounds differently from sqrt(x y)
			t.Errorf("stepsize at %d = %v, want %v", q, got, want)
		}
	}
	dense, _ := spec.Parse("d.yaml", []byte("name: d\ngrid:\n  stepsize: {logspace: [0.01, 1], num: 9}\n"))
	for q := range int64(9) {
		if got, want := p.Values([2]int64{q, 0})[0], dense.Grid[0].At(int(q), 0).Float; got != want {
			t.Errorf("stepsize at %d = %v, the 9-value logspace has %v", q, got, want)
		}
	}
	// init [1, 2, 3] is even in value: 1.5, 1.25, 2.75 exactly.
	for q, want := range map[int64]float64{2: 1.5, 1: 1.25, 3: 1.75, 7: 2.75, 8: 3} {
		if got := p.Values([2]int64{0, q})[1]; got != want {
			t.Errorf("init at %d = %v, want %v", q, got, want)
		}
	}
	g := planner(t, "name: r\ngrid:\n  stepsize: [0.01, 1]\nrefine:\n  axes: [stepsize]\n  levels: 2\n  budget: 100\n")
	if got := g.Values([2]int64{2, 0})[0]; math.Abs(got-0.1) > 1e-16 {
		t.Errorf("list [0.01, 1] midpoint %v, want 0.1", got)
	}
	if got := g.Values([2]int64{1, 0})[0]; math.Abs(got-math.Pow(10, -1.5)) > 1e-17 {
		t.Errorf("list [0.01, 1] quarter %v, want 10^-1.5", got)
	}
}

// line is a 1-axis spec, halo 0 (the corner rule alone): stepsize [1..5] with two seeds carried; point id = 2 stepsize + seed.
const line = "name: r\ngrid:\n  stepsize: [1, 2, 3, 4, 5]\n  seed: {range: 2}\nrefine:\n  axes: [stepsize]\n  levels: 3\n  budget: %d\n  halo: 0\n"

func lineSpec(budget string) string { return strings.Replace(line, "%d", budget, 1) }

// statusRows gives every id in ids status st.
func statusRows(st string, ids ...int64) []Outcome {
	var out []Outcome
	for _, id := range ids {
		out = append(out, Outcome{Point: id, Status: st, Value: math.NaN()})
	}
	return out
}

// TestFlagLine flags, on a hand-made table, the one coarse cell whose ends differ, and then
// the half of it where the change lies; ids follow the vertices, then the seeds.
func TestFlagLine(t *testing.T) {
	p := planner(t, lineSpec("100"))
	// converged at stepsize 1, 2, 3; diverged at 4, 5 (both seeds): cell [3, 4] only.
	rows := append(statusRows("converged", 0, 1, 2, 3, 4, 5), statusRows("diverged", 6, 7, 8, 9)...)
	l1, err := p.Plan(rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	// res 8: stepsize 3.5 is position 2.5 x 8 = 20; base of seed k is coarse point k.
	want := Level{Level: 1, First: 10, Flagged: 1, Halved: 1, Points: []Point{{10, [2]int64{20, 0}, 0}, {11, [2]int64{20, 0}, 1}}}
	if !reflect.DeepEqual(l1, want) {
		t.Fatalf("level 1 = %+v, want %+v", l1, want)
	}
	list := p.List(l1)
	if list[0].Base != 0 || list[1].Base != 1 || list[0].Values[0] != 3.5 {
		t.Errorf("list %+v", list)
	}
	// 3.5 diverges for one seed and not the other: a tie goes to diverged, so the change is
	// in [3, 3.5]: level 2 adds 3.25.
	rows = append(rows, Outcome{Point: 10, Status: "converged"}, Outcome{Point: 11, Status: "diverged"})
	l2, err := p.Plan(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(l2.Points) != 2 || l2.First != 12 || l2.Points[0].Vertex[0] != 18 || p.Values(l2.Points[0].Vertex)[0] != 3.25 {
		t.Errorf("level 2 = %+v", l2)
	}
	// A failed run does not vote: 3.25 converged + failed is converged, so [3.25, 3.5] is
	// flagged and 3.375 added.
	rows = append(rows, Outcome{Point: 12, Status: "converged"}, Outcome{Point: 13, Status: "failed"})
	l3, err := p.Plan(rows, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(l3.Points) != 2 || p.Values(l3.Points[0].Vertex)[0] != 3.375 {
		t.Errorf("level 3 = %+v", l3)
	}
	// A missing row is an error, not a silent hole.
	if _, err := p.Plan(rows[:5], 1); err == nil || !strings.Contains(err.Error(), "no row for point 5") {
		t.Errorf("missing row: %v", err)
	}
}

// square is stepsize x init, 3 x 3 = 9 points, no carried axis, halo 0; point id = 3 i + j.
const square = "name: r\ngrid:\n  stepsize: {linspace: [0, 2], num: 3}\n  init: [1, 2, 3]\nrefine:\n  axes: [stepsize, init]\n  levels: 2\n  budget: %s\n  halo: 0\n"

// squareRows: diverged at stepsize index 2 (points 6, 7, 8), converged elsewhere.
func squareRows() []Outcome {
	return append(statusRows("converged", 0, 1, 2, 3, 4, 5), statusRows("diverged", 6, 7, 8)...)
}

// TestSharedMidpoint flags the two cells between stepsize 1 and 2: their shared edge's
// midpoint is added once, and the 9 new points are numbered in lexicographic order.
func TestSharedMidpoint(t *testing.T) {
	p := planner(t, strings.Replace(square, "%s", "100", 1))
	l1, err := p.Plan(squareRows(), 1)
	if err != nil {
		t.Fatal(err)
	}
	// res 4, in units of the finest cell: the cells [4, 8] x [0, 4] and [4, 8] x [4, 8] add
	// their edge midpoints and centres, 5 + 5 - 1 shared (6, 4).
	want := [][2]int64{{4, 2}, {4, 6}, {6, 0}, {6, 2}, {6, 4}, {6, 6}, {6, 8}, {8, 2}, {8, 6}}
	if l1.Flagged != 2 || len(l1.Points) != len(want) {
		t.Fatalf("level 1 = %+v", l1)
	}
	for i, pt := range l1.Points {
		if pt.ID != 9+int64(i) || pt.Vertex != want[i] {
			t.Errorf("point %d = %+v, want id %d at %v", i, pt, 9+i, want[i])
		}
	}
	if v := p.Values([2]int64{6, 4}); v[0] != 1.5 || v[1] != 2 {
		t.Errorf("values at (6, 4) = %v, want [1.5 2]", v)
	}
}

// TestBudget caps a level at the budget, in id order, and stops refining after it.
func TestBudget(t *testing.T) {
	p := planner(t, strings.Replace(square, "%s", "14", 1))
	l1, err := p.Plan(squareRows(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !l1.Capped || len(l1.Points) != 5 || l1.Points[4].ID != 13 {
		t.Fatalf("level 1 = %+v, want the first 5 points, capped", l1)
	}
	rows := squareRows()
	for id := int64(9); id < 14; id++ {
		rows = append(rows, Outcome{Point: id, Status: "diverged"})
	}
	l2, err := p.Plan(rows, 2)
	if err != nil || len(l2.Points) != 0 || l2.First != 14 {
		t.Errorf("level 2 after the cap = %+v, %v; want empty", l2, err)
	}
}

// TestMetricJump flags on a metric: a jump in log10 for positive values, in value otherwise,
// and a vertex where every run diverged (no value) next to one with a value.
func TestMetricJump(t *testing.T) {
	src := "name: r\ngrid:\n  stepsize: [1, 2, 3, 4, 5, 6]\nrefine:\n  axes: [stepsize]\n  on: test_loss\n  jump: 0.3\n  levels: 1\n  budget: 100\n  halo: 0\n"
	p := planner(t, src)
	rows := []Outcome{
		{0, "converged", 1e-3}, {1, "converged", 1.5e-3}, // log10 ratio 0.18: not flagged
		{2, "converged", 1.5e-2}, // 1.0 in log10: flagged [2, 3]
		{3, "max_steps", -0.1},   // non-positive: |1.5e-2 + 0.1| = 0.115, not flagged
		{4, "diverged", 1e30},    // no included run: NaN next to -0.1: flagged [4, 5]
		{5, "diverged", 1e30},    // NaN and NaN: not flagged
	}
	l, err := p.Plan(rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, pt := range l.Points {
		got = append(got, p.Values(pt.Vertex)[0])
	}
	if !reflect.DeepEqual(got, []float64{2.5, 4.5}) {
		t.Errorf("refined at %v, want [2.5 4.5]", got)
	}
}

// TestDeterministic plans from the same rows in shuffled orders: the same plan, also for a
// metric mean over seeds whose float sum depends on the order of addition.
func TestDeterministic(t *testing.T) {
	src := "name: r\ngrid:\n  stepsize: {logspace: [0.1, 10], num: 5}\n  init: {logspace: [0.01, 1], num: 4}\n  seed: {range: 3}\nrefine:\n  axes: [stepsize, init]\n  on: test_loss\n  jump: 0.02\n  levels: 2\n  budget: 100000\n"
	p := planner(t, src)
	rng := rand.New(rand.NewPCG(1, 2))
	var rows []Outcome
	for id := range int64(60) {
		rows = append(rows, Outcome{Point: id, Status: "converged", Value: math.Exp(rng.NormFloat64())})
	}
	want, err := p.Plan(rows, 1)
	if err != nil || len(want.Points) == 0 {
		t.Fatalf("level 1: %d points, %v", len(want.Points), err)
	}
	for _, pt := range want.Points {
		rows = append(rows, Outcome{Point: pt.ID, Status: "converged", Value: math.Exp(rng.NormFloat64())})
	}
	want2, _ := p.Plan(rows, 2)
	for range 5 {
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		got, err := p.Plan(rows, 1)
		got2, err2 := p.Plan(rows, 2)
		if err := errors.Join(err, err2); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got2, want2) || Hash(p.List(got2)) != Hash(p.List(want2)) {
			t.Fatal("a shuffled table gives another plan")
		}
	}
}

// TestOnColumn checks refine.on against the metric columns.
func TestOnColumn(t *testing.T) {
	s, err := spec.Parse("r.yaml", []byte("name: r\ngrid:\n  stepsize: [1, 2]\nrefine:\n  axes: [stepsize]\n  on: test_los\n  jump: 1\n  levels: 1\n  budget: 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(s)
	var e *spec.Error
	if !errors.As(err, &e) || e.Line != 6 || e.Key != "refine.on" || !strings.Contains(e.Msg, `did you mean "test_loss"?`) {
		t.Errorf("on: test_los: %v", err)
	}
}
