package results

import (
	"math"
	"strconv"
	"strings"
)

// JSONFloats formats xs as a JSON array of numbers, e.g. "[2,8,11.26530612244898]" ("[]" for
// an empty or nil slice): the String columns jump_times and plateau_losses of saddle runs
// (Pesme2023), which other optimisers leave at "[]". Each number is the shortest decimal that
// parses back to the same float64 (strconv 'g', -1), so the values round-trip exactly.
// JSON has no NaN or infinities: they are written as null.
func JSONFloats(xs []float64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
			continue
		}
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	}
	b.WriteByte(']')
	return b.String()
}
