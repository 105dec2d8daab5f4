package grid

import "github.com/phasesweep/phasesweep/pkg/spec"

// Load reads the spec in file, builds its grid and validates every point: the one call a
// command makes before submitting anything.
func Load(file string) (*Grid, error) {
	s, err := spec.Load(file)
	if err != nil {
		return nil, err
	}
	g := New(s)
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}
