package spec

import (
	"fmt"
	"strings"

	names "github.com/phasesweep/phasesweep/pkg/suggest"
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
var editDistance = names.Distance
