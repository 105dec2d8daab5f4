//go:build !amd64 || noasm

package kernel

// avx2 is false off amd64 and with the noasm tag: every Impl runs the Go kernels.
const avx2 = false
