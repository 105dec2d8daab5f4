package grid

import (
	"math"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// Chunk is a contiguous range [Start, End) of point indices run by one activity.
type Chunk struct {
	ID         int
	Start, End int64
}

// Len is the number of points in the chunk.
func (c Chunk) Len() int64 { return c.End - c.Start }

// Chunks splits count points into chunks of at most size points; chunk k covers
// [k*size, min((k+1)*size, count)).
func Chunks(count int64, size int) []Chunk {
	if size < 1 {
		size = 1
	}
	var out []Chunk
	for start := int64(0); start < count; start += int64(size) {
		out = append(out, Chunk{ID: len(out), Start: start, End: min(start+int64(size), count)})
	}
	return out
}

// secondsPerUnit is the cost of one step per n*d entry of the gd/sgd kernel on the 2-core
// reference machine with the Go kernels (about 1.5-1.8 us per step at n=20, d=30, see
// pkg/dynamics benchmarks), used only to size chunks. The AVX2 kernels take about half of
// that (0.6-0.7 us); the estimate is kept, so chunks err towards the smaller side, which
// balances short sweeps better across workers.
const secondsPerUnit = 3e-9

// ChunkSize picks how many points one activity runs so that it takes about target seconds:
// the cost of a point is steps x (n + test/steps) x d units; the size is clamped to [1, 1000].
func (g *Grid) ChunkSize(targetSeconds float64) int {
	cost := g.meanPointSeconds(64)
	if cost <= 0 {
		return 1000
	}
	// Clamp before converting: a float beyond the range of int converts to an arbitrary
	// value (math.MinInt64 on amd64), which would turn a huge ratio into the floor 1.
	return max(1, int(math.Min(targetSeconds/cost, 1000)))
}

// meanPointSeconds is the cost model's mean seconds per point, (steps+1) n d secondsPerUnit,
// over samples points spread evenly over the grid (all of them when there are fewer).
func (g *Grid) meanPointSeconds(samples int64) float64 {
	var cost float64
	samples = min(samples, g.count)
	for i := int64(0); i < samples; i++ {
		c := g.Point(g.first + i*g.count/samples).Config
		cost += float64(c.Steps+1) * float64(c.N) * float64(c.D) * secondsPerUnit
	}
	if samples > 0 {
		cost /= float64(samples)
	}
	return cost
}

// Estimate is what running a grid costs by the cost model that sizes chunks, assuming every
// point runs all its steps (converged or diverged points stop early, so it is an upper
// bound for them) at the Go kernels' speed on the reference machine.
type Estimate struct {
	// Units is the work: the sum over points of (steps+1) n d, the entries of X touched.
	Units float64
	// CPUSeconds is Units at secondsPerUnit, on one core.
	CPUSeconds float64
}

// Estimate predicts the cost of the whole grid from 1024 points spread over it.
func (g *Grid) Estimate() Estimate {
	sec := g.meanPointSeconds(1024) * float64(g.count)
	return Estimate{Units: sec / secondsPerUnit, CPUSeconds: sec}
}

// lockstepKey identifies what the points of one lockstep group must share
// (dynamics.SimulateLockstep): the dataset (the data file, or the generation parameters and
// the data seed) and the optimiser.
type lockstepKey struct {
	file                 string
	n, d, test, sparsity int
	xMean, labelNoise    float64
	xNorm, betaStar, opt string
	dataSeed             uint64
}

func keyOf(c dynamics.Config) lockstepKey {
	return lockstepKey{file: c.DataFile, n: c.N, d: c.D, test: c.Test, sparsity: c.Sparsity, xMean: c.XMean,
		labelNoise: c.LabelNoise, xNorm: c.XNorm, betaStar: c.BetaStar, opt: c.Optimizer, dataSeed: c.DataSeed}
}

// LockstepGroups groups the points of [start, end) that can advance in lockstep in one
// dynamics.SimulateLockstep: points dynamics.RunsInLockstep accepts (gd, hb, nag on model uv)
// with a valid Config, the same dataset (same data file, or same generation parameters and
// data seed) and the same optimiser. The grid order need not keep them together (a stepsize axis inside an
// optimizer axis, or the other way round): a group holds its points in increasing order,
// groups are listed by their first point, and groups of one point are left out.
func (g *Grid) LockstepGroups(start, end int64) [][]int64 {
	index := map[lockstepKey]int{}
	var groups [][]int64
	for i := start; i < end; i++ {
		c := g.Point(i).Config
		if !dynamics.RunsInLockstep(c) || c.Validate() != nil {
			continue
		}
		k := keyOf(c)
		at, ok := index[k]
		if !ok {
			at = len(groups)
			index[k] = at
			groups = append(groups, nil)
		}
		groups[at] = append(groups[at], i)
	}
	out := groups[:0]
	for _, grp := range groups {
		if len(grp) > 1 {
			out = append(out, grp)
		}
	}
	return out
}
