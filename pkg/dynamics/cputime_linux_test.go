package dynamics

import (
	"runtime"
	"syscall"
	"time"
)

// threadCPU returns the CPU time (user + system) of the calling OS thread (getrusage
// RUSAGE_THREAD). Benchmarks lock their goroutine to its thread and report it next to the
// wall time: on a machine shared with other jobs the wall time counts their turns too, the
// thread's CPU time only this benchmark's work.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// lockThread pins the calling goroutine to its OS thread for threadCPU; it returns the unlock.
func lockThread() func() {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
