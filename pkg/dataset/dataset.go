// Package dataset reads a user's own regression dataset (spec parameter data) into a
// dynamics.Data, so that a sweep runs on it instead of on generated data. It owns the file
// formats (.npy, CSV, Parquet); pkg/dynamics stays free of them.
//
// The spec's data is a path, relative to the spec file's directory unless absolute, naming
// either
//
//   - a directory holding the arrays X (n x d), y (n), and optionally beta_star (d) and
//     X_test (m x d) with y_test (m), each as NAME.npy, NAME.csv or NAME.parquet (one of them
//     per name). A .npy file holds float64 little-endian ('<f8') in C or Fortran order; X is
//     2-d, a vector 1-d or a one-column 2-d array. A CSV file has a header row; a CSV or
//     Parquet X uses all its columns as features, a vector file has exactly one column; or
//   - a single table, a .csv or .parquet file: the column y holds the labels, the optional
//     column split holds "train" or "test" per row (default train), and every other column is
//     a feature, in file order (e.g. x0, x1, ..., x{d-1}). A single table has no beta*.
//
// Every value must be a finite number. Without beta*, the metrics that compare with it
// (beta_err, precision, recall, gain_on, gain_off) are NaN; without a test set, test_loss is
// NaN (there is no held-out split: every training row is trained on).
//
// The dataset's identity is the SHA-256 of its files' bytes (Hash), not its path: the grid
// mixes it into the points' seeds, so editing the file gives new points, and moving it does
// not.
package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// SplitColumn is the optional column of a single-table dataset that marks rows "train" or
// "test".
const SplitColumn = "split"

// LabelColumn is the column of a single-table dataset that holds the labels y.
const LabelColumn = "y"

// Extensions are the file formats a dataset array may be stored in.
var Extensions = []string{".npy", ".csv", ".parquet"}

// Array names of the directory layout.
const (
	ArrayX        = "X"
	ArrayY        = "y"
	ArrayBetaStar = "beta_star"
	ArrayXTest    = "X_test"
	ArrayYTest    = "y_test"
)

// Set is a dataset read from a file or directory.
type Set struct {
	Data *dynamics.Data // N, D, Test and the arrays; Data.File is the path
	Hash string         // hex SHA-256 of the files' bytes (see Open)
}

// Load reads the dataset at path (see the package documentation) into a dynamics.Data.
func Load(path string) (*dynamics.Data, error) {
	s, err := Open(path)
	if err != nil {
		return nil, err
	}
	return s.Data, nil
}

// Open reads the dataset at path and hashes it: SHA-256 over "phasesweep-data/1\n", then for
// each file read, in the order X, y, beta_star, X_test, y_test (or the single table), its
// array name, a zero byte, its length as 8 bytes little-endian, and its bytes. Errors name
// the file.
func Open(path string) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", path, err)
	}
	h := sha256.New()
	h.Write([]byte("phasesweep-data/1\n"))
	read := func(name, file string) ([]byte, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("data %s: %w", file, err)
		}
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
		h.Write([]byte(name + "\x00"))
		h.Write(n[:])
		h.Write(b)
		return b, nil
	}
	var dt *dynamics.Data
	if st.IsDir() {
		dt, err = openDir(path, read)
	} else {
		dt, err = openTable(path, read)
	}
	if err != nil {
		return nil, err
	}
	dt.File = path
	dt.XNorm = dynamics.XNormNone
	for _, b := range dt.BetaStar {
		if b != 0 {
			dt.Sparsity++
		}
	}
	if err := checkSize(path, dt); err != nil {
		return nil, err
	}
	return &Set{Data: dt, Hash: hex.EncodeToString(h.Sum(nil))}, nil
}

// checkSize bounds the design matrices as dynamics.Config.Validate does for generated data.
func checkSize(path string, dt *dynamics.Data) error {
	if dt.N > dynamics.MaxElements/dt.D || dt.Test > dynamics.MaxElements/dt.D {
		return fmt.Errorf("data %s: %d x %d training and %d test rows exceed %d entries per matrix", path, dt.N, dt.D, dt.Test, dynamics.MaxElements)
	}
	return nil
}

// openDir reads the directory layout.
func openDir(dir string, read func(name, file string) ([]byte, error)) (*dynamics.Data, error) {
	files := map[string]string{}
	for _, name := range []string{ArrayX, ArrayY, ArrayBetaStar, ArrayXTest, ArrayYTest} {
		var found []string
		for _, ext := range Extensions {
			f := filepath.Join(dir, name+ext)
			if _, err := os.Stat(f); err == nil {
				found = append(found, f)
			}
		}
		switch {
		case len(found) > 1:
			return nil, fmt.Errorf("data %s: %s is given twice (%s): keep one", dir, name, strings.Join(found, ", "))
		case len(found) == 1:
			files[name] = found[0]
		}
	}
	for _, name := range []string{ArrayX, ArrayY} {
		if files[name] == "" {
			return nil, fmt.Errorf("data %s: no %s (want %s.npy, %s.csv or %s.parquet in the directory)", dir, name, name, name, name)
		}
	}
	if (files[ArrayXTest] == "") != (files[ArrayYTest] == "") {
		return nil, fmt.Errorf("data %s: give both X_test and y_test, or neither", dir)
	}
	dt := &dynamics.Data{}
	x, n, d, err := readMatrix(files[ArrayX], read)
	if err != nil {
		return nil, err
	}
	dt.X, dt.N, dt.D = x, n, d
	if dt.Y, err = readVector(files[ArrayY], n, "n, the rows of X", read); err != nil {
		return nil, err
	}
	if f := files[ArrayBetaStar]; f != "" {
		if dt.BetaStar, err = readVector(f, d, "d, the columns of X", read); err != nil {
			return nil, err
		}
	}
	if f := files[ArrayXTest]; f != "" {
		xt, m, dtest, err := readMatrix(f, read)
		if err != nil {
			return nil, err
		}
		if dtest != d {
			return nil, fmt.Errorf("data %s: %d columns, X has %d", f, dtest, d)
		}
		dt.XTest, dt.Test = xt, m
		if dt.YTest, err = readVector(files[ArrayYTest], m, "the rows of X_test", read); err != nil {
			return nil, err
		}
	}
	return dt, nil
}

// readMatrix reads a 2-d array (row-major) from a .npy, .csv or .parquet file.
func readMatrix(f string, read func(name, file string) ([]byte, error)) (x []float64, rows, cols int, err error) {
	b, err := read(arrayName(f), f)
	if err != nil {
		return nil, 0, 0, err
	}
	switch filepath.Ext(f) {
	case ".npy":
		a, err := parseNpy(b)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("data %s: %w", f, err)
		}
		if len(a.shape) != 2 {
			return nil, 0, 0, fmt.Errorf("data %s: want a 2-d array (rows x columns), got shape %v", f, a.shape)
		}
		rows, cols, x = a.shape[0], a.shape[1], a.data
	default:
		t, err := parseTableFile(f, b, false)
		if err != nil {
			return nil, 0, 0, err
		}
		rows, cols = t.rows, len(t.cols)
		x = make([]float64, rows*cols)
		for j, c := range t.cols {
			for i, v := range c {
				x[i*cols+j] = v
			}
		}
	}
	if rows < 1 || cols < 1 {
		return nil, 0, 0, fmt.Errorf("data %s: empty (%d rows, %d columns)", f, rows, cols)
	}
	if err := checkFinite(f, x); err != nil {
		return nil, 0, 0, err
	}
	return x, rows, cols, nil
}

// readVector reads a vector of length want (described by what) from a .npy file (1-d, or 2-d
// with one column) or a one-column CSV or Parquet file.
func readVector(f string, want int, what string, read func(name, file string) ([]byte, error)) ([]float64, error) {
	b, err := read(arrayName(f), f)
	if err != nil {
		return nil, err
	}
	var v []float64
	switch filepath.Ext(f) {
	case ".npy":
		a, err := parseNpy(b)
		if err != nil {
			return nil, fmt.Errorf("data %s: %w", f, err)
		}
		if len(a.shape) == 0 || len(a.shape) == 2 && a.shape[1] != 1 {
			return nil, fmt.Errorf("data %s: want a vector (shape (k,) or (k, 1)), got shape %v", f, a.shape)
		}
		v = a.data
	default:
		t, err := parseTableFile(f, b, false)
		if err != nil {
			return nil, err
		}
		if len(t.cols) != 1 {
			return nil, fmt.Errorf("data %s: want one column, got %d (%s)", f, len(t.cols), strings.Join(t.names, ", "))
		}
		v = t.cols[0]
	}
	if len(v) != want {
		return nil, fmt.Errorf("data %s: %d values, want %d (%s)", f, len(v), want, what)
	}
	if err := checkFinite(f, v); err != nil {
		return nil, err
	}
	return v, nil
}

// openTable reads the single-table layout.
func openTable(f string, read func(name, file string) ([]byte, error)) (*dynamics.Data, error) {
	switch filepath.Ext(f) {
	case ".csv", ".parquet":
	case ".npy":
		return nil, fmt.Errorf("data %s: a .npy dataset is a directory holding X.npy and y.npy (and optionally beta_star.npy, X_test.npy, y_test.npy)", f)
	default:
		return nil, fmt.Errorf("data %s: want a directory, a .csv or a .parquet file", f)
	}
	b, err := read("table", f)
	if err != nil {
		return nil, err
	}
	t, err := parseTableFile(f, b, true)
	if err != nil {
		return nil, err
	}
	yAt := t.column(LabelColumn)
	if yAt < 0 {
		return nil, fmt.Errorf("data %s: no column %q for the labels (columns: %s)", f, LabelColumn, strings.Join(t.names, ", "))
	}
	var features []int
	for j, c := range t.cols {
		if j != yAt && c != nil {
			features = append(features, j)
		}
	}
	if len(features) == 0 {
		return nil, fmt.Errorf("data %s: no feature columns besides %q", f, LabelColumn)
	}
	d := len(features)
	dt := &dynamics.Data{D: d}
	for i := 0; i < t.rows; i++ {
		test := false
		if t.split != nil {
			switch t.split[i] {
			case "train", "":
			case "test":
				test = true
			default:
				return nil, fmt.Errorf("data %s: row %d: column %s must be train or test, got %q", f, i+1, SplitColumn, t.split[i])
			}
		}
		xs, ys := &dt.X, &dt.Y
		if test {
			xs, ys = &dt.XTest, &dt.YTest
			dt.Test++
		} else {
			dt.N++
		}
		for _, j := range features {
			*xs = append(*xs, t.cols[j][i])
		}
		*ys = append(*ys, t.cols[yAt][i])
	}
	if dt.N < 1 {
		return nil, fmt.Errorf("data %s: no training rows", f)
	}
	return dt, nil
}

// parseTableFile parses b as CSV or Parquet by the extension of f; errors name f.
func parseTableFile(f string, b []byte, allowSplit bool) (*table, error) {
	var t *table
	var err error
	switch filepath.Ext(f) {
	case ".csv":
		t, err = parseCSV(b, allowSplit)
	case ".parquet":
		t, err = parseParquet(b, allowSplit)
	default:
		err = fmt.Errorf("unknown format %q (want %s)", filepath.Ext(f), strings.Join(Extensions, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", f, err)
	}
	return t, nil
}

// checkFinite reports the first non-finite value of x.
func checkFinite(f string, x []float64) error {
	for k, v := range x {
		if v != v || v > maxFloat || v < -maxFloat {
			return fmt.Errorf("data %s: value %d (0-based, row-major) is %v; every value must be finite", f, k, v)
		}
	}
	return nil
}

// maxFloat is the largest finite float64.
const maxFloat = 1.7976931348623157e308

// arrayName is the array a directory-layout file holds (its base name without extension).
func arrayName(f string) string { return strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) }

// WriteNpy writes x as a version 1.0 .npy file of float64 little-endian in C order: a
// rows x cols matrix, or a vector of length rows when cols < 0 (np.load reads it back).
func WriteNpy(path string, x []float64, rows, cols int) error {
	want := rows
	if cols >= 0 {
		want = rows * cols
	}
	if len(x) != want {
		return errors.New("dataset.WriteNpy: len(x) does not match the shape")
	}
	return os.WriteFile(path, encodeNpy(x, rows, cols), 0o644)
}
