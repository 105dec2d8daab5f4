package results

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteFileLeavesNoTempFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "out") // created by WriteFile
	path := mustWrite(t, dir, "results.parquet", metricTable(0, 1, 2))
	if names := dirNames(t, dir); !slices.Equal(names, []string{"results.parquet"}) {
		t.Errorf("directory holds %q, want only results.parquet", names)
	}
	// Overwriting an existing file is also clean.
	mustWrite(t, dir, "results.parquet", metricTable(5))
	if names := dirNames(t, dir); !slices.Equal(names, []string{"results.parquet"}) {
		t.Errorf("after overwrite directory holds %q", names)
	}
	assertEqual(t, mustRead(t, path), metricTable(5))
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o644 {
		t.Errorf("mode %v, want 0644", perm)
	}
}

// TestWriteFileFailsMidway makes the write fail after a full row group has
// already gone to the temp file.
func TestWriteFileFailsMidway(t *testing.T) {
	withBatchRows(t, 10)
	dir := t.TempDir()
	path := filepath.Join(dir, "results.parquet")
	bad := metricTable(pointRange(0, 35, 1)...)
	bad.Rows[31] = bad.Rows[31][:1]
	assertErrContains(t, WriteFile(path, bad), path, "row 31")
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("failed write left %q", names)
	}

	// A failed overwrite keeps the old file intact.
	good := metricTable(1, 2, 3)
	mustWrite(t, dir, "results.parquet", good)
	assertErrContains(t, WriteFile(path, bad), path)
	assertEqual(t, mustRead(t, path), good)
	if names := dirNames(t, dir); !slices.Equal(names, []string{"results.parquet"}) {
		t.Errorf("directory holds %q", names)
	}
}

func TestWriteAtomicRemovesTempOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.parquet")
	boom := errors.New("boom")
	err := writeAtomic(path, func(w io.Writer) error {
		if _, err := w.Write(make([]byte, 3<<20)); err != nil { // beyond the buffer: reaches the file
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("left %q", names)
	}
}

func TestWriteFileUnwritableDirectory(t *testing.T) {
	base := t.TempDir()
	// A regular file where a directory should be: fails even as root.
	blocker := filepath.Join(base, "blocker")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "sub", "results.parquet")
	assertErrContains(t, WriteFile(path, metricTable(0)), path)

	// A read-only directory (skipped where permissions are not enforced, as for root).
	ro := filepath.Join(base, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(ro, 0o755) })
	if f, err := os.CreateTemp(ro, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("permissions not enforced (running as root?)")
	}
	rpath := filepath.Join(ro, "results.parquet")
	assertErrContains(t, WriteFile(rpath, metricTable(0)), rpath)
	if _, err := os.Stat(rpath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat after failed write: %v, want not exist", err)
	}
}
