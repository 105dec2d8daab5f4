package dataset

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// table is a CSV or Parquet file read column by column: numeric columns as float64, and the
// SplitColumn (when the caller allows it) as strings.
type table struct {
	names []string
	cols  [][]float64 // nil for the split column
	split []string    // values of SplitColumn, nil if absent
	rows  int
}

// column returns the index of the column called name, or -1.
func (t *table) column(name string) int {
	for j, n := range t.names {
		if n == name {
			return j
		}
	}
	return -1
}

// parseCSV reads a CSV file with a header row. Every column must be numeric (strconv.ParseFloat
// syntax, finite), except SplitColumn when allowSplit; an error gives the line and the column
// (number and name) of the first bad cell.
func parseCSV(b []byte, allowSplit bool) (*table, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("empty CSV: want a header row naming the columns")
	}
	if err != nil {
		return nil, err
	}
	t := &table{names: make([]string, len(header)), cols: make([][]float64, len(header))}
	splitAt := -1
	for j, h := range header {
		h = strings.TrimSpace(h)
		if j == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // a byte-order mark written by spreadsheets
		}
		if h == "" {
			return nil, fmt.Errorf("line 1, column %d: empty column name in the header", j+1)
		}
		if t.column(h) >= 0 {
			return nil, fmt.Errorf("line 1, column %d: column %q is named twice", j+1, h)
		}
		if _, err := strconv.ParseFloat(h, 64); err == nil {
			return nil, fmt.Errorf("line 1, column %d: the first row must be a header naming the columns, got the number %s", j+1, h)
		}
		t.names[j] = h
		if allowSplit && h == SplitColumn {
			splitAt = j
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, fmt.Errorf("line %d: %d fields, the header has %d", pe.Line, len(rec), len(header))
			}
			return nil, err
		}
		for j, cell := range rec {
			if j == splitAt {
				t.split = append(t.split, strings.TrimSpace(cell))
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				line, _ := r.FieldPos(j)
				return nil, fmt.Errorf("line %d, column %d (%s): %q is not a finite number", line, j+1, t.names[j], cell)
			}
			t.cols[j] = append(t.cols[j], v)
		}
		t.rows++
	}
	if splitAt >= 0 {
		t.cols[splitAt] = nil
	}
	return t, nil
}

// parseParquet reads a Parquet file whose columns are all numeric (double, float, int32 or
// int64, without nulls; converted to float64, finite), except SplitColumn (a string column)
// when allowSplit.
func parseParquet(b []byte, allowSplit bool) (*table, error) {
	pf, err := file.NewParquetReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	tab, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tab.Release()
	t := &table{rows: int(tab.NumRows())}
	sc := tab.Schema()
	for j := 0; j < int(tab.NumCols()); j++ {
		f := sc.Field(j)
		if t.column(f.Name) >= 0 {
			return nil, fmt.Errorf("column %q is named twice", f.Name)
		}
		t.names = append(t.names, f.Name)
		chunks := tab.Column(j).Data().Chunks()
		if allowSplit && f.Name == SplitColumn {
			for _, c := range chunks {
				s, ok := c.(*array.String)
				if !ok {
					return nil, fmt.Errorf("column %q: want strings (train, test), got %s", f.Name, f.Type)
				}
				if s.NullN() > 0 {
					return nil, fmt.Errorf("column %q has nulls", f.Name)
				}
				for k := 0; k < s.Len(); k++ {
					t.split = append(t.split, s.Value(k))
				}
			}
			t.cols = append(t.cols, nil)
			continue
		}
		col := make([]float64, 0, t.rows)
		for _, c := range chunks {
			if c.NullN() > 0 {
				return nil, fmt.Errorf("column %q has nulls", f.Name)
			}
			switch a := c.(type) {
			case *array.Float64:
				col = append(col, a.Float64Values()...)
			case *array.Float32:
				for _, v := range a.Float32Values() {
					col = append(col, float64(v))
				}
			case *array.Int64:
				for _, v := range a.Int64Values() {
					col = append(col, float64(v))
				}
			case *array.Int32:
				for _, v := range a.Int32Values() {
					col = append(col, float64(v))
				}
			default:
				return nil, fmt.Errorf("column %q: want a numeric column (double, float, int32, int64), got %s", f.Name, typeName(f.Type))
			}
		}
		for k, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("column %q, row %d: %v is not a finite number", f.Name, k, v)
			}
		}
		t.cols = append(t.cols, col)
	}
	return t, nil
}

// typeName names an Arrow type for messages.
func typeName(dt arrow.DataType) string { return dt.String() }
