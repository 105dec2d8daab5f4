package store

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestParse: the expected splits are written out by hand from the URL syntax: the host of an
// s3/gs URL is the bucket, its path the key, its query configures the bucket.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		loc  string
		want Location
		err  string
	}{
		{loc: "runs/x", want: Location{Path: "runs/x"}},
		{loc: "/abs/runs/x", want: Location{Path: "/abs/runs/x"}},
		{loc: "file:///abs/runs/x", want: Location{Path: "/abs/runs/x"}},
		{loc: "file://localhost/abs", want: Location{Path: "/abs"}},
		{loc: "s3://bkt", want: Location{Bucket: "s3://bkt", Key: ""}},
		{loc: "s3://bkt/a/b/", want: Location{Bucket: "s3://bkt", Key: "a/b"}},
		{loc: "s3://bkt/a/b?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true",
			want: Location{Bucket: "s3://bkt?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true", Key: "a/b"}},
		{loc: "gs://bkt/sweeps/one", want: Location{Bucket: "gs://bkt", Key: "sweeps/one"}},
		{loc: "", err: "empty location"},
		{loc: "file://host/abs", err: `host "host" is not allowed`},
		{loc: "file://rel", err: `host "rel"`},
		{loc: "s3:///key", err: "no bucket name"},
		{loc: "s3://bkt/p?prefix=q/", err: `query parameter "prefix" is not allowed`},
		{loc: "azblob://c/p", err: `unsupported scheme "azblob"`},
	} {
		got, err := Parse(c.loc)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse(%q) = %+v, %v; want error containing %q", c.loc, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.loc, got, err, c.want)
		}
	}
}

// TestJoinDirBase: local paths behave exactly as path/filepath (the reference); URLs keep their
// query and change only the path (expected strings written by hand).
func TestJoinDirBase(t *testing.T) {
	for _, p := range []string{"/abs/out", "rel/out", "/abs/out/shards/chunk-000001.parquet"} {
		if got, want := Join(p, "shards", "x.parquet"), filepath.Join(p, "shards", "x.parquet"); got != want {
			t.Errorf("Join(%q) = %q, want %q", p, got, want)
		}
		if Dir(p) != filepath.Dir(p) || Base(p) != filepath.Base(p) {
			t.Errorf("Dir/Base(%q) = %q, %q", p, Dir(p), Base(p))
		}
	}
	const q = "?endpoint=http://127.0.0.1:9000&region=us-east-1"
	for _, c := range []struct{ loc, elem, join, dir, base string }{
		{"s3://b/pre" + q, "shards", "s3://b/pre/shards" + q, "s3://b" + q, "pre"},
		{"s3://b/pre/" + q, "shards/x.parquet", "s3://b/pre/shards/x.parquet" + q, "s3://b" + q, "pre"},
		{"s3://b" + q, "results.parquet", "s3://b/results.parquet" + q, "s3://b" + q, "b"},
		{"gs://b/a/shards/chunk-000003.parquet", "y", "gs://b/a/shards/chunk-000003.parquet/y", "gs://b/a/shards", "chunk-000003.parquet"},
		{"file:///abs/out", "shards", "file:///abs/out/shards", "file:///abs", "out"},
	} {
		if got := Join(c.loc, c.elem); got != c.join {
			t.Errorf("Join(%q, %q) = %q, want %q", c.loc, c.elem, got, c.join)
		}
		if got := Dir(c.loc); got != c.dir {
			t.Errorf("Dir(%q) = %q, want %q", c.loc, got, c.dir)
		}
		if got := Base(c.loc); got != c.base {
			t.Errorf("Base(%q) = %q, want %q", c.loc, got, c.base)
		}
	}
	for loc, want := range map[string]bool{"/a/b": false, "a/b": false, "C:/x": false, "s3://b/p": true, "file:///a": true, "./s3://x": false} {
		if IsURL(loc) != want {
			t.Errorf("IsURL(%q) = %t, want %t", loc, !want, want)
		}
	}
	if Remote("file:///a") || Remote("/a") || !Remote("s3://b/p") || !Remote("gs://b") {
		t.Error("Remote: file and paths are local, s3 and gs are remote")
	}
}
