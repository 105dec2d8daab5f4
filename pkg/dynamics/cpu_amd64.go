package dynamics

import (
	"os"

	"golang.org/x/sys/cpu"
)

// hasAVX2 reports whether the assembly kernels (*_amd64.s) may run: the CPU has AVX2 and the
// operating system saves the YMM registers (cpu.X86.HasAVX includes that check). Without it
// the portable Go kernels run; both give the same bits. PHASESWEEP_NO_ASM=1 in the
// environment turns the assembly off (to compare, or to rule it out when debugging).
var hasAVX2 = cpu.X86.HasAVX && cpu.X86.HasAVX2 && os.Getenv("PHASESWEEP_NO_ASM") == ""
