//go:build !amd64 || noasm

package kernel

// Stand-ins for the assembly kernels of kernel_amd64.go and lockstep_asm_amd64.go, so that the
// callers compile everywhere. avx2 is false in these builds, so no Impl is Vectorised and
// they are never called.

func dot4(x *float64, d int, beta *float64, out *[4]float64) { noAsm() }

func gradCols(x *float64, n, d int, r *float64, grad *float64, cols int, m float64) { noAsm() }

func uvUpdate(u, v, grad, gu, gv *float64, n int, gamma float64) { noAsm() }

func uvBeta(u, v, beta *float64, n int, sum float64) float64 { noAsm(); return 0 }

func theoryVec(grad, gamma, gain, skew, maxv *float64, n, gstep, mstep int, k *[theoryKLen][4]uint64) int {
	noAsm()
	return 0
}

func residPass4(x, beta, part *float64, n, d, s, jn, load int) { noAsm() }

func residFinish4(x, y, beta, r, ss, part *float64, n, d, s int) { noAsm() }

func residStrip1(x, y, beta, r, ss *float64, n, d, s int) { noAsm() }

func gradStrip4(xt, r, gr *float64, n, d, s int, m float64) { noAsm() }

func gradStrip1(xt, r, gr *float64, n, d, s int, m float64) { noAsm() }

func gdRows(u, v, gr, gamma, beta, betaSum *float64, d, s, w int) { noAsm() }

// noAsm panics: a Go kernel called an assembly one in a build without them (a bug: only a
// Vectorised Impl calls them, and none is).
func noAsm() { panic("kernel: assembly kernel called in a build without assembly") }
