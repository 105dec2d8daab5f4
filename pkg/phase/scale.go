package phase

import (
	"fmt"
	"slices"
)

// The axis scales of --xscale and --yscale: ScaleAuto lets AxisKind decide from the values
// (log for log-spaced ones, categories for a few uneven ones, ...), ScaleLinear and ScaleLog
// force a numeric axis of that kind. Even2023's gamma/gamma_max, say, is drawn on a linear
// axis from 0 to 1 although its values are log-spaced.
const (
	ScaleAuto   = "auto"
	ScaleLinear = "linear"
	ScaleLog    = "log"
)

// Scales are the accepted values of --xscale and --yscale.
var Scales = []string{ScaleAuto, ScaleLinear, ScaleLog}

// resolveScales checks --xscale and --yscale ("" is auto) against each other and --logx, and
// folds --xscale log into opt.LogX.
func resolveScales(opt *Options) error {
	for _, c := range []struct {
		flag string
		s    *string
	}{{"--xscale", &opt.XScale}, {"--yscale", &opt.YScale}} {
		if *c.s == "" {
			*c.s = ScaleAuto
		}
		if !slices.Contains(Scales, *c.s) {
			return flagErr(c.flag, fmt.Errorf("unknown scale %q (want one of %v)", *c.s, Scales))
		}
	}
	if opt.LogX && opt.XScale == ScaleLinear {
		return flagErr("--xscale", fmt.Errorf("linear contradicts --logx"))
	}
	if opt.XScale == ScaleLog {
		opt.LogX = true
	}
	return nil
}

// yScaleAsLogZ applies --yscale to a figure whose y axis is the metric (a line plot, a
// trajectory plot), where it means what --logz does.
func yScaleAsLogZ(opt *Options) error {
	if opt.YScale == ScaleAuto {
		return nil
	}
	log := opt.YScale == ScaleLog
	if opt.LogZ != nil && *opt.LogZ != log {
		return flagErr("--yscale", fmt.Errorf("%s contradicts --logz=%v (on this figure the y axis is the metric)", opt.YScale, *opt.LogZ))
	}
	opt.LogZ = &log
	return nil
}

// forceScale sets an axis's log and categorical flags to what scale asks (auto: left as they
// are) for the values vs of column name; labels is non-nil for a string column, which has no
// numeric scale.
func forceScale(flag, scale, name string, vs []float64, labels []string, log, cat *bool) error {
	if scale == ScaleAuto {
		return nil
	}
	if labels != nil {
		return flagErr(flag, fmt.Errorf("%s is a string column: its values are categories, on no %s scale", name, scale))
	}
	*log, *cat = scale == ScaleLog, false
	if *log && len(vs) > 0 && !(vs[0] > 0) {
		return flagErr(flag, fmt.Errorf("%s has a value %g <= 0: no log axis", name, vs[0]))
	}
	return nil
}
