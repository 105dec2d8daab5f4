// Package suggest finds the names closest to a misspelt one, for "did you mean" in errors.
package suggest

import "strings"

// Closest returns the candidates closest to name: those at the smallest edit distance
// (Levenshtein, case-insensitive) when it is at most max(1, len(name)/3) (at least 2 for names
// of four letters or more), else those that contain name or that name contains, in order;
// none when nothing is close.
func Closest(name string, candidates []string) []string {
	lname := strings.ToLower(name)
	limit := max(1, len(name)/3)
	if len(name) >= 4 {
		limit = max(2, limit) // a swap of two letters (inti for init) is two edits
	}
	best := limit + 1
	var out []string
	for _, c := range candidates {
		d := Distance(lname, strings.ToLower(c))
		if d > limit {
			continue
		}
		if d < best {
			best, out = d, nil
		}
		if d == best {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		return out
	}
	if len(lname) >= 3 {
		for _, c := range candidates {
			lc := strings.ToLower(c)
			if strings.Contains(lc, lname) || strings.Contains(lname, lc) && len(lc) >= 3 {
				out = append(out, c)
			}
		}
	}
	return out
}

// Distance is the Levenshtein distance of a and b (insertions, deletions, substitutions of
// bytes, each costing 1), by the two-row dynamic programme.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
