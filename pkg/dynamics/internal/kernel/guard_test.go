package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Guard tests (as gonum's asm tests): every kernel runs on inputs and outputs that sit in
// buffers with NaN before and after them, and, for the blocks, in the columns w..s-1 past the
// live ones. After the call the NaN guards must be intact (the kernel wrote nothing out of
// bounds) and every output must be a number (it read no guard into a result: the inputs are
// finite and of moderate size, so any NaN comes from a guard). A NaN guard cannot show a write
// of a NaN (a sum that read a guard propagates its NaN, bits included), so every case runs a
// second time with the guards set to a finite sentinel whose bits must survive too. Lengths:
// 0, 1, one less than, equal to and one more than the vector width (4 for a run's kernels; 4
// and the 16-column strip for the blocks), and long ones (more than residJBlock rows of beta).

// guardLen is the number of NaN guards on each side of a buffer: more than one vector of 4, so
// that an access a whole vector past either end lands in a guard.
const guardLen = 8

// guardValues are the two guards: NaN, and a finite sentinel that no kernel computes.
var guardValues = []float64{math.NaN(), -0x1.badc0ffeep+77}

// guarded is a buffer of n values with guardLen guards on each side.
type guarded struct {
	buf   []float64
	n     int
	guard float64
}

// newGuarded returns a buffer of n values drawn by fill between guards of value guard.
func newGuarded(n int, guard float64, fill func() float64) guarded {
	g := guarded{buf: make([]float64, n+2*guardLen), n: n, guard: guard}
	for i := range g.buf {
		g.buf[i] = guard
	}
	for i := range n {
		g.buf[guardLen+i] = fill()
	}
	return g
}

// s is the guarded values, with capacity n (so Go code cannot reach the guards either).
func (g guarded) s() []float64 { return g.buf[guardLen : guardLen+g.n : guardLen+g.n] }

// check fails t if a guard of g no longer has the guard's bits.
func (g guarded) check(t *testing.T, what string) {
	t.Helper()
	for i, v := range g.buf {
		if (i < guardLen || i >= guardLen+g.n) && math.Float64bits(v) != math.Float64bits(g.guard) {
			t.Fatalf("%s: guard %d (of %d values) overwritten with %v", what, i-guardLen, g.n, v)
		}
	}
}

// numbers fails t if one of the values of g at the positions keep reports is NaN.
func (g guarded) numbers(t *testing.T, what string, keep func(i int) bool) {
	t.Helper()
	for i, v := range g.s() {
		if keep(i) && math.IsNaN(v) {
			t.Fatalf("%s[%d] is NaN: a guard was read", what, i)
		}
	}
}

// all keeps every position.
func all(int) bool { return true }

// impls are the implementations to test here: Go, and AVX2 where it runs.
func impls() []Impl {
	if Available() {
		return []Impl{Go, AVX2}
	}
	return []Impl{Go}
}

// runLengths are the vector lengths of a run's kernels: around the width 4, and long.
var runLengths = []int{0, 1, 3, 4, 5, 7, 8, 9, 37, 133}

// TestGuardRunKernels: the kernels of one run (Dot, AddScaledRow, SumSquaredResiduals,
// GradientRows with all rows and with a list, UVStep, UVBetaSum, AccumulateTheory) on guarded
// buffers, for every n and d of runLengths (n >= 1 where a mean over the rows is taken:
// GradientRows of 0 rows is 0/0 = NaN by definition).
func TestGuardRunKernels(t *testing.T) {
	t.Parallel()
	for _, k := range impls() {
		for _, guard := range guardValues {
			t.Run(fmt.Sprintf("%s/guard=%v", k, guard), func(t *testing.T) {
				buf := func(n int, fill func() float64) guarded { return newGuarded(n, guard, fill) }
				rng := rand.New(rand.NewPCG(3, 4))
				norm := func() float64 { return rng.NormFloat64() }
				for _, d := range runLengths {
					a, b := buf(d, norm), buf(d, norm)
					if v := Dot(a.s(), b.s()); math.IsNaN(v) {
						t.Fatalf("Dot d=%d is NaN", d)
					}
					row := buf(d, norm)
					AddScaledRow(a.s(), 0.5, row.s())
					a.numbers(t, fmt.Sprintf("AddScaledRow d=%d", d), all)
					for _, buf := range []guarded{a, b, row} {
						buf.check(t, fmt.Sprintf("Dot/AddScaledRow d=%d", d))
					}

					u, v, g := buf(d, norm), buf(d, norm), buf(d, norm)
					gu, gv, beta := buf(d, norm), buf(d, norm), buf(d, norm)
					k.UVStep(u.s(), v.s(), g.s(), gu.s(), gv.s(), 0.01)
					if s := k.UVBetaSum(u.s(), v.s(), beta.s()); math.IsNaN(s) {
						t.Fatalf("UVBetaSum d=%d is NaN", d)
					}
					for name, buf := range map[string]guarded{"u": u, "v": v, "g": g, "gu": gu, "gv": gv, "beta": beta} {
						what := fmt.Sprintf("UVStep/UVBetaSum d=%d %s", d, name)
						buf.check(t, what)
						buf.numbers(t, what, all)
					}

					// Gradients with |gamma g| < 1/16 (the vector path) and a few beyond it.
					tg := buf(d, func() float64 {
						if rng.IntN(10) == 0 {
							return 0.3 / 0.01
						}
						return rng.NormFloat64() * 0.01 / 0.01
					})
					gain, skew := buf(d, norm), buf(d, norm)
					maxGG := buf(1, func() float64 { return 0 })
					k.AccumulateTheory(tg.s(), gain.s(), skew.s(), 0.01, &maxGG.s()[0])
					for name, buf := range map[string]guarded{"g": tg, "gain": gain, "skew": skew, "maxGG": maxGG} {
						what := fmt.Sprintf("AccumulateTheory d=%d %s", d, name)
						buf.check(t, what)
						buf.numbers(t, what, all)
					}

					for _, n := range runLengths {
						x, y := buf(n*d, norm), buf(n, norm)
						r := buf(n, norm)
						if ss := k.SumSquaredResiduals(x.s(), y.s(), b.s(), r.s()); math.IsNaN(ss) {
							t.Fatalf("SumSquaredResiduals n=%d d=%d is NaN", n, d)
						}
						r.numbers(t, fmt.Sprintf("SumSquaredResiduals n=%d d=%d r", n, d), all)
						grad := buf(d, norm)
						rows := buf(0, norm)
						if n >= 1 {
							k.GradientRows(x.s(), r.s(), nil, grad.s())
							grad.numbers(t, fmt.Sprintf("GradientRows n=%d d=%d", n, d), all)
							rows = buf(d, norm)
							k.GradientRows(x.s(), r.s(), rng.Perm(n)[:(n+1)/2], rows.s())
							rows.numbers(t, fmt.Sprintf("GradientRows (rows) n=%d d=%d", n, d), all)
						}
						for name, buf := range map[string]guarded{"x": x, "y": y, "beta": b, "r": r, "g": grad, "g(rows)": rows} {
							buf.check(t, fmt.Sprintf("SumSquaredResiduals/GradientRows n=%d d=%d %s", n, d, name))
						}
					}
				}
			})
		}
	}
}

// blockWidths are the live columns w of the block kernels: around the vector width 4 and the
// strip width 16, a last strip overlapping the one before (20, 68), and a full block (64).
var blockWidths = []int{0, 1, 3, 4, 5, 8, 15, 16, 17, 20, 64, 68}

// blockDims are the n and d of the block kernels: d around 4, and d > residJBlock.
var blockDims = []int{1, 3, 4, 5, 131}

// TestGuardBlockKernels: the lockstep kernels (ResidualBlock, GradientBlock, GDUpdate,
// HBUpdate, NAGLookahead, NAGUpdate, TheoryBlock) on d x s and n x s blocks with stride
// s = w + 3, the columns w..s-1 and both ends guards, for every w of blockWidths and n, d of
// blockDims (d = 131 with n = 1 and 5 only, to bound the time). Only the live columns
// b < w must be numbers.
func TestGuardBlockKernels(t *testing.T) {
	t.Parallel()
	for _, k := range impls() {
		for _, guard := range guardValues {
			t.Run(fmt.Sprintf("%s/guard=%v", k, guard), func(t *testing.T) {
				buf := func(n int, fill func() float64) guarded { return newGuarded(n, guard, fill) }
				rng := rand.New(rand.NewPCG(5, 6))
				for _, w := range blockWidths {
					s := w + 3
					live := func(i int) bool { return i%s < w }
					// block returns a guarded rows x s block, its live columns from fill.
					block := func(rows int, fill func() float64) guarded {
						g := buf(rows*s, fill)
						for i := range g.s() {
							if !live(i) {
								g.s()[i] = guard
							}
						}
						return g
					}
					// checkBlock checks the guards of b, the dead columns included.
					checkBlock := func(what string, b guarded) {
						t.Helper()
						b.check(t, what)
						for i, v := range b.s() {
							if !live(i) && math.Float64bits(v) != math.Float64bits(guard) {
								t.Fatalf("%s: dead column %d of row %d overwritten with %v", what, i%s, i/s, v)
							}
						}
						b.numbers(t, what, live)
					}
					norm := func() float64 { return rng.NormFloat64() }
					small := func() float64 { return 0.01 * (1 + rng.Float64()) }
					for _, n := range blockDims {
						for _, d := range blockDims {
							if d == 131 && n != 1 && n != 5 {
								continue
							}
							at := fmt.Sprintf("n=%d d=%d w=%d s=%d", n, d, w, s)
							x, y, xt := buf(n*d, norm), buf(n, norm), buf(d*n, norm)
							beta, r, ss, acc := block(d, norm), block(n, norm), block(1, norm), block(4*n, norm)
							k.ResidualBlock(x.s(), y.s(), beta.s(), r.s(), ss.s(), acc.s(), n, d, s, w)
							g := block(d, norm)
							k.GradientBlock(xt.s(), r.s(), g.s(), n, d, s, w)
							for name, b := range map[string]guarded{"beta": beta, "r": r, "ss": ss, "acc": acc, "g": g} {
								checkBlock("ResidualBlock/GradientBlock "+at+" "+name, b)
							}
							for name, b := range map[string]guarded{"x": x, "y": y, "xt": xt} {
								b.check(t, "ResidualBlock/GradientBlock "+at+" "+name)
							}

							u, v, gamma, mu := block(d, norm), block(d, norm), block(1, small), block(1, small)
							pu, pv, yu, yv, ybeta := block(d, norm), block(d, norm), block(d, norm), block(d, norm), block(d, norm)
							betaSum := block(1, norm)
							k.GDUpdate(u.s(), v.s(), g.s(), gamma.s(), beta.s(), betaSum.s(), d, s, w)
							HBUpdate(u.s(), v.s(), pu.s(), pv.s(), g.s(), gamma.s(), mu.s(), beta.s(), betaSum.s(), d, s, w)
							NAGLookahead(u.s(), v.s(), pu.s(), pv.s(), mu.s(), yu.s(), yv.s(), ybeta.s(), d, s, w)
							NAGUpdate(u.s(), v.s(), pu.s(), pv.s(), yu.s(), yv.s(), g.s(), gamma.s(), beta.s(), betaSum.s(), d, s, w)
							gain, skew, maxGG := block(d, norm), block(d, norm), block(1, small)
							k.TheoryBlock(g.s(), gamma.s(), gain.s(), skew.s(), maxGG.s(), d, s, w)
							for name, b := range map[string]guarded{"u": u, "v": v, "g": g, "gamma": gamma, "mu": mu, "pu": pu, "pv": pv,
								"yu": yu, "yv": yv, "ybeta": ybeta, "beta": beta, "betaSum": betaSum, "gain": gain, "skew": skew, "maxGG": maxGG} {
								checkBlock("updates/TheoryBlock "+at+" "+name, b)
							}
						}
					}
				}
			})
		}
	}
}
