package grid

import (
	"strings"
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

// BenchmarkValidateHuge measures what sweep validate does before printing, parse, build and
// validate, on each of hugeSpecs (bounds_test.go): grids at spec.MaxPoints and far beyond it,
// which must take milliseconds whatever their axis lengths (ns/op = one whole load).
func BenchmarkValidateHuge(b *testing.B) {
	for _, tc := range hugeSpecs {
		b.Run(strings.ReplaceAll(tc.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := spec.Parse("huge.yaml", []byte(tc.src))
				if err == nil {
					err = New(s).Validate()
				}
				if (err != nil) != (tc.msg != "") {
					b.Fatalf("error %v, want one containing %q", err, tc.msg)
				}
			}
		})
	}
}

// BenchmarkPointHuge measures Point, and with it Count and the on-demand axis values, on the
// grids of hugeSpecs that are within spec.MaxPoints (B/op = the memory one point takes).
func BenchmarkPointHuge(b *testing.B) {
	for _, tc := range hugeSpecs {
		if tc.msg != "" {
			continue
		}
		b.Run(strings.ReplaceAll(tc.name, " ", "_"), func(b *testing.B) {
			s, err := spec.Parse("huge.yaml", []byte(tc.src))
			if err != nil {
				b.Fatal(err)
			}
			g := New(s)
			b.ReportAllocs()
			var i int64
			for b.Loop() {
				g.Point(i % g.Count())
				i += 99_991_003 // a prime: the points visited spread over the grid
			}
		})
	}
}
