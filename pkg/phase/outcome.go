package phase

import (
	"image/color"
	"math"
	"slices"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
)

// The outcome metrics: not columns of a table but the runs' statuses, drawn as phase maps.
const (
	ZStatus    = "status"    // the most common status of a cell's runs (StatusCodes)
	ZConverged = "converged" // the fraction of a cell's runs that converged
	ZDiverged  = "diverged"  // the fraction of a cell's runs that diverged
)

// IsOutcome reports whether z is an outcome metric (ZStatus, ZConverged, ZDiverged).
func IsOutcome(z string) bool { return z == ZStatus || z == ZConverged || z == ZDiverged }

// StatusCodes are the categories of a status map in the order of their codes (Z of a
// ZStatus grid): a cell's code is the index of its most common status here, ties going to the
// later (worse) one.
var StatusCodes = []string{aggregate.Converged, aggregate.MaxSteps, aggregate.Diverged, aggregate.Failed}

// StatusColors fill the cells of a status map, one per StatusCodes entry: blue, orange, red
// and dark grey, told apart also in the common colour-vision deficiencies (ColorBrewer's
// RdYlBu ends with orange, plus grey).
var StatusColors = []color.RGBA{
	{R: 44, G: 123, B: 182, A: 255},
	{R: 253, G: 174, B: 97, A: 255},
	{R: 215, G: 25, B: 28, A: 255},
	{R: 80, G: 80, B: 80, A: 255},
}

// StatusCode is the code of the most common status of runs c (NaN for no runs; another
// status than the four counts as failed).
func StatusCode(c aggregate.Counts) float64 {
	n := []int{c.Converged, c.MaxSteps, c.Diverged, c.Failed + c.Other}
	if c.Total() == 0 {
		return math.NaN()
	}
	best := 0
	for i := range n {
		if n[i] >= n[best] {
			best = i
		}
	}
	return float64(best)
}

// mixed reports whether runs c have more than one status.
func mixed(c aggregate.Counts) bool {
	kinds := slices.DeleteFunc([]int{c.Converged, c.MaxSteps, c.Diverged, c.Failed + c.Other}, func(n int) bool { return n == 0 })
	return len(kinds) > 1
}
