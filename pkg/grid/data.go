package grid

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sync"

	"github.com/phasesweep/phasesweep/pkg/dataset"
	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// DataParam is the parameter naming a dataset file or directory (pkg/dataset) that replaces
// generated data.
const DataParam = "data"

// DataHashKey is the name under which a dataset's content hash (dataset.Set.Hash) enters the
// seed hash of the points that use it, in place of the path: editing the file changes the
// points' seeds, moving it does not.
const DataHashKey = "data_hash"

// GenerationParams are the parameters that describe generated data; a spec that sets data
// may not set them (the file fixes n, d and test, and has its own beta*, noise and scaling).
var GenerationParams = []string{"n", "d", "sparsity", "x_mean", "label_noise", "x_norm", "beta_star", "test"}

// dataCache holds the datasets a grid has read, by resolved path. Its zero value is ready.
type dataCache struct {
	mu   sync.Mutex
	sets map[string]*dataEntry
}

type dataEntry struct {
	set *dataset.Set
	err error
}

// DataPath resolves a value of the data parameter: relative paths are relative to the
// directory of the spec file (as the spec names it: give workers an absolute spec path, or
// an absolute data path, when their working directory differs).
func (g *Grid) DataPath(value string) string {
	if value == "" || filepath.IsAbs(value) {
		return value
	}
	return filepath.Join(filepath.Dir(g.spec.File), value)
}

// dataset reads (once per grid) the dataset at the resolved path.
func (g *Grid) dataset(path string) (*dataset.Set, error) {
	g.data.mu.Lock()
	defer g.data.mu.Unlock()
	if e, ok := g.data.sets[path]; ok {
		return e.set, e.err
	}
	set, err := dataset.Open(path)
	if g.data.sets == nil {
		g.data.sets = map[string]*dataEntry{}
	}
	g.data.sets[path] = &dataEntry{set: set, err: err}
	return set, err
}

// Dataset returns the dataset point p runs on when its spec sets data (read once per grid and
// shared: callers must not modify it), or nil when p uses generated data.
func (g *Grid) Dataset(p Point) (*dynamics.Data, error) {
	if p.Config.DataFile == "" {
		return nil, nil
	}
	set, err := g.dataset(p.Config.DataFile)
	if err != nil {
		return nil, err
	}
	return set.Data, nil
}

// DataHash is the content hash (dataset.Set.Hash) of the dataset point p runs on when its
// spec sets data, or "" when p uses generated data.
func (g *Grid) DataHash(p Point) (string, error) {
	if p.Config.DataFile == "" {
		return "", nil
	}
	set, err := g.dataset(p.Config.DataFile)
	if err != nil {
		return "", err
	}
	return set.Hash, nil
}

// withData completes c for a point whose values set data: DataFile, and N, D and Test from
// the file. It returns the values to hash for the seeds: those of all, with data replaced by
// the dataset's content hash and the generation parameters left out. Without data it returns
// all unchanged. A dataset that cannot be read leaves N = D = 0 (Validate and Dataset report
// the error).
func (g *Grid) withData(c *dynamics.Config, all map[string]spec.Value) map[string]spec.Value {
	v, ok := all[DataParam]
	if !ok {
		return all
	}
	c.DataFile = g.DataPath(v.Str)
	hash := "unreadable"
	if set, err := g.dataset(c.DataFile); err == nil {
		c.N, c.D, c.Test = set.Data.N, set.Data.D, set.Data.Test
		hash = set.Hash
	} else {
		c.N, c.D, c.Test = 0, 0, 0
	}
	seedVals := make(map[string]spec.Value, len(all))
	for k, x := range all {
		seedVals[k] = x
	}
	delete(seedVals, DataParam)
	for _, k := range GenerationParams {
		delete(seedVals, k)
	}
	seedVals[DataHashKey] = spec.StringValue(hash)
	return seedVals
}

// dataValues lists the distinct values of data in the spec (fixed or swept), in order.
func (g *Grid) dataValues() []string {
	var out []string
	seen := map[string]bool{}
	add := func(v spec.Value) {
		if !seen[v.Str] {
			seen[v.Str] = true
			out = append(out, v.Str)
		}
	}
	for _, f := range g.spec.Fixed {
		if f.Name == DataParam {
			add(f.Value)
		}
	}
	for _, a := range g.spec.Grid {
		for j, n := range a.Names {
			if n == DataParam {
				for k := range a.Len() {
					add(a.At(k, j))
				}
			}
		}
	}
	return out
}

// checkData reports, as spec errors, a generation parameter set together with data and a
// dataset that cannot be read (the message names the file).
func (g *Grid) checkData() error {
	values := g.dataValues()
	if len(values) == 0 {
		return nil
	}
	for _, k := range GenerationParams {
		set := g.spec.Swept(k)
		for _, f := range g.spec.Fixed {
			set = set || f.Name == k
		}
		if set {
			return g.spec.Errorf(k, "cannot be set together with data: the dataset gives n, d and test, and its own beta*, noise and scaling (remove %s)", k)
		}
	}
	for _, v := range values {
		if v == "" {
			return g.spec.Errorf(DataParam, "must name a dataset file or directory, got an empty string")
		}
		if _, err := g.dataset(g.DataPath(v)); err != nil {
			return g.spec.Errorf(DataParam, "%v", err)
		}
	}
	return nil
}

// SpecHash is the spec's hash (spec.Spec.Hash), computed once: it streams every axis value,
// seconds of CPU for an axis of spec.MaxPoints values.
func (g *Grid) SpecHash() string {
	if g.specHash == nil { // a Grid not made by New
		return g.spec.Hash()
	}
	return g.specHash()
}

// Hash identifies the sweep: the spec's hash when it sets no data; otherwise a SHA-256 of the
// spec's hash and the content hash of every dataset it names, so that editing a data file
// makes a new sweep (workflow id, shards) instead of reusing the old one.
func (g *Grid) Hash() string {
	values := g.dataValues()
	if len(values) == 0 {
		return g.SpecHash()
	}
	h := sha256.New()
	h.Write([]byte("phasesweep-grid/1\n" + g.SpecHash() + "\n"))
	for _, v := range values {
		hash := "unreadable"
		if set, err := g.dataset(g.DataPath(v)); err == nil {
			hash = set.Hash
		}
		h.Write([]byte(v + "\x00" + hash + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}
