//go:build !linux

package dynamics

import "time"

// threadCPU is not measured off Linux (0): benchmarks then report their wall time only.
func threadCPU() time.Duration { return 0 }

// lockThread does nothing off Linux.
func lockThread() func() { return func() {} }
