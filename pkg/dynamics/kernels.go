package dynamics

import "github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"

// The linear-algebra kernels live in internal/kernel, each in Go and, on amd64 with AVX2, in
// assembly that gives the same bits. A runner and a block carry the kernel.Impl they run
// (kernel.Default unless a test asks for another); the code outside the training loops
// (data generation, losses, theory, saddle) uses kernel.Default through these helpers.

// dot returns sum_j a_j b_j with kernel.Dot's fixed summation order.
func dot(a, b []float64) float64 { return kernel.Dot(a, b) }

// addScaledRow sets g += a*row.
func addScaledRow(g []float64, a float64, row []float64) { kernel.AddScaledRow(g, a, row) }

// sumSquaredResiduals sets r = X beta - y (len(r) rows of the row-major x) and returns
// ||r||^2 (kernel.Impl.SumSquaredResiduals).
func sumSquaredResiduals(x, y, beta, r []float64) float64 {
	return kernel.Default.SumSquaredResiduals(x, y, beta, r)
}

// gradientRows sets g = X_B^T r_B / |B| for the rows B listed in rows, all rows when rows is
// nil (kernel.Impl.GradientRows).
func gradientRows(x, r []float64, rows []int, g []float64) {
	kernel.Default.GradientRows(x, r, rows, g)
}
