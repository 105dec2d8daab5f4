package grid

import (
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// millionSpec is bench/million.sh's sweep: 100 stepsizes x 100 inits x 100 seeds.
const millionSpec = `name: million
seed: 1
params: {n: 2, d: 2, sparsity: 1, test: 10, steps: 10}
grid:
  stepsize: {logspace: [0.001, 0.5], num: 100}
  init: {logspace: [0.01, 1.0], num: 100}
  seed: {range: 100}
`

// BenchmarkValidateMillion measures Validate on the 10^6-point sweep (ns/op = one whole
// validation; it checks the 10^4 configurations, the seed axis held at its first position).
func BenchmarkValidateMillion(b *testing.B) {
	s, err := spec.Parse("million.yaml", []byte(millionSpec))
	if err != nil {
		b.Fatal(err)
	}
	g := New(s)
	for b.Loop() {
		if err := g.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPoint measures Point (values, configuration and the two seeds) on the same grid.
func BenchmarkPoint(b *testing.B) {
	s, err := spec.Parse("million.yaml", []byte(millionSpec))
	if err != nil {
		b.Fatal(err)
	}
	g := New(s)
	var i int64
	for b.Loop() {
		g.Point(i % g.Count())
		i += 7919
	}
}
