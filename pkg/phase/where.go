package phase

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// Cond is one parameter of a --where selection: a row matches when its column Name equals one
// of Values. Conditions on different columns must all hold; naming a column twice
// ("optimizer=gd,optimizer=sgd") accepts either value.
type Cond struct {
	Name   string
	Values []string
}

// String formats the condition as it is written: "optimizer=gd|sgd".
func (c Cond) String() string { return c.Name + "=" + strings.Join(c.Values, "|") }

// WhereText formats conditions for a title: "init=1e-06, optimizer=gd".
func WhereText(conds []Cond) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// ParseWhere parses "P=V[,P=V...]" (--where) into conditions, one per column in order of
// first appearance; "" gives none.
func ParseWhere(s string) ([]Cond, error) {
	var conds []Cond
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(part, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" || val == "" {
			return nil, fmt.Errorf("%q: want P=V[,P=V...], e.g. optimizer=gd,init=0.01", part)
		}
		found := false
		for i := range conds {
			if conds[i].Name == name {
				conds[i].Values = append(conds[i].Values, val)
				found = true
			}
		}
		if !found {
			conds = append(conds, Cond{Name: name, Values: []string{val}})
		}
	}
	return conds, nil
}

// sameNumber compares a value typed by a user with a stored one: equal within a relative
// 1e-9, so that "0.0316227766" selects the logspace value 0.031622776601683794.
func sameNumber(typed, stored float64) bool {
	return typed == stored || math.Abs(typed-stored) <= 1e-9*math.Max(math.Abs(typed), math.Abs(stored))
}

// sigDigits is the number of significant digits of a number written as text: the digits of
// its mantissa from the first non-zero one ("0.03162" 4, "1e-06" 1, "0.50" 2, "100" 3); 0 for
// a zero.
func sigDigits(text string) int {
	m := strings.TrimLeft(text, "+-")
	if i := strings.IndexAny(m, "eE"); i >= 0 {
		m = m[:i]
	}
	m = strings.TrimLeft(strings.ReplaceAll(m, ".", ""), "0")
	n := 0
	for _, r := range m {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// resolveNumber is the stored value that a number typed as text selects among the distinct
// values vs: the one equal to it (sameNumber), else the unique one that rounds to it at the
// precision it is written with (0.03162 selects 0.031622776601683794, as a legend or a tick
// label shows it); ok is false when none does, and several that round to it are an error
// naming them.
func resolveNumber(text string, typed float64, vs []float64) (float64, bool, error) {
	for _, v := range vs {
		if sameNumber(typed, v) {
			return v, true, nil
		}
	}
	k := sigDigits(text)
	if k == 0 || k > 17 {
		return 0, false, nil
	}
	round := func(v float64) float64 {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', k, 64), 64)
		return r
	}
	var hits []float64
	for _, v := range vs {
		if round(v) == round(typed) {
			hits = append(hits, v)
		}
	}
	switch len(hits) {
	case 0:
		return 0, false, nil
	case 1:
		return hits[0], true, nil
	}
	var names []string
	for _, h := range hits {
		names = append(names, strconv.FormatFloat(h, 'g', -1, 64))
	}
	return 0, false, fmt.Errorf("%s is ambiguous at %d significant digits: it rounds from %s; give more digits", text, k, strings.Join(names, ", "))
}

// Filter returns the rows of t that satisfy every condition (same Fields and Meta). A number
// selects a value as resolveNumber says. A column missing from t, a non-number for a numeric
// column, a value no row has or an ambiguous one is an error naming the condition (and the
// values there are), so that a typo never silently empties a figure.
func Filter(t *results.Table, conds []Cond) (*results.Table, error) {
	if len(conds) == 0 {
		return t, nil
	}
	tb := newTable(t)
	keep := make([]bool, len(t.Rows))
	for k := range keep {
		keep[k] = true
	}
	for _, c := range conds {
		j, err := tb.col(c.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		numeric := t.Fields[j].Kind != results.String
		var stored []float64
		if numeric {
			for k := range t.Rows {
				stored = append(stored, tb.num(k, j))
			}
			stored = distinct(stored)
		}
		nums := make([]float64, len(c.Values))
		hit := make([]bool, len(c.Values))
		for i, v := range c.Values {
			if !numeric {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %s is numeric, %q is not a number", c, c.Name, v)
			}
			if nums[i], hit[i], err = resolveNumber(v, f, stored); err != nil {
				return nil, fmt.Errorf("%s: %w", c, err)
			}
		}
		for k := range t.Rows {
			match := false
			for i, v := range c.Values {
				if (numeric && hit[i] && nums[i] == tb.num(k, j)) || (!numeric && tb.str(k, j) == v) {
					match, hit[i] = true, true
				}
			}
			keep[k] = keep[k] && match
		}
		for i, v := range c.Values {
			if !hit[i] {
				return nil, fmt.Errorf("%s: no row has %s = %s (values: %s)", c, c.Name, v, strings.Join(tb.values(j), ", "))
			}
		}
	}
	out := &results.Table{Fields: t.Fields, Meta: t.Meta}
	for k, r := range t.Rows {
		if keep[k] {
			out.Rows = append(out.Rows, r)
		}
	}
	if len(out.Rows) == 0 {
		return nil, fmt.Errorf("%s: no row satisfies every condition", WhereText(conds))
	}
	return out, nil
}

// values lists the distinct values of column j as strings, in order of first appearance (at
// most 20, then "...").
func (tb *table) values(j int) []string {
	seen := map[string]bool{}
	var out []string
	for k := range tb.t.Rows {
		s := tb.str(k, j)
		if seen[s] {
			continue
		}
		if len(out) == 20 {
			return append(out, "...")
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
