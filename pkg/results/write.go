package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// WriteFile writes t to path as Parquet atomically: a temp file in the same
// directory, fsync, rename. Creates the directory if needed. On error no file
// is left at path (an existing file there is left untouched) and the temp
// file is removed.
func WriteFile(path string, t *Table) error {
	if t == nil {
		return fmt.Errorf("write %s: nil table", path)
	}
	sc, err := arrowSchema(t.Fields, t.Meta)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	err = writeAtomic(path, func(w io.Writer) error {
		bw, err := newBatchWriter(w, sc, t.Fields)
		if err != nil {
			return err
		}
		defer bw.release()
		for k, row := range t.Rows {
			if len(row) != len(t.Fields) {
				return fmt.Errorf("row %d has %d values, want %d", k, len(row), len(t.Fields))
			}
			for j, f := range t.Fields {
				appendValue(bw.rb.Field(j), f.Kind, row[j])
			}
			if err := bw.rowDone(); err != nil {
				return err
			}
		}
		return bw.close()
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// batchWriter accumulates rows in Arrow builders and writes each full batch
// of batchRows rows as one Parquet row group.
type batchWriter struct {
	fw *pqarrow.FileWriter
	rb *array.RecordBuilder
	n  int // rows currently in rb
}

// newBatchWriter starts a Parquet file with schema sc (built by arrowSchema
// from fields) on w. Closing it does not close w.
func newBatchWriter(w io.Writer, sc *arrow.Schema, fields []Field) (*batchWriter, error) {
	props, arrProps := writerProps(fields)
	// Hide any Close method of w: the caller owns the file.
	fw, err := pqarrow.NewFileWriter(sc, struct{ io.Writer }{w}, props, arrProps)
	if err != nil {
		return nil, fmt.Errorf("create parquet writer: %w", err)
	}
	return &batchWriter{fw: fw, rb: array.NewRecordBuilder(memory.DefaultAllocator, sc)}, nil
}

// rowDone records that one full row has been appended to the builders and
// flushes the batch when it is full.
func (bw *batchWriter) rowDone() error {
	bw.n++
	if bw.n >= batchRows {
		return bw.flush()
	}
	return nil
}

// flush writes the rows in the builders, if any, as one row group.
func (bw *batchWriter) flush() error {
	if bw.n == 0 {
		return nil
	}
	rec := bw.rb.NewRecordBatch()
	defer rec.Release()
	bw.n = 0
	if err := bw.fw.Write(rec); err != nil {
		return fmt.Errorf("write row group: %w", err)
	}
	return nil
}

// close flushes pending rows and writes the Parquet footer.
func (bw *batchWriter) close() error {
	if err := bw.flush(); err != nil {
		return err
	}
	if err := bw.fw.Close(); err != nil {
		return fmt.Errorf("close parquet writer: %w", err)
	}
	return nil
}

// release frees the builders' memory.
func (bw *batchWriter) release() { bw.rb.Release() }

// writeAtomic creates path's directory if needed, calls fill with a writer
// on a temp file in that directory, then fsyncs, makes it world-readable
// (0644) and renames it to path. On any error the temp file is removed.
func writeAtomic(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	buf := bufio.NewWriterSize(f, 1<<20)
	if err = fill(buf); err != nil {
		return err
	}
	if err = buf.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir fsyncs a directory so a completed rename survives a crash. It is
// best effort: some filesystems reject fsync on directories, and the file
// itself is already durable.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// RemoveTemps removes the temporary files a writer of path left when it was killed before
// its rename (writeAtomic names them .<base>.<random>.tmp beside path), and returns how many
// it removed. A writer still running loses its temp file and fails; the next attempt writes
// path again.
func RemoveTemps(path string) (int, error) {
	pattern := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	temps, err := filepath.Glob(pattern)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range temps {
		if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	return n, nil
}

// WriteBytes writes data to path atomically, as WriteFile writes a table (a temp file in the
// same directory, fsync, rename): a reader sees the old content or the new one whole.
func WriteBytes(path string, data []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
