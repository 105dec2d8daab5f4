package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// outSpec parses a spec of sweep o in /specs/o.yaml whose out key (line 4) is out ("": none).
func outSpec(t *testing.T, out string) *spec.Spec {
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

// resolveAndEnsure is what sweep run does with its output location before it submits
// anything: outLocation, then Store.Ensure on what it returns.
func resolveAndEnsure(flag string, allowSpecEndpoint bool, s *spec.Spec) (string, error) {
	out, _, err := outLocation(flag, allowSpecEndpoint, s)
	if err != nil {
		return "", err
	}
	st := store.New()
	defer st.Close()
	return out, st.Ensure(context.Background(), out)
}

// credentialedS3 starts an S3 server (plain http, on 127.0.0.1) with AWS credentials and a
// session token in the environment, as on the machine of a user with a cloud login.
func credentialedS3(t *testing.T) *fakes3.Server {
	t.Helper()
	srv := fakes3.Start(t, "phasesweep")
	t.Setenv("AWS_SESSION_TOKEN", "phasesweep-test-session-token")
	return srv
}

// noRequests fails t if srv has received a request, showing the credentials the first carried.
func noRequests(t *testing.T, srv *fakes3.Server, what string) {
	t.Helper()
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("%s: the endpoint saw %d requests, the first %s %s with Authorization %q and X-Amz-Security-Token %q",
			what, len(reqs), reqs[0].Method, reqs[0].Path, reqs[0].Header.Get("Authorization"), reqs[0].Header.Get("X-Amz-Security-Token"))
	}
}

// TestSpecEndpointSendsNothing: a spec whose out names an endpoint (here a listener on
// 127.0.0.1 standing for anyone's server) makes sweep run's resolution of its output fail
// before any request, even though the user allows plain http for their own endpoints
// (fakes3.Start sets the opt-in), so the user's AWS credentials go nowhere; the error is the
// spec's, at the out key's line, and names the flag that allows it. A spec's plain
// s3://bucket/prefix is not refused.
func TestSpecEndpointSendsNothing(t *testing.T) {
	srv := credentialedS3(t)
	for _, out := range []string{
		srv.URL("p"), // endpoint, region, use_path_style
		"s3://phasesweep/p?endpoint=" + srv.Endpoint(), // endpoint alone
	} {
		_, err := resolveAndEnsure("", false, outSpec(t, out))
		var se *spec.Error
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "/specs/o.yaml:4: out: ") ||
			!strings.Contains(err.Error(), `"endpoint"`) || !strings.Contains(err.Error(), "--allow-spec-endpoint") {
			t.Errorf("out: %s: %v; want a spec error at /specs/o.yaml:4, key out, naming the endpoint option and --allow-spec-endpoint", out, err)
		}
		noRequests(t, srv, "out: "+out)
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.Endpoint()) // the user's own choice of endpoint
	if _, err := resolveAndEnsure("", false, outSpec(t, "s3://phasesweep/p")); err != nil {
		t.Errorf("out: s3://phasesweep/p with the user's endpoint in the environment: %v", err)
	}
}
