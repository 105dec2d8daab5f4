package grid

import "github.com/phasesweep/phasesweep/pkg/spec"

// Load reads the spec in file, builds its grid and validates every point: the one call a
// command makes before submitting anything.
func Load(file string) (*Grid, error) { return LoadWithOverrides(file, nil) }

// LoadWithOverrides is Load with command-line overrides (key=value arguments, see
// spec.Override) applied to the spec first: the grid's spec, its Source and so its hash and
// sweep id include them, and Spec().Overrides says what each did.
func LoadWithOverrides(file string, overrides []string) (*Grid, error) {
	s, err := spec.LoadWithOverrides(file, overrides)
	if err != nil {
		return nil, err
	}
	g := New(s)
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}
