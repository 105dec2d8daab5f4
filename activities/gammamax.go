package activities

import (
	"context"
	"math"
	"sync"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// gammaMaxRelTol is the relative precision of the gamma_max and gamma_div columns
// (record.gamma_max).
const gammaMaxRelTol = 1e-3

// gammaMaxCacheSize bounds the configurations whose thresholds a worker keeps (a few hundred
// bytes each); past it the cache starts afresh.
const gammaMaxCacheSize = 1 << 14

// thresholds are a configuration's gamma_max (the largest stepsize that converges, Even2023)
// and gamma_div (the largest that does not diverge).
type thresholds struct{ max, div float64 }

// thresholdEntry is one configuration's thresholds, ready once done is closed.
type thresholdEntry struct {
	done chan struct{}
	th   thresholds
}

// gammaMaxes remembers the thresholds per configuration for the whole worker process: the
// points that differ only in their stepsize (and so in their run seed) share them
// (dynamics.PointThresholds), and they usually fall into many chunks. The thresholds are a
// pure function of the configuration (the trial runs' seed derives from the data seed), so
// which chunk computes them does not change any result. A configuration asked for while
// another chunk computes it waits for that answer.
type gammaMaxes struct {
	mu      sync.Mutex
	entries map[dynamics.Config]*thresholdEntry
}

// workerGammaMaxes is the process-wide threshold cache.
var workerGammaMaxes = &gammaMaxes{entries: map[dynamics.Config]*thresholdEntry{}}

// GammaMax returns the thresholds of the point c on data as of does (chunkrun.Thresholds).
func (m *gammaMaxes) GammaMax(ctx context.Context, c dynamics.Config, data *dynamics.Data) (gammaMax, gammaDiv float64) {
	th := m.of(ctx, c, data)
	return th.max, th.div
}

// of returns the thresholds of the point c on data; NaN where a search has no answer (no
// stepsize converges before one diverges, the smallest stepsize diverges, or every stepsize
// succeeds). A search cut short by ctx is not remembered.
func (m *gammaMaxes) of(ctx context.Context, c dynamics.Config, data *dynamics.Data) thresholds {
	key := c
	key.Stepsize, key.RunSeed = 0, 0
	var e *thresholdEntry
	for {
		m.mu.Lock()
		var ok bool
		e, ok = m.entries[key]
		if !ok {
			if len(m.entries) >= gammaMaxCacheSize {
				m.entries = map[dynamics.Config]*thresholdEntry{}
			}
			e = &thresholdEntry{done: make(chan struct{})}
			m.entries[key] = e
			m.mu.Unlock()
			break
		}
		m.mu.Unlock()
		select {
		case <-e.done:
			if e.th != (thresholds{}) {
				return e.th
			}
			// the computing chunk was cancelled: compute it here
		case <-ctx.Done():
			return thresholds{max: math.NaN(), div: math.NaN()}
		}
	}
	th := thresholds{max: math.NaN(), div: math.NaN()}
	gmax, gdiv, err := dynamics.PointThresholds(ctx, c, data, gammaMaxRelTol)
	if err == nil || ctx.Err() == nil {
		th = thresholds{max: gmax, div: gdiv} // NaN where a search has no answer
	}
	m.mu.Lock()
	if ctx.Err() != nil {
		if m.entries[key] == e {
			delete(m.entries, key) // not an answer: the next asker computes it
		}
	} else {
		e.th = th
	}
	m.mu.Unlock()
	close(e.done)
	return th
}
