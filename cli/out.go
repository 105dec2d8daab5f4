package main

import (
	"fmt"
	"path/filepath"

	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// outLocation is where sweep run puts a sweep's shards and tables: the --out flag, else the
// spec's out key (a relative directory there is relative to the spec file's directory), else
// runs/<name>. A directory becomes absolute, and so does a file:// URL, which becomes its plain
// path (so that it runs exactly as that directory); an s3:// or gs:// URL passes through.
// relative reports a relative directory given on the command line (or the default), which the
// final message then prints relative to the working directory.
func outLocation(flag string, s *spec.Spec) (out string, relative bool, err error) {
	loc, base, bad := flag, "", func(err error) error { return usageError{fmt.Errorf("--out: %w", err)} }
	switch {
	case flag != "":
	case s.Out != "":
		loc, base = s.Out, filepath.Dir(s.File)
		bad = func(err error) error {
			return &spec.Error{File: s.File, Line: s.OutLine, Key: "out", Msg: err.Error()}
		}
	default:
		loc = filepath.Join("runs", s.Name)
	}
	l, err := store.Parse(loc)
	if err != nil {
		return "", false, bad(err)
	}
	if l.Bucket != "" {
		return loc, false, nil
	}
	relative = !filepath.IsAbs(l.Path) && base == ""
	if base != "" && !filepath.IsAbs(l.Path) {
		l.Path = filepath.Join(base, l.Path)
	}
	abs, err := filepath.Abs(l.Path)
	if err != nil {
		return "", false, bad(err)
	}
	return abs, relative, nil
}
