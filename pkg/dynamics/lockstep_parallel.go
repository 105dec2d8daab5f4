package dynamics

import (
	"runtime"
	"sync/atomic"

	"github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"
)

// The columns of a block are independent runs, so a step may advance part of them on another
// goroutine without changing a bit of any column. A block large enough to pay for the
// hand-off gets a helper goroutine for the length of its run (SimulateLockstep): each step it
// takes the upper part of the columns while the calling goroutine takes the lower part, then
// they meet again. Nothing is allocated per step.

// splitWork is the least work, n d w (w live columns), for which a step is split between two
// goroutines. BenchmarkLockstepStep measured: at n=100, d=1000, w=64 (6.4e6) two cores take
// 13.8 us per run-step against 18.3 on one; at n=40, d=100, w=64 (2.56e5; 50 us per step)
// 0.61-0.67 against 0.78-0.79 on one core, in 8 alternating runs after the gain kernel was
// vectorised (before that, with the scalar gain, a split step was as often slower as
// faster). A sweep of 4 such blocks through `sweep run` took 5.65-5.90 s split against
// 6.01-6.17 s not. Narrower or smaller blocks stay on one core.
const splitWork = 250_000

// stepHelper is the goroutine that takes the columns [c0, c0+w) of each step. Hand-offs go
// through atomics that both sides spin on for a short while (helperSpin), so that a step
// costs no scheduler round trip: a goroutine woken through a channel waits in the waker's
// run queue until the waker blocks or another core steals it, which serialised the halves.
// The helper parks on wake when no step comes within its spin (between blocks, or while the
// caller records a trajectory), and the caller yields while it waits, so neither holds a core
// for long when the other is not running.
type stepHelper struct {
	posted   atomic.Uint64 // steps posted by the caller
	finished atomic.Uint64 // steps the helper has finished
	sleeping atomic.Bool   // the helper is (about to be) parked on wake
	wake     chan struct{} // capacity 1
	c0, w    int           // the helper's columns of the posted step
	stopped  bool          // set with the last post: the helper returns
}

// helperSpin is the number of polls of an atomic before a waiting side yields (the caller)
// or parks (the helper): tens of microseconds, the time a block spends between steps.
const helperSpin = 20_000

// startHelper gives bk a helper goroutine if bk is wide and large enough to split (see split)
// and the process has a core to spare (helpers), and returns the function that stops it (a
// no-op without a helper).
func (bk *block) startHelper() (stop func()) {
	if !bk.splittable(bk.lanes()) {
		return func() {}
	}
	if helpers.Add(1) > int32(runtime.GOMAXPROCS(0)/2) {
		helpers.Add(-1)
		return func() {}
	}
	h := &stepHelper{wake: make(chan struct{}, 1)}
	go h.loop(bk)
	bk.helper = h
	return func() {
		h.stopped = true
		h.post()
		bk.helper = nil
		helpers.Add(-1)
	}
}

// helpers counts the running helper goroutines. Blocks get one only while fewer than
// GOMAXPROCS/2 run (one on 2 cores): a worker that already runs blocks of several activities
// at once keeps its cores busy without splitting them, and a split step whose two halves
// compete for one core with other blocks only adds hand-offs.
var helpers atomic.Int32

// loop runs the posted steps until the caller stops it.
func (h *stepHelper) loop(bk *block) {
	var seen uint64
	for {
		seen = h.await(seen)
		if h.stopped {
			return
		}
		bk.advanceCols(h.c0, h.w)
		bk.evaluateCols(h.c0, h.w)
		h.finished.Store(seen)
	}
}

// await returns the number of the next posted step after seen: it polls posted, then parks.
func (h *stepHelper) await(seen uint64) uint64 {
	for {
		for range helperSpin {
			if p := h.posted.Load(); p != seen {
				return p
			}
		}
		h.sleeping.Store(true)
		if p := h.posted.Load(); p != seen {
			if !h.sleeping.CompareAndSwap(true, false) {
				<-h.wake // the caller saw us asleep and sent a token: take it
			}
			return p
		}
		<-h.wake
	}
}

// post publishes the step set in c0, w (or stopped) and wakes the helper if it is parked.
func (h *stepHelper) post() {
	h.posted.Add(1)
	if h.sleeping.CompareAndSwap(true, false) {
		h.wake <- struct{}{}
	}
}

// run has the helper take columns [c0, c0+w) of the step while the caller runs its own part
// (mine), and returns when both are done.
func (h *stepHelper) run(c0, w int, mine func()) {
	h.c0, h.w = c0, w
	h.post()
	mine()
	want := h.posted.Load()
	for k := 0; h.finished.Load() != want; k++ {
		if k >= helperSpin {
			runtime.Gosched()
			k = 0
		}
	}
}

// splittable reports whether w columns of bk are worth splitting: at least 2 strips of the
// assembly kernels (32 columns) and n d w >= splitWork.
func (bk *block) splittable(w int) bool {
	return w >= 2*kernel.StripWidth && bk.n*bk.d*w >= splitWork
}

// split returns the first column of the helper's part of a step over w columns, or 0 to run
// the step on the calling goroutine alone: the half of w rounded to whole strips of 16
// columns, so that both parts run the wide kernels.
func (bk *block) split(w int) int {
	if bk.helper == nil || !bk.splittable(w) {
		return 0
	}
	return (w/2 + kernel.StripWidth/2) &^ (kernel.StripWidth - 1)
}
