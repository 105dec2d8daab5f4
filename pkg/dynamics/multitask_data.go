package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Streams of the multi-task data (convention; see streamBeta): second PCG seeds with DataSeed
// as the first. Changing any of them changes results: bump Version.
const (
	streamTaskSigns     uint64 = 0x6d747369_676e7321 // "mtsigns!": teacher signs
	streamMainNoise     uint64 = 0x6d61696e_6e6f6973 // "mainnois": main-task training label noise
	streamMainTestNoise uint64 = 0x6d61696e_74657374 // "maintest": main-task test label noise
	streamAuxTrain      uint64 = 0x61757874_7261696e // "auxtrain": auxiliary training set
	streamAuxTest       uint64 = 0x61757874_65737421 // "auxtest!": auxiliary test set
)

// MultiTaskData is the data of the multi-task family (Lippl2024, docs/science.md section 2):
// a main task and an auxiliary task on the same d input coordinates.
type MultiTaskData struct {
	// Main is the main task: n training rows and test test rows. Its X and XTest are the
	// designs of the point's single-task dataset (GenerateData, shared, read-only), its
	// BetaStar is the main teacher and its labels y = X beta_main + sigma eps carry their own
	// noise draws.
	Main *Data
	// Aux is the auxiliary task: n_aux training rows and test test rows, BetaStar the
	// auxiliary teacher. nil when k_aux = 0 or n_aux = 0 (no auxiliary task).
	Aux *Data
	// Signs are the teacher signs s_j = +-1 of every coordinate.
	Signs []float64
}

// TaskTeachers returns the auxiliary and main teachers of the multi-task family for dimension
// d, supports kAux and kMain and overlap (0 <= overlap <= min(kAux, kMain),
// kAux + kMain - overlap <= d), given the signs s_j (docs/science.md section 2, Lippl2024).
// Layout (convention):
//
//	beta_aux_j  = s_j / sqrt(k_aux)   for j in A = {0, ..., k_aux-1}
//	beta_main_j = s_j / sqrt(k_main)  for j in M = {0, ..., overlap-1}
//	                                        u {k_aux, ..., k_aux + k_main - overlap - 1}
//
// and 0 elsewhere: the main task's shared features are the first `overlap` auxiliary
// coordinates, with the same signs, and its own features come right after the auxiliary
// support. Both supports grow as prefixes of these blocks, so teachers of nested settings
// (same signs) are nested.
func TaskTeachers(d, kAux, kMain, overlap int, signs []float64) (aux, main []float64) {
	aux, main = make([]float64, d), make([]float64, d)
	for j := range kAux {
		aux[j] = signs[j] / math.Sqrt(float64(kAux))
	}
	for k := range kMain {
		j := k
		if k >= overlap {
			j = kAux + k - overlap
		}
		main[j] = signs[j] / math.Sqrt(float64(kMain))
	}
	return aux, main
}

// GenerateMultiTaskData draws the multi-task data of c (a valid Config of a multi-task model)
// on base = GenerateData(c), whose designs the main task reuses. It depends only on the data
// fields (those of GenerateData and KAux, KMain, Overlap, NAux) and DataSeed, never on the
// model, so stl, mtl, ptft and lp points of one dataset see the same tasks. Draws, each
// stream a math/rand/v2 PCG over (DataSeed, stream):
//
//  1. signs (streamTaskSigns): d values Uint64; s_j = -1 if the top bit is set, else +1.
//  2. main task: X and X_test of base (rows x_i ~ N(x_mean 1, I_d), x_norm applied); labels
//     y_i = <x_i, beta_main> + sigma eps_i with eps_1..eps_n from streamMainNoise and the test
//     labels' eps from streamMainTestNoise (drawn even when sigma = 0).
//  3. auxiliary task (when k_aux >= 1 and n_aux >= 1): n_aux training rows (streamAuxTrain)
//     and `test` test rows (streamAuxTest), each drawn as in GenerateData step 2 (rows, then
//     noise; x_norm applied), with beta_aux.
//
// It returns an error if c is invalid (wrapping Validate's), not of a multi-task model, or
// base was not generated for c.
func GenerateMultiTaskData(c Config, base *Data) (*MultiTaskData, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("generate multi-task data: invalid config: %w", err)
	}
	if !isMultiTask(c.Model) {
		return nil, fmt.Errorf("generate multi-task data: model %q is not of the multi-task family (%s, %s, %s, %s)", c.Model, ModelSTL, ModelMTL, ModelPTFT, ModelLP)
	}
	if base == nil || !base.generatedFor(c) {
		return nil, errors.New("generate multi-task data: the base dataset was not generated for this config (GenerateData(c))")
	}
	d := c.D
	signs := make([]float64, d)
	rng := rand.New(rand.NewPCG(c.DataSeed, streamTaskSigns))
	for j := range signs {
		signs[j] = 1
		if rng.Uint64()>>63 == 1 {
			signs[j] = -1
		}
	}
	aux, main := TaskTeachers(d, c.KAux, c.KMain, c.Overlap, signs)
	mt := &MultiTaskData{Signs: signs}
	mt.Main = &Data{
		N: base.N, D: d, Test: base.Test, Sparsity: c.KMain,
		XMean: base.XMean, LabelNoise: base.LabelNoise, XNorm: base.XNorm,
		BetaStarKind: BetaStarSign, Seed: base.Seed,
		X: base.X, XTest: base.XTest, BetaStar: main,
		Y:     noisyLabels(base.X, main, c.LabelNoise, rand.New(rand.NewPCG(c.DataSeed, streamMainNoise))),
		YTest: noisyLabels(base.XTest, main, c.LabelNoise, rand.New(rand.NewPCG(c.DataSeed, streamMainTestNoise))),
	}
	if c.KAux >= 1 && c.NAux >= 1 {
		rowNorm := base.XNorm == XNormRow
		dt := &Data{
			N: c.NAux, D: d, Test: c.Test, Sparsity: c.KAux,
			XMean: c.XMean, LabelNoise: c.LabelNoise, XNorm: base.XNorm,
			BetaStarKind: BetaStarSign, Seed: c.DataSeed, BetaStar: aux,
		}
		dt.X, dt.Y = sampleRegression(rand.New(rand.NewPCG(c.DataSeed, streamAuxTrain)), c.NAux, d, c.XMean, c.LabelNoise, rowNorm, aux)
		dt.XTest, dt.YTest = sampleRegression(rand.New(rand.NewPCG(c.DataSeed, streamAuxTest)), c.Test, d, c.XMean, c.LabelNoise, rowNorm, aux)
		mt.Aux = dt
	}
	return mt, nil
}

// noisyLabels returns y_i = <x_i, beta> + sigma eps_i for the rows of x (len(beta) columns),
// eps_i the i-th normal of rng (drawn even when sigma = 0).
func noisyLabels(x, beta []float64, sigma float64, rng *rand.Rand) []float64 {
	d := len(beta)
	y := make([]float64, len(x)/d)
	for i := range y {
		y[i] = dot(x[i*d:(i+1)*d], beta) + float64(sigma*rng.NormFloat64())
	}
	return y
}
