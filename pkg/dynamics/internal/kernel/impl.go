package kernel

import "os"

// Impl selects an implementation of the kernels: the pure-Go code or the AVX2 assembly. The
// zero value is Go.
type Impl uint8

const (
	// Go is the portable implementation, the reference the assembly is checked against.
	Go Impl = iota
	// AVX2 is the assembly implementation where it exists (amd64 with AVX2, built without the
	// noasm tag; see Available). Elsewhere it runs the Go code.
	AVX2
)

// Default is the implementation package dynamics uses: AVX2 when Available and the
// environment variable PHASESWEEP_NO_ASM is empty or unset, else Go. Both give the same bits;
// PHASESWEEP_NO_ASM=1 rules the assembly out (to compare, or when debugging).
var Default = defaultImpl()

func defaultImpl() Impl {
	if avx2 && os.Getenv("PHASESWEEP_NO_ASM") == "" {
		return AVX2
	}
	return Go
}

// Available reports whether the assembly kernels may run here: amd64 built without the noasm
// tag, a CPU with AVX2, and an operating system that saves the YMM registers.
func Available() bool { return avx2 }

// Vectorised reports whether k runs the assembly kernels: k is AVX2 and they are Available.
func (k Impl) Vectorised() bool { return k == AVX2 && avx2 }

// String names the implementation k runs, "avx2" or "go", for benchmarks and logs.
func (k Impl) String() string {
	if k.Vectorised() {
		return "avx2"
	}
	return "go"
}
