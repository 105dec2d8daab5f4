package kernel

// The pure-Go kernels of package dynamics' lockstep loop (lockstep.go) on d x S and n x S blocks
// laid out as its block (entry (j, b) at j*S + b), over the first w columns (the columns
// w..S-1 are neither read nor written). Each column performs exactly the floating-point
// operations of the single-run kernels (kernel.go, and dynamics' run.go, model_uv.go and
// optimisers), in the same order and each rounded on its own, so that a lockstep run equals its
// single run bit for bit:
//
//   - residualBlockGo: r_ib = Dot(x_i, beta_b) - y_i with Dot's four partial sums over
//     j mod 4, ((s0 + s1) + (s2 + s3)) and the remainder in index order; ss_b = sum_i r_ib^2
//     in row order.
//   - gradientBlockGo: g_jb = (sum_i x_ij r_ib, rows in index order, from +0) / n, as
//     GradientRows with all rows.
//   - the updates: gd, hb, nag of dynamics' optimizer.go, optimizer_hb.go, optimizer_nag.go
//     with the pullback of its uvModel; theoryBlockGo: Gain += q(gamma g) (GainQ) and the
//     accumulators of AccumulateTheory.
//
// On amd64 with AVX2 the assembly kernels (lockstep_asm_amd64.go, called from lockstep_dispatch.go)
// do the residual, the gradient and the gd update with the same operations vectorised across
// 4 columns; vector lanes are independent columns, so they keep every column's order too.

// residualBlockGo sets r = X beta - y for the columns of beta and ss_b = ||r_b||^2. acc
// (4*s entries) holds the four partial sums of the w columns of one row at a time, so that
// the loops run along the rows of beta (contiguous) instead of down its columns.
func residualBlockGo(x, y, beta, r, ss, acc []float64, n, d, s, w int) {
	clear(ss[:w])
	a0, a1, a2, a3 := acc[:w], acc[s:s+w], acc[2*s:2*s+w], acc[3*s:3*s+w]
	for i := range n {
		xi := x[i*d : (i+1)*d]
		clear(a0)
		clear(a1)
		clear(a2)
		clear(a3)
		j := 0
		for ; j+4 <= d; j += 4 {
			x0, x1, x2, x3 := xi[j], xi[j+1], xi[j+2], xi[j+3]
			r0, r1 := beta[j*s:j*s+w], beta[(j+1)*s:(j+1)*s+w]
			r2, r3 := beta[(j+2)*s:(j+2)*s+w], beta[(j+3)*s:(j+3)*s+w]
			for b := range a0 {
				a0[b] += float64(x0 * r0[b])
				a1[b] += float64(x1 * r1[b])
				a2[b] += float64(x2 * r2[b])
				a3[b] += float64(x3 * r3[b])
			}
		}
		for b := range a0 {
			a0[b] = (a0[b] + a1[b]) + (a2[b] + a3[b])
		}
		for ; j < d; j++ {
			xj, rj := xi[j], beta[j*s:j*s+w]
			for b := range a0 {
				a0[b] += float64(xj * rj[b])
			}
		}
		ri, yi := r[i*s:i*s+w], y[i]
		for b, sb := range a0 {
			v := sb - yi
			ri[b] = v
			ss[b] += float64(v * v)
		}
	}
}

// gradientBlockGo sets g_jb = (sum_i x_ij r_ib)/n from xt = X^T (d x n).
func gradientBlockGo(xt, r, g []float64, n, d, s, w int) {
	m := float64(n)
	for j := range d {
		xj := xt[j*n : (j+1)*n]
		gj := g[j*s : j*s+w]
		b := 0
		for ; b+4 <= w; b += 4 { // four columns share the loads of column j of X
			var a0, a1, a2, a3 float64
			for i, xij := range xj {
				ri := r[i*s+b : i*s+b+4 : i*s+b+4]
				a0 += float64(xij * ri[0])
				a1 += float64(xij * ri[1])
				a2 += float64(xij * ri[2])
				a3 += float64(xij * ri[3])
			}
			gj[b], gj[b+1], gj[b+2], gj[b+3] = a0/m, a1/m, a2/m, a3/m
		}
		for ; b < w; b++ {
			var a float64
			for i, xij := range xj {
				a += float64(xij * r[i*s+b])
			}
			gj[b] = a / m
		}
	}
}

// gdUpdateGo takes the gd step u <- u - gamma (v (.) g), v <- v - gamma (u (.) g) (both from
// the old u, v) and sets beta = u (.) v and betaSum_b += sum_j beta_jb in index order.
func gdUpdateGo(u, v, g, gamma, beta, betaSum []float64, d, s, w int) {
	for j := range d {
		row := j * s
		uj, vj, gj, bj := u[row:row+w], v[row:row+w], g[row:row+w], beta[row:row+w]
		for b, gi := range gj {
			ui, vi, gm := uj[b], vj[b], gamma[b]
			nu := ui - float64(gm*float64(vi*gi))
			nv := vi - float64(gm*float64(ui*gi))
			uj[b], vj[b] = nu, nv
			be := float64(nu * nv)
			bj[b] = be
			betaSum[b] += be
		}
	}
}

// HBUpdate takes the heavy-ball step w <- (w - gamma grad F(w)) + mu (w - w_prev), sets
// w_prev to the old w, and beta and betaSum as GDUpdate. It has no assembly (elementwise, a
// small share of a step).
func HBUpdate(u, v, pu, pv, g, gamma, mu, beta, betaSum []float64, d, s, w int) {
	for j := range d {
		row := j * s
		uj, vj, gj, bj := u[row:row+w], v[row:row+w], g[row:row+w], beta[row:row+w]
		puj, pvj := pu[row:row+w], pv[row:row+w]
		for b, gi := range gj {
			ui, vi, gm, m := uj[b], vj[b], gamma[b], mu[b]
			nu := (ui - float64(gm*float64(vi*gi))) + float64(m*(ui-puj[b]))
			nv := (vi - float64(gm*float64(ui*gi))) + float64(m*(vi-pvj[b]))
			puj[b], pvj[b] = ui, vi
			uj[b], vj[b] = nu, nv
			be := float64(nu * nv)
			bj[b] = be
			betaSum[b] += be
		}
	}
}

// NAGLookahead sets the Nesterov lookahead y = w + mu (w - w_prev) and ybeta = beta(y).
func NAGLookahead(u, v, pu, pv, mu, yu, yv, ybeta []float64, d, s, w int) {
	for j := range d {
		row := j * s
		for b := range w {
			k := row + b
			a := u[k] + float64(mu[b]*(u[k]-pu[k]))
			c := v[k] + float64(mu[b]*(v[k]-pv[k]))
			yu[k], yv[k] = a, c
			ybeta[k] = float64(a * c)
		}
	}
}

// NAGUpdate takes the Nesterov step w <- y - gamma grad F(y) with g = grad L(beta(y)), sets
// w_prev to the old w, and beta and betaSum as GDUpdate. It has no assembly (elementwise, a
// small share of a step).
func NAGUpdate(u, v, pu, pv, yu, yv, g, gamma, beta, betaSum []float64, d, s, w int) {
	for j := range d {
		row := j * s
		for b := range w {
			k := row + b
			gi, gm := g[k], gamma[b]
			a, c := yu[k], yv[k]
			pu[k], pv[k] = u[k], v[k]
			nu := a - float64(gm*float64(c*gi))
			nv := c - float64(gm*float64(a*gi))
			u[k], v[k] = nu, nv
			be := float64(nu * nv)
			beta[k] = be
			betaSum[b] += be
		}
	}
}

// theoryBlockGo adds x = gamma g of the step to the gain, Gain += GainQ(x), and to the
// theory accumulators of AccumulateTheory: Skew += GainSkew(x) (skewSmall below 1/16),
// maxGG = max(maxGG, |x|) (a NaN leaves it unchanged).
func theoryBlockGo(g, gamma, gain, skew, maxGG []float64, d, s, w int) {
	for j := range d {
		row := j * s
		for b := range w {
			k := row + b
			if a := addGainTheory(float64(gamma[b]*g[k]), &gain[k], &skew[k]); a > maxGG[b] {
				maxGG[b] = a
			}
		}
	}
}
