package kernel

import "math"

// theoryKLen is the number of constant vectors of theoryK.
const theoryKLen = 22

// theoryK holds the constants of theoryRun (theory_lanes_amd64.s), each repeated in 4 lanes,
// at the offsets named there: the sign masks, the branch limits of math.log1p (fdlibm
// s_log1p.c: 2^-29, 2^-54), 1/16, 0.5, 2, log1p's Lp1..Lp7 and skewCoef[0..7].
var theoryK = func() (k [theoryKLen][4]uint64) {
	vals := []uint64{1<<63 - 1, 1 << 63}
	for _, f := range []float64{
		1.0 / (1 << 29), 1.0 / (1 << 54), 1.0 / 16, 0.5, 2,
		6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
		2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
		1.479819860511658591e-01,
	} {
		vals = append(vals, math.Float64bits(f))
	}
	for _, c := range skewCoef[:8] {
		vals = append(vals, math.Float64bits(c))
	}
	if len(vals) != theoryKLen {
		panic("kernel: theoryK has the wrong length")
	}
	for i, v := range vals {
		k[i] = [4]uint64{v, v, v, v}
	}
	return k
}()

// theoryRun is theoryVec for one run: the stepsize gamma for every lane, and the running
// maximum *maxp (the lanes' maximum is exact whatever the order).
func theoryRun(grad, gain, skew *float64, n int, gamma float64, maxp *float64, k *[theoryKLen][4]uint64) int {
	gv := [4]float64{gamma, gamma, gamma, gamma}
	m := *maxp
	mv := [4]float64{m, m, m, m}
	done := theoryVec(grad, &gv[0], gain, skew, &mv[0], n, 0, 0, k)
	*maxp = max(mv[0], mv[1], mv[2], mv[3])
	return done
}

// theoryLanes is theoryVec for the columns of a lockstep block: a stepsize and a running
// maximum per lane.
func theoryLanes(grad, gamma, gain, skew, maxv *float64, n int, k *[theoryKLen][4]uint64) int {
	return theoryVec(grad, gamma, gain, skew, maxv, n, 32, 32, k)
}

// theoryBlockLanes is theoryBlockGo (lockstep_kernel.go) with the groups of four columns whose
// |gamma_b g_jb| < 1/16 done by theoryLanes (AVX2): the same bits. It needs Available.
func theoryBlockLanes(g, gamma, gain, skew, maxGG []float64, d, s, w int) {
	w4 := w &^ 3
	for j := range d {
		row := j * s
		b := 0
		for b < w4 {
			k := row + b
			b += theoryLanes(&g[k], &gamma[b], &gain[k], &skew[k], &maxGG[b], w4-b, &theoryK)
			if b < w4 {
				k = row + b
				theoryBlockGo(g[k:k+4], gamma[b:b+4], gain[k:k+4], skew[k:k+4], maxGG[b:b+4], 1, 4, 4)
				b += 4
			}
		}
		if b < w {
			k := row + b
			theoryBlockGo(g[k:row+w], gamma[b:w], gain[k:row+w], skew[k:row+w], maxGG[b:w], 1, w-b, w-b)
		}
	}
}
