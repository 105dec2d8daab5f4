package spec

import "math"

// firstRepeat finds the first position j of an axis of n positions whose values (one per
// column, compared bit for bit as Canonical does) equal those of an earlier position, and the
// first such earlier position i; it returns -1, -1 when every position is distinct.
//
// A range column, whose values all differ, makes every position distinct. Columns that are
// all generated are checked in constant memory: the values of linspace (first + (last-first)
// t, each operation correctly rounded and monotone in t), of its rounding to integers and,
// in practice, of logspace are monotone between the endpoints (positions 1 to n-2), so equal
// positions there are runs of adjacent ones; the endpoints, set exactly to first and last,
// are compared with every position. When a column turns out not to be monotone (math.Pow is
// not guaranteed to be), and when a column is a written list, the positions are compared
// through a map instead (its size that of the YAML for a list).
func firstRepeat(cols []column, n int) (j, i int) {
	lists := false
	for _, c := range cols {
		if c.list == nil && c.gen.shape == counting {
			return -1, -1
		}
		lists = lists || c.list != nil
	}
	if !lists {
		if j, i, ok := monotoneRepeat(cols, n); ok {
			return j, i
		}
	}
	return mapRepeat(cols, n)
}

// mapRepeat is firstRepeat by a map from each position's canonical values to the position.
func mapRepeat(cols []column, n int) (j, i int) {
	seen := make(map[string]int, min(n, 1<<16))
	var key []byte
	for j := range n {
		key = key[:0]
		for _, c := range cols {
			key = c.at(j).appendCanonical(key)
			key = append(key, 0)
		}
		if i, dup := seen[string(key)]; dup {
			return j, i
		}
		seen[string(key)] = j
	}
	return -1, -1
}

// monotoneRepeat is firstRepeat for numeric columns whose values are monotone between the
// endpoints (firstRepeat passes it generated ones); ok is false when one is not. Values are compared as bits (bitsOf), so that 0
// and -0 differ as in Canonical: a run of equal values holds at most 2^len(cols) bit
// patterns, those of signed zeros, and the run keeps each one's first position. The check of
// monotonicity covers the positions seen so far, which is all a repeat found there needs.
func monotoneRepeat(cols []column, n int) (j, i int, ok bool) {
	m := len(cols)
	kinds := make([]Kind, m)
	for c := range cols {
		kinds[c] = cols[c].at(0).Kind
	}
	first, last := make([]uint64, m), make([]uint64, m)
	fillBits(first, cols, 0)
	fillBits(last, cols, n-1)
	if n == 2 && equalBits(first, last) {
		return 1, 0, true
	}
	dir := make([]int, m) // per column: 0 until its values move, then the sign of the moves
	lastAt := -1          // the first interior position whose values equal the last position's
	prev, cur := make([]uint64, m), make([]uint64, m)
	var run []runEntry // the distinct bit patterns of the current run of equal values
	for j := 1; j < n-1; j++ {
		fillBits(cur, cols, j)
		if equalBits(cur, first) {
			return j, 0, true
		}
		if lastAt < 0 && equalBits(cur, last) {
			lastAt = j
		}
		moved := j == 1
		for c := range cols {
			switch s := direction(kinds[c], prev[c], cur[c]); {
			case j == 1 || s == 0:
			case dir[c] == 0:
				dir[c], moved = s, true
			case dir[c] != s:
				return 0, 0, false
			default:
				moved = true
			}
		}
		if moved {
			run = run[:0]
		}
		for _, e := range run {
			if equalBits(e.bits, cur) {
				return j, e.pos, true
			}
		}
		run = append(run, runEntry{append([]uint64(nil), cur...), j})
		prev, cur = cur, prev
	}
	switch {
	case n > 1 && equalBits(first, last):
		return n - 1, 0, true
	case lastAt >= 0:
		return n - 1, lastAt, true
	}
	return -1, -1, true
}

// runEntry is one bit pattern of a run of equal values and its first position.
type runEntry struct {
	bits []uint64
	pos  int
}

// fillBits sets dst[m] to the bits of column m's value at position j (bitsOf).
func fillBits(dst []uint64, cols []column, j int) {
	for m, c := range cols {
		dst[m] = bitsOf(c.at(j))
	}
}

// bitsOf is a number's exact bits: the integer, or the float's IEEE 754 encoding.
func bitsOf(v Value) uint64 {
	if v.Kind == Int {
		return uint64(v.Int)
	}
	return math.Float64bits(v.Float)
}

// direction is the sign of the move from one number to the next, both given as bitsOf: +1
// up, -1 down, 0 for equal numbers (0 and -0 among them).
func direction(kind Kind, from, to uint64) int {
	if kind == Int {
		switch a, b := int64(from), int64(to); {
		case a < b:
			return 1
		case a > b:
			return -1
		}
		return 0
	}
	switch x, y := math.Float64frombits(from), math.Float64frombits(to); {
	case x < y:
		return 1
	case x > y:
		return -1
	}
	return 0
}

// equalBits reports whether two positions have the same bits in every column.
func equalBits(a, b []uint64) bool {
	for m := range a {
		if a[m] != b[m] {
			return false
		}
	}
	return true
}
