package dynamics

// deepModel is the depth-D diagonal network of Woodworth2020 (docs/science.md section 2, model
// "deep"): beta = w+^D - w-^D (powers entrywise), with w = [w+; w-] (w+ = w[:d],
// w- = w[d:]), both starting at alpha = Config.Init, so beta0 = 0; D = Config.Depth >= 2.
// Chain rule: grad_{w+} F = D w+^{D-1} (.) g, grad_{w-} F = -D w-^{D-1} (.) g, g = grad L(beta).
//
// Relation to "uv" at D = 2: uv is beta = (w+^2 - w-^2)/2 in its rotated coordinates
// w+- = (u +- v)/sqrt2, where gd reads w+- <- w+- (1 -+ gamma g). deep with D = 2 reads
// p+- <- p+- (1 -+ 2 gamma' g) and beta = p+^2 - p-^2. With p = w/sqrt2 the two betas agree,
// so deep(D = 2, init alpha/sqrt2, stepsize gamma/2) follows exactly the trajectory of
// uv(init alpha, stepsize gamma) (tested to rounding in TestDeepD2MatchesUV).
//
// The model holds its depth only (immutable) and allocates nothing.
type deepModel struct {
	depth int
}

func newDeepModel(c Config) model { return deepModel{depth: c.Depth} }

func (deepModel) numParams(d int) int { return 2 * d }

func (deepModel) init(w []float64, alpha float64) {
	for i := range w {
		w[i] = alpha
	}
}

// powInt returns x^k (k >= 0) by repeated multiplication, each product rounded on its own.
func powInt(x float64, k int) float64 {
	p := 1.0
	for range k {
		p = float64(p * x)
	}
	return p
}

func (m deepModel) beta(w, beta []float64) {
	d := len(beta)
	wp, wm := w[:d], w[d:2*d]
	for i := range beta {
		beta[i] = powInt(wp[i], m.depth) - powInt(wm[i], m.depth)
	}
}

func (m deepModel) pullback(w, g, gw []float64) {
	d := len(g)
	wp, wm := w[:d], w[d:2*d]
	gp, gm := gw[:d], gw[d:2*d]
	depth := float64(m.depth)
	for i, gi := range g {
		gp[i] = float64(float64(depth*powInt(wp[i], m.depth-1)) * gi)
		gm[i] = -float64(float64(depth*powInt(wm[i], m.depth-1)) * gi)
	}
}
