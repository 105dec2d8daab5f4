package webui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// loaded is a sweep's table as last read: what its Source said (Table), the rows, and the
// figures drawn from it, kept until the table's key changes.
type loaded struct {
	ref     Table
	rows    *results.Table // nil when there is no row yet
	counts  []int          // rows by status (statuses)
	checked time.Time      // when the Source was last asked
	dir     string         // where this version's figures are rendered
	mu      sync.Mutex     // guards figs
	figs    map[string]*drawn
	// drawnCount numbers the figures' files.
	drawnCount int
}

// drawn is one figure of a table version: the page's JSON and the SVG phase.Plot wrote.
type drawn struct {
	fig *figure
	svg string // path of the SVG
	err error
}

// tables caches each sweep's loaded table.
type tables struct {
	src     Source
	refresh time.Duration
	tmp     string     // the server's private directory
	mu      sync.Mutex // guards bySweep and seq
	bySweep map[string]*entry
	seq     int
}

// entry is one sweep's cache; its lock is held while the table is asked for and read, so that
// a slow merge of one sweep holds up none of the others.
type entry struct {
	mu sync.Mutex
	l  *loaded
}

// get returns the table of sweep id, asking the Source again when refresh has passed since it
// was last asked, and reading the rows again only when the key changed.
func (ts *tables) get(ctx context.Context, id string) (*loaded, error) {
	ts.mu.Lock()
	e := ts.bySweep[id]
	if e == nil {
		e = &entry{}
		ts.bySweep[id] = e
	}
	ts.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.l
	if old != nil && time.Since(old.checked) < ts.refresh {
		return old, nil
	}
	ref, err := ts.src.Table(ctx, id)
	if err != nil {
		if old != nil { // a merge that lost a race with the sweep's own: keep what we had
			return old, nil
		}
		return nil, err
	}
	if old != nil && old.ref.Key == ref.Key {
		old.checked = time.Now()
		return old, nil
	}
	l := &loaded{ref: ref, checked: time.Now(), figs: map[string]*drawn{}, counts: make([]int, len(statuses))}
	if ref.Results != "" {
		if l.rows, err = results.ReadFile(ref.Results); err != nil {
			return nil, fmt.Errorf("read the table of sweep %s: %w", id, err)
		}
		l.counts = statusCounts(l.rows)
	}
	ts.mu.Lock()
	ts.seq++
	l.dir = filepath.Join(ts.tmp, fmt.Sprintf("t%06d", ts.seq))
	ts.mu.Unlock()
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, fmt.Errorf("figure directory: %w", err)
	}
	if old != nil {
		_ = os.RemoveAll(old.dir)
	}
	e.l = l
	return l, nil
}

// maxFigures bounds the figures kept per table version.
const maxFigures = 64

// figure returns the figure of this table with the controls p, drawing it on first use.
func (l *loaded) figure(p plotQuery) *drawn {
	k := p.values().Encode()
	l.mu.Lock()
	defer l.mu.Unlock()
	if d, ok := l.figs[k]; ok {
		return d
	}
	if len(l.figs) >= maxFigures { // a user trying many choices: start over
		l.figs = map[string]*drawn{}
	}
	l.drawnCount++
	d := &drawn{svg: filepath.Join(l.dir, fmt.Sprintf("fig%06d.svg", l.drawnCount))}
	if l.rows == nil {
		d.err = plotError{fmt.Errorf("no finished chunk yet")}
	} else {
		d.fig, d.err = drawFigure(l.ref.Results, l.rows, p, d.svg)
		if d.fig != nil {
			d.fig.Key = l.ref.Key
		}
	}
	l.figs[k] = d
	return d
}
