package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/phasesweep/phasesweep/workflows"
)

// progressBar draws a sweep's progress on stderr: a redrawn bar on a terminal, plain lines
// every interval otherwise (logs, CI).
type progressBar struct {
	w        io.Writer
	tty      bool
	start    time.Time
	first    int64 // points done when we started watching (a resumed sweep)
	last     time.Time
	interval time.Duration
}

func newProgressBar(w *os.File) *progressBar {
	st, err := w.Stat()
	tty := err == nil && st.Mode()&os.ModeCharDevice != 0
	return &progressBar{w: w, tty: tty, start: time.Now(), first: -1, interval: 10 * time.Second}
}

// update shows p; final forces a line.
func (b *progressBar) update(p workflows.Progress, final bool) {
	now := time.Now()
	if b.first < 0 {
		b.first = p.Done
	}
	if !b.tty && !final && now.Sub(b.last) < b.interval {
		return
	}
	b.last = now
	elapsed := now.Sub(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.Done-b.first) / elapsed
	}
	eta := "--"
	if rate > 0 && p.Done < p.Total {
		eta = (time.Duration(float64(p.Total-p.Done)/rate) * time.Second).Round(time.Second).String()
	}
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
	}
	state := ""
	switch {
	case p.Finished:
		state = " done"
	case p.Merging:
		state = " merging"
	}
	text := fmt.Sprintf("%d/%d points %5.1f%%  %.1f pts/s  ETA %s  diverged %d%s",
		p.Done, p.Total, 100*frac, rate, eta, p.Diverged, state)
	if b.tty {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(b.w, "\r\033[K[%s%s] %s", strings.Repeat("#", n), strings.Repeat(".", width-n), text)
		if final {
			fmt.Fprintln(b.w)
		}
		return
	}
	fmt.Fprintln(b.w, text)
}
