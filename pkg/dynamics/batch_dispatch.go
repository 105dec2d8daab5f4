//go:build !(goexperiment.simd && amd64)

package dynamics

// The batched kernels of the default (pure-Go) build: the portable ones of batch_kernel.go.
// Built with GOEXPERIMENT=simd on amd64, batch_kernel_simd.go replaces this file.

// batchKernelName names the kernels in use, for benchmarks and logs.
const batchKernelName = "go"

func residualBlock(x, y, beta, r, ss []float64, n, d, s, w int) {
	residualBlockGo(x, y, beta, r, ss, n, d, s, w)
}

func gradientBlock(xt, r, g []float64, n, d, s, w int) { gradientBlockGo(xt, r, g, n, d, s, w) }

func gdUpdate(u, v, g, gamma, beta, betaSum []float64, d, s, w int) {
	gdUpdateGo(u, v, g, gamma, beta, betaSum, d, s, w)
}

func hbUpdate(u, v, pu, pv, g, gamma, mu, beta, betaSum []float64, d, s, w int) {
	hbUpdateGo(u, v, pu, pv, g, gamma, mu, beta, betaSum, d, s, w)
}

func nagLookahead(u, v, pu, pv, mu, yu, yv, ybeta []float64, d, s, w int) {
	nagLookaheadGo(u, v, pu, pv, mu, yu, yv, ybeta, d, s, w)
}

func nagUpdate(u, v, pu, pv, yu, yv, g, gamma, beta, betaSum []float64, d, s, w int) {
	nagUpdateGo(u, v, pu, pv, yu, yv, g, gamma, beta, betaSum, d, s, w)
}

func theoryBlock(g, gamma, gain, skew, maxGG []float64, d, s, w int) {
	theoryBlockGo(g, gamma, gain, skew, maxGG, d, s, w)
}
