package phase

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

func TestShortLabels(t *testing.T) {
	for _, c := range []struct {
		vs   []float64
		want string
	}{
		{[]float64{0.05, 0.2}, "0.05 0.2"}, // gonum wrote 0.00 0.25
		{[]float64{0, 0.5, 0.8, 0.9, 0.95}, "0 0.5 0.8 0.9 0.95"},
		{[]float64{0, 3, 5}, "0 3 5"},
		{[]float64{100, 200, 1000}, "100 200 1000"},
		{[]float64{1e-6, 1e-5}, "1e-06 1e-05"},
		{[]float64{0.031622776601683794, 0.1}, "0.0316 0.1"},
		{[]float64{0, 0.5, 0.75, 0.9}, "0 0.5 0.75 0.9"}, // not 0.8 for 0.75
		{[]float64{0.0125, 0.025, 0.05, 0.1, 0.2}, "0.0125 0.025 0.05 0.1 0.2"},
		{[]float64{0.0316, 0.0317}, "0.0316 0.0317"},
	} {
		if got := strings.Join(ShortLabels(c.vs), " "); got != c.want {
			t.Errorf("ShortLabels(%v) = %q, want %q", c.vs, got, c.want)
		}
	}
}

func TestAxisKind(t *testing.T) {
	for _, c := range []struct {
		vs       []float64
		log, cat bool
	}{
		{[]float64{0, 0.5, 0.8, 0.9, 0.95}, false, true}, // momentum: uneven
		{[]float64{0, 3, 5}, false, true},                // overlap: uneven
		{[]float64{0.05, 0.2}, false, true},              // two values
		{[]float64{0.01, 0.1, 1}, true, false},           // logspace
		{[]float64{0, 1, 2, 3}, false, false},            // evenly spaced
	} {
		if log, cat := AxisKind(c.vs); log != c.log || cat != c.cat {
			t.Errorf("AxisKind(%v) = log %v cat %v, want %v %v", c.vs, log, cat, c.log, c.cat)
		}
	}
	// A categorical axis maps values to indices, linearly between them, and back.
	a := newAxis([]float64{0, 0.5, 0.8}, nil, false, true)
	if a.Plot(0.5) != 1 || !near(a.Plot(0.65), 1.5) || !near(a.Unlin(1.5), 0.65) || a.Edges()[0] != -0.5 {
		t.Errorf("categorical axis: %g %g %g %v", a.Plot(0.5), a.Plot(0.65), a.Unlin(1.5), a.Edges())
	}
}

// labelled are the labels of the labelled ticks.
func labelled(ts []plot.Tick) []string {
	var out []string
	for _, tk := range ts {
		if tk.Label != "" {
			out = append(out, tk.Label)
		}
	}
	return out
}

// TestDecadeTicks: every log axis has at least three labelled ticks (on main a range of
// 0.004 to 0.9 had two, 0.3 to 0.9 one), at most maxDecadeLabels.
func TestDecadeTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0.004, 0.9, "0.01 0.03 0.1 0.3"},
		{0.3, 0.9, "0.3 0.4 0.5 0.6 0.7 0.8 0.9"},
		{0.5, 0.9, "0.5 0.6 0.7 0.8 0.9"},
		{1e-3, 10, "0.001 0.01 0.1 1 10"},
		{0.61, 0.62, "0.61 0.615 0.62"},
	} {
		if got := strings.Join(labelled(decadeTicks{}.Ticks(c.lo, c.hi)), " "); got != c.want {
			t.Errorf("ticks of [%g, %g]: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	if n := len(labelled(decadeTicks{}.Ticks(1e-20, 1))); n < 3 || n > maxDecadeLabels {
		t.Errorf("20 decades: %d labels", n)
	}
}

// TestColorBarSpansData: the bar of a constant field (a recall of 1 everywhere) is one tick
// at 1 over a sliver around it, not 0.5 to 1.5; a bar from 0 to 1 ends at 1, not past it.
func TestColorBarSpansData(t *testing.T) {
	bar := colorBar(ScaleOver(1, 1, false), "recall")
	lo, hi := bar.Y.Min, bar.Y.Max // plot.Add widens them to the bar's DataRange
	if !(lo > 0.99 && hi < 1.01) || strings.Join(labelled(bar.Y.Tick.Marker.Ticks(lo, hi)), " ") != "1" {
		t.Errorf("constant bar [%g, %g], ticks %v", lo, hi, bar.Y.Tick.Marker.Ticks(lo, hi))
	}
	if bar := colorBar(ScaleOver(0, 1, false), "converged"); bar.Y.Min != 0 || bar.Y.Max != 1 {
		lo, hi := bar.Y.Min, bar.Y.Max
		t.Errorf("fraction bar [%g, %g], want [0, 1]", lo, hi)
	}
}

// TestFewLogValuesTicked: a log axis of at most maxLogTicked log-spaced values is labelled at
// the values (lippl2024's n: 5, 10, 20, 40, not the decade multiples 5, 10, 20, 50).
func TestFewLogValuesTicked(t *testing.T) {
	p := plot.New()
	newAxis([]float64{5, 10, 20, 40}, nil, true, false).set(&p.X)
	if got := strings.Join(labelled(p.X.Tick.Marker.Ticks(3.5, 56)), " "); got != "5 10 20 40" {
		t.Errorf("n axis labels %q", got)
	}
}
