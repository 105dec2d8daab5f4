package refine

import (
	"fmt"
	"math"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// vertexOutcome is the outcome of one vertex of the refined axes, aggregated over its points
// (the carried axes and seeds): its class and the mean of the refine.on metric.
type vertexOutcome struct {
	class string  // "" when every run failed (no class)
	value float64 // NaN when no run is included (pkg/aggregate's status rules)
}

// severity orders the classes of a vertex: a tie between classes goes to the more severe.
var severity = []string{aggregate.Converged, aggregate.MaxSteps, aggregate.Diverged}

// aggregateVertex aggregates the rows of the points ids (in increasing id order, so that the
// mean's summation order does not depend on the rows' order). For on: status the class is the
// most common status among converged, max_steps and diverged runs, a tie going to the more
// severe (diverged over max_steps over converged); failed runs do not vote. For on:
// divergence the classes are diverged and not (converged and max_steps runs vote together), a
// tie going to diverged. For a metric the value is aggregate.Of's mean: diverged and failed
// runs left out, NaN when none is left.
func aggregateVertex(ids []int64, rows map[int64]Outcome, on string) (vertexOutcome, error) {
	values := make([]float64, len(ids))
	statuses := make([]string, len(ids))
	var counts aggregate.Counts
	for i, id := range ids {
		o, ok := rows[id]
		if !ok {
			return vertexOutcome{}, fmt.Errorf("the table has no row for point %d", id)
		}
		values[i], statuses[i] = o.Value, o.Status
		counts.Add(o.Status)
	}
	switch on {
	case spec.OnStatus:
		return majority([]int{counts.Converged, counts.MaxSteps, counts.Diverged}, severity), nil
	case spec.OnDivergence:
		return majority([]int{counts.Converged + counts.MaxSteps, counts.Diverged}, divergence), nil
	}
	return vertexOutcome{value: aggregate.Of(values, statuses).Mean}, nil
}

// divergence are the classes of on: divergence, the more severe last.
var divergence = []string{"not diverged", aggregate.Diverged}

// majority is the class with the most votes (votes[i] for classes[i], ordered from the least
// to the most severe), a tie going to the more severe; no class without a vote.
func majority(votes []int, classes []string) vertexOutcome {
	out, best := vertexOutcome{value: math.NaN()}, 0
	for i, n := range votes {
		if n > 0 && n >= best {
			out.class, best = classes[i], n
		}
	}
	return out
}

// classesDiffer reports whether the corners with a class do not all have the same one.
func classesDiffer(corners []vertexOutcome) bool {
	first := ""
	for _, c := range corners {
		switch {
		case c.class == "":
		case first == "":
			first = c.class
		case c.class != first:
			return true
		}
	}
	return false
}

// jumps reports whether two corners' values differ by more than jump: |log10 a - log10 b|
// when both are positive and finite, |a - b| otherwise; or whether one has a value and the
// other none (NaN: every run there diverged or failed), which is a change of outcome too.
func jumps(corners []vertexOutcome, jump float64) bool {
	for i := range corners {
		for j := i + 1; j < len(corners); j++ {
			a, b := corners[i].value, corners[j].value
			na, nb := math.IsNaN(a), math.IsNaN(b)
			switch {
			case na && nb:
				continue
			case na != nb:
				return true
			}
			d := math.Abs(a - b)
			if a > 0 && b > 0 && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
				d = math.Abs(math.Log10(a) - math.Log10(b))
			}
			if d > jump {
				return true
			}
		}
	}
	return false
}
