package store

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// TestStoreRefusesPlainHTTP: with AWS credentials (and a session token) in the environment and
// the opt-in unset, a store opens no bucket behind a plain-http endpoint, so the server sees no
// request, hence no Authorization or X-Amz-Security-Token header; every operation fails with
// an error naming the variable that allows it. With the variable set (as fakes3.Start leaves
// it), the same location works: the server then sees signed requests, which is what would
// have travelled in the clear.
func TestStoreRefusesPlainHTTP(t *testing.T) {
	srv := fakes3.Start(t, "phasesweep")
	t.Setenv("AWS_SESSION_TOKEN", "phasesweep-test-session-token")
	t.Setenv(fakes3.AllowInsecureEnv, "")
	ctx, loc := context.Background(), srv.URL("refused")
	st := New()
	defer st.Close()
	ops := map[string]error{"Ensure": st.Ensure(ctx, loc)}
	ops["Put"] = st.Put(ctx, Join(loc, "x"), func(path string) error { return os.WriteFile(path, []byte("x"), 0o644) })
	_, ops["Exists"] = st.Exists(ctx, Join(loc, "x"))
	_, ops["List"] = st.List(ctx, loc)
	for op, err := range ops {
		if err == nil || !strings.Contains(err.Error(), "is plain http") || !strings.Contains(err.Error(), fakes3.AllowInsecureEnv+"=1") {
			t.Errorf("%s on %s without the opt-in: %v; want the plain-http refusal naming %s", op, loc, err, fakes3.AllowInsecureEnv)
		}
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Fatalf("the server saw %d requests without the opt-in, the first %s %s with Authorization %q and X-Amz-Security-Token %q",
			len(reqs), reqs[0].Method, reqs[0].Path, reqs[0].Header.Get("Authorization"), reqs[0].Header.Get("X-Amz-Security-Token"))
	}

	t.Setenv(fakes3.AllowInsecureEnv, "1")
	st2 := New()
	defer st2.Close()
	if err := st2.Ensure(ctx, loc); err != nil {
		t.Fatalf("Ensure with the opt-in: %v", err)
	}
	if err := st2.Put(ctx, Join(loc, "x"), func(path string) error { return os.WriteFile(path, []byte("x"), 0o644) }); err != nil {
		t.Fatalf("Put with the opt-in: %v", err)
	}
	if keys := srv.Keys(t); !slices.Equal(keys, []string{"refused/x"}) {
		t.Errorf("bucket holds %v, want [refused/x]", keys)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || !strings.Contains(reqs[0].Header.Get("Authorization"), "Credential=phasesweep-test/") ||
		reqs[0].Header.Get("X-Amz-Security-Token") != "phasesweep-test-session-token" {
		t.Errorf("with the opt-in the server saw %d requests; want signed ones carrying the access key id and session token (the first: %+v)", len(reqs), reqs)
	}
}
