package results

import (
	"encoding/json"
	"math"
	"testing"
)

// TestJSONFloats: the jump_times / plateau_losses encoding is valid JSON that parses back to
// the same float64 values bit for bit; nil is "[]", non-finite values are null.
func TestJSONFloats(t *testing.T) {
	xs := []float64{2, 8, 8 + 160.0/49, 1e-300, -0.1, 1e21, 5e-324}
	s := JSONFloats(xs)
	var back []float64
	if err := json.Unmarshal([]byte(s), &back); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	for i := range xs {
		if math.Float64bits(back[i]) != math.Float64bits(xs[i]) {
			t.Errorf("%s: entry %d parses to %v, want %v", s, i, back[i], xs[i])
		}
	}
	if got := JSONFloats(nil); got != "[]" {
		t.Errorf("JSONFloats(nil) = %q", got)
	}
	if got := JSONFloats([]float64{math.NaN(), math.Inf(1), 1}); got != "[null,null,1]" {
		t.Errorf("non-finite: %q", got)
	}
}
