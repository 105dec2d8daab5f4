package grid

import (
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"sync"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// DataParams are the parameters that determine a dataset (docs/science.md section 1); points
// that agree on them (and on the spec seed) share X, y, beta* and the test set, whatever
// their optimiser settings.
var DataParams = []string{"n", "d", "sparsity", "x_mean", "label_noise", "x_norm", "beta_star", "test", "seed",
	"k_aux", "k_main", "overlap", "n_aux", // the multi-task teachers and auxiliary set (Lippl2024)
	DataHashKey} // the content hash of a data file (data.go), in place of the generation parameters

// Seeds derives a point's data seed and run seed from the spec seed and the point's resolved
// parameter values, never from its index: SHA-256 over "phasesweep-seed/1", the spec seed and
// name=value pairs in name order (values in their exact canonical form; x_norm, beta_star and
// the multi-task parameters only when given and not at their defaults, see hashedUnlessDefault), first 8 bytes as a
// little-endian integer. The data seed hashes only DataParams; the run seed hashes all values.
func Seeds(specSeed uint64, values map[string]spec.Value) (data, run uint64) {
	return hashValues("data", specSeed, values, sortedDataParams()),
		hashValues("run", specSeed, values, slices.Sorted(maps.Keys(values)))
}

// hashedUnlessDefault lists parameters added after seeds were first published: their
// name=value pair is hashed only when the value differs from the parameter's default, so a
// spec that leaves them at their defaults (written out or left out) keeps the seeds it had
// before they existed.
var hashedUnlessDefault = map[string]bool{"x_norm": true, "beta_star": true, DataHashKey: true,
	"k_aux": true, "k_main": true, "overlap": true, "n_aux": true, "pretrain_init": true, "rescale": true}

// defaultCanonical holds the canonical form of every parameter's default value.
var defaultCanonical = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, p := range spec.Params {
		if p.Default != nil {
			out[p.Name] = p.Default.Canonical()
		}
	}
	return out
})

// sortedDataParams is DataParams in name order.
var sortedDataParams = sync.OnceValue(func() []string {
	return slices.Sorted(slices.Values(DataParams))
})

// hashValues hashes the named values (names sorted): SHA-256 over
// "phasesweep-seed/1 <domain>\x00", the spec seed (8 bytes, little-endian) and
// "name=canonical\x00" for each name in name order (a name in hashedUnlessDefault only when
// its value is given and differs from the default), one message hashed at once.
func hashValues(domain string, specSeed uint64, values map[string]spec.Value, names []string) uint64 {
	defaults := defaultCanonical()
	msg := make([]byte, 0, 1024)
	msg = append(msg, "phasesweep-seed/1 "...)
	msg = append(msg, domain...)
	msg = append(msg, 0)
	msg = binary.LittleEndian.AppendUint64(msg, specSeed)
	for _, k := range names {
		v, given := values[k]
		c := v.Canonical()
		if hashedUnlessDefault[k] {
			if def, ok := defaults[k]; !given || (ok && c == def) {
				continue
			}
		}
		msg = append(msg, k...)
		msg = append(msg, '=')
		msg = append(msg, c...)
		msg = append(msg, 0)
	}
	sum := sha256.Sum256(msg)
	return binary.LittleEndian.Uint64(sum[:8])
}
