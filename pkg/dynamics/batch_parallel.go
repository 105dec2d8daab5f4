package dynamics

import "runtime"

// The columns of a block are independent runs, so a step may advance part of them on another
// goroutine without changing a bit of any column. A block large enough to pay for the hand-off
// (two channel operations per step, a few microseconds) gets a helper goroutine for the
// length of its run (SimulateBatch): each step it takes the upper part of the columns while
// the calling goroutine takes the lower part, then they meet again. Nothing is allocated per
// step.

// splitWork is the least work, n d (columns), for which a step is split between two
// goroutines: below it the hand-off costs more than the second core saves
// (BenchmarkBatchStep's gd/n=20,d=30 and 2-core cases; bench/BENCHMARKS.md).
const splitWork = 1_000_000

// stripWidth is the number of columns of the wide assembly kernels (4 vectors of 4); a split
// keeps whole strips on both sides.
const stripWidth = 16

// stepHelper is the goroutine that takes the columns start sends (first column, count) of
// each step and answers on done.
type stepHelper struct {
	start chan [2]int
	done  chan struct{}
}

// startHelper gives bk a helper goroutine if the process may run two at once (GOMAXPROCS >= 2)
// and bk is wide and large enough to split (see split), and returns the function that stops
// it (a no-op without a helper).
func (bk *block) startHelper() (stop func()) {
	if runtime.GOMAXPROCS(0) < 2 || !bk.splittable(bk.lanes()) {
		return func() {}
	}
	h := &stepHelper{start: make(chan [2]int), done: make(chan struct{})}
	go func() {
		for cw := range h.start {
			bk.advanceCols(cw[0], cw[1])
			bk.evaluateCols(cw[0], cw[1])
			h.done <- struct{}{}
		}
	}()
	bk.helper = h
	return func() {
		close(h.start)
		bk.helper = nil
	}
}

// splittable reports whether w columns of bk are worth splitting: at least 2 strips of the
// assembly kernels (32 columns) and n d w >= splitWork.
func (bk *block) splittable(w int) bool {
	return w >= 2*stripWidth && bk.n*bk.d*w >= splitWork
}

// split returns the first column of the helper's part of a step over w columns, or 0 to run
// the step on the calling goroutine alone: the half of w rounded to whole strips of 16
// columns, so that both parts run the wide kernels.
func (bk *block) split(w int) int {
	if bk.helper == nil || !bk.splittable(w) {
		return 0
	}
	return (w/2 + stripWidth/2) &^ (stripWidth - 1)
}
