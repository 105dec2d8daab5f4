package dynamics

import (
	"math"
	"slices"
)

// Values of Config.XNorm (spec parameter x_norm): how the rows of X and X_test are scaled
// after they are drawn (docs/science.md section 1). "" means XNormNone.
const (
	XNormNone = "none" // x_i ~ N(m*1, I_d) as drawn; the default
	XNormRow  = "row"  // each row rescaled to ||x_i||^2 = d (Lippl2024)
)

// Values of Config.BetaStar (spec parameter beta_star): the entries of beta* on its support,
// the first s coordinates (docs/science.md section 1). "" means BetaStarGaussian.
const (
	BetaStarGaussian = "gaussian" // beta*_j = z_j ~ N(0,1); the default (convention)
	BetaStarSign     = "sign"     // beta*_j = sign(z_j)/sqrt(s): random signs, ||beta*||_2 = 1
	BetaStarConstant = "constant" // beta*_j = 1/sqrt(s): ||beta*||_2 = 1 (convention)
)

// XNormNames returns the accepted values of Config.XNorm, sorted ("" is accepted too and
// means "none").
func XNormNames() []string { return []string{XNormNone, XNormRow} }

// BetaStarNames returns the accepted values of Config.BetaStar, sorted ("" is accepted too
// and means "gaussian").
func BetaStarNames() []string { return []string{BetaStarConstant, BetaStarGaussian, BetaStarSign} }

// canonicalXNorm maps "" to XNormNone; ok reports whether name is accepted.
func canonicalXNorm(name string) (string, bool) {
	if name == "" {
		return XNormNone, true
	}
	return name, slices.Contains(XNormNames(), name)
}

// canonicalBetaStar maps "" to BetaStarGaussian; ok reports whether name is accepted.
func canonicalBetaStar(name string) (string, bool) {
	if name == "" {
		return BetaStarGaussian, true
	}
	return name, slices.Contains(BetaStarNames(), name)
}

// betaStarEntry returns beta*_j on the support for kind (canonical), given the normal draw z
// of coordinate j and the sparsity s >= 1. Every kind consumes the same D draws, so the draw
// order does not depend on the kind and "sign" uses the signs of the "gaussian" entries of the
// same DataSeed (sign(0) = +1, an event of probability 0).
func betaStarEntry(kind string, z float64, s int) float64 {
	switch kind {
	case BetaStarSign:
		if z < 0 {
			return -1 / math.Sqrt(float64(s))
		}
		return 1 / math.Sqrt(float64(s))
	case BetaStarConstant:
		return 1 / math.Sqrt(float64(s))
	default:
		return z
	}
}

// normalizeRows rescales every row of the row-major matrix x (d columns) in place so that
// ||x_i||^2 = d (Lippl2024): x_i <- x_i * sqrt(d)/||x_i||. A zero row (probability 0) is left
// as it is. The squared norm is summed in index order.
func normalizeRows(x []float64, d int) {
	for i := 0; i+d <= len(x); i += d {
		row := x[i : i+d]
		var ss float64
		for _, v := range row {
			ss += float64(v * v)
		}
		if ss == 0 {
			continue
		}
		scale := math.Sqrt(float64(d)) / math.Sqrt(ss)
		for j := range row {
			row[j] *= scale
		}
	}
}

// generatedFor reports whether dt is the dataset GenerateData(c) draws: the same data fields
// (the data options compared in canonical form) and DataSeed.
func (dt *Data) generatedFor(c Config) bool {
	if c.DataFile != "" || dt.File != "" {
		return dt.readFor(c)
	}
	xNorm, _ := canonicalXNorm(c.XNorm)
	kind, _ := canonicalBetaStar(c.BetaStar)
	return dt.N == c.N && dt.D == c.D && dt.Test == c.Test && dt.Sparsity == c.Sparsity &&
		dt.XMean == c.XMean && dt.LabelNoise == c.LabelNoise && dt.XNorm == xNorm &&
		dt.BetaStarKind == kind && dt.Seed == c.DataSeed
}
