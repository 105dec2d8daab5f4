//go:build goexperiment.simd && amd64

package dynamics

import (
	"simd/archsimd"
	"unsafe"
)

// The batched kernels vectorised with Go's SIMD package (GOEXPERIMENT=simd, amd64 with AVX2;
// without AVX2 at run time they fall back to the portable kernels of batch_kernel.go). A
// vector holds 4 columns, i.e. 4 independent runs, and every vector operation is the scalar
// operation of the portable kernel on each lane, rounded on its own (Mul then Add, never a
// fused multiply-add): each column keeps its single-run order of operations bit for bit.

// batchKernelName names the kernels in use, for benchmarks and logs.
var batchKernelName = map[bool]string{true: "simd-avx2", false: "go"}[useSIMD]

// BatchVectorised reports whether the batched kernels are vectorised: in this build, when the
// CPU has AVX2. Callers batch points (SimulateBatch) when it is true; without it a batch is
// not faster than its single runs (see the pure-Go build's batch_dispatch.go).
func BatchVectorised() bool { return useSIMD }

// useSIMD: the CPU has AVX2 (checked once).
var useSIMD = archsimd.X86.AVX2()

type f64x4 = archsimd.Float64x4

func load4(s []float64) f64x4     { return archsimd.LoadFloat64x4Slice(s) }
func bcast4(x float64) f64x4      { return archsimd.BroadcastFloat64x4(x) }
func madd4(acc, a, b f64x4) f64x4 { return acc.Add(a.Mul(b)) } // rounded twice, not fused

// at4 loads the 4 float64 at byte offset off of p; bat4 broadcasts the float64 there. The
// kernels check their slices' lengths once (checkLen) and then address them by offsets that
// stay inside them, without a bounds check per load.
func at4(p unsafe.Pointer, off uintptr) f64x4 {
	return archsimd.LoadFloat64x4((*[4]float64)(unsafe.Add(p, off)))
}
func put4(v f64x4, p unsafe.Pointer, off uintptr) { v.Store((*[4]float64)(unsafe.Add(p, off))) }
func bat4(p unsafe.Pointer, off uintptr) f64x4    { return bcast4(*(*float64)(unsafe.Add(p, off))) }

// checkLen panics unless every slice has at least the length that follows it (pairs
// (slice, length)): the unsafe offsets of the kernels rely on it.
func checkLen(a []float64, n int) {
	if n < 1 || len(a) < n {
		panic("dynamics: batched kernel called with a short slice")
	}
}

func residualBlock(x, y, beta, r, ss, acc []float64, n, d, s, w int) {
	if !useSIMD || w%4 != 0 || w > s {
		residualBlockGo(x, y, beta, r, ss, acc, n, d, s, w)
		return
	}
	checkLen(x, n*d)
	checkLen(y, n)
	checkLen(beta, d*s)
	checkLen(r, n*s)
	checkLen(ss, w)
	clear(ss[:w])
	px, pb, pr, pss := unsafe.Pointer(&x[0]), unsafe.Pointer(&beta[0]), unsafe.Pointer(&r[0]), unsafe.Pointer(&ss[0])
	row := uintptr(s) * 8 // bytes per row of beta and r
	d4 := d &^ 3
	for i := range n {
		x0 := uintptr(i*d) * 8
		b := uintptr(0)
		for ; b+64 <= uintptr(w)*8; b += 64 { // 8 columns: a cache line of beta per j
			var a0, a1, a2, a3, c0, c1, c2, c3 f64x4
			o, xo := b, uintptr(0)
			for j := 0; j < d4; j += 4 {
				e := bat4(px, x0+xo)
				a0, c0 = madd4(a0, e, at4(pb, o)), madd4(c0, e, at4(pb, o+32))
				e = bat4(px, x0+xo+8)
				a1, c1 = madd4(a1, e, at4(pb, o+row)), madd4(c1, e, at4(pb, o+row+32))
				e = bat4(px, x0+xo+16)
				a2, c2 = madd4(a2, e, at4(pb, o+2*row)), madd4(c2, e, at4(pb, o+2*row+32))
				e = bat4(px, x0+xo+24)
				a3, c3 = madd4(a3, e, at4(pb, o+3*row)), madd4(c3, e, at4(pb, o+3*row+32))
				o += 4 * row
				xo += 32
			}
			sa, sc := a0.Add(a1).Add(a2.Add(a3)), c0.Add(c1).Add(c2.Add(c3))
			for j := d4; j < d; j++ {
				e := bat4(px, x0+xo)
				sa, sc = madd4(sa, e, at4(pb, o)), madd4(sc, e, at4(pb, o+32))
				o += row
				xo += 8
			}
			yi := bcast4(y[i])
			ra, rc := sa.Sub(yi), sc.Sub(yi)
			put4(ra, pr, uintptr(i)*row+b)
			put4(rc, pr, uintptr(i)*row+b+32)
			put4(madd4(at4(pss, b), ra, ra), pss, b)
			put4(madd4(at4(pss, b+32), rc, rc), pss, b+32)
		}
		for ; b < uintptr(w)*8; b += 32 {
			var a0, a1, a2, a3 f64x4
			o, xo := b, uintptr(0)
			for j := 0; j < d4; j += 4 {
				a0 = madd4(a0, bat4(px, x0+xo), at4(pb, o))
				a1 = madd4(a1, bat4(px, x0+xo+8), at4(pb, o+row))
				a2 = madd4(a2, bat4(px, x0+xo+16), at4(pb, o+2*row))
				a3 = madd4(a3, bat4(px, x0+xo+24), at4(pb, o+3*row))
				o += 4 * row
				xo += 32
			}
			sa := a0.Add(a1).Add(a2.Add(a3))
			for j := d4; j < d; j++ {
				sa = madd4(sa, bat4(px, x0+xo), at4(pb, o))
				o += row
				xo += 8
			}
			ra := sa.Sub(bcast4(y[i]))
			put4(ra, pr, uintptr(i)*row+b)
			put4(madd4(at4(pss, b), ra, ra), pss, b)
		}
	}
}

func gradientBlock(xt, r, g []float64, n, d, s, w int) {
	if !useSIMD || w%4 != 0 || w > s {
		gradientBlockGo(xt, r, g, n, d, s, w)
		return
	}
	checkLen(xt, n*d)
	checkLen(r, n*s)
	checkLen(g, d*s)
	px, pr, pg := unsafe.Pointer(&xt[0]), unsafe.Pointer(&r[0]), unsafe.Pointer(&g[0])
	m := bcast4(float64(n))
	row := uintptr(s) * 8  // bytes per row of r and g
	xrow := uintptr(n) * 8 // bytes per row of X^T
	j := 0
	for ; j+4 <= d; j += 4 { // four coordinates share the loads of r
		x0 := uintptr(j) * xrow
		x1, x2, x3 := x0+xrow, x0+2*xrow, x0+3*xrow
		g0 := uintptr(j) * row
		b := uintptr(0)
		for ; b+64 <= uintptr(w)*8; b += 64 {
			var a0, a1, a2, a3, c0, c1, c2, c3 f64x4
			o, xo := b, uintptr(0)
			for range n {
				p, q := at4(pr, o), at4(pr, o+32)
				e := bat4(px, x0+xo)
				a0, c0 = madd4(a0, e, p), madd4(c0, e, q)
				e = bat4(px, x1+xo)
				a1, c1 = madd4(a1, e, p), madd4(c1, e, q)
				e = bat4(px, x2+xo)
				a2, c2 = madd4(a2, e, p), madd4(c2, e, q)
				e = bat4(px, x3+xo)
				a3, c3 = madd4(a3, e, p), madd4(c3, e, q)
				o += row
				xo += 8
			}
			put4(a0.Div(m), pg, g0+b)
			put4(c0.Div(m), pg, g0+b+32)
			put4(a1.Div(m), pg, g0+row+b)
			put4(c1.Div(m), pg, g0+row+b+32)
			put4(a2.Div(m), pg, g0+2*row+b)
			put4(c2.Div(m), pg, g0+2*row+b+32)
			put4(a3.Div(m), pg, g0+3*row+b)
			put4(c3.Div(m), pg, g0+3*row+b+32)
		}
		for ; b < uintptr(w)*8; b += 32 {
			var a0, a1, a2, a3 f64x4
			o, xo := b, uintptr(0)
			for range n {
				p := at4(pr, o)
				a0 = madd4(a0, bat4(px, x0+xo), p)
				a1 = madd4(a1, bat4(px, x1+xo), p)
				a2 = madd4(a2, bat4(px, x2+xo), p)
				a3 = madd4(a3, bat4(px, x3+xo), p)
				o += row
				xo += 8
			}
			put4(a0.Div(m), pg, g0+b)
			put4(a1.Div(m), pg, g0+row+b)
			put4(a2.Div(m), pg, g0+2*row+b)
			put4(a3.Div(m), pg, g0+3*row+b)
		}
	}
	for ; j < d; j++ {
		x0 := uintptr(j) * xrow
		for b := uintptr(0); b < uintptr(w)*8; b += 32 {
			var a f64x4
			o, xo := b, uintptr(0)
			for range n {
				a = madd4(a, bat4(px, x0+xo), at4(pr, o))
				o += row
				xo += 8
			}
			put4(a.Div(m), pg, uintptr(j)*row+b)
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
	lp1, lp2, lp3, lp4 := bcast4(log1pLp1), bcast4(log1pLp2), bcast4(log1pLp3), bcast4(log1pLp4)
	lp5, lp6, lp7 := bcast4(log1pLp5), bcast4(log1pLp6), bcast4(log1pLp7)
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
			R := lp6.Add(z.Mul(lp7))
			R = lp5.Add(z.Mul(R))
			R = lp4.Add(z.Mul(R))
			R = lp3.Add(z.Mul(R))
			R = lp2.Add(z.Mul(R))
			R = z.Mul(lp1.Add(z.Mul(R)))
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
