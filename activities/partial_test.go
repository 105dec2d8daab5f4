package activities

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// partialTestSpec has 6 points of a few hundred steps each.
const partialTestSpec = `name: p
seed: 2
params: {n: 10, d: 15, sparsity: 3, init: 0.1, test: 20, steps: 300, optimizer: gd}
grid:
  stepsize: [0.01, 0.02, 0.03, 0.04, 0.05, 3.0]
`

// runChunk runs SimulateChunk for chunk c of partialTestSpec into dir in the SDK's activity
// test environment and returns its output and the number of points it simulated.
func runChunk(t *testing.T, dir string, c grid.Chunk) (ChunkOutput, int64) {
	t.Helper()
	var simulated atomic.Int64
	a := WithHooks(Hooks{Inject: func(activity.Info, int64) error { simulated.Add(1); return nil }})
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.SimulateChunk, ChunkInput{Spec: partialTestSpec, SpecFile: "p.yaml", Chunk: c, Shard: layout.Sweep{Out: dir}.Shard(c.ID)})
	if err != nil {
		t.Fatalf("SimulateChunk: %v", err)
	}
	var out ChunkOutput
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out, simulated.Load()
}

// TestResumeOnlyFromMatchingPartialShard puts a partial shard beside a chunk's shard before
// SimulateChunk runs: one holding the chunk's first points, written for this spec and program
// version, is resumed (only the other points are simulated), anything else is ignored; either
// way the shard is byte for byte the one an uninterrupted attempt writes, and no partial shard
// is left.
func TestResumeOnlyFromMatchingPartialShard(t *testing.T) {
	c := grid.Chunk{ID: 0, Start: 0, End: 6}
	refDir := t.TempDir()
	if _, n := runChunk(t, refDir, c); n != 6 {
		t.Fatalf("uninterrupted attempt simulated %d points, want 6", n)
	}
	refBytes, err := os.ReadFile(layout.Sweep{Out: refDir}.Shard(0))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := results.ReadFile(layout.Sweep{Out: refDir}.Shard(0))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name          string
		partial       func() *results.Table
		wantSimulated int64
	}{
		{"first three points", func() *results.Table { return sub(ref, 0, 3) }, 3},
		{"first five points", func() *results.Table { return sub(ref, 0, 5) }, 1},
		{"not from the chunk's start", func() *results.Table { return sub(ref, 1, 4) }, 6},
		{"another program version", func() *results.Table {
			p := sub(ref, 0, 3)
			p.Meta[results.MetaVersion] = "phasesweep 0.0.1 (dynamics/0)"
			return p
		}, 6},
		{"another spec", func() *results.Table {
			p := sub(ref, 0, 3)
			p.Meta[results.MetaSpecHash] = "0123"
			return p
		}, 6},
		{"other columns", func() *results.Table {
			p := sub(ref, 0, 3)
			p.Fields = p.Fields[:len(p.Fields)-1]
			for k := range p.Rows {
				p.Rows[k] = p.Rows[k][:len(p.Fields)]
			}
			return p
		}, 6},
		{"more rows than the chunk", func() *results.Table {
			p := sub(ref, 0, 6)
			p.Rows = append(p.Rows, append([]results.Value(nil), p.Rows[5]...))
			p.Rows[6][0].I = 6
			return p
		}, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			partial := layout.PartialShard(layout.Sweep{Out: dir}.Shard(0))
			if err := results.WriteFile(partial, tc.partial()); err != nil {
				t.Fatal(err)
			}
			out, n := runChunk(t, dir, c)
			if n != tc.wantSimulated {
				t.Errorf("simulated %d points, want %d", n, tc.wantSimulated)
			}
			if div, _ := statusCounts(ref); out.Rows != 6 || out.Diverged != div || out.Failed != 0 {
				t.Errorf("output %+v, want 6 rows, %d diverged, 0 failed", out, div)
			}
			got, err := os.ReadFile(layout.Sweep{Out: dir}.Shard(0))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, refBytes) {
				t.Errorf("shard differs from the uninterrupted attempt's (%d vs %d bytes)", len(got), len(refBytes))
			}
			if _, err := os.Stat(partial); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("partial shard left behind (stat: %v)", err)
			}
			if names, _ := filepath.Glob(filepath.Join(layout.Sweep{Out: dir}.ShardDir(), "*")); len(names) != 1 {
				t.Errorf("shard directory holds %q, want the shard only", names)
			}
		})
	}
}

// sub is a copy of rows [from, to) of t with its fields and a copy of its metadata.
func sub(t *results.Table, from, to int) *results.Table {
	s := &results.Table{Fields: t.Fields, Meta: map[string]string{}}
	for k, v := range t.Meta {
		s.Meta[k] = v
	}
	for _, r := range t.Rows[from:to] {
		s.Rows = append(s.Rows, append([]results.Value(nil), r...))
	}
	return s
}
