package dynamics

import (
	"context"
	"fmt"
	"math"

	"github.com/phasesweep/phasesweep/pkg/dynamics/internal/kernel"
)

// LockstepWidth is the largest number of runs one block advances in lockstep. More runs are
// split into blocks of at most LockstepWidth columns, run one after the other: 64 columns keep
// a d x 64 block of d = 100 in the L1/L2 caches while giving the matrix products enough
// columns to be GEMM-shaped.
const LockstepWidth = 64

// lockstepOptimizers are the full-batch optimisers the lockstep kernel runs (on model "uv").
var lockstepOptimizers = map[string]bool{OptimizerGD: true, OptimizerHB: true, OptimizerNAG: true}

// LockstepVectorised reports whether the lockstep kernels are vectorised: on amd64, when the
// CPU has AVX2 and PHASESWEEP_NO_ASM is not set (kernel.Default). Callers run points in
// lockstep (SimulateLockstep) when it is true; without it a lockstep block is not faster than
// its single runs (bench/BENCHMARKS.md: Go does not vectorise the column loops, and the
// blocked residual costs about 1.2x the single run's dot products).
func LockstepVectorised() bool { return kernel.Default.Vectorised() }

// RunsInLockstep reports whether c runs in the lockstep kernel (SimulateLockstep): model "uv"
// with a full-batch optimiser (gd, hb or nag). Other runs (sgd draws its own minibatches from
// its run seed; other models and optimisers) run one by one.
func RunsInLockstep(c Config) bool {
	return (c.Model == "" || c.Model == ModelUV) && lockstepOptimizers[c.Optimizer]
}

// LockstepRun is one run of SimulateLockstep: its Config and, optionally, a trajectory recorder
// (as SimulateRecorded: a row every Every steps, Every <= 0 or Record nil records nothing).
type LockstepRun struct {
	Config Config
	Every  int
	Record Recorder
}

// LockstepOutcome is what SimulateLockstep returns for one run: State and Result as
// SimulateData (or SimulateRecorded) returns them, or Err when the run's Config is invalid or
// does not fit data.
type LockstepOutcome struct {
	State  *State
	Result Result
	Err    error
}

// SimulateLockstep runs every run of runs on data, which all of them must share (same data
// fields and DataSeed, as SimulateData checks), and returns their outcomes in the order of
// runs. The runs RunsInLockstep accepts (gd, hb, nag on "uv") advance in lockstep in blocks
// of up to LockstepWidth columns of the same optimiser, so that the products with X and X^T
// multiply d x B blocks instead of vectors; the others run one by one (SimulateRecorded).
//
// Every outcome is bit for bit what SimulateRecorded(ctx, run.Config, data, run.Every,
// run.Record) returns, trajectory rows included: each column of a block performs the
// single-run kernel's floating-point operations in the same order (the dot products keep their
// four partial sums, the gradient sums the rows in index order; see
// internal/kernel/lockstep_kernel.go), and a column that stops (converged, diverged,
// max_steps) leaves the block at the step where the single run stops. Recorders are called from the calling goroutine.
//
// Errors: ctx cancelled (checked every few thousand steps); the outcomes are then incomplete.
func SimulateLockstep(ctx context.Context, runs []LockstepRun, data *Data) ([]LockstepOutcome, error) {
	out := make([]LockstepOutcome, len(runs))
	groups := map[string][]int{} // optimiser -> run indices, in order
	var order []string
	for k, run := range runs {
		if !RunsInLockstep(run.Config) {
			st, res, err := SimulateRecorded(ctx, run.Config, data, run.Every, run.Record)
			if err != nil && ctx.Err() != nil {
				return out, err
			}
			out[k] = LockstepOutcome{State: st, Result: res, Err: err}
			continue
		}
		opt := run.Config.Optimizer
		if _, ok := groups[opt]; !ok {
			order = append(order, opt)
		}
		groups[opt] = append(groups[opt], k)
	}
	for _, opt := range order {
		idx := groups[opt]
		for len(idx) > 0 {
			w := min(len(idx), LockstepWidth)
			if err := runBlock(ctx, runs, idx[:w], data, out); err != nil {
				return out, err
			}
			idx = idx[w:]
		}
	}
	return out, nil
}

// runBlock runs the lockstep runs runs[idx[k]] (one optimiser) as one block, setting their
// outcomes in out.
func runBlock(ctx context.Context, runs []LockstepRun, idx []int, data *Data, out []LockstepOutcome) error {
	cols := make([]*lockstepColumn, 0, len(idx))
	for _, k := range idx {
		col, err := newLockstepColumn(runs[k], data, k)
		if err != nil {
			out[k] = LockstepOutcome{Err: err}
			continue
		}
		cols = append(cols, col)
	}
	if len(cols) == 0 {
		return nil
	}
	bk := newBlock(data, cols)
	defer bk.startHelper()()
	return bk.run(ctx, out)
}

// lockstepColumn is one run of a block: its single-run runner (which holds the configuration,
// receives the final state and computes the metrics exactly as a single run does) and its
// recording.
type lockstepColumn struct {
	index int // position in SimulateLockstep's runs
	r     *runner
	rc    *recording
	limit float64 // divergence threshold DivergenceFactor * L_0 (+Inf when L_0 = 0)
}

// newLockstepColumn checks run as simulateRun does and allocates its runner.
func newLockstepColumn(run LockstepRun, data *Data, index int) (*lockstepColumn, error) {
	c := run.Config
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}
	if !data.generatedFor(c) {
		return nil, fmt.Errorf("data was generated for another config (n=%d d=%d test=%d sparsity=%d x_mean=%v label_noise=%v x_norm=%s beta_star=%s seed=%d)",
			data.N, data.D, data.Test, data.Sparsity, data.XMean, data.LabelNoise, data.XNorm, data.BetaStarKind, data.Seed)
	}
	r, err := newRunner(c, data)
	if err != nil {
		return nil, err
	}
	return &lockstepColumn{index: index, r: r, rc: newRecording(run.Every, run.Record, c, data), limit: math.Inf(1)}, nil
}

// run advances the block until every column has stopped, with the loop of simulateRun per
// column (see SimulateData), and sets the columns' outcomes in out.
func (bk *block) run(ctx context.Context, out []LockstepOutcome) error {
	bk.evaluate()
	for b := range bk.width {
		col := bk.cols[b]
		if l0 := bk.loss[b]; l0 > 0 {
			col.limit = DivergenceFactor * l0
		}
		if col.rc != nil {
			bk.record(b)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("lockstep block cancelled before step 0: %w", err)
	}
	for {
		for b := 0; b < bk.width; {
			if status := bk.stopped(b); status != "" {
				col := bk.cols[b]
				bk.unload(b)
				if col.rc != nil {
					col.rc.final(col.r)
				}
				res := col.r.result(status)
				res.SetThresholds(col.r.cfg.Stepsize, math.NaN(), math.NaN())
				out[col.index] = LockstepOutcome{State: col.r.state(), Result: res}
				bk.remove(b) // moves the last column into b: check b again
				continue
			}
			b++
		}
		if bk.width == 0 {
			return nil
		}
		bk.step()
		for b := range bk.width {
			if rc := bk.cols[b].rc; rc != nil && bk.steps%rc.every == 0 {
				bk.record(b)
			}
		}
		if bk.steps%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("lockstep block cancelled after %d steps: %w", bk.steps, err)
			}
		}
	}
}

// stopped returns the status at which column b stops at the current iterate, or "" if it
// steps on: the tests of simulateRun in the same order.
func (bk *block) stopped(b int) string {
	col, loss := bk.cols[b], bk.loss[b]
	switch {
	case isNonFinite(loss) || loss > col.limit || isNonFinite(bk.betaSum[b]):
		return StatusDiverged
	case loss < col.r.cfg.StopLoss:
		return StatusConverged
	case bk.steps >= col.r.cfg.Steps:
		return StatusMaxSteps
	}
	return ""
}

// record reports column b's current iterate to its recording (rc.at of a single run).
func (bk *block) record(b int) {
	col := bk.cols[b]
	bk.column(bk.beta, b, col.r.beta)
	col.r.loss, col.r.steps = bk.loss[b], bk.steps
	col.rc.at(col.r)
}
