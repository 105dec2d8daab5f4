//go:build goexperiment.simd && amd64

package dynamics

import "simd/archsimd"

// The batched kernels vectorised with Go's SIMD package (GOEXPERIMENT=simd, amd64 with AVX2;
// without AVX2 at run time they fall back to the portable kernels of batch_kernel.go). A
// vector holds 4 columns, i.e. 4 independent runs, and every vector operation is the scalar
// operation of the portable kernel on each lane, rounded on its own (Mul then Add, never a
// fused multiply-add): each column keeps its single-run order of operations bit for bit.

// batchKernelName names the kernels in use, for benchmarks and logs.
var batchKernelName = map[bool]string{true: "simd-avx2", false: "go"}[useSIMD]

// useSIMD: the CPU has AVX2 (checked once).
var useSIMD = archsimd.X86.AVX2()

type f64x4 = archsimd.Float64x4

func load4(s []float64) f64x4     { return archsimd.LoadFloat64x4Slice(s) }
func bcast4(x float64) f64x4      { return archsimd.BroadcastFloat64x4(x) }
func madd4(acc, a, b f64x4) f64x4 { return acc.Add(a.Mul(b)) } // rounded twice, not fused

func residualBlock(x, y, beta, r, ss []float64, n, d, s, w int) {
	if !useSIMD {
		residualBlockGo(x, y, beta, r, ss, n, d, s, w)
		return
	}
	clear(ss[:w])
	d4 := d &^ 3
	i := 0
	for ; i+2 <= n; i += 2 { // two rows share the loads of beta
		x0, x1 := x[i*d:(i+1)*d], x[(i+1)*d:(i+2)*d]
		for b := 0; b < w; b += 4 {
			var a0, a1, a2, a3, c0, c1, c2, c3 f64x4
			for j := 0; j < d4; j += 4 {
				p := load4(beta[j*s+b:])
				a0, c0 = madd4(a0, bcast4(x0[j]), p), madd4(c0, bcast4(x1[j]), p)
				p = load4(beta[(j+1)*s+b:])
				a1, c1 = madd4(a1, bcast4(x0[j+1]), p), madd4(c1, bcast4(x1[j+1]), p)
				p = load4(beta[(j+2)*s+b:])
				a2, c2 = madd4(a2, bcast4(x0[j+2]), p), madd4(c2, bcast4(x1[j+2]), p)
				p = load4(beta[(j+3)*s+b:])
				a3, c3 = madd4(a3, bcast4(x0[j+3]), p), madd4(c3, bcast4(x1[j+3]), p)
			}
			sa, sc := a0.Add(a1).Add(a2.Add(a3)), c0.Add(c1).Add(c2.Add(c3))
			for j := d4; j < d; j++ {
				p := load4(beta[j*s+b:])
				sa, sc = madd4(sa, bcast4(x0[j]), p), madd4(sc, bcast4(x1[j]), p)
			}
			ra, rc := sa.Sub(bcast4(y[i])), sc.Sub(bcast4(y[i+1]))
			ra.StoreSlice(r[i*s+b:])
			rc.StoreSlice(r[(i+1)*s+b:])
			madd4(madd4(load4(ss[b:]), ra, ra), rc, rc).StoreSlice(ss[b:])
		}
	}
	for ; i < n; i++ {
		x0 := x[i*d : (i+1)*d]
		for b := 0; b < w; b += 4 {
			var a0, a1, a2, a3 f64x4
			for j := 0; j < d4; j += 4 {
				a0 = madd4(a0, bcast4(x0[j]), load4(beta[j*s+b:]))
				a1 = madd4(a1, bcast4(x0[j+1]), load4(beta[(j+1)*s+b:]))
				a2 = madd4(a2, bcast4(x0[j+2]), load4(beta[(j+2)*s+b:]))
				a3 = madd4(a3, bcast4(x0[j+3]), load4(beta[(j+3)*s+b:]))
			}
			sa := a0.Add(a1).Add(a2.Add(a3))
			for j := d4; j < d; j++ {
				sa = madd4(sa, bcast4(x0[j]), load4(beta[j*s+b:]))
			}
			ra := sa.Sub(bcast4(y[i]))
			ra.StoreSlice(r[i*s+b:])
			madd4(load4(ss[b:]), ra, ra).StoreSlice(ss[b:])
		}
	}
}

func gradientBlock(xt, r, g []float64, n, d, s, w int) {
	if !useSIMD {
		gradientBlockGo(xt, r, g, n, d, s, w)
		return
	}
	m := bcast4(float64(n))
	j := 0
	for ; j+4 <= d; j += 4 { // four coordinates share the loads of r
		x0, x1, x2, x3 := xt[j*n:(j+1)*n], xt[(j+1)*n:(j+2)*n], xt[(j+2)*n:(j+3)*n], xt[(j+3)*n:(j+4)*n]
		b := 0
		for ; b+8 <= w; b += 8 {
			var a0, a1, a2, a3, c0, c1, c2, c3 f64x4
			for i := range n {
				p, q := load4(r[i*s+b:]), load4(r[i*s+b+4:])
				e := bcast4(x0[i])
				a0, c0 = madd4(a0, e, p), madd4(c0, e, q)
				e = bcast4(x1[i])
				a1, c1 = madd4(a1, e, p), madd4(c1, e, q)
				e = bcast4(x2[i])
				a2, c2 = madd4(a2, e, p), madd4(c2, e, q)
				e = bcast4(x3[i])
				a3, c3 = madd4(a3, e, p), madd4(c3, e, q)
			}
			a0.Div(m).StoreSlice(g[j*s+b:])
			c0.Div(m).StoreSlice(g[j*s+b+4:])
			a1.Div(m).StoreSlice(g[(j+1)*s+b:])
			c1.Div(m).StoreSlice(g[(j+1)*s+b+4:])
			a2.Div(m).StoreSlice(g[(j+2)*s+b:])
			c2.Div(m).StoreSlice(g[(j+2)*s+b+4:])
			a3.Div(m).StoreSlice(g[(j+3)*s+b:])
			c3.Div(m).StoreSlice(g[(j+3)*s+b+4:])
		}
		for ; b < w; b += 4 {
			var a0, a1, a2, a3 f64x4
			for i := range n {
				p := load4(r[i*s+b:])
				a0 = madd4(a0, bcast4(x0[i]), p)
				a1 = madd4(a1, bcast4(x1[i]), p)
				a2 = madd4(a2, bcast4(x2[i]), p)
				a3 = madd4(a3, bcast4(x3[i]), p)
			}
			a0.Div(m).StoreSlice(g[j*s+b:])
			a1.Div(m).StoreSlice(g[(j+1)*s+b:])
			a2.Div(m).StoreSlice(g[(j+2)*s+b:])
			a3.Div(m).StoreSlice(g[(j+3)*s+b:])
		}
	}
	for ; j < d; j++ {
		xj := xt[j*n : (j+1)*n]
		for b := 0; b < w; b += 4 {
			var a f64x4
			for i := range n {
				a = madd4(a, bcast4(xj[i]), load4(r[i*s+b:]))
			}
			a.Div(m).StoreSlice(g[j*s+b:])
		}
	}
}

func gdUpdate(u, v, g, gamma, beta, betaSum []float64, d, s, w int) {
	if !useSIMD {
		gdUpdateGo(u, v, g, gamma, beta, betaSum, d, s, w)
		return
	}
	for j := range d {
		row := j * s
		for b := 0; b < w; b += 4 {
			k := row + b
			ui, vi, gi, gm := load4(u[k:]), load4(v[k:]), load4(g[k:]), load4(gamma[b:])
			nu := ui.Sub(gm.Mul(vi.Mul(gi)))
			nv := vi.Sub(gm.Mul(ui.Mul(gi)))
			nu.StoreSlice(u[k:])
			nv.StoreSlice(v[k:])
			be := nu.Mul(nv)
			be.StoreSlice(beta[k:])
			load4(betaSum[b:]).Add(be).StoreSlice(betaSum[b:])
		}
	}
}

func hbUpdate(u, v, pu, pv, g, gamma, mu, beta, betaSum []float64, d, s, w int) {
	hbUpdateGo(u, v, pu, pv, g, gamma, mu, beta, betaSum, d, s, w)
}

func nagLookahead(u, v, pu, pv, mu, yu, yv, ybeta []float64, d, s, w int) {
	nagLookaheadGo(u, v, pu, pv, mu, yu, yv, ybeta, d, s, w)
}

func nagUpdate(u, v, pu, pv, yu, yv, g, gamma, beta, betaSum []float64, d, s, w int) {
	nagUpdateGo(u, v, pu, pv, yu, yv, g, gamma, beta, betaSum, d, s, w)
}

// Constants of math.log1p (fdlibm s_log1p.c) for its branch 0 <= -x < Sqrt(2)-1 with
// x > Sqrt(2)/2 - 1 (k = 0), the only one GainQ(x) takes for |x| < 1/2.
const (
	log1pSmall = 1.0 / (1 << 29)
	log1pTiny  = 1.0 / (1 << 54)
	log1pLp1   = 6.666666666666735130e-01
	log1pLp2   = 3.999999999940941908e-01
	log1pLp3   = 2.857142874366239149e-01
	log1pLp4   = 2.222219843214978396e-01
	log1pLp5   = 1.818357216161805012e-01
	log1pLp6   = 1.531383769920937332e-01
	log1pLp7   = 1.479819860511658591e-01
)

// theoryBlock is theoryBlockGo with GainQ and skewSmall evaluated on 4 lanes when every lane
// has |x| < 1/16 (the common case of a converging run): GainQ(x) = -log1p(-x^2) with the
// operations of math.log1p's branches |x^2| < 2^-54, < 2^-29 and k = 0, selected per lane.
// A vector with a lane outside (or NaN) takes the scalar code for its 4 lanes.
func theoryBlock(g, gamma, gain, skew, maxGG []float64, d, s, w int) {
	if !useSIMD {
		theoryBlockGo(g, gamma, gain, skew, maxGG, d, s, w)
		return
	}
	absMask := archsimd.BroadcastUint64x4(1<<63 - 1)
	sign := archsimd.BroadcastUint64x4(1 << 63)
	small, tiny, lim := bcast4(log1pSmall), bcast4(log1pTiny), bcast4(1.0/16)
	half, two := bcast4(0.5), bcast4(2)
	var c [8]f64x4
	for k := range c {
		c[k] = bcast4(skewCoef[k])
	}
	for j := range d {
		row := j * s
		for b := 0; b < w; b += 4 {
			k := row + b
			x := load4(gamma[b:]).Mul(load4(g[k:]))
			a := x.AsUint64x4().And(absMask).AsFloat64x4()
			if a.Less(lim).ToBits() != 0xf {
				theoryBlockGo(g[k:k+4], gamma[b:b+4], gain[k:k+4], skew[k:k+4], maxGG[b:b+4], 1, 4, 4)
				continue
			}
			// gain: q = -log1p(f), f = -x^2 = (-x) x.
			t := x.Mul(x)
			f := t.AsUint64x4().Xor(sign).AsFloat64x4()
			hfsq := half.Mul(f).Mul(f)
			sv := f.Div(two.Add(f))
			z := sv.Mul(sv)
			R := bcast4(log1pLp6).Add(z.Mul(bcast4(log1pLp7)))
			R = bcast4(log1pLp5).Add(z.Mul(R))
			R = bcast4(log1pLp4).Add(z.Mul(R))
			R = bcast4(log1pLp3).Add(z.Mul(R))
			R = bcast4(log1pLp2).Add(z.Mul(R))
			R = z.Mul(bcast4(log1pLp1).Add(z.Mul(R)))
			l := f.Sub(hfsq.Sub(sv.Mul(hfsq.Add(R))))
			l = f.Sub(f.Mul(f).Mul(half)).Merge(l, t.Less(small))
			l = f.Merge(l, t.Less(tiny))
			q := l.AsUint64x4().Xor(sign).AsFloat64x4()
			load4(gain[k:]).Add(q).StoreSlice(gain[k:])
			// skew: skewSmall(x), Estrin's scheme as there.
			t2 := t.Mul(t)
			t4 := t2.Mul(t2)
			p01 := c[0].Add(c[1].Mul(t))
			p23 := c[2].Add(c[3].Mul(t))
			p45 := c[4].Add(c[5].Mul(t))
			p67 := c[6].Add(c[7].Mul(t))
			p := p01.Add(t2.Mul(p23)).Add(t4.Mul(p45.Add(t2.Mul(p67))))
			sk := two.Mul(x).Mul(t).Mul(p)
			load4(skew[k:]).Add(sk).StoreSlice(skew[k:])
			mg := load4(maxGG[b:])
			a.Merge(mg, a.Greater(mg)).StoreSlice(maxGG[b:])
		}
	}
}
