package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// registerOutFlags adds to fl (sweep run's flags) --allow-spec-endpoint, stored in allow,
// which lets the spec's out URL set client options.
func registerOutFlags(fl *pflag.FlagSet, allow *bool) {
	fl.BoolVar(allow, "allow-spec-endpoint", false,
		"let the spec's out URL set cloud client options (endpoint, region, profile, ...): only for a spec you trust, since the endpoint receives your credentials")
}

// outLocation is where sweep run puts a sweep's shards and tables: the --out flag, else the
// spec's out key (a relative directory there is relative to the spec file's directory), else
// runs/<name>. A directory becomes absolute, and so does a file:// URL, which becomes its plain
// path (so that it runs exactly as that directory); an s3:// or gs:// URL passes through once
// store.CheckEndpoint allows it: the spec's may have no query (client options) unless
// allowSpecEndpoint (--allow-spec-endpoint), and an S3 endpoint, wherever it comes from, must be https unless the
// environment has store.EnvAllowInsecure. Nothing is sent anywhere. relative reports a relative directory
// given on the command line (or the default), which the final message then prints relative to
// the working directory.
func outLocation(flag string, allowSpecEndpoint bool, s *spec.Spec) (out string, relative bool, err error) {
	loc, base, bad := flag, "", func(err error) error { return usageError{fmt.Errorf("--out: %w", err)} }
	fromSpec := flag == "" && s.Out != ""
	switch {
	case flag != "":
	case fromSpec:
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
		if err := checkOutEndpoint(loc, !fromSpec || allowSpecEndpoint); err != nil {
			return "", false, bad(err)
		}
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

// checkOutEndpoint is store.CheckEndpoint for the URL loc of sweep run's output, with the
// trust its origin has: options says whether it may set client options (the command line's
// may, the spec's only with --allow-spec-endpoint).
func checkOutEndpoint(loc string, options bool) error {
	insecure, err := store.InsecureAllowed()
	if err != nil {
		return err
	}
	err = store.CheckEndpoint(loc, store.Trust{ClientOptions: options, Insecure: insecure})
	if errors.Is(err, store.ErrClientOption) {
		return fmt.Errorf("%w; a spec's out may name only a bucket and prefix (s3://bucket/prefix): pass --allow-spec-endpoint to sweep run if you trust this spec, "+
			"give the location with --out instead, or set the options in the environment (AWS_REGION, AWS_ENDPOINT_URL_S3)", err)
	}
	return err
}
