package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocloud.dev/blob/fileblob"

	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// backend is a store and the directory location the test works under.
type backend struct {
	name string
	st   *Store
	dir  string
	keys func() []string // the bucket's keys, read around the store (nil: local)
}

// backends are the three kinds of location: a local directory; an s3:// location whose bucket
// is a fileblob directory (the blob code path without a network); and an s3:// location on an
// in-process S3-protocol server (the AWS SDK and the real protocol).
func backends(t *testing.T) []backend {
	t.Helper()
	local := backend{name: "local", st: New(), dir: filepath.Join(t.TempDir(), "out")}

	fb := backend{name: "fileblob", st: New(), dir: "s3://fileblob-test/sweeps/one"}
	b, err := fileblob.OpenBucket(t.TempDir(), &fileblob.Options{Metadata: fileblob.MetadataDontWrite})
	if err != nil {
		t.Fatal(err)
	}
	fb.st.buckets["s3://fileblob-test"] = b // the bucket open() finds for this URL

	srv := fakes3.Start(t, "phasesweep")
	s3 := backend{name: "s3", st: New(), dir: srv.URL("sweeps/one"), keys: func() []string { return srv.Keys(t) }}
	all := []backend{local, fb, s3}
	t.Cleanup(func() {
		for _, b := range all {
			_ = b.st.Close()
		}
	})
	return all
}

// putText writes text to loc through Put.
func putText(t *testing.T, st *Store, loc, text string) {
	t.Helper()
	err := st.Put(context.Background(), loc, func(path string) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, []byte(text), 0o644)
	})
	if err != nil {
		t.Fatalf("put %s: %v", loc, err)
	}
}

// fetchText reads loc through Fetch.
func fetchText(t *testing.T, st *Store, loc string) (string, error) {
	t.Helper()
	paths, release, err := st.Fetch(context.Background(), []string{loc})
	defer release()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(paths[0])
	return string(b), err
}

// TestStoreRoundTrip writes, lists, reads, overwrites and deletes objects on each backend; the
// expected contents and listings are the ones written.
func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			if err := b.st.Ensure(ctx, b.dir); err != nil {
				t.Fatal(err)
			}
			shards := Join(b.dir, "shards")
			if got, err := b.st.List(ctx, shards); err != nil || len(got) != 0 {
				t.Fatalf("list of a missing directory: %v, %v", got, err)
			}
			a, c := Join(shards, "chunk-000001.parquet"), Join(shards, "chunk-000000.parquet")
			putText(t, b.st, a, "one")
			putText(t, b.st, c, "zero")
			putText(t, b.st, Join(shards, "sub", "deeper.parquet"), "deep")
			putText(t, b.st, Join(b.dir, "results.parquet"), "merged")
			if b.keys != nil {
				want := []string{"sweeps/one/results.parquet", "sweeps/one/shards/chunk-000000.parquet",
					"sweeps/one/shards/chunk-000001.parquet", "sweeps/one/shards/sub/deeper.parquet"}
				if got := b.keys(); !slices.Equal(got, want) {
					t.Errorf("keys in the bucket %v, want %v", got, want)
				}
			}
			got, err := b.st.List(ctx, shards)
			if want := []string{c, a}; err != nil || !slices.Equal(got, want) {
				t.Fatalf("list %v, %v; want %v", got, err, want)
			}
			if ok, err := b.st.Exists(ctx, a); !ok || err != nil {
				t.Errorf("exists %s: %t, %v", a, ok, err)
			}
			if ok, err := b.st.Exists(ctx, Join(shards, "nope.parquet")); ok || err != nil {
				t.Errorf("exists missing: %t, %v", ok, err)
			}
			putText(t, b.st, a, "one, again") // an overwrite replaces the object whole
			if s, err := fetchText(t, b.st, a); s != "one, again" || err != nil {
				t.Errorf("fetch %s: %q, %v", a, s, err)
			}
			paths, release, err := b.st.Fetch(ctx, []string{c, a})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{"zero", "one, again"} {
				if s, err := os.ReadFile(paths[i]); string(s) != want || err != nil {
					t.Errorf("fetch many [%d]: %q, %v", i, s, err)
				}
			}
			release()
			if _, err := fetchText(t, b.st, Join(shards, "nope.parquet")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("fetch of a missing object: %v, want fs.ErrNotExist", err)
			}
			dst := filepath.Join(t.TempDir(), "copy", "results.parquet")
			if err := b.st.CopyToFile(ctx, Join(b.dir, "results.parquet"), dst); err != nil {
				t.Fatal(err)
			}
			if s, err := os.ReadFile(dst); string(s) != "merged" || err != nil {
				t.Errorf("copy: %q, %v", s, err)
			}
			if err := b.st.Remove(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := b.st.Remove(ctx, a); err != nil {
				t.Errorf("removing a missing object: %v", err)
			}
			if got, _ := b.st.List(ctx, shards); !slices.Equal(got, []string{c}) {
				t.Errorf("after remove: %v", got)
			}
			if err := b.st.RemoveAll(ctx, shards); err != nil {
				t.Fatal(err)
			}
			for _, loc := range []string{c, Join(shards, "sub", "deeper.parquet")} {
				if ok, _ := b.st.Exists(ctx, loc); ok {
					t.Errorf("%s left after RemoveAll", loc)
				}
			}
			if ok, _ := b.st.Exists(ctx, Join(b.dir, "results.parquet")); !ok {
				t.Error("RemoveAll of shards removed results.parquet")
			}
		})
	}
}

// TestPutFailureKeepsObject: a write that fails uploads nothing, so an earlier object stays.
func TestPutFailureKeepsObject(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t)[1:] {
		t.Run(b.name, func(t *testing.T) {
			loc := Join(b.dir, "results.parquet")
			putText(t, b.st, loc, "good")
			boom := errors.New("boom")
			err := b.st.Put(ctx, loc, func(path string) error {
				_ = os.WriteFile(path, []byte("half"), 0o644)
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("put: %v, want boom", err)
			}
			if s, err := fetchText(t, b.st, loc); s != "good" || err != nil {
				t.Errorf("after a failed put: %q, %v", s, err)
			}
		})
	}
}

// TestEnsureMissingBucket: a bucket that does not exist is reported before anything runs.
func TestEnsureMissingBucket(t *testing.T) {
	srv := fakes3.Start(t, "phasesweep")
	st := New()
	defer st.Close()
	loc := strings.Replace(srv.URL("p"), "s3://phasesweep", "s3://no-such-bucket", 1)
	if err := st.Ensure(context.Background(), loc); err == nil || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Errorf("ensure on a missing bucket: %v", err)
	}
	if err := st.Ensure(context.Background(), srv.URL("p")); err != nil {
		t.Errorf("ensure on the bucket: %v", err)
	}
}
