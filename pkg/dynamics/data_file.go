package dynamics

import "math"

// Data from a file (spec parameter data; read by pkg/dataset, which keeps this package free of
// file formats). A Config with DataFile set takes N, D and Test from the file (the grid fills
// them in) and ignores the generation fields (Sparsity, XMean, LabelNoise, XNorm, BetaStar);
// a Data with File set was read from that file. Such data may lack beta* (BetaStar nil: the
// metrics comparing with beta*, beta_err, precision, recall, gain_on and gain_off, are NaN)
// and a test set (Test = 0: test_loss is NaN, 0/0).

// fileDataErrors checks the fields of a Config whose data comes from a file.
func (c Config) fileDataErrors() []error {
	var errs []error
	if c.N < 1 {
		errs = append(errs, paramErrorf("n", "must be >= 1, got %d (from data %s)", c.N, c.DataFile))
	}
	if c.D < 1 {
		errs = append(errs, paramErrorf("d", "must be >= 1, got %d (from data %s)", c.D, c.DataFile))
	}
	if c.Test < 0 {
		errs = append(errs, paramErrorf("test", "must be >= 0, got %d (from data %s)", c.Test, c.DataFile))
	}
	return errs
}

// readFor reports whether dt is the dataset a Config with DataFile set runs on: read from that
// file, with the shape the Config was given. The data seed is not compared: points that differ
// in the seed parameter share the file's data.
func (dt *Data) readFor(c Config) bool {
	return dt.File != "" && dt.File == c.DataFile && dt.N == c.N && dt.D == c.D && dt.Test == c.Test
}

// squaredError returns ||beta - betaStar||_2^2, NaN when betaStar is absent (data from a file
// without beta*).
func squaredError(beta, betaStar []float64) float64 {
	if len(betaStar) == 0 {
		return math.NaN()
	}
	var s float64
	for i, b := range beta {
		e := b - betaStar[i]
		s += float64(e * e)
	}
	return s
}
