package dynamics

import (
	"unsafe"

	"github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"
)

// block is the state of up to LockstepWidth runs of one optimiser on one dataset, advanced in
// lockstep. Column b of every d x stride (or n x stride) array is run cols[b]: entry (j, b)
// is at j*stride + b, so that the B values of one coordinate are contiguous and the products
// with X and X^T run over rows of B columns. Columns width..stride-1 are dead: all zero
// (gamma = mu = 0, u = v = 0), which keeps them finite and free of subnormals, so the kernels
// may run over whole groups of 4 columns.
type block struct {
	n, d   int
	stride int // columns per row: the initial width rounded up (blockStride)
	width  int // live columns
	steps  int // steps taken by every live column
	opt    string
	k      kernel.Impl // the kernels, those of the columns' runners
	cols   []*lockstepColumn

	x, xt, y []float64 // X (n x d), X^T (d x n), y (n)

	u, v, beta, g, gain, skew []float64 // d x stride
	pu, pv                    []float64 // hb, nag: previous iterate w_{k-1}
	yu, yv, ybeta             []float64 // nag: lookahead y_k and beta(y_k)
	res, yres                 []float64 // n x stride: X beta - y (nag: also at beta(y_k))
	acc                       []float64 // 4n x stride: the partial sums of the residual kernels

	helper *stepHelper // the goroutine that takes part of each step (nil: none)

	gamma, mu, ss, loss, betaSum, intLoss, maxGG []float64 // per column (stride)
}

// newBlock lays out cols (runners freshly initialised by newRunner) as a block on data.
func newBlock(data *Data, cols []*lockstepColumn) *block {
	n, d := data.N, data.D
	s := blockStride(len(cols))
	bk := &block{n: n, d: d, stride: s, width: len(cols), opt: cols[0].r.cfg.Optimizer, k: cols[0].r.k, cols: cols,
		x: data.X, y: data.Y, xt: make([]float64, n*d)}
	for i := range n {
		for j := range d {
			bk.xt[j*n+i] = data.X[i*d+j]
		}
	}
	vec := func(rows int) []float64 { return alignedFloats(rows * s) }
	bk.u, bk.v, bk.beta, bk.g, bk.gain, bk.skew = vec(d), vec(d), vec(d), vec(d), vec(d), vec(d)
	bk.res, bk.acc = vec(n), vec(4*n)
	if bk.opt == OptimizerHB || bk.opt == OptimizerNAG {
		bk.pu, bk.pv = vec(d), vec(d)
	}
	if bk.opt == OptimizerNAG {
		bk.yu, bk.yv, bk.ybeta, bk.yres = vec(d), vec(d), vec(d), vec(n)
	}
	bk.gamma, bk.mu, bk.ss, bk.loss, bk.betaSum, bk.intLoss, bk.maxGG = vec(1), vec(1), vec(1), vec(1), vec(1), vec(1), vec(1)
	for b, col := range cols {
		r := col.r
		bk.setColumn(bk.u, b, r.w[:d])
		bk.setColumn(bk.v, b, r.w[d:2*d])
		if bk.pu != nil { // started at rest: w_{-1} = w_0
			bk.setColumn(bk.pu, b, r.w[:d])
			bk.setColumn(bk.pv, b, r.w[d:2*d])
		}
		bk.gamma[b] = r.gamma
		if bk.opt != OptimizerGD {
			bk.mu[b] = r.cfg.Momentum
		}
	}
	bk.betaBlock()
	return bk
}

// blockStride returns the stride of a block of width columns: the width rounded up to a
// multiple of 8 (a row is whole cache lines of 64 bytes, so that the two goroutines of a split
// step, lockstep_parallel.go, never write to the same line), and 8 more when that is a multiple of
// 16: a row of an odd number of cache lines spreads the rows of a strip of columns (read down
// by the assembly kernels) over all sets of the L1 cache, where 1024 bytes (B = 128) or 512
// (B = 64) would put them in a quarter or an eighth of the sets; that cost the residual about
// 25% at d = 1000 (BenchmarkLockstepProducts). The extra columns are dead.
func blockStride(width int) int {
	s := (width + 7) &^ 7
	if s%16 == 0 {
		s += 8
	}
	return s
}

// alignedFloats returns k zero floats starting on a 64-byte boundary (a cache line).
func alignedFloats(k int) []float64 {
	a := make([]float64, k+7)
	off := (8 - int(uintptr(unsafe.Pointer(&a[0]))%64)/8) % 8
	return a[off : off+k : off+k]
}

// setColumn sets column b of the rows x stride array a to src.
func (bk *block) setColumn(a []float64, b int, src []float64) {
	for j, x := range src {
		a[j*bk.stride+b] = x
	}
}

// column copies column b of the rows x stride array a into dst.
func (bk *block) column(a []float64, b int, dst []float64) {
	for j := range dst {
		dst[j] = a[j*bk.stride+b]
	}
}

// moveColumn sets column to of each array to its column from and zeroes column from.
func (bk *block) moveColumn(from, to int, arrays ...[]float64) {
	for _, a := range arrays {
		if a == nil {
			continue
		}
		for k := 0; k < len(a); k += bk.stride {
			a[k+to], a[k+from] = a[k+from], 0
		}
	}
}

// evaluate computes the residual X beta - y of every live column and its training loss
// L = ||X beta - y||^2/(2n) (beta and betaSum are kept by betaBlock and the updates).
func (bk *block) evaluate() { bk.evaluateCols(0, bk.lanes()) }

// evaluateCols is evaluate on the w columns from c0 (both multiples of 4): columns are
// independent, so disjoint ranges may run on different goroutines.
func (bk *block) evaluateCols(c0, w int) {
	bk.k.ResidualBlock(bk.x, bk.y, bk.beta[c0:], bk.res[c0:], bk.ss[c0:], bk.acc[c0:], bk.n, bk.d, bk.stride, w)
	m := float64(2 * bk.n)
	for b := c0; b < min(c0+w, bk.width); b++ {
		bk.loss[b] = bk.ss[b] / m
	}
}

// lanes is the number of columns the kernels run over: the live ones rounded up to a
// multiple of 4 (the extra ones are dead, all zero).
func (bk *block) lanes() int { return (bk.width + 3) &^ 3 }

// step takes one step of every live column from its evaluated iterate and evaluates the new
// one (runner.advance then runner.evaluate of a single run), the columns split between the
// calling goroutine and the block's helper when it has one and the block is large enough
// (lockstep_parallel.go).
func (bk *block) step() {
	w := bk.lanes()
	if h := bk.split(w); h > 0 {
		bk.helper.run(h, w-h, func() {
			bk.advanceCols(0, h)
			bk.evaluateCols(0, h)
		})
	} else {
		bk.advanceCols(0, w)
		bk.evaluateCols(0, w)
	}
	bk.steps++
}

// advanceCols takes one step of the w columns from c0 (multiples of 4): int_loss += gamma L,
// the optimiser's step, Gain += q(gamma g), the theory accumulators, and beta(w) with its
// sum.
func (bk *block) advanceCols(c0, w int) {
	for b := c0; b < min(c0+w, bk.width); b++ {
		bk.intLoss[b] += float64(bk.gamma[b] * bk.loss[b])
	}
	n, d, s := bk.n, bk.d, bk.stride
	u, v, g, beta, betaSum, gamma := bk.u[c0:], bk.v[c0:], bk.g[c0:], bk.beta[c0:], bk.betaSum[c0:c0+w], bk.gamma[c0:]
	switch bk.opt {
	case OptimizerNAG:
		kernel.NAGLookahead(u, v, bk.pu[c0:], bk.pv[c0:], bk.mu[c0:], bk.yu[c0:], bk.yv[c0:], bk.ybeta[c0:], d, s, w)
		bk.k.ResidualBlock(bk.x, bk.y, bk.ybeta[c0:], bk.yres[c0:], bk.ss[c0:], bk.acc[c0:], n, d, s, w)
		bk.k.GradientBlock(bk.xt, bk.yres[c0:], g, n, d, s, w)
	default:
		bk.k.GradientBlock(bk.xt, bk.res[c0:], g, n, d, s, w)
	}
	clear(betaSum)
	switch bk.opt {
	case OptimizerGD:
		bk.k.GDUpdate(u, v, g, gamma, beta, betaSum, d, s, w)
	case OptimizerHB:
		kernel.HBUpdate(u, v, bk.pu[c0:], bk.pv[c0:], g, gamma, bk.mu[c0:], beta, betaSum, d, s, w)
	case OptimizerNAG:
		kernel.NAGUpdate(u, v, bk.pu[c0:], bk.pv[c0:], bk.yu[c0:], bk.yv[c0:], g, gamma, beta, betaSum, d, s, w)
	}
	bk.k.TheoryBlock(g, gamma, bk.gain[c0:], bk.skew[c0:], bk.maxGG[c0:], d, s, w)
}

// betaBlock sets beta = u (.) v and betaSum_b = sum_j beta_jb (in index order j) for every
// column.
func (bk *block) betaBlock() {
	s := bk.stride
	clear(bk.betaSum)
	for j := range bk.d {
		row := j * s
		for b := range s {
			x := float64(bk.u[row+b] * bk.v[row+b])
			bk.beta[row+b] = x
			bk.betaSum[b] += x
		}
	}
}

// unload copies column b's state into its runner, which then holds exactly the state of a
// single run stopped at the same iterate.
func (bk *block) unload(b int) {
	r, d := bk.cols[b].r, bk.d
	bk.column(bk.u, b, r.w[:d])
	bk.column(bk.v, b, r.w[d:2*d])
	bk.column(bk.beta, b, r.beta)
	bk.column(bk.g, b, r.g)
	bk.column(bk.gain, b, r.gain)
	bk.column(bk.skew, b, r.skew)
	bk.column(bk.res, b, r.res)
	r.loss, r.betaSum, r.intLoss, r.maxGammaG, r.steps = bk.loss[b], bk.betaSum[b], bk.intLoss[b], bk.maxGG[b], bk.steps
}

// remove drops column b from the block: the last live column moves into its place and the
// vacated column becomes dead (all zero).
func (bk *block) remove(b int) {
	last := bk.width - 1
	bk.cols[b] = bk.cols[last]
	bk.cols[last] = nil
	bk.moveColumn(last, b, bk.u, bk.v, bk.beta, bk.g, bk.gain, bk.skew, bk.pu, bk.pv, bk.yu, bk.yv, bk.ybeta,
		bk.res, bk.yres, bk.gamma, bk.mu, bk.ss, bk.loss, bk.betaSum, bk.intLoss, bk.maxGG)
	bk.width--
}
