//go:build !amd64

package dynamics

// hasAVX2 is false off amd64: the portable Go kernels run.
const hasAVX2 = false
