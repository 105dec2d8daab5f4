package dynamics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// The multi-task family of Lippl2024 (docs/science.md section 2). Every network is the
// two-layer diagonal network
//
//	beta = w+ (.) v+ - w- (.) v-,
//
// trained with L(beta) = 1/(2n) ||X beta - y||^2 per task (section 1); by the chain rule, with
// g = grad L(beta): grad_{w+} = v+ (.) g, grad_{v+} = w+ (.) g, grad_{w-} = -v- (.) g,
// grad_{v-} = -w- (.) g.
//
//   - stl: one network, all four vectors at the constant init c = Config.Init, trained on the
//     main task.
//   - mtl: shared first layer w+-, readouts v+-_aux and v+-_main, all at c; trained on
//     L_aux(beta_aux) + L_main(beta_main), the unweighted sum of the two tasks' mean losses
//     (convention), beta_t = w+ (.) v+_t - w- (.) v-_t.
//   - ptft: pretraining: one network, all four vectors at pretrain_init (Config.PretrainInit;
//     Unset means Init), trained on the auxiliary task exactly as an stl run on it (until
//     L_aux < stop_loss or `steps` steps); then w+- <- lambda w+- (lambda = rescale),
//     v+- <- c (the readout is reset to init), and finetuning on the main task (until
//     L_main < stop_loss or `steps` more steps). Reading of docs/science.md: `init` is c, the
//     readout (re)initialisation that also enters the PT+FT penalty; pretrain_init is only the
//     scale of the pretraining network.
//   - lp (linear probing): as ptft, but the second phase trains v+- only (w+- stays at
//     lambda w_pretrained, bit for bit).
//
// Optimisers: gd (full batch on each task) and sgd (a minibatch of size `batch` from each
// task at every step, drawn as by sgd in optimizer.go from the run stream; mtl draws the
// auxiliary batch first). Both update all vectors from the old iterate.
const (
	ModelSTL  = "stl"  // single-task learning on the main task (Lippl2024)
	ModelMTL  = "mtl"  // multi-task learning: shared w+-, one readout per task (Lippl2024)
	ModelPTFT = "ptft" // pretraining on the auxiliary task, then finetuning (Lippl2024)
	ModelLP   = "lp"   // pretraining, then linear probing: only v+- trained (Lippl2024)
)

// isMultiTask reports whether model is one of the multi-task family.
func isMultiTask(model string) bool {
	switch model {
	case ModelSTL, ModelMTL, ModelPTFT, ModelLP:
		return true
	}
	return false
}

// needsAux reports whether model trains on the auxiliary task.
func needsAux(model string) bool { return isMultiTask(model) && model != ModelSTL }

// multiTaskErrors checks the multi-task fields of a Config of the multi-task family (other
// models ignore them, whatever their values, so that a sweep over model may fix them):
// optimizer gd or sgd; generated data (not a file); 1 <= k_main <= d; 0 <= k_aux <= d;
// 0 <= overlap <= min(k_aux, k_main); k_aux + k_main - overlap <= d (the supports fit);
// n_aux >= 0 and n_aux*d <= MaxElements. mtl, ptft and lp need an auxiliary task:
// k_aux >= 1, n_aux >= 1 and, for sgd, batch <= n_aux. ptft and lp check pretrain_init
// (Unset, or > 0 and finite) and rescale (> 0 and finite); stl and mtl ignore both.
func (c Config) multiTaskErrors() []error {
	if !isMultiTask(c.Model) {
		return nil
	}
	var errs []error
	bad := func(param, format string, args ...any) { errs = append(errs, paramErrorf(param, format, args...)) }
	if c.Optimizer != OptimizerGD && c.Optimizer != OptimizerSGD {
		bad("optimizer", "must be one of %q for model %q (the multi-task family), got %q", []string{OptimizerGD, OptimizerSGD}, c.Model, c.Optimizer)
	}
	if c.DataFile != "" {
		bad("data", "must not be set for model %q: the multi-task family draws its own tasks (Lippl2024)", c.Model)
	}
	fits := true
	switch {
	case c.KMain == 0:
		bad("k_main", "must be set for model %q (1 <= k_main <= d)", c.Model)
		fits = false
	case c.KMain < 1 || c.KMain > c.D:
		bad("k_main", "must satisfy 1 <= k_main <= d (d = %d), got %d", c.D, c.KMain)
		fits = false
	}
	switch {
	case c.KAux < 0 || c.KAux > c.D:
		bad("k_aux", "must satisfy 0 <= k_aux <= d (d = %d), got %d", c.D, c.KAux)
		fits = false
	case c.KAux == 0 && needsAux(c.Model):
		bad("k_aux", "must be set to >= 1 for model %q (it needs an auxiliary task)", c.Model)
	}
	if top := min(c.KAux, c.KMain); c.Overlap < 0 || c.Overlap > top {
		bad("overlap", "must satisfy 0 <= overlap <= min(k_aux, k_main) = %d, got %d", max(top, 0), c.Overlap)
		fits = false
	}
	if fits && c.KAux+c.KMain-c.Overlap > c.D {
		bad("k_main", "must satisfy k_aux + k_main - overlap <= d (the supports must fit; k_aux = %d, overlap = %d, d = %d), got %d", c.KAux, c.Overlap, c.D, c.KMain)
	}
	switch {
	case c.NAux < 0:
		bad("n_aux", "must be >= 0, got %d", c.NAux)
	case c.NAux == 0 && needsAux(c.Model):
		bad("n_aux", "must be set to >= 1 for model %q (it needs an auxiliary task)", c.Model)
	case c.D >= 1 && c.NAux > MaxElements/c.D:
		errs = append(errs, productErrorf("n_aux", "n_aux*d", "must be <= %d, got n_aux = %d, d = %d", MaxElements, c.NAux, c.D))
	case c.Optimizer == OptimizerSGD && needsAux(c.Model) && c.Batch > c.NAux:
		bad("batch", "must satisfy batch <= n_aux (n_aux = %d) for optimizer %q and model %q, got %d", c.NAux, c.Optimizer, c.Model, c.Batch)
	}
	if c.Model == ModelPTFT || c.Model == ModelLP {
		if !IsUnset(c.PretrainInit) {
			checkPositive(&errs, "pretrain_init", c.PretrainInit)
		}
		checkPositive(&errs, "rescale", c.Rescale)
	}
	return errs
}

// twoLayerModel is one network of the multi-task family as a model (model.go): w = [w+; w-;
// v+; v-], all four at alpha, beta = w+ (.) v+ - w- (.) v-. SimulateData runs the family by
// simulateMultiTask and never builds a runner with it; it serves tests and the model table.
//
// With w+ = v+ and w- = v- (which gd keeps, bit for bit, from the equal start) beta =
// w+^2 - w-^2 and the gd step is w+- <- w+- (1 -+ gamma g): exactly deep with D = 2, init
// alpha and stepsize gamma/2 (model_deep.go), hence uv with init sqrt(2) alpha and stepsize
// gamma up to rounding.
type twoLayerModel struct{}

func newTwoLayerModel(Config) model { return twoLayerModel{} }

func (twoLayerModel) numParams(d int) int { return 4 * d }

func (twoLayerModel) init(w []float64, alpha float64) {
	for i := range w {
		w[i] = alpha
	}
}

func (twoLayerModel) beta(w, beta []float64) {
	d := len(beta)
	netBeta(w[:d], w[d:2*d], w[2*d:3*d], w[3*d:4*d], beta)
}

func (twoLayerModel) pullback(w, g, gw []float64) {
	d := len(g)
	wp, wm, vp, vm := w[:d], w[d:2*d], w[2*d:3*d], w[3*d:4*d]
	for i, gi := range g {
		gw[i] = float64(vp[i] * gi)
		gw[d+i] = -float64(vm[i] * gi)
		gw[2*d+i] = float64(wp[i] * gi)
		gw[3*d+i] = -float64(wm[i] * gi)
	}
}

// netBeta sets beta = w+ (.) v+ - w- (.) v-.
func netBeta(wp, wm, vp, vm, beta []float64) {
	wp, wm, vp, vm = wp[:len(beta)], wm[:len(beta)], vp[:len(beta)], vm[:len(beta)]
	for i := range beta {
		beta[i] = float64(wp[i]*vp[i]) - float64(wm[i]*vm[i])
	}
}

// netStep takes one gradient step of the network (w+, w-, v+, v-) with step gamma on the
// gradient g of the loss w.r.t. its beta, every update from the old values:
// w+ -= gamma v+ g, w- += gamma v- g, v+ -= gamma w+ g, v- += gamma w- g; with trainW false
// only v+- move (linear probing).
func netStep(wp, wm, vp, vm, g []float64, gamma float64, trainW bool) {
	wp, wm, vp, vm = wp[:len(g)], wm[:len(g)], vp[:len(g)], vm[:len(g)]
	for i, gi := range g {
		a, b, p, q := wp[i], wm[i], vp[i], vm[i]
		if trainW {
			wp[i] = a - float64(gamma*float64(p*gi))
			wm[i] = b + float64(gamma*float64(q*gi))
		}
		vp[i] = p - float64(gamma*float64(a*gi))
		vm[i] = q + float64(gamma*float64(b*gi))
	}
}

// mtlStep takes one gradient step of mtl on L_aux + L_main, with ga, gm the gradients of the
// two losses w.r.t. beta_aux and beta_main, every update from the old values:
// w+ -= gamma (v+_aux ga + v+_main gm), w- += gamma (v-_aux ga + v-_main gm),
// v+_t -= gamma w+ g_t, v-_t += gamma w- g_t.
func mtlStep(wp, wm, vpa, vma, vpm, vmm, ga, gm []float64, gamma float64) {
	d := len(ga)
	wp, wm, vpa, vma, vpm, vmm, gm = wp[:d], wm[:d], vpa[:d], vma[:d], vpm[:d], vmm[:d], gm[:d]
	for i := range ga {
		a, b := wp[i], wm[i]
		pa, qa, pm, qm := vpa[i], vma[i], vpm[i], vmm[i]
		wp[i] = a - float64(gamma*(float64(pa*ga[i])+float64(pm*gm[i])))
		wm[i] = b + float64(gamma*(float64(qa*ga[i])+float64(qm*gm[i])))
		vpa[i] = pa - float64(gamma*float64(a*ga[i]))
		vma[i] = qa + float64(gamma*float64(b*ga[i]))
		vpm[i] = pm - float64(gamma*float64(a*gm[i]))
		vmm[i] = qm + float64(gamma*float64(b*gm[i]))
	}
}

// taskState holds one task's buffers in a multi-task run (allocated once).
type taskState struct {
	data *Data
	beta []float64 // beta of the network (or readout) trained on this task
	g    []float64 // gradient used by the last step
	res  []float64 // full training residual X beta - y
	perm []int     // sgd: rows, first `batch` entries the minibatch (nil for gd)
	loss float64   // full training loss at beta
}

func newTaskState(dt *Data, sgd bool) *taskState {
	t := &taskState{data: dt, beta: make([]float64, dt.D), g: make([]float64, dt.D), res: make([]float64, dt.N)}
	if sgd {
		t.perm = make([]int, dt.N)
		for i := range t.perm {
			t.perm[i] = i
		}
	}
	return t
}

// evaluate computes the residual and the loss L = 1/(2n) ||X beta - y||^2 at t.beta.
func (t *taskState) evaluate() float64 {
	t.loss = sumSquaredResiduals(t.data.X, t.data.Y, t.beta, t.res) / float64(2*t.data.N)
	return t.loss
}

// gradient sets t.g to the gradient the step uses (evaluate must have been called): the full
// one for gd, for sgd the one of a fresh minibatch of size b (partial Fisher-Yates from rng,
// as sgd in optimizer.go). It returns gamma ||g||_inf.
func (t *taskState) gradient(rng *rand.Rand, b int, gamma float64) float64 {
	if t.perm == nil {
		gradientRows(t.data.X, t.res, nil, t.g)
	} else {
		n := len(t.perm)
		for j := range b {
			k := j + rng.IntN(n-j)
			t.perm[j], t.perm[k] = t.perm[k], t.perm[j]
		}
		gradientRows(t.data.X, t.res, t.perm[:b], t.g)
	}
	var m float64
	for _, gi := range t.g {
		m = max(m, math.Abs(gi))
	}
	return gamma * m
}

// MultiTaskMetrics are the multi-task columns of a run of the family (docs/science.md sections 6
// and 7); beta_aux is the auxiliary task's predictor: mtl's auxiliary readout
// w+ (.) v+_aux - w- (.) v-_aux at the end, and for ptft and lp the pretrained network's beta
// (at the end of pretraining). All four are NaN for stl, which has no auxiliary task.
//
//   - AuxTrainLoss, AuxTestLoss: L(beta_aux) on the auxiliary training and test sets.
//   - MTLPenalty: ||(beta_aux, beta)||_{1,2} = sum_i sqrt(beta_aux,i^2 + beta_i^2)
//     (MTLPenalty), beta the final main-task beta.
//   - PTFTPenalty: sum_i (|beta_aux,i| + c^2) Q(2 beta_i / (|beta_aux,i| + c^2)), c = init
//     (PTFTPenalty).
//
// Both penalties are reported for mtl, ptft and lp, so that each model can be scored by the
// other's penalty. PretrainSteps and PretrainStatus describe the pretraining phase of ptft
// and lp (0 and "" otherwise); the Result's Steps counts both phases.
type MultiTaskMetrics struct {
	AuxTrainLoss, AuxTestLoss float64
	MTLPenalty, PTFTPenalty   float64
	PretrainSteps             int
	PretrainStatus            string
}

// MultiTaskColumns returns the multi-task columns of r (aux_train_loss, aux_test_loss,
// mtl_penalty, ptft_penalty), all NaN when r is not a multi-task run.
func (r Result) MultiTaskColumns() (auxTrainLoss, auxTestLoss, mtlPenalty, ptftPenalty float64) {
	if r.MultiTask == nil {
		nan := math.NaN()
		return nan, nan, nan, nan
	}
	m := r.MultiTask
	return m.AuxTrainLoss, m.AuxTestLoss, m.MTLPenalty, m.PTFTPenalty
}

// MTLPenalty returns ||B||_{1,2} = sum_i sqrt(a_i^2 + b_i^2) for B = (a, b) (Lippl2024,
// docs/science.md section 6: the implicit penalty of multi-task learning).
func MTLPenalty(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Hypot(a[i], b[i])
	}
	return s
}

// PTFTQ returns Q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z/2) (Lippl2024): Q(0) = 0, even,
// Q(z) = z^2/4 - z^4/192 + O(z^6) near 0 and ~ |z| ln|z| for large |z|. It is evaluated as
// z arcsinh(z/2) - z^2/(sqrt(4 + z^2) + 2), which avoids the cancellation of 2 - sqrt(4 + z^2)
// for small z (the two terms are about z^2/2 and z^2/4).
func PTFTQ(z float64) float64 {
	return z*math.Asinh(z/2) - z*z/(math.Sqrt(4+z*z)+2)
}

// PTFTPenalty returns sum_i (|a_i| + c^2) Q(2 beta_i / (|a_i| + c^2)) (Lippl2024, docs/science.md
// section 6: the implicit penalty of finetuning from pretrained beta_aux = a with readout
// init c): weighted l2 on the coordinates the auxiliary task uses, l1-like elsewhere.
func PTFTPenalty(a, beta []float64, c float64) float64 {
	var s float64
	for i, b := range beta {
		k := math.Abs(a[i]) + c*c
		s += k * PTFTQ(2*b/k)
	}
	return s
}

// multiTaskRun is the outcome of runMultiTask.
type multiTaskRun struct {
	mt       *MultiTaskData
	params   []float64 // stl, ptft, lp: [w+; w-; v+; v-]; mtl: [w+; w-; v+_aux; v-_aux; v+_main; v-_main]
	beta     []float64 // final main-task beta
	betaAux  []float64 // beta_aux (see MultiTaskMetrics); nil for stl
	pretrain []float64 // ptft, lp: parameters at the end of pretraining, before the rescale
	res      Result
}

// simulateMultiTask is SimulateData for the multi-task family (c valid, data = GenerateData(c)).
// The State has Data = the main task, Params (layout of multiTaskRun.params), Beta (the main
// task's) and Gain nil.
func simulateMultiTask(ctx context.Context, c Config, data *Data) (*State, Result, error) {
	mt, err := GenerateMultiTaskData(c, data)
	if err != nil {
		return nil, Result{}, err
	}
	run, err := runMultiTask(ctx, c, mt)
	st := &State{Data: run.mt.Main, Params: run.params, Beta: run.beta}
	return st, run.res, err
}

// trainPhase steps until divergence (the objective or a beta non-finite, or above
// DivergenceFactor times its start), convergence (objective < stop_loss) or maxSteps steps, as
// the runner does (run.go). eval computes the objective at the current iterate; step takes one
// step from an evaluated iterate and returns gamma ||g||_inf. It returns the status, the steps
// taken and sum_k gamma * objective_k over them; err only on cancellation (status "").
func trainPhase(ctx context.Context, eval func() float64, step func() float64, c Config, maxGammaG *float64) (status string, steps int, intLoss float64, err error) {
	loss := eval()
	limit := math.Inf(1)
	if loss > 0 {
		limit = DivergenceFactor * loss
	}
	for {
		switch {
		case isNonFinite(loss) || loss > limit:
			return StatusDiverged, steps, intLoss, nil
		case loss < c.StopLoss:
			return StatusConverged, steps, intLoss, nil
		case steps >= c.Steps:
			return StatusMaxSteps, steps, intLoss, nil
		}
		intLoss += float64(c.Stepsize * loss)
		*maxGammaG = max(*maxGammaG, step())
		loss = eval()
		steps++
		if steps%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return "", steps, intLoss, fmt.Errorf("run cancelled after %d steps: %w", steps, err)
			}
		}
	}
}

// runMultiTask trains c (valid, multi-task) on mt and computes its metrics: those of
// Result on the main task's final beta (train_loss, test_loss, beta_err against the main
// teacher, l1, l2, nnz, precision, recall), int_loss = sum_k gamma * objective_k over the
// steps that train on the main task (stl: L_main; mtl: L_aux + L_main; ptft, lp: L_main of
// the second phase), max_gamma_g over all steps and both tasks, Steps over both phases, Status
// of the last phase run (a diverged pretraining ends the run, "diverged"), GainL1, GainOn,
// GainOff, PredErr, GFErr, Sharpness NaN (no uv theory), and MultiTask.
func runMultiTask(ctx context.Context, c Config, mt *MultiTaskData) (*multiTaskRun, error) {
	d, gamma := c.D, c.Stepsize
	sgd := c.Optimizer == OptimizerSGD
	rng := rand.New(rand.NewPCG(c.RunSeed, streamRun))
	main := newTaskState(mt.Main, sgd)
	var aux *taskState
	if needsAux(c.Model) {
		aux = newTaskState(mt.Aux, sgd)
	}
	run := &multiTaskRun{mt: mt}
	var maxGammaG float64
	var status string
	var steps int
	var intLoss float64
	var err error
	info := &MultiTaskMetrics{}

	switch c.Model {
	case ModelSTL, ModelPTFT, ModelLP:
		w := make([]float64, 4*d)
		wp, wm, vp, vm := w[:d], w[d:2*d], w[2*d:3*d], w[3*d:]
		run.params = w
		task := main
		if c.Model != ModelSTL {
			task = aux
			pi := c.PretrainInit
			if IsUnset(pi) {
				pi = c.Init
			}
			twoLayerModel{}.init(w, pi)
		} else {
			twoLayerModel{}.init(w, c.Init)
		}
		trainW := true
		eval := func() float64 { netBeta(wp, wm, vp, vm, task.beta); return task.evaluate() }
		step := func() float64 {
			m := task.gradient(rng, c.Batch, gamma)
			netStep(wp, wm, vp, vm, task.g, gamma, trainW)
			return m
		}
		if c.Model != ModelSTL {
			var pstatus string
			var psteps int
			pstatus, psteps, _, err = trainPhase(ctx, eval, step, c, &maxGammaG)
			info.PretrainSteps, info.PretrainStatus = psteps, pstatus
			run.pretrain = slices.Clone(w)
			run.betaAux = slices.Clone(aux.beta)
			steps = psteps
			if err != nil || pstatus == StatusDiverged {
				status = pstatus
				netBeta(wp, wm, vp, vm, main.beta)
				main.evaluate()
				break
			}
			for i := range d {
				wp[i] *= c.Rescale
				wm[i] *= c.Rescale
				vp[i], vm[i] = c.Init, c.Init
			}
			task, trainW = main, c.Model == ModelPTFT
		}
		var fsteps int
		status, fsteps, intLoss, err = trainPhase(ctx, eval, step, c, &maxGammaG)
		steps += fsteps
	case ModelMTL:
		w := make([]float64, 6*d)
		twoLayerModel{}.init(w, c.Init)
		wp, wm, vpa, vma, vpm, vmm := w[:d], w[d:2*d], w[2*d:3*d], w[3*d:4*d], w[4*d:5*d], w[5*d:]
		eval := func() float64 {
			netBeta(wp, wm, vpa, vma, aux.beta)
			netBeta(wp, wm, vpm, vmm, main.beta)
			return aux.evaluate() + main.evaluate()
		}
		step := func() float64 {
			m := max(aux.gradient(rng, c.Batch, gamma), main.gradient(rng, c.Batch, gamma))
			mtlStep(wp, wm, vpa, vma, vpm, vmm, aux.g, main.g, gamma)
			return m
		}
		status, steps, intLoss, err = trainPhase(ctx, eval, step, c, &maxGammaG)
		run.params = w
		run.betaAux = slices.Clone(aux.beta)
	}

	run.beta = slices.Clone(main.beta)
	res := Result{
		TrainLoss: main.loss,
		TestLoss:  mt.Main.TestLoss(main.beta),
		BetaErr:   squaredError(main.beta, mt.Main.BetaStar),
		IntLoss:   intLoss,
		NNZ:       NNZ(main.beta),
		Status:    status,
		Steps:     steps,
	}
	for _, b := range main.beta {
		res.L1 += math.Abs(b)
	}
	betaOnlyMetrics(&res, main.beta, mt.Main.BetaStar)
	extraMetricsUnset(&res)
	res.GainL1, res.MaxGammaG = math.NaN(), maxGammaG
	nan := math.NaN()
	info.AuxTrainLoss, info.AuxTestLoss, info.MTLPenalty, info.PTFTPenalty = nan, nan, nan, nan
	if run.betaAux != nil {
		info.AuxTrainLoss = mt.Aux.TrainLoss(run.betaAux)
		info.AuxTestLoss = mt.Aux.TestLoss(run.betaAux)
		info.MTLPenalty = MTLPenalty(run.betaAux, main.beta)
		info.PTFTPenalty = PTFTPenalty(run.betaAux, main.beta, c.Init)
	}
	res.MultiTask = info
	run.res = res
	return run, err
}
