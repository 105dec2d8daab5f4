//go:build !amd64

package dynamics

// Portable stand-ins for the assembly kernels of kernel_amd64.go. hasAVX2 is false off
// amd64, so they are never called; they exist so that the callers compile everywhere.

func dot4(x *float64, d int, beta *float64, out *[4]float64) {
	panic("dynamics: dot4 without assembly")
}

func gradCols(x *float64, n, d int, r *float64, grad *float64, cols int, m float64) {
	panic("dynamics: gradCols without assembly")
}

func uvUpdate(u, v, grad, gu, gv *float64, n int, gamma float64) {
	panic("dynamics: uvUpdate without assembly")
}

func uvBeta(u, v, beta *float64, n int, sum float64) float64 {
	panic("dynamics: uvBeta without assembly")
}

func theoryVec(grad, gamma, gain, skew, maxv *float64, n, gstep, mstep int, k *[theoryKLen][4]uint64) int {
	return 0
}
