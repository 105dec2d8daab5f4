package results

import (
	"math"
	"slices"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// Metadata keys of a sweep's results table (docs/design.md "Contracts: Results").
const (
	MetaSpec     = "phasesweep.spec"      // the spec's YAML as written
	MetaSpecHash = "phasesweep.spec_hash" // spec.Spec.Hash
	MetaVersion  = "phasesweep.version"   // the program (and dynamics) version
	MetaFile     = "phasesweep.spec_file" // where the spec was read from
	MetaPartial  = "phasesweep.partial"   // "true" when a cancelled sweep's table lacks points
)

// StatusFailed is the status of a point whose simulation failed (it panicked, or dynamics
// returned an error other than a cancellation): its metrics are NaN (ints 0), steps is 0 and
// the error column says why. The statuses of finished runs are dynamics.Status*.
const StatusFailed = "failed"

// ErrorColumn is the last column of a sweep's results: the message of a failed point, empty
// for every other row.
const ErrorColumn = "error"

// sweepMetricFields are the per-run metrics (docs/science.md section 7), in column order.
var sweepMetricFields = []Field{
	{"train_loss", Float}, {"test_loss", Float}, {"beta_err", Float}, {"l1", Float}, {"l2", Float},
	{"nnz", Int}, {"precision", Float}, {"recall", Float}, {"int_loss", Float},
	{"gain_l1", Float}, {"gain_on", Float}, {"gain_off", Float}, {"max_gamma_g", Float},
	{"pred_err", Float}, {"gf_err", Float}, {"sharpness", Float}, // NaN where undefined (dynamics.Result)
	{"gamma_max", Float}, {"gamma_div", Float}, {"gamma_rel", Float}, // NaN unless the spec sets record.gamma_max
	{"hb_gap", Float}, {"hb_gap_w", Float}, {"mod_loss", Float}, // hb_flow's gap to heavy ball; heavy ball's modified loss (Lyu2025)
	{"jumps", Int}, {"jump_times", String}, {"plateau_losses", String}, // saddle runs; see JSONFloats
	{"aux_train_loss", Float}, {"aux_test_loss", Float}, {"mtl_penalty", Float}, {"ptft_penalty", Float}, // multi-task runs (Lippl2024); NaN otherwise
	{"status", String}, {"steps", Int}, {ErrorColumn, String},
}

// ParamColumn is the results column of a spec parameter: its own name, except that the
// parameter steps (the maximum number of steps) becomes max_steps, because the metric steps
// (the steps a run actually took, docs/science.md section 7) owns that name in every table.
func ParamColumn(param string) string {
	if param == "steps" {
		return "max_steps"
	}
	return param
}

// SweepFields is the schema of a sweep's results: point, one column per parameter (named by
// ParamColumn, kinds from spec.Params), then the metrics, status, steps and error.
func SweepFields(columns []string) []Field {
	fields := []Field{{PointColumn, Int}}
	for _, name := range columns {
		prm, _ := spec.LookupParam(name)
		fields = append(fields, Field{ParamColumn(name), kindOfParam(prm.Kind)})
	}
	return append(fields, sweepMetricFields...)
}

// SweepRow is the row of one point: its index, its parameter values (in the order of the
// columns given to SweepFields) and its metrics; its error column is empty.
func SweepRow(point int64, values []spec.Value, r dynamics.Result) []Value {
	row := make([]Value, 0, 1+len(values)+len(sweepMetricFields))
	auxTrain, auxTest, mtlPen, ptftPen := r.MultiTaskColumns()
	row = append(row, Value{I: point})
	for _, v := range values {
		row = append(row, Value{I: v.Int, F: v.Float, S: v.Str})
	}
	return append(row,
		Value{F: r.TrainLoss}, Value{F: r.TestLoss}, Value{F: r.BetaErr}, Value{F: r.L1}, Value{F: r.L2},
		Value{I: int64(r.NNZ)}, Value{F: r.Precision}, Value{F: r.Recall}, Value{F: r.IntLoss},
		Value{F: r.GainL1}, Value{F: r.GainOn}, Value{F: r.GainOff}, Value{F: r.MaxGammaG},
		Value{F: r.PredErr}, Value{F: r.GFErr}, Value{F: r.Sharpness},
		Value{F: r.GammaMax}, Value{F: r.GammaDiv}, Value{F: r.GammaRel},
		Value{F: r.HBGap}, Value{F: r.HBGapW}, Value{F: r.ModLoss},
		Value{I: int64(r.Jumps)}, Value{S: JSONFloats(r.JumpTimes)}, Value{S: JSONFloats(r.PlateauLosses)},
		Value{F: auxTrain}, Value{F: auxTest}, Value{F: mtlPen}, Value{F: ptftPen},
		Value{S: r.Status}, Value{I: int64(r.Steps)}, Value{S: ""})
}

// FailedRow is the row of a point whose simulation failed with message msg: its index and
// parameter values as in SweepRow, every metric NaN (int metrics 0, jump_times and
// plateau_losses "[]"), status StatusFailed, steps 0 and error msg.
func FailedRow(point int64, values []spec.Value, msg string) []Value {
	nan := math.NaN()
	r := dynamics.Result{
		TrainLoss: nan, TestLoss: nan, BetaErr: nan, L1: nan, L2: nan, Precision: nan, Recall: nan, IntLoss: nan,
		GainL1: nan, GainOn: nan, GainOff: nan, MaxGammaG: nan, PredErr: nan, GFErr: nan, Sharpness: nan,
		GammaMax: nan, GammaDiv: nan, GammaRel: nan, HBGap: nan, HBGapW: nan, ModLoss: nan, Status: StatusFailed,
	}
	row := SweepRow(point, values, r)
	row[len(row)-1].S = msg
	return row
}

func kindOfParam(k spec.Kind) Kind {
	switch k {
	case spec.Int:
		return Int
	case spec.Float:
		return Float
	default:
		return String
	}
}

// Keys of a shard's schema metadata that tie it to the sweep and chunk that wrote it (a
// merged table carries MetaSweep too): the merge uses a shard only when they match.
const (
	MetaSweep = "phasesweep.sweep" // the sweep id (the directory of its files, pkg/layout)
	MetaChunk = "phasesweep.chunk" // "id:start:end", the chunk and its points [start, end)
)

// MetricFields are the metric columns of a sweep's results (after the parameters: the
// metrics, then status, steps and error), in column order.
func MetricFields() []Field { return slices.Clone(sweepMetricFields) }
