//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

// avx2 reports whether the assembly kernels (*_amd64.s) may run: the CPU has AVX2 and the
// operating system saves the YMM registers (cpu.X86.HasAVX includes that check).
var avx2 = cpu.X86.HasAVX && cpu.X86.HasAVX2
