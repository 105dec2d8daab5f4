//go:build !noasm

package kernel

// AVX2 kernels in assembly (kernel_amd64.s, theory_lanes_amd64.s), called when an Impl is
// Vectorised. They perform the Go kernels' operations lane by lane in the same order, so
// results are the same bits with and without them (TestKernelsMatchGo, FuzzKernelsMatchGo).

// dot4 sets out[k] = Dot(x[k*d:(k+1)*d], beta) for the four rows k = 0..3 of x (row-major,
// d columns, d >= 0), with Dot's four partial sums as the lanes of one vector.
//
//go:noescape
func dot4(x *float64, d int, beta *float64, out *[4]float64)

// gradCols sets grad_j = (sum_i r_i x_ij, i = 0..n-1 in order, from +0) / m for the columns
// j < cols of the row-major n x d matrix x (n >= 1, cols a multiple of 4, cols <= d).
//
//go:noescape
func gradCols(x *float64, n, d int, r *float64, grad *float64, cols int, m float64)

// theoryVec adds GainQ(x_i) to gain_i and skewSmall(x_i) to skew_i, x_i = gamma*grad_i, and
// raises the lanes of maxv to |x_i|, for the vectors i = 0, 4, ... < n (n a multiple of 4)
// while all four lanes of a vector have |x_i| < 1/16; it returns the first index it did not
// do (n when it did all). gamma and maxv point at 4 lanes that advance by gstep and mstep
// bytes per vector (32: a lane per column; 0: the same 4 lanes throughout).
//
//go:noescape
func theoryVec(grad, gamma, gain, skew, maxv *float64, n, gstep, mstep int, k *[theoryKLen][4]uint64) int

// uvUpdate is the gd step of the uv model on n coordinates (a multiple of 4): gu = v*grad,
// gv = u*grad (the pullback, stored), u -= gamma*gu, v -= gamma*gv.
//
//go:noescape
func uvUpdate(u, v, grad, gu, gv *float64, n int, gamma float64)

// uvBeta sets beta = u*v on n coordinates (a multiple of 4) and returns sum plus the beta_i
// added one by one in index order.
//
//go:noescape
func uvBeta(u, v, beta *float64, n int, sum float64) float64
