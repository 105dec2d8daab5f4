// Command refinecmp compares a refined sweep's table with the dense grid at its finest
// resolution (bench/refine.sh): of the dense grid's boundary cells (cells of stepsize x init
// whose four corners' statuses differ), how many the refined sweep resolved (ran all four
// corners of), and how many lie within one finest cell of a resolved one (the refined
// boundary within one cell of the dense one: the accuracy docs/refine.md measures); the same
// for the divergence boundary alone (cells with a diverged corner and one that did not
// diverge). Refined values are the dense grid's values bit for bit (docs/refine.md), so
// points are matched by the bits of their stepsize and init.
//
//	go run ./bench/refinecmp REFINED.parquet DENSE.parquet
package main

import (
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/results"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: refinecmp REFINED.parquet DENSE.parquet")
		os.Exit(2)
	}
	refined, dense := read(os.Args[1]), read(os.Args[2])
	have := map[[2]uint64]bool{}
	for k := range refined.status {
		have[k] = true
	}
	steps, inits := dense.axes()
	st := coverage(dense, have, steps, inits, func(s string) string { return s })
	dv := coverage(dense, have, steps, inits, func(s string) string { return strconv.FormatBool(s == "diverged") })
	fmt.Printf("refined %d points, dense %d points (%dx%d); status boundary: %s; divergence boundary: %s\n",
		len(refined.status), len(dense.status), len(steps), len(inits), st, dv)
	for _, k := range slices.Sorted(maps.Keys(st.missed)) {
		fmt.Printf("  missed %d cells between %s\n", st.missed[k], k)
	}
}

// cover is how much of the dense grid's boundary the refined sweep resolved.
type cover struct {
	boundary, resolved int
	near               int            // boundary cells resolved or next to a resolved one (8 neighbours)
	missed             map[string]int // unresolved boundary cells by the statuses at their corners
}

func (c cover) String() string {
	pct := func(k int) float64 { return 100 * float64(k) / float64(max(c.boundary, 1)) }
	return fmt.Sprintf("%d cells, %d resolved (%.1f%%), %d within one cell of a resolved one (%.1f%%)",
		c.boundary, c.resolved, pct(c.resolved), c.near, pct(c.near))
}

// coverage finds the boundary cells of the dense grid (cells whose corners' classes differ,
// class mapping a status to its class) and which of them the refined points have resolves
// (all four corners run), or lie within one cell of a resolved one.
func coverage(dense table, have map[[2]uint64]bool, steps, inits []uint64, class func(string) string) cover {
	c := cover{missed: map[string]int{}}
	var cells [][2]int        // the boundary cells, by their lower corner's indices
	done := map[[2]int]bool{} // the resolved ones
	for i := 0; i+1 < len(steps); i++ {
		for j := 0; j+1 < len(inits); j++ {
			corners := [][2]uint64{{steps[i], inits[j]}, {steps[i+1], inits[j]}, {steps[i], inits[j+1]}, {steps[i+1], inits[j+1]}}
			differ, all := false, true
			for _, k := range corners {
				differ = differ || class(dense.status[k]) != class(dense.status[corners[0]])
				all = all && have[k]
			}
			if !differ {
				continue
			}
			c.boundary++
			cells = append(cells, [2]int{i, j})
			if all {
				c.resolved++
				done[[2]int{i, j}] = true
			} else {
				c.missed[classes(dense, corners)]++
			}
		}
	}
	for _, b := range cells {
	search:
		for di := -1; di <= 1; di++ {
			for dj := -1; dj <= 1; dj++ {
				if done[[2]int{b[0] + di, b[1] + dj}] {
					c.near++
					break search
				}
			}
		}
	}
	return c
}

// classes names the distinct statuses at a cell's corners, sorted: "converged/max_steps".
func classes(t table, corners [][2]uint64) string {
	var out []string
	for _, c := range corners {
		out = append(out, t.status[c])
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), "/")
}

// table is a table's status by the bits of (stepsize, init).
type table struct{ status map[[2]uint64]string }

func read(path string) table {
	t, err := results.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	col := func(name string) int {
		j := slices.IndexFunc(t.Fields, func(f results.Field) bool { return f.Name == name })
		if j < 0 {
			fmt.Fprintf(os.Stderr, "%s has no column %s\n", path, name)
			os.Exit(1)
		}
		return j
	}
	s, in, st := col("stepsize"), col("init"), col("status")
	out := table{status: map[[2]uint64]string{}}
	for _, r := range t.Rows {
		out.status[[2]uint64{math.Float64bits(r[s].F), math.Float64bits(r[in].F)}] = r[st].S
	}
	return out
}

// axes lists the distinct stepsizes and inits, in increasing order, as bits.
func (t table) axes() (steps, inits []uint64) {
	var s, in []float64
	for k := range t.status {
		s, in = append(s, math.Float64frombits(k[0])), append(in, math.Float64frombits(k[1]))
	}
	bits := func(v []float64) []uint64 {
		slices.Sort(v)
		v = slices.Compact(v)
		out := make([]uint64, len(v))
		for i, x := range v {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	return bits(s), bits(in)
}
