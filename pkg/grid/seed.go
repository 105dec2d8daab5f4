package grid

import (
	"crypto/sha256"
	"encoding/binary"
	"sort"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// DataParams are the parameters that determine a dataset (REFERENCE.md section 1); points
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
	return hashValues("data", specSeed, values, DataParams), hashValues("run", specSeed, values, nil)
}

// hashedUnlessDefault lists parameters added after seeds were first published: their
// name=value pair is hashed only when the value differs from the parameter's default, so a
// spec that leaves them at their defaults (written out or left out) keeps the seeds it had
// before they existed.
var hashedUnlessDefault = map[string]bool{"x_norm": true, "beta_star": true, DataHashKey: true,
	"k_aux": true, "k_main": true, "overlap": true, "n_aux": true, "pretrain_init": true, "rescale": true}

// atDefault reports whether parameter k is absent from values or set to its default.
func atDefault(values map[string]spec.Value, k string) bool {
	v, ok := values[k]
	if !ok {
		return true
	}
	p, known := spec.LookupParam(k)
	return known && p.Default != nil && v.Canonical() == p.Default.Canonical()
}

// hashValues hashes the named values (all of them when names is nil).
func hashValues(domain string, specSeed uint64, values map[string]spec.Value, names []string) uint64 {
	if names == nil {
		for k := range values {
			names = append(names, k)
		}
	}
	names = append([]string(nil), names...)
	sort.Strings(names)
	h := sha256.New()
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], specSeed)
	h.Write([]byte("phasesweep-seed/1 " + domain + "\x00"))
	h.Write(buf[:])
	for _, k := range names {
		if hashedUnlessDefault[k] && atDefault(values, k) {
			continue
		}
		h.Write([]byte(k + "=" + values[k].Canonical() + "\x00"))
	}
	return binary.LittleEndian.Uint64(h.Sum(nil)[:8])
}
