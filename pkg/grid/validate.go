package grid

import (
	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// Validate checks every point's configuration, so that an impossible combination
// (batch > n, sparsity > d, ...) is reported before anything runs, as a *spec.Error naming
// the parameter and the line that sets it, at the first bad point in grid order.
//
// It does not run dynamics.Config.Validate on every point. An axis whose parameters are all
// checkedAlone or seedOnly (stepsize, init, steps, stop_loss, seed) is checked position by
// position on its own; then the points are walked in grid order with each such axis held at
// its first good position, so the work is the sum of those axes' lengths plus the product of
// the other axes' lengths (the configurations that interact), and the memory is constant: the
// 10^8 points of stepsize x init with 10^4 values each take 2 x 10^4 checks. Equal
// configurations are checked once (among the last maxRemembered).
func (g *Grid) Validate() error {
	if err := g.checkData(); err != nil {
		return err
	}
	v := newValidator(g)
	i, bad := v.firstBad()
	if !bad {
		return nil
	}
	vals := g.values(i)
	c := g.configNoSeeds(vals)
	return g.pointError(Point{Index: i, Values: vals, Config: c}, c.Validate())
}

// seedOnly lists the parameters that change only a point's seeds, not the rest of its
// configuration (the replicate axis "seed"): every value is valid.
var seedOnly = map[string]bool{"seed": true}

// checkedAlone lists the parameters that dynamics.Config.Validate checks by themselves, each
// with the Config field it sets: whether a value is valid depends on no other parameter, and
// no other parameter's check depends on it (stepsize > 0, init > 0, steps >= 0,
// stop_loss >= 0, all finite). TestCheckedAlone holds dynamics to this claim.
var checkedAlone = map[string]func(*dynamics.Config, spec.Value){
	"stepsize":  func(c *dynamics.Config, v spec.Value) { c.Stepsize = v.Num() },
	"init":      func(c *dynamics.Config, v spec.Value) { c.Init = v.Num() },
	"steps":     func(c *dynamics.Config, v spec.Value) { c.Steps = int(v.Int) },
	"stop_loss": func(c *dynamics.Config, v spec.Value) { c.StopLoss = v.Num() },
}

// maxRemembered bounds the configurations Validate remembers as checked.
const maxRemembered = 1 << 14

// validator finds the first bad point of a grid (Validate).
type validator struct {
	g       *Grid
	alone   []bool // per axis: all its parameters are checkedAlone or seedOnly
	bad     []int  // per alone axis: its first position whose values are invalid on their own, -1 if none
	checked map[dynamics.Config]bool
	leaves  int64 // full configurations checked (for tests)
}

func newValidator(g *Grid) *validator {
	v := &validator{g: g, checked: map[dynamics.Config]bool{}}
	ref := referenceConfig()
	for _, ax := range g.spec.Grid {
		alone, replicate := true, true
		for _, name := range ax.Names {
			_, ok := checkedAlone[name]
			alone = alone && (ok || seedOnly[name])
			replicate = replicate && seedOnly[name]
		}
		bad := -1
		for pos := 0; alone && !replicate && pos < ax.Len() && bad < 0; pos++ {
			c := ref
			for j, name := range ax.Names {
				if set := checkedAlone[name]; set != nil {
					set(&c, ax.At(pos, j))
				}
			}
			if c.Validate() != nil {
				bad = pos
			}
		}
		v.alone, v.bad = append(v.alone, alone), append(v.bad, bad)
	}
	return v
}

// referenceConfig is a valid configuration (every parameter at its default, stepsize 0.1)
// into which the values of checkedAlone parameters are put to check them on their own.
func referenceConfig() dynamics.Config {
	g := &Grid{spec: &spec.Spec{}}
	c, _ := g.resolve(nil)
	c.Stepsize = 0.1
	return c
}

// firstBad returns the index of the first point, in grid order, whose configuration is not
// valid.
func (v *validator) firstBad() (int64, bool) {
	if v.g.count == 0 {
		return 0, false
	}
	return v.walk(0, 0)
}

// walk searches the points under axis a from base (the index of the point with axis a and
// those after it at position 0) in grid order. Under an alone axis, the points below all its
// good positions are bad at the same places (only the other axes decide), so it searches
// below position 0 if that is good, and else, or when that search finds nothing, returns the
// axis's first bad position with the axes after it at 0.
func (v *validator) walk(a int, base int64) (int64, bool) {
	g := v.g
	if a == len(g.spec.Grid) {
		return base, v.invalid(base)
	}
	stride := g.strides[a]
	if !v.alone[a] {
		for pos := range g.spec.Grid[a].Len() {
			if i, bad := v.walk(a+1, base+int64(pos)*stride); bad {
				return i, true
			}
		}
		return 0, false
	}
	bad := v.bad[a]
	if bad != 0 {
		if i, found := v.walk(a+1, base); found {
			return i, true
		}
	}
	if bad >= 0 {
		return base + int64(bad)*stride, true
	}
	return 0, false
}

// invalid reports whether point i's configuration fails dynamics.Config.Validate.
func (v *validator) invalid(i int64) bool {
	c := v.g.configNoSeeds(v.g.values(i))
	if ok, seen := v.checked[c]; seen {
		return !ok
	}
	if len(v.checked) >= maxRemembered {
		clear(v.checked)
	}
	v.leaves++
	ok := c.Validate() == nil
	v.checked[c] = ok
	return !ok
}
