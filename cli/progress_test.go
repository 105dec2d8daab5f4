package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/phasesweep/phasesweep/workflows"
)

// drawn splits what a terminal bar wrote into the lines a terminal shows: each "\r\033[K"
// clears the line and starts it again.
func drawn(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		parts := strings.Split(l, "\r\033[K")
		lines = append(lines, parts[len(parts)-1])
		lines = append(lines, parts[:len(parts)-1]...) // each redraw, as it was shown before the next
	}
	return lines
}

func TestProgressBarFitsWidth(t *testing.T) {
	long := &stall{Activity: "chunk", Failing: 64, Attempt: 9, Seconds: 754, Since: time.Now(),
		Failure: "write shard of chunk 17: write /data/runs/a-rather-long-sweep-name/shards/chunk-000017.parquet: no space left on device"}
	cases := []struct {
		p    workflows.Progress
		note barNote
	}{
		{workflows.Progress{Total: 96, Done: 40, Diverged: 3}, barNote{}},
		{workflows.Progress{Total: 1234567, Done: 1234, Diverged: 12345, Paused: true}, barNote{}},
		{workflows.Progress{Total: 96, Done: 40}, barNote{stall: long}},
		{workflows.Progress{Total: 96, Done: 40}, barNote{unserved: true}},
	}
	for _, width := range []int{60, 120} {
		var buf bytes.Buffer
		b := &progressBar{w: &buf, tty: true, width: func() int { return width }, start: time.Now().Add(-10 * time.Second), first: 0}
		for _, c := range cases {
			b.update(c.p, c.note, false)
		}
		b.update(workflows.Progress{Total: 96, Done: 96, Finished: true}, barNote{}, true)
		lines := drawn(buf.String())
		if len(lines) < len(cases)+1 {
			t.Fatalf("width %d: %d lines drawn, want %d: %q", width, len(lines), len(cases)+1, buf.String())
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n >= width {
				t.Errorf("width %d: a line of %d columns (the last column must stay empty): %q", width, n, l)
			}
		}
		out := buf.String()
		if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
			t.Errorf("width %d: the final line should end the bar's line once: %q", width, out)
		}
		// The stalled line says so instead of an ETA, and so do the paused and unserved ones.
		for _, want := range []string{"stalled for 12m34s", "paused", notServed[:10]} {
			if !strings.Contains(out, want) {
				t.Errorf("width %d: no %q in %q", width, want, out)
			}
		}
		if width == 120 && !strings.Contains(out, "[") {
			t.Errorf("width 120: no bar drawn: %q", out)
		}
	}
}

func TestProgressBarNoETAWhenStill(t *testing.T) {
	var buf bytes.Buffer
	b := &progressBar{w: &buf, tty: false, width: func() int { return 200 }, start: time.Now().Add(-10 * time.Second), first: 0, interval: time.Hour}
	stalled := &stall{Activity: "chunk", Failing: 1, Attempt: 3, Failure: "permission denied"}
	b.update(workflows.Progress{Total: 10, Done: 5}, barNote{}, false)               // moving: ETA
	b.update(workflows.Progress{Total: 10, Done: 5, Paused: true}, barNote{}, false) // a new condition: a line at once
	b.update(workflows.Progress{Total: 10, Done: 5}, barNote{stall: stalled}, false)
	b.update(workflows.Progress{Total: 10, Done: 5}, barNote{stall: stalled}, false) // unchanged: no line
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3 (one per condition): %q", len(lines), buf.String())
	}
	if !strings.Contains(lines[0], "ETA 10s") { // 5 points in 10 s: 0.5 points/s, 5 left
		t.Errorf("moving line %q lacks ETA 10s", lines[0])
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, "ETA") {
			t.Errorf("an ETA while paused or stalled: %q", l)
		}
	}
}

func TestFitLine(t *testing.T) {
	text := strings.Repeat("x", 40)
	if got := fitLine(text, 0.5, 120); got != "["+strings.Repeat("#", 15)+strings.Repeat(".", 15)+"] "+text {
		t.Errorf("width 120: %q, want a 30-cell bar half full", got)
	}
	// 60 columns: 59 usable, 40 of text and "[" "] " leave 16 cells for the bar.
	if got := fitLine(text, 1, 60); got != "["+strings.Repeat("#", 16)+"] "+text {
		t.Errorf("width 60: %q, want a 16-cell bar", got)
	}
	// 50 columns: 6 cells would be left, fewer than minBar: the text alone.
	if got := fitLine(text, 1, 50); got != text {
		t.Errorf("width 50: %q, want the text alone", got)
	}
	if got := fitLine(text, 1, 21); got != strings.Repeat("x", 17)+"..." {
		t.Errorf("width 21: %q, want the text cut to 20 columns", got)
	}
}
