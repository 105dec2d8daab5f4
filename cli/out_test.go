package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
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
	t.Setenv(store.EnvAllowInsecure, "1") // s3 below has a plain-http endpoint
	load := func(out string) *spec.Spec { return outSpec(t, out) }
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
		{"", "s3://b/sweeps", "s3://b/sweeps", false},
		{"x", "gs://b/sweeps", filepath.Join(wd, "x"), true},
	} {
		got, rel, err := outLocation(c.flag, false, load(c.specOut))
		if err != nil || got != c.want || rel != c.relative {
			t.Errorf("--out %q, out: %q: %q (relative %t), %v; want %q (%t)", c.flag, c.specOut, got, rel, err, c.want, c.relative)
		}
	}
	_, _, err = outLocation("s3:///nobucket", false, load(""))
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--out: ") || !strings.Contains(err.Error(), "no bucket name") {
		t.Errorf("bad --out: %v", err)
	}
	_, _, err = outLocation("", false, load("s3://b/p?prefix=x"))
	var se *spec.Error
	if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "/specs/o.yaml:4: out: ") || !strings.Contains(err.Error(), `"prefix" is not allowed`) {
		t.Errorf("bad out key: %v", err)
	}
}

// allowSpecEndpoint parses --allow-spec-endpoint as sweep run does (registerOutFlags) and
// returns the flag's value.
func allowSpecEndpoint(t *testing.T) bool {
	t.Helper()
	fl := pflag.NewFlagSet("run", pflag.ContinueOnError)
	var allow bool
	registerOutFlags(fl, &allow)
	if err := fl.Parse([]string{"--allow-spec-endpoint"}); err != nil || !allow {
		t.Fatalf("--allow-spec-endpoint: %v (allowed: %t)", err, allow)
	}
	return allow
}

// TestAllowSpecEndpoint: with --allow-spec-endpoint the spec's endpoint is used, and Ensure's
// request reaches it, signed with the user's credentials; the plain-http rule still holds
// (fakes3 is plain http): without store.EnvAllowInsecure the spec's out is refused at its
// line, naming the variable, before any request.
func TestAllowSpecEndpoint(t *testing.T) {
	srv := credentialedS3(t)
	allow := allowSpecEndpoint(t)
	url := srv.URL("p")
	t.Setenv(store.EnvAllowInsecure, "")
	_, err := resolveAndEnsure("", allow, outSpec(t, url))
	if !strings.HasPrefix(fmt.Sprint(err), "/specs/o.yaml:4: out: ") || !strings.Contains(fmt.Sprint(err), store.EnvAllowInsecure+"=1") {
		t.Errorf("plain-http out with the flag, without %s: %v; want the spec's error naming the variable", store.EnvAllowInsecure, err)
	}
	noRequests(t, srv, "without "+store.EnvAllowInsecure)

	t.Setenv(store.EnvAllowInsecure, "1")
	got, err := resolveAndEnsure("", allow, outSpec(t, url))
	if err != nil || got != url {
		t.Fatalf("out: %s with --allow-spec-endpoint: %q, %v; want it unchanged and ensured", url, got, err)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || !strings.Contains(reqs[0].Header.Get("Authorization"), "Credential=phasesweep-test/") {
		t.Errorf("Ensure with the flag: the endpoint saw %d requests, want signed ones (%+v)", len(reqs), reqs)
	}
}

// TestOutPlainHTTP: --out on the command line may set client options, but a plain-http
// endpoint still needs store.EnvAllowInsecure: without it, a usage error naming --out and the
// variable, and no request; with it, the location is ensured. An https endpoint in --out
// passes outLocation without the variable (nothing is sent: it is only checked).
func TestOutPlainHTTP(t *testing.T) {
	srv := credentialedS3(t)
	url := srv.URL("p")
	t.Setenv(store.EnvAllowInsecure, "")
	_, err := resolveAndEnsure(url, false, outSpec(t, ""))
	var ue usageError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "--out: ") || !strings.Contains(err.Error(), "is plain http") ||
		!strings.Contains(err.Error(), store.EnvAllowInsecure+"=1") {
		t.Errorf("--out %s without %s: %v; want a usage error naming --out and the variable", url, store.EnvAllowInsecure, err)
	}
	noRequests(t, srv, "--out without "+store.EnvAllowInsecure)
	const https = "s3://b/p?endpoint=https://minio.example:9000&use_path_style=true"
	if got, _, err := outLocation(https, false, outSpec(t, "")); err != nil || got != https {
		t.Errorf("--out %s: %q, %v", https, got, err)
	}
	t.Setenv(store.EnvAllowInsecure, "banana")
	if _, _, err := outLocation(url, false, outSpec(t, "")); !errors.As(err, &ue) || !strings.Contains(err.Error(), store.EnvAllowInsecure+`="banana"`) {
		t.Errorf("bad %s: %v", store.EnvAllowInsecure, err)
	}

	t.Setenv(store.EnvAllowInsecure, "1")
	if got, err := resolveAndEnsure(url, false, outSpec(t, "")); err != nil || got != url {
		t.Errorf("--out %s with %s=1: %q, %v", url, store.EnvAllowInsecure, got, err)
	}
	if len(srv.Requests()) == 0 {
		t.Error("Ensure with the opt-in sent no request")
	}
}
