package results

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ReadFile reads a Parquet file written by WriteFile (or any flat file whose
// columns are int64, double or utf8 strings, without nulls) back, including
// Meta. Meta is never nil; an Arrow-serialized schema entry ("ARROW:schema"),
// if present, is not part of Meta.
func ReadFile(path string) (*Table, error) {
	p, err := openParquet(path)
	if err != nil {
		return nil, err
	}
	defer p.close()
	t := &Table{Fields: p.fields, Meta: p.meta, Rows: make([][]Value, 0, p.numRows())}
	err = p.eachBatch(nil, func(rec arrow.RecordBatch, cols []column) error {
		n := int(rec.NumRows())
		// One backing slice per batch keeps allocations few.
		cells := make([]Value, n*len(cols))
		for k := 0; k < n; k++ {
			row := cells[k*len(cols) : (k+1)*len(cols) : (k+1)*len(cols)]
			for j, c := range cols {
				row[j] = c.value(k)
			}
			t.Rows = append(t.Rows, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// parquetFile is an open Parquet file with its columns mapped to Fields.
type parquetFile struct {
	path   string
	pf     *file.Reader
	fr     *pqarrow.FileReader
	fields []Field
	meta   map[string]string
}

// openParquet opens path and maps its schema to Fields; errors name path.
func openParquet(path string) (*parquetFile, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	p, err := newParquetFile(path, pf)
	if err != nil {
		_ = pf.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return p, nil
}

func newParquetFile(path string, pf *file.Reader) (*parquetFile, error) {
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batchRows)}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	sc, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	fields, err := fieldsOf(sc)
	if err != nil {
		return nil, err
	}
	if len(fields) != pf.MetaData().Schema.NumColumns() {
		return nil, fmt.Errorf("nested columns are not supported")
	}
	meta := make(map[string]string)
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if k != arrowSchemaKey {
			meta[k] = kv.Values()[i]
		}
	}
	return &parquetFile{path: path, pf: pf, fr: fr, fields: fields, meta: meta}, nil
}

// numRows is the number of rows in the file.
func (p *parquetFile) numRows() int64 { return p.pf.NumRows() }

// close closes the underlying file.
func (p *parquetFile) close() { _ = p.pf.Close() }

// eachBatch calls fn with each record batch of the given columns (nil: all)
// and typed views of its columns, in file order. rec is valid only during
// fn unless retained. Errors name the file.
func (p *parquetFile) eachBatch(cols []int, fn func(rec arrow.RecordBatch, cols []column) error) error {
	if p.numRows() == 0 {
		return nil
	}
	rr, err := p.fr.GetRecordReader(context.Background(), cols, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", p.path, err)
	}
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		cs := make([]column, rec.NumCols())
		for i := range cs {
			f := p.fields[i]
			if cols != nil {
				f = p.fields[cols[i]]
			}
			if cs[i], err = newColumn(f, rec.Column(i)); err != nil {
				return fmt.Errorf("read %s: %w", p.path, err)
			}
		}
		if err := fn(rec, cs); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("read %s: %w", p.path, err)
	}
	return nil
}

// loadedFile is all rows of a file held in memory as Arrow arrays.
type loadedFile struct {
	arrs []arrow.Array
	cols []column
}

// loadAll reads every column of the file into memory, one array per column.
func (p *parquetFile) loadAll() (*loadedFile, error) {
	chunks := make([][]arrow.Array, len(p.fields)) // chunks[j] are the batches of column j
	defer func() {
		for _, cs := range chunks {
			for _, a := range cs {
				a.Release()
			}
		}
	}()
	err := p.eachBatch(nil, func(rec arrow.RecordBatch, _ []column) error {
		for j := range chunks {
			a := rec.Column(j)
			a.Retain()
			chunks[j] = append(chunks[j], a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l := &loadedFile{arrs: make([]arrow.Array, len(p.fields)), cols: make([]column, len(p.fields))}
	for j, cs := range chunks {
		var a arrow.Array
		switch len(cs) {
		case 0:
			dt, _ := p.fields[j].Kind.arrowType()
			a = array.MakeArrayOfNull(memory.DefaultAllocator, dt, 0)
		case 1:
			a = cs[0]
			a.Retain()
		default:
			if a, err = array.Concatenate(cs, memory.DefaultAllocator); err != nil {
				l.release()
				return nil, fmt.Errorf("read %s: column %q: %w", p.path, p.fields[j].Name, err)
			}
		}
		l.arrs[j] = a
		if l.cols[j], err = newColumn(p.fields[j], a); err != nil {
			l.release()
			return nil, fmt.Errorf("read %s: %w", p.path, err)
		}
	}
	return l, nil
}

// release frees the loaded arrays.
func (l *loadedFile) release() {
	for _, a := range l.arrs {
		if a != nil {
			a.Release()
		}
	}
}
