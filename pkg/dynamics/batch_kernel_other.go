//go:build !amd64

package dynamics

// The batched kernels off amd64: the portable ones of batch_kernel.go (on amd64,
// batch_kernel_amd64.go has the AVX2 assembly ones).

// batchKernelName names the kernels in use, for benchmarks and logs.
const batchKernelName = "go"

// BatchVectorised reports whether the batched kernels are vectorised (amd64 with AVX2). Here
// they are not, and then a batch is not faster than its single runs (bench/BENCHMARKS.md: Go
// does not vectorise the column loops, and the blocked residual costs about 1.2x the single
// run's dot products), so callers run points one by one unless they want the batched code
// path itself.
func BatchVectorised() bool { return false }

func residualBlock(x, y, beta, r, ss, acc []float64, n, d, s, w int) {
	residualBlockGo(x, y, beta, r, ss, acc, n, d, s, w)
}

func gradientBlock(xt, r, g []float64, n, d, s, w int) { gradientBlockGo(xt, r, g, n, d, s, w) }

func gdUpdate(u, v, g, gamma, beta, betaSum []float64, d, s, w int) {
	gdUpdateGo(u, v, g, gamma, beta, betaSum, d, s, w)
}
