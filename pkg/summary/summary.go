// Package summary aggregates a metric of a results table over groups of rows: count, mean,
// median, sample standard deviation, standard error, min and max of the finite values, and
// how many values were not finite (diverged or failed runs write NaN or ±Inf).
package summary

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// Stats describes the finite values of one group. With no finite value Mean, Median, Min
// and Max are NaN; with fewer than two, Std and SEM are NaN.
type Stats struct {
	Count     int     // finite values
	NonFinite int     // NaN or ±Inf values, left out of the statistics
	Mean      float64 // arithmetic mean
	Median    float64 // middle value, or the mean of the two middle values
	Std       float64 // sample standard deviation (divisor n-1)
	SEM       float64 // Std / sqrt(Count)
	Min, Max  float64
}

// Compute returns the Stats of xs (which it does not modify).
func Compute(xs []float64) Stats {
	var s Stats
	fin := make([]float64, 0, len(xs))
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			s.NonFinite++
			continue
		}
		fin = append(fin, x)
	}
	s.Count = len(fin)
	nan := math.NaN()
	s.Mean, s.Median, s.Std, s.SEM, s.Min, s.Max = nan, nan, nan, nan, nan, nan
	if s.Count == 0 {
		return s
	}
	slices.Sort(fin)
	s.Min, s.Max = fin[0], fin[len(fin)-1]
	if n := len(fin); n%2 == 1 {
		s.Median = fin[n/2]
	} else {
		s.Median = (fin[n/2-1] + fin[n/2]) / 2
	}
	sum := 0.0
	for _, x := range fin {
		sum += x
	}
	s.Mean = sum / float64(s.Count)
	if s.Count < 2 {
		return s
	}
	ss := 0.0 // two-pass: sum of squared deviations from the mean
	for _, x := range fin {
		d := x - s.Mean
		ss += d * d
	}
	s.Std = math.Sqrt(ss / float64(s.Count-1))
	s.SEM = s.Std / math.Sqrt(float64(s.Count))
	return s
}

// Group is one group of rows: its values of the grouping columns, formatted as text
// (FormatValue), and the Stats of the metric over its rows.
type Group struct {
	Key []string
	Stats
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
// the Stats of the column metric, which must be Int or Float, in each group.
func Summarize(t *results.Table, by []string, metric string) (*Summary, error) {
	idx := make(map[string]int, len(t.Fields))
	for j, f := range t.Fields {
		idx[f.Name] = j
	}
	col := func(name, role string) (int, error) {
		j, ok := idx[name]
		if !ok {
			return 0, fmt.Errorf("unknown %s column %q; the table's columns are: %s", role, name, columnNames(t.Fields))
		}
		return j, nil
	}
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
		key  []results.Value
		vals []float64
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
		s.Groups[g] = Group{Key: key, Stats: Compute(a.vals)}
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

func columnNames(fs []results.Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
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
	Mean      Float             `json:"mean"`
	Median    Float             `json:"median"`
	Std       Float             `json:"std"`
	SEM       Float             `json:"sem"`
	Min       Float             `json:"min"`
	Max       Float             `json:"max"`
}

// MarshalJSON writes {"by": [...], "metric": "...", "groups": [{"key": {...}, "count": ...,
// "non_finite": ..., "mean": ..., ...}]}, statistics that are NaN as null.
func (s *Summary) MarshalJSON() ([]byte, error) {
	gs := make([]jsonGroup, len(s.Groups))
	for i, g := range s.Groups {
		key := make(map[string]string, len(s.By))
		for c, name := range s.By {
			key[name] = g.Key[c]
		}
		gs[i] = jsonGroup{Key: key, Count: g.Count, NonFinite: g.NonFinite, Mean: Float(g.Mean), Median: Float(g.Median),
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
