package spec

import (
	"fmt"
	"strings"
)

// Error is a problem in a spec file, located by file, line and key path (e.g. grid.stepsize).
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

// Error formats as "file:line: key: message", the form editors and terminals link.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// suggest returns the candidate nearest to word by edit distance, or "" when none is close
// enough to be a plausible misspelling (distance at most max(2, len/3)).
func suggest(word string, candidates []string) string {
	best, bestDist := "", len(word)/3
	if bestDist < 2 {
		bestDist = 2
	}
	for _, c := range candidates {
		if d := editDistance(word, c); d <= bestDist && (best == "" || d < editDistance(word, best)) {
			best = c
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
