package dynamics

// The batched kernels of amd64: the AVX2 assembly ones (batch_asm_amd64.go) when the CPU has
// AVX2 and the block's shape fits them, else the portable ones of batch_kernel.go. Both give
// the same bits (TestBatchKernelsMatchPortable).

// batchKernelName names the kernels in use, for benchmarks and logs.
var batchKernelName = map[bool]string{true: "avx2", false: "go"}[hasAVX2]

// BatchVectorised reports whether the batched kernels are vectorised: on amd64, when the CPU
// has AVX2 (hasAVX2). Callers batch points (SimulateBatch) when it is true; without it a batch
// is not faster than its single runs (bench/BENCHMARKS.md).
func BatchVectorised() bool { return hasAVX2 }

// asmFits reports whether the assembly kernels may run on w columns of a block with stride s:
// AVX2, a non-empty n x d problem, and whole vectors of 4 columns inside the stride.
func asmFits(n, d, s, w int) bool {
	return hasAVX2 && n >= 1 && d >= 1 && w >= 4 && w%4 == 0 && w <= s
}

// checkLen panics unless a has at least k entries: the assembly kernels address the block
// through pointers, so the callers check each array's extent once.
func checkLen(a []float64, k int) {
	if len(a) < k {
		panic("dynamics: batched kernel called with a short slice")
	}
}

// residJBlock is the number of rows of beta per pass of residPass4: a 16-column strip of
// 128 rows (16 KB) stays in the L1 cache while every row of X goes over it, instead of the
// whole strip (d x 128 bytes, 128 KB at d = 1000) streaming from L2 for each pair of rows.
const residJBlock = 128

// residualBlock is residualBlockGo: strips of 16 columns, the last one ending at column w (it
// may overlap the one before: ss is set, not added to, so recomputing a column gives the same
// bits); blocks narrower than 16 go by 4 columns. The wide kernels keep the four partial sums
// of every row in acc, which must then hold 4n rows of s (block's acc); a shorter acc (4 rows,
// enough for residualBlockGo) takes the portable kernel.
func residualBlock(x, y, beta, r, ss, acc []float64, n, d, s, w int) {
	if !asmFits(n, d, s, w) || w >= stripWidth && len(acc) < (4*n-1)*s+w {
		residualBlockGo(x, y, beta, r, ss, acc, n, d, s, w)
		return
	}
	checkLen(x, n*d)
	checkLen(y, n)
	checkLen(beta, (d-1)*s+w)
	checkLen(r, (n-1)*s+w)
	checkLen(ss, w)
	if w < stripWidth {
		for c := 0; c < w; c += 4 {
			residStrip1(&x[0], &y[0], &beta[c], &r[c], &ss[c], n, d, s)
		}
		return
	}
	d4 := d &^ 3
	for c := 0; c < w; c += stripWidth {
		c0 := min(c, w-stripWidth)
		for jb := 0; jb == 0 || jb < d4; jb += residJBlock {
			load := 0
			if jb > 0 {
				load = 1
			}
			residPass4(&x[jb], &beta[jb*s+c0], &acc[c0], n, d, s, min(residJBlock, d4-jb), load)
		}
		residFinish4(&x[0], &y[0], &beta[c0], &r[c0], &ss[c0], &acc[c0], n, d, s)
	}
}

// gradientBlock is gradientBlockGo: strips as residualBlock (g is set, so an overlapping last
// strip rewrites the same bits).
func gradientBlock(xt, r, g []float64, n, d, s, w int) {
	if !asmFits(n, d, s, w) {
		gradientBlockGo(xt, r, g, n, d, s, w)
		return
	}
	checkLen(xt, n*d)
	checkLen(r, (n-1)*s+w)
	checkLen(g, (d-1)*s+w)
	m := float64(n)
	if w < stripWidth {
		for c := 0; c < w; c += 4 {
			gradStrip1(&xt[0], &r[c], &g[c], n, d, s, m)
		}
		return
	}
	for c := 0; c < w; c += stripWidth {
		c0 := min(c, w-stripWidth)
		gradStrip4(&xt[0], &r[c0], &g[c0], n, d, s, m)
	}
}

// gdUpdate is gdUpdateGo, row by row over the w columns (gdRows).
func gdUpdate(u, v, g, gamma, beta, betaSum []float64, d, s, w int) {
	if !asmFits(1, d, s, w) {
		gdUpdateGo(u, v, g, gamma, beta, betaSum, d, s, w)
		return
	}
	k := (d-1)*s + w
	checkLen(u, k)
	checkLen(v, k)
	checkLen(g, k)
	checkLen(beta, k)
	checkLen(gamma, w)
	checkLen(betaSum, w)
	gdRows(&u[0], &v[0], &g[0], &gamma[0], &beta[0], &betaSum[0], d, s, w)
}
