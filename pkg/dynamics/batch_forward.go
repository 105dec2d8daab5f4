package dynamics

// The batched kernels that have no assembly of their own: the hb and nag updates
// (elementwise, a small share of a step) forward to the portable kernels of batch_kernel.go;
// the theory accumulators use the single run's vector log1p (theoryBlockLanes) with AVX2.

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
	if hasAVX2 {
		theoryBlockLanes(g, gamma, gain, skew, maxGG, d, s, w)
		return
	}
	theoryBlockGo(g, gamma, gain, skew, maxGG, d, s, w)
}
