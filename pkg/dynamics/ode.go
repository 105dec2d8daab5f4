package dynamics

import "math"

// FlowTolerance is the default local error tolerance of the flow optimiser (relative and
// absolute, per coordinate; see flow). Tightening it 100-fold changes beta after a horizon
// of 20 time units by about 4e-12 (TestFlow).
const FlowTolerance = 1e-12

// flowMaxSubsteps bounds the Runge-Kutta steps (accepted or rejected) of one recorded
// interval; past it (or when the step size underflows) the run is declared diverged by
// setting w to NaN.
const flowMaxSubsteps = 1 << 20

// Dormand-Prince 5(4) coefficients (Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving
// ODEs I, table 5.2). The 5th-order weights are the last row of a (FSAL); e = b5 - b4.
const (
	dpA21 = 1.0 / 5
	dpA31 = 3.0 / 40
	dpA32 = 9.0 / 40
	dpA41 = 44.0 / 45
	dpA42 = -56.0 / 15
	dpA43 = 32.0 / 9
	dpA51 = 19372.0 / 6561
	dpA52 = -25360.0 / 2187
	dpA53 = 64448.0 / 6561
	dpA54 = -212.0 / 729
	dpA61 = 9017.0 / 3168
	dpA62 = -355.0 / 33
	dpA63 = 46732.0 / 5247
	dpA64 = 49.0 / 176
	dpA65 = -5103.0 / 18656
	dpB1  = 35.0 / 384
	dpB3  = 500.0 / 1113
	dpB4  = 125.0 / 192
	dpB5  = -2187.0 / 6784
	dpB6  = 11.0 / 84
	dpE1  = 71.0 / 57600
	dpE3  = -71.0 / 16695
	dpE4  = 71.0 / 1920
	dpE5  = -17253.0 / 339200
	dpE6  = 22.0 / 525
	dpE7  = -1.0 / 40
)

// dopri integrates an autonomous ODE dw/dt = f(w) accurately by the adaptive Dormand-Prince
// 5(4) Runge-Kutta pair with local extrapolation and FSAL: the integrator of the flow and
// hb_flow optimisers. Each call of advance integrates over one recorded interval.
//
// Error control (Hairer-Norsett-Wanner II.4): a substep of size h is accepted when
// sqrt(mean_i (err_i / (tol + tol max(|w_i|, |w_i'|)))^2) <= 1, err the difference of the
// embedded 5th- and 4th-order solutions; the next h is h min(5, max(0.2, 0.9 err^(-1/5))).
// The substep is clipped to end exactly on the recording grid; the unclipped size carries
// over to the next interval.
type dopri struct {
	tol     float64
	f       func(y, out []float64) // the right-hand side, out = f(y); must not allocate
	h       float64                // next substep size
	haveK1  bool                   // k[0] holds f(w) (first same as last)
	k       [7][]float64
	ytmp    []float64
	ynew    []float64
	substep int // substeps taken (accepted and rejected), for tests
}

// newDopri allocates the integrator of f for p unknowns at tolerance tol.
func newDopri(p int, tol float64, f func(y, out []float64)) dopri {
	o := dopri{tol: tol, f: f, ytmp: make([]float64, p), ynew: make([]float64, p)}
	for i := range o.k {
		o.k[i] = make([]float64, p)
	}
	return o
}

// combine sets ytmp = w + h sum_j a_j k_j over the given stages.
func (o *dopri) combine(w []float64, h float64, a []float64) {
	y := o.ytmp[:len(w)]
	for i, wi := range w {
		var s float64
		for j, aj := range a {
			if aj != 0 {
				s += float64(aj * o.k[j][i])
			}
		}
		y[i] = wi + float64(h*s)
	}
}

// advance integrates w over a time T in place. When the substeps exceed flowMaxSubsteps or
// the step size underflows, w is set to NaN (the run diverged).
func (o *dopri) advance(w []float64, T float64) {
	if !o.haveK1 {
		o.f(w, o.k[0])
		o.haveK1 = true
	}
	if o.h <= 0 || isNonFinite(o.h) {
		o.h = T
	}
	var a [6]float64
	t := 0.0
	for tries := 0; t < T; tries++ {
		if tries >= flowMaxSubsteps || o.h < 1e-14*T {
			for i := range w {
				w[i] = math.NaN()
			}
			o.haveK1 = false
			return
		}
		o.substep++
		h := o.h
		last := false
		if t+h >= T {
			h, last = T-t, true
		}
		a = [6]float64{dpA21}
		o.combine(w, h, a[:1])
		o.f(o.ytmp, o.k[1])
		a = [6]float64{dpA31, dpA32}
		o.combine(w, h, a[:2])
		o.f(o.ytmp, o.k[2])
		a = [6]float64{dpA41, dpA42, dpA43}
		o.combine(w, h, a[:3])
		o.f(o.ytmp, o.k[3])
		a = [6]float64{dpA51, dpA52, dpA53, dpA54}
		o.combine(w, h, a[:4])
		o.f(o.ytmp, o.k[4])
		a = [6]float64{dpA61, dpA62, dpA63, dpA64, dpA65}
		o.combine(w, h, a[:5])
		o.f(o.ytmp, o.k[5])
		a = [6]float64{dpB1, 0, dpB3, dpB4, dpB5, dpB6}
		o.combine(w, h, a[:6])
		copy(o.ynew, o.ytmp)
		o.f(o.ynew, o.k[6])
		var errSum float64
		for i, wi := range w {
			e := float64(dpE1*o.k[0][i]) + float64(dpE3*o.k[2][i]) + float64(dpE4*o.k[3][i]) +
				float64(dpE5*o.k[4][i]) + float64(dpE6*o.k[5][i]) + float64(dpE7*o.k[6][i])
			sc := o.tol + float64(o.tol*math.Max(math.Abs(wi), math.Abs(o.ynew[i])))
			q := float64(h*e) / sc
			errSum += float64(q * q)
		}
		errNorm := math.Sqrt(errSum / float64(len(w)))
		if isNonFinite(errNorm) {
			o.h = h / 5
			continue
		}
		fac := 5.0
		if errNorm > 0 {
			fac = math.Min(5, math.Max(0.2, 0.9*math.Pow(errNorm, -0.2)))
		}
		if errNorm > 1 {
			o.h = h * math.Min(1, fac)
			continue
		}
		copy(w, o.ynew)
		o.k[0], o.k[6] = o.k[6], o.k[0]
		if last {
			t = T
		} else {
			t += h
		}
		if !(last && h < o.h) { // a clipped step keeps the unclipped size for the next interval
			o.h = h * fac
		}
	}
}
