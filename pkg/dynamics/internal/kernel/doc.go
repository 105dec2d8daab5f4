// Package kernel holds the allocation-free floating-point kernels of package dynamics: the
// products with the design matrix of one run (Dot, SumSquaredResiduals, GradientRows), the uv
// model's elementwise step, the per-step gain and skew accumulators of Even2023 (GainQ,
// GainSkew, AccumulateTheory), and their lockstep forms on blocks of runs advanced together
// (ResidualBlock, GradientBlock, GDUpdate, HBUpdate, NAGLookahead, NAGUpdate, TheoryBlock).
//
// Each kernel has a pure-Go implementation, and the hot ones an AVX2 assembly implementation
// on amd64 (*_amd64.s) beside it. The assembly performs the Go code's floating-point
// operations lane by lane in the same order, each rounded on its own (VMULPD then VADDPD, never
// fused), so both give the same bits: a result does not depend on the machine that computed
// it. An Impl selects one of them explicitly (tests compare Go and AVX2 side by side);
// Default is the one in use: AVX2 when the CPU has it (Available), unless PHASESWEEP_NO_ASM is
// set in the environment, else Go. Built with the noasm tag (go build -tags noasm), or off
// amd64, the assembly is left out and every Impl runs the Go code.
//
// Sums run left to right in index order and every product inside a sum is written
// float64(a*b), so that the compiler never fuses it into a fused multiply-add (the Go spec
// allows fusion; gc does it for GOAMD64=v3 and on arm64). These orders are part of the
// numerical behaviour of package dynamics: changing one changes results at rounding level and
// needs a bump of dynamics.Version.
package kernel
