// Package version names the program's release, recorded in every results table so that a
// table says which code produced it.
package version

import "github.com/phasesweep/phasesweep/pkg/dynamics"

// Program is phasesweep's release.
const Program = "0.1.0"

// String is the program release together with the dynamics version that decides the numbers.
func String() string { return "phasesweep " + Program + " (" + dynamics.Version + ")" }
