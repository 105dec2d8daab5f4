package dynamics

// Declarations of the AVX2 kernels (batch_kernel_amd64.s, batch_narrow_amd64.s) on strips of
// 16 columns (4 vectors of 4 float64, "Strip4") or 4 columns ("Strip1") of a block laid out
// as block (entry (j, b) at j*s + b): the pointers point at column 0 of the strip in row 0.
// Each lane performs the scalar operations of the portable kernel (batch_kernel.go) in the
// same order, VMULPD then VADDPD, never fused, so the results are bit-identical. They may run
// only when hasAVX2, with n, d >= 1 and every strip inside its arrays; the callers in
// batch_kernel_amd64.go check that.

// residStrip4 sets r_ib = dot(x_i, beta_b) - y_i for b in the strip (dot as kernel.go: four
// partial sums over j mod 4, ((s0 + s1) + (s2 + s3)), then the remainder in index order) and
// ss_b = sum_i r_ib^2 in row order (set, not added to). part is scratch of 128 floats.
//
//go:noescape
func residStrip4(x, y, beta, r, ss, part *float64, n, d, s int)

// residStrip1 is residStrip4 on a strip of 4 columns (no scratch).
//
//go:noescape
func residStrip1(x, y, beta, r, ss *float64, n, d, s int)

// gradStrip4 sets gr_jb = (sum_i xt_ji r_ib, i in index order from +0) / m for b in the
// strip, with xt = X^T (d x n) and m = float64(n) (gradientBlockGo).
//
//go:noescape
func gradStrip4(xt, r, gr *float64, n, d, s int, m float64)

// gradStrip1 is gradStrip4 on a strip of 4 columns.
//
//go:noescape
func gradStrip1(xt, r, gr *float64, n, d, s int, m float64)

// gdStrip4 is gdUpdateGo on the strip: u, v <- u - gamma v gr, v - gamma u gr (both from the
// old u, v), beta = u v, betaSum_b += sum_j beta_jb in index order. gamma and betaSum point at
// the strip's first column.
//
//go:noescape
func gdStrip4(u, v, gr, gamma, beta, betaSum *float64, d, s int)

// gdStrip1 is gdStrip4 on a strip of 4 columns.
//
//go:noescape
func gdStrip1(u, v, gr, gamma, beta, betaSum *float64, d, s int)
