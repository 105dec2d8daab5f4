// Package columns finds a results table's column by name for the commands that take column
// names (plot, summarize), with a "did you mean" for a misspelt one.
package columns

import (
	"fmt"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/suggest"
)

// Index is the index of the column name among fields, or an error saying so, with the
// closest names ("did you mean") when some are close, else every name. role says what the
// column is for ("metric", "grouping"; "" for none).
func Index(fields []results.Field, name, role string) (int, error) {
	names := make([]string, len(fields))
	for j, f := range fields {
		if f.Name == name {
			return j, nil
		}
		names[j] = f.Name
	}
	what := "column"
	if role != "" {
		what = role + " column"
	}
	if near := suggest.Closest(name, names); len(near) > 0 {
		q := quoteAll(near)
		alts := q[len(q)-1]
		if len(q) > 1 {
			alts = strings.Join(q[:len(q)-1], ", ") + " or " + alts
		}
		return 0, fmt.Errorf("no %s %q in the table; did you mean %s?", what, name, alts)
	}
	return 0, fmt.Errorf("no %s %q in the table (columns: %s)", what, name, strings.Join(names, ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
