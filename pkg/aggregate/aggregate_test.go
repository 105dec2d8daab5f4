package aggregate

import (
	"math"
	"testing"
)

// TestOfExcludesDiverged: a diverged run's finite, huge metric (as the dynamics leave it) and a
// failed run's NaN are left out and counted; a max_steps run is in. By hand over {1, 2, 4}:
// mean 7/3, median 2, sample variance ((4/3)^2 + (1/3)^2 + (5/3)^2)/2 = 7/3.
func TestOfExcludesDiverged(t *testing.T) {
	s := Of([]float64{1, 4.1e27, 2, math.NaN(), 4, math.Inf(1)},
		[]string{Converged, Diverged, MaxSteps, Failed, Converged, Converged})
	want := Counts{Converged: 3, MaxSteps: 1, Diverged: 1, Failed: 1}
	if s.Counts != want || s.N != 3 || s.NonFinite != 1 {
		t.Fatalf("counts %+v, N %d, non-finite %d; want %+v, 3, 1", s.Counts, s.N, s.NonFinite, want)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Abs(b) }
	if !near(s.Mean, 7.0/3) || s.Median != 2 || s.Min != 1 || s.Max != 4 ||
		!near(s.Std, math.Sqrt(7.0/3)) || !near(s.SEM, math.Sqrt(7.0/3)/math.Sqrt(3)) {
		t.Errorf("stats %+v", s)
	}
	if s.Excluded() != 2 || s.Total() != 6 || !near(s.Fraction(Converged), 0.5) {
		t.Errorf("excluded %d, total %d, converged %g", s.Excluded(), s.Total(), s.Fraction(Converged))
	}
	if lo, hi := s.Band("sem"); !near(lo, s.Mean-s.SEM) || !near(hi, s.Mean+s.SEM) {
		t.Errorf("sem band %g %g", lo, hi)
	}
}

func TestOfEdgeCases(t *testing.T) {
	s := Of([]float64{3, 5}, nil) // no status column: all converged; median of two is their mean
	if s.Converged != 2 || s.Median != 4 || s.Mean != 4 || s.Std != math.Sqrt(2) {
		t.Errorf("no statuses: %+v", s)
	}
	s = Of([]float64{7}, []string{Diverged})
	if s.N != 0 || !math.IsNaN(s.Mean) || !math.IsNaN(s.Value("median")) || s.Diverged != 1 {
		t.Errorf("all diverged: %+v", s)
	}
	s = Of([]float64{7}, []string{Converged})
	if s.Mean != 7 || !math.IsNaN(s.Std) || !math.IsNaN(s.SEM) {
		t.Errorf("one value: %+v", s)
	}
	if err := CheckAgg("avg"); err == nil {
		t.Error("avg accepted")
	}
	if !math.IsNaN(Counts{}.Fraction(Converged)) {
		t.Error("fraction of no runs is a number")
	}
}

func nearNaN(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func checkStats(t *testing.T, name string, got, want Stats) {
	t.Helper()
	if got.N != want.N || got.NonFinite != want.NonFinite {
		t.Errorf("%s: count %d non-finite %d, want %d %d", name, got.N, got.NonFinite, want.N, want.NonFinite)
	}
	for _, c := range []struct {
		what      string
		got, want float64
	}{{"mean", got.Mean, want.Mean}, {"median", got.Median, want.Median}, {"std", got.Std, want.Std},
		{"sem", got.SEM, want.SEM}, {"min", got.Min, want.Min}, {"max", got.Max, want.Max}} {
		if !nearNaN(c.got, c.want) {
			t.Errorf("%s: %s = %v, want %v", name, c.what, c.got, c.want)
		}
	}
}

// TestOfHandValues: statistics of runs without statuses (all converged), by hand.
func TestOfHandValues(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		xs   []float64
		want Stats
	}{
		// 2,4,4,4,5,5,7,9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
		// sample variance 32/7, std sqrt(32/7) = 2.138089935299395; sem = std/sqrt(8) = sqrt(4/7)
		// = 0.7559289460184544; median (4+5)/2 = 4.5.
		{"eight", []float64{9, 2, 4, 4, 5, 4, 7, 5}, Stats{N: 8, Mean: 5, Median: 4.5, Std: math.Sqrt(32.0 / 7), SEM: math.Sqrt(4.0 / 7), Min: 2, Max: 9}},
		// 1, 2, 6 and three non-finite values: mean 3, median 2; deviations 4+1+9 = 14, variance
		// 14/2 = 7, std sqrt(7) = 2.6457513110645907, sem sqrt(7/3) = 1.5275252316519468.
		{"with non-finite", []float64{6, nan, 1, math.Inf(1), 2, math.Inf(-1)}, Stats{N: 3, NonFinite: 3, Mean: 3, Median: 2, Std: math.Sqrt(7), SEM: math.Sqrt(7.0 / 3), Min: 1, Max: 6}},
		// one value: std and sem undefined.
		{"one", []float64{-0.5}, Stats{N: 1, Mean: -0.5, Median: -0.5, Std: nan, SEM: nan, Min: -0.5, Max: -0.5}},
		// all diverged.
		{"none finite", []float64{nan, nan}, Stats{NonFinite: 2, Mean: nan, Median: nan, Std: nan, SEM: nan, Min: nan, Max: nan}},
		{"empty", nil, Stats{Mean: nan, Median: nan, Std: nan, SEM: nan, Min: nan, Max: nan}},
		// 1e9+1, 1e9+2, 1e9+3: mean 1e9+2, std exactly 1 (two-pass keeps it exact).
		{"offset", []float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, Stats{N: 3, Mean: 1e9 + 2, Median: 1e9 + 2, Std: 1, SEM: 1 / math.Sqrt(3), Min: 1e9 + 1, Max: 1e9 + 3}},
	}
	for _, c := range cases {
		in := append([]float64(nil), c.xs...)
		checkStats(t, c.name, Of(c.xs, nil), c.want)
		for i := range in {
			if math.Float64bits(in[i]) != math.Float64bits(c.xs[i]) {
				t.Errorf("%s: Of modified its input", c.name)
			}
		}
	}
}
