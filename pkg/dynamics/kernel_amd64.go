package dynamics

// AVX2 kernels in assembly (kernel_amd64.s, theory_lanes_amd64.s), used when hasAVX2. They
// perform the scalar kernels' operations lane by lane in the same order, so results are the
// same bits with and without them (TestAsmKernelsMatchPortable).

// dot4 sets out[k] = dot(x[k*d:(k+1)*d], beta) for the four rows k = 0..3 of x (row-major,
// d columns, d >= 0), with dot's four partial sums as the lanes of one vector.
//
//go:noescape
func dot4(x *float64, d int, beta *float64, out *[4]float64)

// gradCols sets grad_j = (sum_i r_i x_ij, i = 0..n-1 in order, from +0) / m for the columns
// j < cols of the row-major n x d matrix x (n >= 1, cols a multiple of 4, cols <= d).
//
//go:noescape
func gradCols(x *float64, n, d int, r *float64, grad *float64, cols int, m float64)

// theoryRun adds GainQ(x_i) to gain_i and skewSmall(x_i) to skew_i and raises *maxp to |x_i|,
// x_i = gamma*grad_i, for i = 0, 4, ... < n (n a multiple of 4) while all four lanes of a vector
// have |x_i| < 1/16. It returns the first index it did not do (n when it did all).
//
//go:noescape
func theoryRun(grad, gain, skew *float64, n int, gamma float64, maxp *float64, k *[theoryKLen][4]uint64) int

// theoryLanes is theoryRun with a stepsize and a running maximum per lane: x_i =
// gamma_i*grad_i and maxv_i = max(maxv_i, |x_i|) (the columns of a batched block, theoryBlock).
//
//go:noescape
func theoryLanes(grad, gamma, gain, skew, maxv *float64, n int, k *[theoryKLen][4]uint64) int

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
