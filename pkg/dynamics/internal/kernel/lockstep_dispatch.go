package kernel

// The lockstep kernels: the AVX2 assembly ones (lockstep_asm_amd64.go) when the Impl is
// Vectorised and the block's shape fits them, else the Go ones of lockstep_kernel.go. Both give
// the same bits (TestKernelsMatchGo, FuzzKernelsMatchGo).

// StripWidth is the number of columns of the wide assembly kernels (4 vectors of 4); callers
// that split a block's columns keep whole strips on both sides.
const StripWidth = 16

// asmFits reports whether k runs the assembly kernels on w columns of a block with stride s:
// a Vectorised k, a non-empty n x d problem, and whole vectors of 4 columns inside the stride.
func (k Impl) asmFits(n, d, s, w int) bool {
	return k.Vectorised() && n >= 1 && d >= 1 && w >= 4 && w%4 == 0 && w <= s
}

// checkLen panics unless a has at least k entries: the assembly kernels address the block
// through pointers, so the callers check each array's extent once.
func checkLen(a []float64, k int) {
	if len(a) < k {
		panic("kernel: lockstep kernel called with a short slice")
	}
}

// residJBlock is the number of rows of beta per pass of residPass4: a 16-column strip of
// 128 rows (16 KB) stays in the L1 cache while every row of X goes over it, instead of the
// whole strip (d x 128 bytes, 128 KB at d = 1000) streaming from L2 for each pair of rows.
const residJBlock = 128

// ResidualBlock sets r_ib = Dot(x_i, beta_b) - y_i and ss_b = sum_i r_ib^2 (rows in order) for
// the columns b < w of the d x s block beta into the n x s block r, x the row-major n x d
// design (residualBlockGo). acc is scratch (see below).
//
// Vectorised: strips of 16 columns, the last one ending at column w (it may overlap the one
// before: ss is set, not added to, so recomputing a column gives the same bits); blocks
// narrower than 16 go by 4 columns. The wide kernels keep the four partial sums
// of every row in acc, which must then hold 4n rows of s (block's acc); a shorter acc (4 rows,
// enough for residualBlockGo) takes the portable kernel.
func (k Impl) ResidualBlock(x, y, beta, r, ss, acc []float64, n, d, s, w int) {
	if !k.asmFits(n, d, s, w) || w >= StripWidth && len(acc) < (4*n-1)*s+w {
		residualBlockGo(x, y, beta, r, ss, acc, n, d, s, w)
		return
	}
	checkLen(x, n*d)
	checkLen(y, n)
	checkLen(beta, (d-1)*s+w)
	checkLen(r, (n-1)*s+w)
	checkLen(ss, w)
	if w < StripWidth {
		for c := 0; c < w; c += 4 {
			residStrip1(&x[0], &y[0], &beta[c], &r[c], &ss[c], n, d, s)
		}
		return
	}
	d4 := d &^ 3
	for c := 0; c < w; c += StripWidth {
		c0 := min(c, w-StripWidth)
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

// GradientBlock sets g_jb = (sum_i xt_ji r_ib, rows in index order from +0) / n for the
// columns b < w of the d x s block g, from xt = X^T (d x n) and the n x s residual block r
// (gradientBlockGo). Vectorised: strips as ResidualBlock (g is set, so an overlapping last
// strip rewrites the same bits).
func (k Impl) GradientBlock(xt, r, g []float64, n, d, s, w int) {
	if !k.asmFits(n, d, s, w) {
		gradientBlockGo(xt, r, g, n, d, s, w)
		return
	}
	checkLen(xt, n*d)
	checkLen(r, (n-1)*s+w)
	checkLen(g, (d-1)*s+w)
	m := float64(n)
	if w < StripWidth {
		for c := 0; c < w; c += 4 {
			gradStrip1(&xt[0], &r[c], &g[c], n, d, s, m)
		}
		return
	}
	for c := 0; c < w; c += StripWidth {
		c0 := min(c, w-StripWidth)
		gradStrip4(&xt[0], &r[c0], &g[c0], n, d, s, m)
	}
}

// GDUpdate takes the gd step of the uv model on the columns b < w of the d x s blocks u, v:
// u <- u - gamma_b (v (.) g), v <- v - gamma_b (u (.) g) (both from the old u, v), and sets
// beta = u (.) v and betaSum_b += sum_j beta_jb in index order (gdUpdateGo). Vectorised: row
// by row over the w columns (gdRows).
func (k Impl) GDUpdate(u, v, g, gamma, beta, betaSum []float64, d, s, w int) {
	if !k.asmFits(1, d, s, w) {
		gdUpdateGo(u, v, g, gamma, beta, betaSum, d, s, w)
		return
	}
	last := (d-1)*s + w
	checkLen(u, last)
	checkLen(v, last)
	checkLen(g, last)
	checkLen(beta, last)
	checkLen(gamma, w)
	checkLen(betaSum, w)
	gdRows(&u[0], &v[0], &g[0], &gamma[0], &beta[0], &betaSum[0], d, s, w)
}
