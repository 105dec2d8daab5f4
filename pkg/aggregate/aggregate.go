// Package aggregate reduces the runs of a group (a heat-map cell, a point of a line, a row of
// `sweep summarize`) to statistics of one metric, knowing each run's status. It is the one
// aggregation of phasesweep: pkg/phase and pkg/summary both call it, so a figure and a
// summary of the same rows agree.
//
// Status rules. A run's status is converged, max_steps, diverged or failed (the status column
// of a results table; dynamics.Status* and results.StatusFailed).
//
//   - diverged and failed runs are left out of every statistic and counted apart (Counts).
//     The results table keeps the metrics a diverged run had when it stopped, which are often
//     finite and huge (a test loss of 1e27): the table is the data, and it is this package's
//     job, not the writer's, to keep them out of means and medians.
//   - max_steps runs (stopped at the step budget before reaching stop_loss) are included, and
//     counted, so that a figure can mark the groups where some runs had not converged.
//   - a status other than these four is left out like diverged (counted in Other); a table
//     without a status column counts every run as converged.
//   - among the included runs, a non-finite value (NaN, ±Inf: a metric undefined for that
//     run, such as sharpness of a saddle run) is left out and counted in NonFinite.
package aggregate

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// The statuses of a run.
const (
	Converged = "converged"
	MaxSteps  = "max_steps"
	Diverged  = "diverged"
	Failed    = "failed"
)

// Included reports whether a run of this status enters the statistics: converged, max_steps,
// or "" (a table without a status column).
func Included(status string) bool {
	return status == Converged || status == MaxSteps || status == ""
}

// Counts are the runs of a group by status.
type Counts struct {
	Converged, MaxSteps, Diverged, Failed int
	Other                                 int // any other status (left out)
}

// Add counts one run of status ("" counts as converged).
func (c *Counts) Add(status string) {
	switch status {
	case Converged, "":
		c.Converged++
	case MaxSteps:
		c.MaxSteps++
	case Diverged:
		c.Diverged++
	case Failed:
		c.Failed++
	default:
		c.Other++
	}
}

// Total is the number of runs.
func (c Counts) Total() int { return c.Converged + c.MaxSteps + c.Diverged + c.Failed + c.Other }

// Excluded is the number of runs left out of the statistics: diverged, failed and other.
func (c Counts) Excluded() int { return c.Diverged + c.Failed + c.Other }

// Fraction is the fraction of the runs with status (converged, max_steps, diverged or failed);
// NaN for no runs.
func (c Counts) Fraction(status string) float64 {
	n := 0
	switch status {
	case Converged:
		n = c.Converged
	case MaxSteps:
		n = c.MaxSteps
	case Diverged:
		n = c.Diverged
	case Failed:
		n = c.Failed
	}
	if c.Total() == 0 {
		return math.NaN()
	}
	return float64(n) / float64(c.Total())
}

// Stats are the statistics of a metric over the included runs of a group that have a finite
// value (N of them). With N = 0, Mean, Median, Min and Max are NaN; with N < 2, Std and SEM
// are NaN.
type Stats struct {
	Counts
	N         int     // the values the statistics are over
	NonFinite int     // included runs whose value is NaN or ±Inf, left out
	Mean      float64 // arithmetic mean
	Median    float64 // the middle value, or the mean of the two middle ones
	Std       float64 // sample standard deviation, divisor N-1
	SEM       float64 // standard error of the mean, Std / sqrt(N)
	Min, Max  float64
}

// Of computes the Stats of values, the i-th of a run of status statuses[i]; statuses nil
// counts every run as converged. It does not modify values.
func Of(values []float64, statuses []string) Stats {
	var s Stats
	fin := make([]float64, 0, len(values))
	for i, v := range values {
		st := ""
		if statuses != nil {
			st = statuses[i]
		}
		s.Add(st)
		if !Included(st) {
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s.NonFinite++
			continue
		}
		fin = append(fin, v)
	}
	s.N = len(fin)
	nan := math.NaN()
	s.Mean, s.Median, s.Std, s.SEM, s.Min, s.Max = nan, nan, nan, nan, nan, nan
	if s.N == 0 {
		return s
	}
	slices.Sort(fin)
	s.Min, s.Max = fin[0], fin[s.N-1]
	s.Median = Median(fin)
	if s.N == 1 {
		s.Mean = fin[0]
		return s
	}
	s.Mean, s.Std = stat.MeanStdDev(fin, nil) // unbiased: sum (x - mean)^2 / (N - 1)
	s.SEM = stat.StdErr(s.Std, float64(s.N))
	return s
}

// Median is the middle of sorted (ascending, finite) values, or the mean of the two middle
// ones; NaN for none.
func Median(sorted []float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// MedianOf is the median of the finite values of vs (which it does not modify); NaN for none.
func MedianOf(vs []float64) float64 {
	fin := slices.DeleteFunc(slices.Clone(vs), func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
	slices.Sort(fin)
	return Median(fin)
}

// Aggs are the aggregations a figure draws (--agg).
var Aggs = []string{"mean", "median", "min", "max"}

// CheckAgg is an error unless agg is one of Aggs.
func CheckAgg(agg string) error {
	if !slices.Contains(Aggs, agg) {
		return fmt.Errorf("unknown aggregation %q (want one of %v)", agg, Aggs)
	}
	return nil
}

// Value is the statistic agg (one of Aggs) of s.
func (s Stats) Value(agg string) float64 {
	switch agg {
	case "median":
		return s.Median
	case "min":
		return s.Min
	case "max":
		return s.Max
	}
	return s.Mean
}

// Bands are the accepted spreads drawn around a line (--band).
var Bands = []string{"minmax", "std", "sem", "none"}

// Band is the interval drawn around a line's point: the min and max (minmax), the mean plus
// and minus the standard deviation (std) or the standard error (sem); NaN, NaN for none or
// when undefined (fewer than two values for std and sem).
func (s Stats) Band(band string) (lo, hi float64) {
	switch band {
	case "minmax":
		return s.Min, s.Max
	case "std":
		return s.Mean - s.Std, s.Mean + s.Std
	case "sem":
		return s.Mean - s.SEM, s.Mean + s.SEM
	}
	return math.NaN(), math.NaN()
}

// BandLabel describes a band for a legend: over is what the runs of a point differ in
// ("seeds", "seeds and data").
func BandLabel(band, over string) string {
	switch band {
	case "minmax":
		return "min-max over " + over
	case "std":
		return "mean ± std over " + over
	case "sem":
		return "mean ± s.e.m. over " + over
	}
	return ""
}
