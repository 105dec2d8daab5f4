// Package summary aggregates a metric of a results table over groups of rows (`sweep
// summarize`): per group, the runs by status and the statistics of pkg/aggregate (count, mean,
// median, sample standard deviation, standard error, min and max) over the converged and
// max_steps runs whose value is finite. Diverged and failed runs are counted, never averaged
// in (see pkg/aggregate for why their finite last metrics stay in the table).
package summary

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/aggregate"
	"github.com/phasesweep/phasesweep/pkg/columns"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// StatusColumn is the column of a run's status; a table without it counts every row as
// converged.
const StatusColumn = "status"

// Group is one group of rows: its values of the grouping columns, formatted as text
// (FormatValue), and the Stats of the metric over its rows.
type Group struct {
	Key []string
	aggregate.Stats
}

// Summary is the result of Summarize: the grouping columns, the metric, and the groups in
// ascending order of their key (numbers compared as numbers, strings as strings, column by
// column).
type Summary struct {
	By     []string
	Metric string
	Groups []Group
}

// Summarize groups t's rows by the columns by (none: one group of all rows) and computes
// the Stats of the column metric, which must be Int or Float, in each group (aggregate.Of
// with the rows' statuses).
func Summarize(t *results.Table, by []string, metric string) (*Summary, error) {
	col := func(name, role string) (int, error) { return columns.Index(t.Fields, name, role) }
	sj := slices.IndexFunc(t.Fields, func(f results.Field) bool { return f.Name == StatusColumn && f.Kind == results.String })
	mj, err := col(metric, "metric")
	if err != nil {
		return nil, err
	}
	mk := t.Fields[mj].Kind
	if mk == results.String {
		return nil, fmt.Errorf("metric column %q holds strings; numeric columns are: %s", metric, numericNames(t.Fields))
	}
	bj := make([]int, len(by))
	for i, name := range by {
		if bj[i], err = col(name, "grouping"); err != nil {
			return nil, err
		}
	}
	type acc struct {
		key      []results.Value
		vals     []float64
		statuses []string
	}
	groups := map[string]*acc{}
	var order []*acc
	for _, row := range t.Rows {
		key := make([]results.Value, len(bj))
		var ks strings.Builder
		for i, j := range bj {
			key[i] = row[j]
			ks.WriteString(FormatValue(t.Fields[j].Kind, row[j]))
			ks.WriteByte(0)
		}
		a := groups[ks.String()]
		if a == nil {
			a = &acc{key: key}
			groups[ks.String()] = a
			order = append(order, a)
		}
		v := row[mj].F
		if mk == results.Int {
			v = float64(row[mj].I)
		}
		a.vals = append(a.vals, v)
		st := ""
		if sj >= 0 {
			st = row[sj].S
		}
		a.statuses = append(a.statuses, st)
	}
	slices.SortStableFunc(order, func(a, b *acc) int {
		for i, j := range bj {
			if c := compareValue(t.Fields[j].Kind, a.key[i], b.key[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	s := &Summary{By: slices.Clone(by), Metric: metric, Groups: make([]Group, len(order))}
	for g, a := range order {
		key := make([]string, len(bj))
		for i, j := range bj {
			key[i] = FormatValue(t.Fields[j].Kind, a.key[i])
		}
		s.Groups[g] = Group{Key: key, Stats: aggregate.Of(a.vals, a.statuses)}
	}
	return s, nil
}

// FormatValue renders v of kind k as text: integers in decimal, floats in the shortest form
// that parses back to the same float64 (strconv 'g', -1; NaN, +Inf, -Inf), strings as is.
func FormatValue(k results.Kind, v results.Value) string {
	switch k {
	case results.Int:
		return strconv.FormatInt(v.I, 10)
	case results.Float:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	default:
		return v.S
	}
}

// compareValue orders values of kind k; NaN sorts after every number.
func compareValue(k results.Kind, a, b results.Value) int {
	switch k {
	case results.Int:
		return cmpInt(a.I, b.I)
	case results.Float:
		an, bn := math.IsNaN(a.F), math.IsNaN(b.F)
		switch {
		case an && bn:
			return 0
		case an:
			return 1
		case bn:
			return -1
		case a.F < b.F:
			return -1
		case a.F > b.F:
			return 1
		}
		return 0
	default:
		return strings.Compare(a.S, b.S)
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func numericNames(fs []results.Field) string {
	var names []string
	for _, f := range fs {
		if f.Kind != results.String {
			names = append(names, f.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Float is a float64 that marshals to JSON as a number, or null when it is NaN or infinite
// (JSON has neither).
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(x, 'g', -1, 64)), nil
}

// jsonGroup is the JSON form of a Group: the key as an object of column -> value text.
type jsonGroup struct {
	Key       map[string]string `json:"key"`
	Count     int               `json:"count"`
	NonFinite int               `json:"non_finite"`
	Converged int               `json:"converged"`
	MaxSteps  int               `json:"max_steps"`
	Diverged  int               `json:"diverged"`
	Failed    int               `json:"failed"`
	Other     int               `json:"other_status"`
	Mean      Float             `json:"mean"`
	Median    Float             `json:"median"`
	Std       Float             `json:"std"`
	SEM       Float             `json:"sem"`
	Min       Float             `json:"min"`
	Max       Float             `json:"max"`
}

// MarshalJSON writes {"by": [...], "metric": "...", "groups": [{"key": {...}, "count": ...,
// "non_finite": ..., "converged": ..., "max_steps": ..., "diverged": ..., "failed": ...,
// "other_status": ..., "mean": ..., ...}]}, statistics that are NaN as null. count is the
// number of values the statistics are over (converged and max_steps runs with a finite
// value).
func (s *Summary) MarshalJSON() ([]byte, error) {
	gs := make([]jsonGroup, len(s.Groups))
	for i, g := range s.Groups {
		key := make(map[string]string, len(s.By))
		for c, name := range s.By {
			key[name] = g.Key[c]
		}
		gs[i] = jsonGroup{Key: key, Count: g.N, NonFinite: g.NonFinite, Converged: g.Converged, MaxSteps: g.MaxSteps,
			Diverged: g.Diverged, Failed: g.Failed, Other: g.Other, Mean: Float(g.Mean), Median: Float(g.Median),
			Std: Float(g.Std), SEM: Float(g.SEM), Min: Float(g.Min), Max: Float(g.Max)}
	}
	by := s.By
	if by == nil {
		by = []string{}
	}
	return json.Marshal(struct {
		By     []string    `json:"by"`
		Metric string      `json:"metric"`
		Groups []jsonGroup `json:"groups"`
	}{by, s.Metric, gs})
}
