package grid

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// hugeSpecs are few-line specs whose grids are at or far beyond spec.MaxPoints. The counts
// are products of the axis lengths written in them.
var hugeSpecs = []struct {
	name  string
	src   string
	count int64  // points, for the specs under the limit
	msg   string // part of the refusal, for the specs over it
	line  int    // the line the refusal names (the grid mapping's first)
}{{
	name:  "a replicate axis of 10^8 seeds",
	src:   "name: huge\nparams: {stepsize: 0.1}\ngrid:\n  seed: {range: 100000000}\n",
	count: 100_000_000,
}, {
	name: "two 10^4-value axes",
	src: `name: huge
grid:
  stepsize: {logspace: [0.001, 1], num: 10000}
  init: {logspace: [0.01, 1], num: 10000}
`,
	count: 100_000_000,
}, {
	name: "two 10^4-value axes and a zip of two more",
	src: `name: huge
grid:
  stepsize: {linspace: [0.001, 1], num: 10000}
  zip:
    init: {logspace: [0.01, 1], num: 10000}
    steps: {range: 10000}
`,
	count: 100_000_000,
}, {
	name: "a 10^12-point grid",
	src: `name: huge
params: {steps: 10}
grid:
  stepsize: {logspace: [0.001, 1], num: 1000000}
  init: {logspace: [0.01, 1], num: 1000000}
`,
	msg:  "has 1000000000000 points (1000000 x 1000000)",
	line: 4,
}, {
	name: "a 10^12-point grid of a range and a list",
	src:  "name: huge\nparams: {stepsize: 0.1}\ngrid:\n  optimizer: [gd, sgd]\n  seed: {range: 100000000}\n  init: {linspace: [0.1, 1], num: 5000}\n",
	msg:  "has 1000000000000 points (2 x 100000000 x 5000)",
	line: 4,
}}

// TestHugeSpecsBounded loads each of hugeSpecs (parse, build, validate) and checks that it is
// accepted with the right point count, or refused with its point count in a *spec.Error
// naming the file, the line of the grid section and the key grid, in under 100 MB of
// allocation. Before axes were generated on demand the replicate axis exhausted memory, the
// two 10^4-value axes ran out of memory in Validate and the 10^12 grid took 11 s and 475 MB to
// be refused. The time it takes is BenchmarkValidateHuge's (a bound on time here failed under
// -race on a loaded machine).
func TestHugeSpecsBounded(t *testing.T) {
	for _, tc := range hugeSpecs {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "huge.yaml")
			if err := os.WriteFile(file, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			var g *Grid
			var err error
			alloc, elapsed := measure(func() { g, err = Load(file) })
			t.Logf("%.1f MB allocated, %v", float64(alloc)/1e6, elapsed)
			if alloc > 100e6 {
				t.Errorf("Load allocated %.0f MB, want under 100 MB", float64(alloc)/1e6)
			}
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if g.Count() != tc.count {
					t.Errorf("Count() = %d, want %d", g.Count(), tc.count)
				}
				return
			}
			var se *spec.Error
			if !errors.As(err, &se) {
				t.Fatalf("Load = %v (%T), want a *spec.Error", err, err)
			}
			if se.File != file || se.Line != tc.line || se.Key != "grid" || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("error %q, want %s:%d: grid: ...%s...", err, file, tc.line, tc.msg)
			}
		})
	}
}

// measure runs f once and returns the bytes it allocated (runtime.MemStats.TotalAlloc, which
// counts every allocation, freed or not) and the wall time it took.
func measure(f func()) (uint64, time.Duration) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, elapsed
}
