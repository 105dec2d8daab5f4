package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/phasesweep/phasesweep/workflows"
)

// progressBar draws a sweep's progress on a command's error stream: a bar redrawn in place on a
// terminal, never wider than the terminal; plain lines every interval otherwise (logs, CI),
// and at once when the sweep's condition (moving, paused, stalled, unserved) changes.
type progressBar struct {
	w        io.Writer
	tty      bool
	width    func() int // the terminal's columns
	start    time.Time
	first    int64 // points done when we started watching (a resumed sweep)
	last     time.Time
	interval time.Duration
	cond     string // the condition of the last line
	open     bool   // a bar is drawn and its line not ended
}

// barNote is what the bar says besides the counts: why the sweep does not move.
type barNote struct {
	stall    *stall // its activities all fail (stall.go)
	unserved bool   // no worker answers its progress query
}

// newProgressBar is a bar drawn on w: in place when w is a terminal (a file of one), else in
// plain lines.
func newProgressBar(w io.Writer) *progressBar {
	fd := -1 // not a file: no terminal
	if f, ok := w.(interface{ Fd() uintptr }); ok {
		fd = int(f.Fd())
	}
	b := &progressBar{w: w, tty: fd >= 0 && term.IsTerminal(fd), start: time.Now(), first: -1, interval: 10 * time.Second}
	b.width = func() int { return terminalWidth(fd) }
	return b
}

// defaultWidth is the width assumed when neither the terminal nor COLUMNS gives one.
const defaultWidth = 80

// terminalWidth is the width of the terminal on fd, else $COLUMNS, else defaultWidth.
func terminalWidth(fd int) int {
	if w, _, err := term.GetSize(fd); err == nil && w > 0 {
		return w
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return defaultWidth
}

// update shows p with note; final forces a line and ends it.
func (b *progressBar) update(p workflows.Progress, note barNote, final bool) {
	now := time.Now()
	if b.first < 0 {
		b.first = p.Done
	}
	cond := condition(p, note)
	if !b.tty && !final && now.Sub(b.last) < b.interval && cond == b.cond {
		return
	}
	b.last, b.cond = now, cond
	elapsed := now.Sub(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.Done-b.first) / elapsed
	}
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
	}
	// The state comes before what a narrow terminal may cut; a stall's long reason comes last,
	// without a rate (the sweep does not move).
	text := fmt.Sprintf("%d/%d points %5.1f%%  %s  %.1f pts/s  diverged %d", p.Done, p.Total, 100*frac, b.state(p, note, rate), rate, p.Diverged)
	if cond == "stalled" || cond == "unserved" {
		text = fmt.Sprintf("%d/%d points %5.1f%%  diverged %d  %s", p.Done, p.Total, 100*frac, p.Diverged, b.state(p, note, rate))
	}
	if p.Levels > 0 { // a refined sweep (docs/refine.md)
		text = fmt.Sprintf("level %d/%d  %s", p.Level, p.Levels, text)
	}
	if !b.tty {
		fmt.Fprintln(b.w, text)
		return
	}
	fmt.Fprint(b.w, "\r\033[K"+fitLine(text, frac, b.width()))
	b.open = true
	if final {
		b.end()
	}
}

// condition names the sweep's condition, so that a log gets a line when it changes.
func condition(p workflows.Progress, note barNote) string {
	switch {
	case p.Finished:
		return "done"
	case note.unserved:
		return "unserved"
	case note.stall != nil:
		return "stalled"
	case p.Paused:
		return "paused"
	case p.Merging:
		return "merging"
	}
	return "moving"
}

// state is the tail of the line: the ETA while the sweep moves, else why it does not.
func (b *progressBar) state(p workflows.Progress, note barNote, rate float64) string {
	switch condition(p, note) {
	case "done":
		return "done"
	case "unserved":
		return notServed
	case "stalled":
		return note.stall.String()
	case "paused":
		return "paused"
	case "merging":
		return "merging"
	}
	if rate > 0 && p.Done < p.Total {
		return "ETA " + (time.Duration(float64(p.Total-p.Done)/rate) * time.Second).Round(time.Second).String()
	}
	return "ETA --"
}

// end ends the bar's line, if one is drawn (before an interrupt's or an error's message).
func (b *progressBar) end() {
	if b.open {
		fmt.Fprintln(b.w)
		b.open = false
	}
}

// Bar widths: at most maxBar cells, and none when fewer than minBar would fit beside the text.
const (
	maxBar = 30
	minBar = 10
)

// fitLine is the bar for fraction frac followed by text, in fewer than width columns (the
// last column stays empty: a character there makes some terminals wrap). The bar shrinks to
// make room for the text, and goes when less than minBar cells are left; then the text is
// cut, with "..." at its end.
func fitLine(text string, frac float64, width int) string {
	avail := width - 1
	n := utf8.RuneCountInString(text)
	bw := min(maxBar, avail-n-3) // "[" bar "] "
	if bw < minBar {
		return truncate(text, avail)
	}
	done := min(bw, max(0, int(frac*float64(bw))))
	return "[" + strings.Repeat("#", done) + strings.Repeat(".", bw-done) + "] " + text
}

// truncate cuts s to at most n runes, marking the cut with "...".
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if n <= 3 {
		return string(r[:n])
	}
	return string(r[:n-3]) + "..."
}
