package kernel

import "math"

// The per-step gain and skew terms of Even2023 (docs/science.md section 4; package dynamics
// documents their meaning at GainQ, GainSkew and ImplicitBiasInit) and their accumulation over
// the coordinates of one run (AccumulateTheory) or of a block of runs (TheoryBlock). The
// vector kernel of theory_lanes_amd64.s computes the case |x| < 1/16 with the operations of
// GainQ's log1p branch and skewSmall.

// GainQ returns q(x) = -ln|1 - x^2|: log1p(-x^2) for |x| < 1/2, ln|(1-x)(1+x)| otherwise.
func GainQ(x float64) float64 {
	if math.Abs(x) < 0.5 {
		return -math.Log1p(-x * x)
	}
	return -math.Log(math.Abs((1 - x) * (1 + x)))
}

// GainSkew returns s(x) = ln|1 + x| - ln|1 - x| - 2x, computed on |x| (so exactly odd): the
// series 2 sum_{k>=0} x^(2k+3)/(2k+3) to x^17 for |x| < 1/16 (skewSmall) and to x^31 for
// |x| < 1/4, then log1p(|x|) - log1p(-|x|) - 2|x| for |x| < 1, +Inf at |x| = 1 and
// log1p(2/(|x|-1)) - 2|x| beyond.
func GainSkew(x float64) float64 {
	a := math.Abs(x)
	var s float64
	switch {
	case a < 1.0/16:
		return skewSmall(x)
	case a < 0.25:
		s = skewSeries(a, len(skewCoef))
	case a < 1:
		s = math.Log1p(a) - math.Log1p(-a) - 2*a
	case a == 1:
		s = math.Inf(1)
	default:
		s = math.Log1p(2/(a-1)) - 2*a
	}
	if x < 0 {
		return -s
	}
	return s
}

// skewCoef are the coefficients 1/(2k+3) of the series of GainSkew.
var skewCoef = [...]float64{1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
	1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27, 1.0 / 29, 1.0 / 31}

// skewSmall is GainSkew for |x| < 1/16: 2 x^3 sum_{k<8} x^(2k)/(2k+3), the polynomial in
// t = x^2 evaluated by Estrin's scheme (a short dependency chain: this runs once per
// coordinate and step). It is odd in x.
func skewSmall(x float64) float64 {
	t := float64(x * x)
	t2 := float64(t * t)
	t4 := float64(t2 * t2)
	p01 := skewCoef[0] + float64(skewCoef[1]*t)
	p23 := skewCoef[2] + float64(skewCoef[3]*t)
	p45 := skewCoef[4] + float64(skewCoef[5]*t)
	p67 := skewCoef[6] + float64(skewCoef[7]*t)
	p := (p01 + float64(t2*p23)) + float64(t4*(p45+float64(t2*p67)))
	return float64(float64(2*x)*t) * p
}

// skewSeries returns 2 a^3 sum_{k<terms} a^(2k)/(2k+3) by Horner's rule.
func skewSeries(a float64, terms int) float64 {
	t := float64(a * a)
	p := skewCoef[terms-1]
	for k := terms - 2; k >= 0; k-- {
		p = skewCoef[k] + float64(t*p)
	}
	return float64(float64(2*a)*t) * p
}

// addGainTheory adds one step's terms of x = gamma g_i to a coordinate's accumulators,
// *gain += GainQ(x) and *skew += GainSkew(x) (skewSmall, its case |x| < 1/16, called
// directly), and returns |x| for the running maximum. Single runs (accumulateTheoryGo) and
// lockstep blocks (theoryBlockGo) share it.
func addGainTheory(x float64, gain, skew *float64) float64 {
	*gain += GainQ(x)
	a := math.Abs(x)
	if a < 1.0/16 {
		*skew += skewSmall(x)
	} else {
		*skew += GainSkew(x)
	}
	return a
}

// AccumulateTheory adds the per-step terms of x = gamma g (g the gradient the step used) to the
// accumulators of one run: gain_i += GainQ(x_i), skew_i += GainSkew(x_i) and *maxGG =
// max(*maxGG, |x_i|), coordinates in index order. A NaN x_i leaves *maxGG unchanged (the run
// diverges anyway). Vectorised, theoryRun does groups of four coordinates whose |x_i| < 1/16
// (the common case) with the same operations; the others run in Go.
func (k Impl) AccumulateTheory(g, gain, skew []float64, gamma float64, maxGG *float64) {
	d := len(g)
	gain, skew = gain[:d], skew[:d]
	i := 0
	if k.Vectorised() {
		d4 := d &^ 3
		for i < d4 {
			i += theoryRun(&g[i], &gain[i], &skew[i], d4-i, gamma, maxGG, &theoryK)
			if i < d4 {
				accumulateTheoryGo(g[i:i+4], gain[i:i+4], skew[i:i+4], gamma, maxGG)
				i += 4
			}
		}
	}
	accumulateTheoryGo(g[i:], gain[i:], skew[i:], gamma, maxGG)
}

// accumulateTheoryGo is AccumulateTheory in Go.
func accumulateTheoryGo(g, gain, skew []float64, gamma float64, maxGG *float64) {
	m := *maxGG
	for i, gi := range g {
		if a := addGainTheory(float64(gamma*gi), &gain[i], &skew[i]); a > m {
			m = a
		}
	}
	*maxGG = m
}

// TheoryBlock is AccumulateTheory for the columns b < w of the d x s lockstep block g, each
// column with its stepsize gamma_b and running maximum maxGG_b (theoryBlockGo). Vectorised,
// the groups of four columns with |gamma_b g_jb| < 1/16 go through theoryLanes (same bits).
func (k Impl) TheoryBlock(g, gamma, gain, skew, maxGG []float64, d, s, w int) {
	if k.Vectorised() {
		theoryBlockLanes(g, gamma, gain, skew, maxGG, d, s, w)
		return
	}
	theoryBlockGo(g, gamma, gain, skew, maxGG, d, s, w)
}
