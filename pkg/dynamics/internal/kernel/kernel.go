package kernel

// The kernels of one run's training loop (package dynamics' runner). On AVX2 the rows and
// columns go four at a time through the assembly of kernel_amd64.s, which keeps these orders
// lane by lane: the same bits.

// Dot returns sum_j a_j b_j (len(b) >= len(a)). For speed it keeps four partial sums, s_k over
// j = k mod 4 for the first 4*floor(len/4) indices, and returns ((s_0 + s_1) + (s_2 + s_3))
// plus the remaining terms added in index order. This fixed order is part of the numerical
// behaviour (changing it changes results at rounding level: bump dynamics.Version).
func Dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(a); j += 4 {
		s0 += float64(a[j] * b[j])
		s1 += float64(a[j+1] * b[j+1])
		s2 += float64(a[j+2] * b[j+2])
		s3 += float64(a[j+3] * b[j+3])
	}
	s := (s0 + s1) + (s2 + s3)
	for ; j < len(a); j++ {
		s += float64(a[j] * b[j])
	}
	return s
}

// SumSquaredResiduals sets r_i = <x_i, beta> - y_i for every row i of the row-major matrix x
// (len(r) rows, len(beta) columns) and returns sum_i r_i^2 in row order, each inner product as
// Dot. Vectorised, it computes four rows at a time with dot4 (same bits).
func (k Impl) SumSquaredResiduals(x, y, beta, r []float64) float64 {
	d := len(beta)
	y = y[:len(r)]
	x = x[:len(r)*d]
	var ss float64
	i := 0
	if k.Vectorised() && d >= 4 {
		var s [4]float64
		for ; i+4 <= len(r); i += 4 {
			dot4(&x[i*d], d, &beta[0], &s)
			for k, sk := range s {
				ri := sk - y[i+k]
				r[i+k] = ri
				ss += float64(ri * ri)
			}
		}
	}
	for ; i < len(r); i++ {
		ri := Dot(x[i*d:(i+1)*d], beta) - y[i]
		r[i] = ri
		ss += float64(ri * ri)
	}
	return ss
}

// GradientRows sets g = X_B^T r_B / |B|, the gradient of 1/(2|B|) ||X_B beta - y_B||^2 given
// the residuals r = X beta - y of all rows, for the rows B listed in rows (in that order), or
// for all rows when rows is nil (then g = X^T r / n; NaN when n = 0, as 0/0). Each g_j is
// summed over the rows in their order from +0, then divided by |B|.
func (k Impl) GradientRows(x, r []float64, rows []int, g []float64) {
	d := len(g)
	if rows == nil && k.Vectorised() && d >= 4 && len(r) > 0 {
		gradientAll(x[:len(r)*d], r, g)
		return
	}
	clear(g)
	count := len(r)
	if rows == nil {
		for i, ri := range r {
			AddScaledRow(g, ri, x[i*d:(i+1)*d])
		}
	} else {
		count = len(rows)
		for _, i := range rows {
			AddScaledRow(g, r[i], x[i*d:(i+1)*d])
		}
	}
	m := float64(count)
	for j := range g {
		g[j] /= m
	}
}

// gradientAll is GradientRows for all rows with AVX2: gradCols for the first 4*floor(d/4)
// columns, the others in Go, each g_j summed over the rows in index order from +0 and
// divided by n, as GradientRows does.
func gradientAll(x, r, g []float64) {
	n, d := len(r), len(g)
	m := float64(n)
	d4 := d &^ 3
	gradCols(&x[0], n, d, &r[0], &g[0], d4, m)
	for j := d4; j < d; j++ {
		var s float64
		for i, ri := range r {
			s += float64(ri * x[i*d+j])
		}
		g[j] = s / m
	}
}

// AddScaledRow sets g += a*row (len(row) >= len(g)).
func AddScaledRow(g []float64, a float64, row []float64) {
	row = row[:len(g)]
	j := 0
	for ; j+4 <= len(g); j += 4 {
		r := row[j : j+4 : j+4]
		h := g[j : j+4 : j+4]
		h[0] += float64(a * r[0])
		h[1] += float64(a * r[1])
		h[2] += float64(a * r[2])
		h[3] += float64(a * r[3])
	}
	for ; j < len(g); j++ {
		g[j] += float64(a * row[j])
	}
}

// UVStep is the gradient step of the uv model (beta = u v) on the coordinates of g: the
// pullback gu = v g, gv = u g (stored), then u -= gamma gu, v -= gamma gv, each coordinate
// from its old u, v. These are the operations of the model's pullback followed by a gradient
// step w -= gamma grad F(w). Vectorised, the first 4*floor(d/4) coordinates go through
// uvUpdate.
func (k Impl) UVStep(u, v, g, gu, gv []float64, gamma float64) {
	d := len(g)
	u, v, gu, gv = u[:d], v[:d], gu[:d], gv[:d]
	i := 0
	if d4 := d &^ 3; k.Vectorised() && d4 > 0 {
		uvUpdate(&u[0], &v[0], &g[0], &gu[0], &gv[0], d4, gamma)
		i = d4
	}
	for ; i < d; i++ {
		gi := g[i]
		gu[i], gv[i] = v[i]*gi, u[i]*gi
		u[i] -= float64(gamma * gu[i])
		v[i] -= float64(gamma * gv[i])
	}
}

// UVBetaSum sets beta = u v coordinatewise and returns sum_i beta_i, added in index order
// from +0. Vectorised, the first 4*floor(d/4) coordinates go through uvBeta.
func (k Impl) UVBetaSum(u, v, beta []float64) float64 {
	d := len(beta)
	u, v = u[:d], v[:d]
	var s float64
	i := 0
	if d4 := d &^ 3; k.Vectorised() && d4 > 0 {
		s = uvBeta(&u[0], &v[0], &beta[0], d4, 0)
		i = d4
	}
	for ; i < d; i++ {
		beta[i] = u[i] * v[i]
		s += beta[i]
	}
	return s
}
