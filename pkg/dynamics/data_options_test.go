package dynamics

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestRowNormalisation: with x_norm "row" every training and test row has ||x_i||^2 = d
// within 1e-12 (docs/science.md section 1, Lippl2024), also with a mean (x_mean != 0); each row
// is the drawn row rescaled by a positive factor (same draws as x_norm "none"); and the labels
// are computed from the rescaled rows.
func TestRowNormalisation(t *testing.T) {
	for _, m := range []float64{0, 0.7} {
		c := baseConfig(OptimizerGD, 0, 0.1)
		c.XMean, c.LabelNoise = m, 0
		raw := mustGenerate(t, c)
		c.XNorm = XNormRow
		dt := mustGenerate(t, c)
		if dt.XNorm != XNormRow {
			t.Errorf("Data.XNorm = %q, want %q", dt.XNorm, XNormRow)
		}
		for _, set := range []struct {
			name  string
			x, rx []float64
			y     []float64
			rows  int
		}{{"train", dt.X, raw.X, dt.Y, c.N}, {"test", dt.XTest, raw.XTest, dt.YTest, c.Test}} {
			for i := range set.rows {
				row, rawRow := set.x[i*c.D:(i+1)*c.D], set.rx[i*c.D:(i+1)*c.D]
				var ss float64
				for _, v := range row {
					ss += v * v
				}
				if math.Abs(ss-float64(c.D)) > 1e-12 {
					t.Errorf("m=%v %s row %d: ||x||^2 = %v, want %d (error %.3g)", m, set.name, i, ss, c.D, ss-float64(c.D))
				}
				scale := row[0] / rawRow[0]
				for j := range row {
					if math.Abs(row[j]-scale*rawRow[j]) > 1e-12*math.Abs(row[j]) || scale <= 0 {
						t.Fatalf("m=%v %s row %d: not a positive multiple of the drawn row", m, set.name, i)
					}
				}
				if want := naiveDot(row, dt.BetaStar); math.Abs(set.y[i]-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Errorf("m=%v %s y[%d] = %v, want <x_i, beta*> = %v", m, set.name, i, set.y[i], want)
				}
			}
		}
		if !slices.Equal(dt.BetaStar, raw.BetaStar) {
			t.Errorf("m=%v: x_norm changed beta*", m)
		}
	}
}

// naiveDot is sum_j a_j b_j in index order.
func naiveDot(a, b []float64) float64 {
	var s float64
	for j := range a {
		s += a[j] * b[j]
	}
	return s
}

// TestBetaStarKinds: "sign" entries are exactly +-1/sqrt(s) with the signs of the gaussian
// entries of the same seed, "constant" entries exactly 1/sqrt(s), both zero off the first s
// coordinates; the kind leaves X unchanged (the beta* stream is separate).
func TestBetaStarKinds(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.D, c.Sparsity = 40, 16 // 1/sqrt(16) = 0.25 exactly
	gauss := mustGenerate(t, c)
	h := 1 / math.Sqrt(float64(c.Sparsity))
	var pos, neg int
	for _, kind := range []string{BetaStarSign, BetaStarConstant} {
		c.BetaStar = kind
		dt := mustGenerate(t, c)
		if dt.BetaStarKind != kind {
			t.Errorf("Data.BetaStarKind = %q, want %q", dt.BetaStarKind, kind)
		}
		if !slices.Equal(dt.X, gauss.X) || !slices.Equal(dt.XTest, gauss.XTest) {
			t.Errorf("%s: beta_star changed X", kind)
		}
		for j, b := range dt.BetaStar {
			want := 0.0
			if j < c.Sparsity {
				want = h
				if kind == BetaStarSign && gauss.BetaStar[j] < 0 {
					want = -h
				}
			}
			if b != want {
				t.Errorf("%s: beta*[%d] = %v, want %v", kind, j, b, want)
			}
			if kind == BetaStarSign && j < c.Sparsity {
				if b > 0 {
					pos++
				} else {
					neg++
				}
			}
		}
	}
	if pos == 0 || neg == 0 {
		t.Errorf("sign kind: %d positive and %d negative entries among %d, want both signs", pos, neg, c.Sparsity)
	}
	if got := mustGenerate(t, c).BetaStar[0]; got != 0.25 {
		t.Errorf("constant with s = 16: beta*[0] = %v, want 0.25", got)
	}
}

// TestDataOptionDefaults: "" and the explicit default names give bit-identical data (the
// golden test pins the numbers of the defaults), and an unknown name is rejected with a
// message starting with the parameter name.
func TestDataOptionDefaults(t *testing.T) {
	c := baseConfig(OptimizerGD, 0, 0.1)
	c.XMean, c.LabelNoise = 0.2, 0.05
	a := mustGenerate(t, c)
	c.XNorm, c.BetaStar = XNormNone, BetaStarGaussian
	b := mustGenerate(t, c)
	for _, pair := range [][2][]float64{{a.X, b.X}, {a.Y, b.Y}, {a.BetaStar, b.BetaStar}, {a.XTest, b.XTest}, {a.YTest, b.YTest}} {
		if !slices.Equal(pair[0], pair[1]) {
			t.Fatal(`x_norm "none", beta_star "gaussian" differ from the defaults ""`)
		}
	}
	// Data generated for "" serves a config that names the defaults, and not another kind.
	if _, _, err := SimulateData(context.Background(), c, a); err != nil {
		t.Errorf("SimulateData with explicit defaults on default data: %v", err)
	}
	c.BetaStar = BetaStarSign
	if _, _, err := SimulateData(context.Background(), c, a); err == nil {
		t.Error("SimulateData accepted gaussian data for beta_star sign")
	}
	c.BetaStar, c.XNorm = "", XNormRow
	if _, _, err := SimulateData(context.Background(), c, a); err == nil {
		t.Error("SimulateData accepted unnormalised data for x_norm row")
	}

	for _, tc := range []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.XNorm = "rows" }, `x_norm must be one of ["none" "row"], got "rows"`},
		{func(c *Config) { c.BetaStar = "normal" }, `beta_star must be one of ["constant" "gaussian" "sign"], got "normal"`},
	} {
		c := baseConfig(OptimizerGD, 0, 0.1)
		tc.set(&c)
		err := c.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want %q", err, tc.want)
		}
	}
}
