package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestOutLocation: --out wins over the spec's out, which wins over runs/<name>; directories
// become absolute (a spec's relative one under the spec file's directory), file:// URLs their
// path, s3:// and gs:// URLs pass unchanged; a bad flag is a usage error, a bad out key a spec
// error naming file and line. Expected values are written out from those rules.
func TestOutLocation(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	const s3 = "s3://b/p?region=us-east-1&endpoint=http://127.0.0.1:9000&use_path_style=true"
	load := func(out string) *spec.Spec {
		t.Helper()
		src := "name: o\nparams:\n  stepsize: 0.1\n"
		if out != "" {
			src += "out: " + out + "\n"
		}
		s, err := spec.Parse("/specs/o.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		flag, specOut, want string
		relative            bool
	}{
		{"", "", filepath.Join(wd, "runs", "o"), true},
		{"x/y", "", filepath.Join(wd, "x", "y"), true},
		{"/abs/y", "", "/abs/y", false},
		{"file:///abs/z", "", "/abs/z", false},
		{s3, "", s3, false},
		{"", "res", "/specs/res", false},
		{"", "/abs/res", "/abs/res", false},
		{"", "gs://b/sweeps", "gs://b/sweeps", false},
		{"x", "gs://b/sweeps", filepath.Join(wd, "x"), true},
	} {
		got, rel, err := outLocation(c.flag, load(c.specOut))
		if err != nil || got != c.want || rel != c.relative {
			t.Errorf("--out %q, out: %q: %q (relative %t), %v; want %q (%t)", c.flag, c.specOut, got, rel, err, c.want, c.relative)
		}
	}
	_, _, err = outLocation("s3:///nobucket", load(""))
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--out: ") || !strings.Contains(err.Error(), "no bucket name") {
		t.Errorf("bad --out: %v", err)
	}
	_, _, err = outLocation("", load("s3://b/p?prefix=x"))
	var se *spec.Error
	if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "/specs/o.yaml:4: out: ") || !strings.Contains(err.Error(), `"prefix" is not allowed`) {
		t.Errorf("bad out key: %v", err)
	}
}
