package dynamics

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Stream constants: the second PCG seed of each independent random stream (convention).
// The first seed is DataSeed (data streams) or RunSeed (run stream). Changing any of them
// changes results: bump Version.
const (
	streamBeta  uint64 = 0x62657461_73746172 // "betastar": beta* entries
	streamTrain uint64 = 0x74726169_6e736574 // "trainset": training X, then training noise
	streamTest  uint64 = 0x74657374_73657421 // "testset!": test X, then test noise
	streamRun   uint64 = 0x72756e73_65656421 // "runseed!": the run's own randomness (sgd)
)

// Data is one regression dataset (docs/science.md section 1). Matrices are row-major: row i of
// X is X[i*D : (i+1)*D].
type Data struct {
	N, D, Test   int     // training samples, dimension, test samples
	Sparsity     int     // s: beta* is supported on coordinates 0..s-1
	XMean        float64 // m: rows are x_i ~ N(m*1, I_d)
	LabelNoise   float64 // sigma: y = X beta* + sigma*eps
	XNorm        string  // row scaling of X and X_test (XNormNone, XNormRow; never "")
	BetaStarKind string  // kind of the beta* entries (BetaStarGaussian, ...; never "")
	Seed         uint64  // DataSeed

	X        []float64 // N x D training design
	Y        []float64 // N training labels
	BetaStar []float64 // D teacher coefficients
	XTest    []float64 // Test x D test design
	YTest    []float64 // Test test labels

	// File is the dataset file or directory the data was read from (pkg/dataset; see
	// data_file.go), "" for generated data. For such data only N, D, Test and the arrays are
	// meaningful, BetaStar may be nil and Test 0.
	File string
}

// GenerateData draws the dataset of c. It depends only on N, D, Sparsity, XMean, LabelNoise,
// XNorm, BetaStar, Test and DataSeed, so points that differ only in optimiser settings share
// it. It returns an error, wrapping the *ParamError of each field, if those fields are
// invalid (see Validate), or if c's data comes from a file (DataFile set: pkg/dataset reads
// it).
//
// Draws (docs/science.md section 1), each stream a math/rand/v2 Rand over
// rand.NewPCG(DataSeed, stream) whose output for a given seed is pinned across Go releases,
// normals from Rand.NormFloat64:
//
//  1. beta* (streamBeta): D standard normals z_0..z_{D-1}; beta*_j = z_j for j < s, else 0
//     (support = first s coordinates, entries N(0,1), convention). Drawing all D values
//     makes the supports nested: beta* for s is a prefix of beta* for s+1. BetaStar "sign"
//     sets beta*_j = sign(z_j)/sqrt(s) and "constant" beta*_j = 1/sqrt(s) for j < s from the
//     same D draws (data_options.go), so the draw order does not depend on BetaStar.
//  2. training set (streamTrain): X row by row, x_ij = m + z (N*D draws), then the noise
//     eps_1..eps_N; y_i = <x_i, beta*> + sigma*eps_i. The noise is drawn even when sigma = 0.
//     With XNorm "row" every row is rescaled to ||x_i||^2 = d after all rows are drawn and
//     before y is computed (no extra draws).
//  3. test set (streamTest): the same as 2 with Test rows: the test labels carry label noise
//     too ("from the same distribution"), so with sigma > 0 the test loss is at least about
//     sigma^2/2.
func GenerateData(c Config) (*Data, error) {
	if c.DataFile != "" {
		return nil, fmt.Errorf("generate data: the data of this config comes from the file %q (read it with pkg/dataset)", c.DataFile)
	}
	if errs := c.dataErrors(); len(errs) > 0 {
		return nil, fmt.Errorf("generate data: invalid config: %w", errors.Join(errs...))
	}
	dt := &Data{
		N: c.N, D: c.D, Test: c.Test, Sparsity: c.Sparsity,
		XMean: c.XMean, LabelNoise: c.LabelNoise, Seed: c.DataSeed,
		BetaStar: make([]float64, c.D),
	}
	dt.XNorm, _ = canonicalXNorm(c.XNorm)
	dt.BetaStarKind, _ = canonicalBetaStar(c.BetaStar)
	rng := rand.New(rand.NewPCG(c.DataSeed, streamBeta))
	for j := range dt.BetaStar {
		z := rng.NormFloat64()
		if j < c.Sparsity {
			dt.BetaStar[j] = betaStarEntry(dt.BetaStarKind, z, c.Sparsity)
		}
	}
	rowNorm := dt.XNorm == XNormRow
	dt.X, dt.Y = sampleRegression(rand.New(rand.NewPCG(c.DataSeed, streamTrain)), c.N, c.D, c.XMean, c.LabelNoise, rowNorm, dt.BetaStar)
	dt.XTest, dt.YTest = sampleRegression(rand.New(rand.NewPCG(c.DataSeed, streamTest)), c.Test, c.D, c.XMean, c.LabelNoise, rowNorm, dt.BetaStar)
	return dt, nil
}

// sampleRegression draws rows x_i ~ N(m*1, I_d) (rows first), rescales them to
// ||x_i||^2 = d if rowNorm, then draws the noise, and returns (X, y) with
// y_i = <x_i, beta*> + sigma*eps_i.
func sampleRegression(rng *rand.Rand, rows, d int, m, sigma float64, rowNorm bool, betaStar []float64) (x, y []float64) {
	x = make([]float64, rows*d)
	for k := range x {
		x[k] = m + rng.NormFloat64()
	}
	if rowNorm {
		normalizeRows(x, d)
	}
	y = make([]float64, rows)
	for i := range y {
		y[i] = dot(x[i*d:(i+1)*d], betaStar) + float64(sigma*rng.NormFloat64())
	}
	return x, y
}

// TrainLoss returns L(beta) = 1/(2n) ||X beta - y||^2 (docs/science.md section 1).
func (dt *Data) TrainLoss(beta []float64) float64 {
	return sumSquaredResiduals(dt.X, dt.Y, beta, make([]float64, dt.N)) / float64(2*dt.N)
}

// TestLoss returns 1/(2 n_test) ||X_test beta - y_test||^2.
func (dt *Data) TestLoss(beta []float64) float64 {
	return sumSquaredResiduals(dt.XTest, dt.YTest, beta, make([]float64, dt.Test)) / float64(2*dt.Test)
}

// Gradient sets grad = grad L(beta) = X^T (X beta - y) / n and returns L(beta)
// (docs/science.md section 1). It allocates a residual; the training loop uses its own buffers.
func (dt *Data) Gradient(beta, grad []float64) float64 {
	r := make([]float64, dt.N)
	ss := sumSquaredResiduals(dt.X, dt.Y, beta, r)
	gradientRows(dt.X, r, nil, grad)
	return ss / float64(2*dt.N)
}
