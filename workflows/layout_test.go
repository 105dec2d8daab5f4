package workflows

import "github.com/phasesweep/phasesweep/pkg/layout"

// testSweepID is the SweepID of the tests' sweeps: their files live under
// <out>/.phasesweep/test-sweep.
const testSweepID = "test-sweep"

// layoutOf is the layout of the files of the test sweep started with in.
func layoutOf(in SweepInput) layout.Sweep { return layout.Sweep{Out: in.OutDir, ID: in.SweepID} }
