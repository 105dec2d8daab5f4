// Command overhead runs every point of a spec with the kernel called in a plain loop (no
// Temporal, no shards): grid.Point + dynamics.SimulateData per point, one dataset kept per data
// seed as SimulateChunk keeps it, then one results.parquet written with results.WriteFile. It
// is the baseline of bench/overhead.sh, which compares its wall time with `sweep run` on the
// same spec (see bench/SCALE.md).
//
//	go run ./bench/overhead --workers 2 --out /tmp/loop.parquet SPEC
//
// With --workers k, k goroutines take blocks of 16 consecutive points from a shared counter
// (dynamic scheduling, as workers take chunks from the task queue: the in-process worker of
// `sweep run` runs one chunk per core), and the rows are written in point order.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
)

func main() {
	workers := flag.Int("workers", 1, "goroutines running points")
	out := flag.String("out", "loop.parquet", "where to write the table")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: overhead [--workers k] [--out FILE] SPEC")
		os.Exit(2)
	}
	began := time.Now()
	g, err := grid.Load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	loaded := time.Now()
	n := g.Count()
	rows := make([][]results.Value, n)
	k := int64(max(1, *workers))
	var wg sync.WaitGroup
	errs := make([]error, k)
	var next atomic.Int64
	const block = 16
	for w := int64(0); w < k; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := next.Add(block) - block
				if lo >= n || errs[w] != nil {
					return
				}
				errs[w] = run(g, lo, min(lo+block, n), rows)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	simulated := time.Now()
	t := &results.Table{
		Fields: results.SweepFields(g.Columns()),
		Rows:   rows,
		Meta:   map[string]string{results.MetaSpecHash: g.Hash(), results.MetaVersion: version.String()},
	}
	if err := results.WriteFile(*out, t); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	end := time.Now()
	fmt.Printf("loop: %d points, %d goroutines: load %.2f s, simulate %.2f s, write %.2f s, total %.2f s\n",
		n, k, loaded.Sub(began).Seconds(), simulated.Sub(loaded).Seconds(), end.Sub(simulated).Seconds(), end.Sub(began).Seconds())
}

// run simulates points [lo, hi) into rows, keeping one generated dataset at a time.
func run(g *grid.Grid, lo, hi int64, rows [][]results.Value) error {
	ctx := context.Background()
	var data *dynamics.Data
	for i := lo; i < hi; i++ {
		p := g.Point(i)
		if data == nil || data.Seed != p.Config.DataSeed {
			var err error
			if data, err = dynamics.GenerateData(p.Config); err != nil {
				return fmt.Errorf("point %d (%s): %w", i, g.Describe(p), err)
			}
		}
		_, res, err := dynamics.SimulateData(ctx, p.Config, data)
		if err != nil {
			return fmt.Errorf("point %d (%s): %w", i, g.Describe(p), err)
		}
		rows[i] = results.SweepRow(i, p.Values, res)
	}
	return nil
}
