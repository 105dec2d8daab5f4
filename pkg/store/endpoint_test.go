package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// clearEndpointEnv unsets the environment variables CheckEndpoint reads, for the test.
func clearEndpointEnv(t *testing.T) {
	t.Helper()
	for _, env := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", EnvAllowInsecure} {
		t.Setenv(env, "")
	}
}

// TestCheckEndpoint: the verdicts are written out from the rules of CheckEndpoint's comment: no
// query without ClientOptions; an http endpoint (from the URL or the environment) or
// disable_https=true only with Insecure or anonymous=true.
func TestCheckEndpoint(t *testing.T) {
	clearEndpointEnv(t)
	const httpEP = "s3://b/p?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true"
	var none, opts, all = Trust{}, Trust{ClientOptions: true}, Trust{ClientOptions: true, Insecure: true}
	for _, c := range []struct {
		loc     string
		trust   Trust
		err     error  // nil: allowed
		mention string // what the message must name
	}{
		{loc: "/abs/out", trust: none},
		{loc: "rel/out", trust: none},
		{loc: "file:///abs/out", trust: none},
		{loc: "s3://b/p", trust: none},
		{loc: "gs://b/p", trust: none},
		{loc: "s3://b/p?region=eu-west-1", trust: none, err: ErrClientOption, mention: `sets "region" in its query`},
		{loc: httpEP, trust: none, err: ErrClientOption, mention: `"endpoint", "region", "use_path_style"`},
		{loc: "s3://b/p?profile=other", trust: none, err: ErrClientOption, mention: `"profile"`},
		{loc: "gs://b/p?private_key_path=/home/u/key.pem", trust: none, err: ErrClientOption, mention: `"private_key_path"`},
		{loc: "s3://b/p?region=eu-west-1", trust: opts},
		{loc: "gs://b/p?anonymous=true", trust: opts},
		{loc: httpEP, trust: opts, err: ErrInsecureEndpoint, mention: `endpoint "http://127.0.0.1:9000" (the location's endpoint parameter) is plain http`},
		{loc: httpEP, trust: opts, err: ErrInsecureEndpoint, mention: EnvAllowInsecure + "=1"},
		{loc: httpEP, trust: all},
		{loc: httpEP + "&anonymous=true", trust: opts},
		{loc: "s3://b/p?endpoint=https://minio.example:9000", trust: opts},
		{loc: "s3://b/p?endpoint=https://minio.example&disable_https=true", trust: opts, err: ErrInsecureEndpoint, mention: "disable_https=true"},
		{loc: "s3://b/p?disable_https=true", trust: all},
		{loc: "s3://b/p?endpoint=minio:9000", trust: all, mention: `"minio:9000" (the location's endpoint parameter) is not an http(s)://host[:port] URL`},
		{loc: "s3://b/p?endpoint=/just/a/path", trust: all, mention: "is not an http(s)://host[:port] URL"},
		{loc: "s3:///nobucket", trust: all, mention: "no bucket name"},
	} {
		err := CheckEndpoint(c.loc, c.trust)
		switch {
		case c.err == nil && c.mention == "" && err != nil:
			t.Errorf("CheckEndpoint(%q, %+v) = %v, want nil", c.loc, c.trust, err)
		case c.err != nil && !errors.Is(err, c.err):
			t.Errorf("CheckEndpoint(%q, %+v) = %v, want an error matching %v", c.loc, c.trust, err, c.err)
		case c.mention != "" && (err == nil || !strings.Contains(err.Error(), c.mention)):
			t.Errorf("CheckEndpoint(%q, %+v) = %v, want an error containing %q", c.loc, c.trust, err, c.mention)
		}
	}
}

// TestCheckEndpointEnv: an endpoint the AWS SDK would take from the environment counts as the
// location's, AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL (the SDK's order), and none of them
// when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
func TestCheckEndpointEnv(t *testing.T) {
	clearEndpointEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", "http://general:9000")
	if err := CheckEndpoint("s3://b/p", Trust{}); !errors.Is(err, ErrInsecureEndpoint) || !strings.Contains(err.Error(), `"http://general:9000" (environment variable AWS_ENDPOINT_URL)`) {
		t.Errorf("AWS_ENDPOINT_URL=http: %v", err)
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", "https://s3only:9000")
	if err := CheckEndpoint("s3://b/p", Trust{}); err != nil {
		t.Errorf("AWS_ENDPOINT_URL_S3=https (over an http AWS_ENDPOINT_URL): %v", err)
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://s3only:9000")
	if err := CheckEndpoint("s3://b/p", Trust{}); !errors.Is(err, ErrInsecureEndpoint) || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_S3") {
		t.Errorf("AWS_ENDPOINT_URL_S3=http: %v", err)
	}
	if err := CheckEndpoint("s3://b/p?endpoint=https://given:9000", Trust{ClientOptions: true}); err != nil {
		t.Errorf("the URL's https endpoint wins over the environment's: %v", err)
	}
	if err := CheckEndpoint("gs://b/p", Trust{}); err != nil {
		t.Errorf("gs:// does not use the AWS endpoint: %v", err)
	}
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	if err := CheckEndpoint("s3://b/p", Trust{}); err != nil {
		t.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true: %v", err)
	}
}

// TestInsecureAllowed: the variable is a boolean (strconv.ParseBool's spellings), unset or
// empty is false, anything else an error naming it.
func TestInsecureAllowed(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "1": true, "true": true} {
		t.Setenv(EnvAllowInsecure, v)
		if got, err := InsecureAllowed(); got != want || err != nil {
			t.Errorf("%s=%q: %t, %v; want %t", EnvAllowInsecure, v, got, err, want)
		}
	}
	t.Setenv(EnvAllowInsecure, "yes please")
	if _, err := InsecureAllowed(); err == nil || !strings.Contains(err.Error(), EnvAllowInsecure+`="yes please"`) {
		t.Errorf("bad value: %v", err)
	}
	if fakes3.AllowInsecureEnv != EnvAllowInsecure {
		t.Errorf("fakes3.AllowInsecureEnv = %q, want %q", fakes3.AllowInsecureEnv, EnvAllowInsecure)
	}
}

// TestStoreErrorsMatch: a store's refusal matches ErrInsecureEndpoint (errors.Is), so that a
// caller such as an activity can tell it from a failure worth retrying. Port 1 on 127.0.0.1
// would refuse a connection: the test needs none to be attempted.
func TestStoreErrorsMatch(t *testing.T) {
	clearEndpointEnv(t)
	st := New()
	defer st.Close()
	loc := "s3://b/p?endpoint=http://127.0.0.1:1&use_path_style=true"
	if err := st.Ensure(t.Context(), loc); !errors.Is(err, ErrInsecureEndpoint) {
		t.Errorf("Ensure(%s) = %v, want an error matching ErrInsecureEndpoint", loc, err)
	}
	t.Setenv(EnvAllowInsecure, "maybe")
	if err := st.Ensure(t.Context(), loc); err == nil || !strings.Contains(err.Error(), EnvAllowInsecure) {
		t.Errorf("Ensure with %s=maybe: %v, want an error naming the variable", EnvAllowInsecure, err)
	}
}
