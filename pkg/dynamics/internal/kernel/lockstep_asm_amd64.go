//go:build !noasm

package kernel

// Declarations of the AVX2 kernels (lockstep_kernel_amd64.s, lockstep_narrow_amd64.s) on strips of
// 16 columns (4 vectors of 4 float64, "Strip4") or 4 columns ("Strip1") of a block laid out
// as block (entry (j, b) at j*s + b): the pointers point at column 0 of the strip in row 0.
// Each lane performs the scalar operations of the portable kernel (lockstep_kernel.go) in the
// same order, VMULPD then VADDPD, never fused, so the results are bit-identical. They may run
// only when Available, with n, d >= 1 and every strip inside its arrays; the callers in
// lockstep_dispatch.go check that.

// residPass4 adds to the scratch part the four partial sums of dot(x_i, beta_b) (kernel.go:
// p_q over j = q mod 4, from +0) over jn rows of beta (a multiple of 4, from the pointers'
// row): p_q of row i at row 4i + q of part (stride s). load = 0 starts the sums at +0 (the
// first block of j), load = 1 continues them (the blocks go in increasing j, so each p_q
// keeps its index order).
//
//go:noescape
func residPass4(x, beta, part *float64, n, d, s, jn, load int)

// residFinish4 sets r_ib = ((p0 + p1) + (p2 + p3)) + sum_{j >= d &^ 3} x_ij beta_jb (index
// order) - y_i from residPass4's sums, and ss_b = sum_i r_ib^2 in row order (set, not added
// to).
//
//go:noescape
func residFinish4(x, y, beta, r, ss, part *float64, n, d, s int)

// residStrip1 sets r_ib = dot(x_i, beta_b) - y_i and ss_b = sum_i r_ib^2 (set) for a strip of
// 4 columns, the four partial sums in registers (no scratch).
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

// gdRows is gdUpdateGo on w columns (a multiple of 4), row by row: u, v <- u - gamma v gr,
// v - gamma u gr (both from the old u, v), beta = u v, betaSum_b += beta_jb in index order j.
//
//go:noescape
func gdRows(u, v, gr, gamma, beta, betaSum *float64, d, s, w int)
