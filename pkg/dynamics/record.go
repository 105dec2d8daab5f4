package dynamics

import (
	"context"
	"math"
)

// Recorder receives one row of a run's trajectory (docs/science.md section 7, "Trajectories"):
// the iterate after step steps, at time time, its training loss, its test loss, ||beta||_1 and
// beta itself. beta is the run's own buffer: it is valid only during the call and must not be
// modified; a recorder that keeps it copies it. A recorder must not retain or alter anything
// else of the run either; it cannot change the run's results.
type Recorder func(step int, time, trainLoss, testLoss, l1 float64, beta []float64)

// SimulateRecorded is SimulateData that also reports a trajectory to rec: the iterate at
// step 0, at every step that is a multiple of every, and the final iterate (once, when it is
// not already on that grid). every <= 0 or rec == nil records nothing, and is SimulateData.
// Recording only reads the run's state: the State and Result are bit for bit those of
// SimulateData, and the final row's train_loss, test_loss and l1 equal the Result's exactly.
// A cancelled run (an error) does not report its final iterate.
//
// time is step*stepsize for every stepped optimiser (for flow, stepsize is the time between
// recorded iterates of the gradient flow, so this is its continuous time). For optimizer
// "saddle" the trajectory is the sequence of saddles, whatever every: the origin beta = 0 at
// step 0 and time 0, then saddle k at step k and time t_k of Pesme2023's algorithm (the jump
// times, Result.JumpTimes), so one row per saddle plus the origin. Multi-task models (their
// own loop, multitask.go) record nothing yet.
//
// Cost: a recorded row costs one pass over the test set (test_loss, Test*D multiply-adds) and
// one over beta; it is sparse, so that is cheap next to the every steps between rows. The
// run allocates one test-residual buffer when recording is on, and nothing per step or per
// row beyond what rec itself allocates. With recording off the loop pays one nil check per
// step.
func SimulateRecorded(ctx context.Context, c Config, data *Data, every int, rec Recorder) (*State, Result, error) {
	return simulateData(ctx, c, data, newRecording(every, rec, c, data))
}

// recording is the trajectory recorder of one run (nil when recording is off).
type recording struct {
	every    int
	fn       Recorder
	stepsize float64
	data     *Data
	testRes  []float64 // test residual buffer, length data.Test
	last     int       // last recorded step, -1 before the first row
}

// newRecording returns the recording of a run of c on data, or nil when it records nothing.
func newRecording(every int, fn Recorder, c Config, data *Data) *recording {
	if every <= 0 || fn == nil {
		return nil
	}
	return &recording{every: every, fn: fn, stepsize: c.Stepsize, data: data, last: -1}
}

// row reports beta (with training loss trainLoss) as the row of step at time t. Its test loss
// and l1 are computed exactly as Result's (Data.TestLoss and the sum of |beta_i| in index
// order), so that the final row equals the Result bit for bit.
func (rc *recording) row(step int, t, trainLoss float64, beta []float64) {
	var testLoss float64
	if rc.data.Test == 0 { // no test set (data from a file): whatever Data.TestLoss says
		testLoss = rc.data.TestLoss(beta)
	} else {
		if rc.testRes == nil {
			rc.testRes = make([]float64, rc.data.Test)
		}
		testLoss = sumSquaredResiduals(rc.data.XTest, rc.data.YTest, beta, rc.testRes) / float64(2*rc.data.Test)
	}
	var l1 float64
	for _, b := range beta {
		l1 += math.Abs(b)
	}
	rc.fn(step, t, trainLoss, testLoss, l1, beta)
	rc.last = step
}

// at records the runner's current (evaluated) iterate, at time steps*stepsize.
func (rc *recording) at(r *runner) {
	rc.row(r.steps, float64(r.steps)*rc.stepsize, r.loss, r.beta)
}

// onGrid records the runner's iterate if its step is a multiple of every.
func (rc *recording) onGrid(r *runner) {
	if r.steps%rc.every == 0 {
		rc.at(r)
	}
}

// final records the runner's iterate unless it was the last row recorded.
func (rc *recording) final(r *runner) {
	if rc.last != r.steps {
		rc.at(r)
	}
}

// saddles records a saddle run (see SimulateRecorded): the origin, then every saddle.
func (rc *recording) saddles(sad Saddles) {
	origin := make([]float64, rc.data.D)
	rc.row(0, 0, sad.InitialLoss, origin)
	for k, beta := range sad.Betas {
		rc.row(k+1, sad.Times[k], sad.Losses[k], beta)
	}
}
