package dial

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// parse registers the options on a fresh flag set, parses args and applies the environment, as
// the sweep command and the worker do.
func parse(t *testing.T, args ...string) (Options, error) {
	t.Helper()
	var o Options
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	o.Register(fs, "127.0.0.1:7233", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return o, ApplyEnv(fs)
}

func TestEnvAndFlags(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "env-host:7233")
	t.Setenv("TEMPORAL_NAMESPACE", "env-ns")
	t.Setenv("PHASESWEEP_TASK_QUEUE", "env-queue")
	t.Setenv("TEMPORAL_TLS_SERVER_NAME", "env-name")
	t.Setenv("TEMPORAL_API_KEY", "env-key")
	t.Setenv("TEMPORAL_TLS_CA", "")
	cases := []struct {
		name string
		args []string
		want Options
	}{
		{"environment only", nil, Options{Address: "env-host:7233", Namespace: "env-ns", TaskQueue: "env-queue", TLSServerName: "env-name", APIKey: "env-key"}},
		{"flags override the environment", []string{"--address", "flag-host:1", "--namespace=flag-ns", "--task-queue", "flag-queue"},
			Options{Address: "flag-host:1", Namespace: "flag-ns", TaskQueue: "flag-queue", TLSServerName: "env-name", APIKey: "env-key"}},
		// A flag given with the default's value still overrides the environment.
		{"explicit default", []string{"--namespace", "default"}, Options{Address: "env-host:7233", Namespace: "default", TaskQueue: "env-queue", TLSServerName: "env-name", APIKey: "env-key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parse(t, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestDefaultsWithoutEnv(t *testing.T) {
	for _, e := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "PHASESWEEP_TASK_QUEUE", "TEMPORAL_API_KEY", "TEMPORAL_TLS_SERVER_NAME"} {
		t.Setenv(e, "")
	}
	got, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Address: "127.0.0.1:7233", Namespace: DefaultNamespace, TaskQueue: DefaultTaskQueue}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got.TLSEnabled() {
		t.Error("TLS enabled without any TLS option")
	}
}

func TestBadEnvNamesVariable(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	var n int
	fs.IntVar(&n, "concurrency", 0, "simulations at once")
	BindEnv(fs, "concurrency", "PHASESWEEP_WORKER_CONCURRENCY")
	t.Setenv("PHASESWEEP_WORKER_CONCURRENCY", "many")
	_ = fs.Parse(nil)
	err := ApplyEnv(fs)
	if err == nil || !strings.Contains(err.Error(), `PHASESWEEP_WORKER_CONCURRENCY="many" (for --concurrency)`) {
		t.Fatalf("error %v does not name the variable", err)
	}
	t.Setenv("PHASESWEEP_WORKER_CONCURRENCY", "3")
	if err := ApplyEnv(fs); err != nil || n != 3 {
		t.Fatalf("n = %d, err %v; want 3", n, err)
	}
	if !strings.Contains(fs.Lookup("concurrency").Usage, "(env PHASESWEEP_WORKER_CONCURRENCY)") {
		t.Error("usage does not document the variable")
	}
}

func TestTLSErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		o    Options
		want string
	}{
		{Options{TLSCert: "c.pem"}, "--tls-cert needs --tls-key"},
		{Options{TLSKey: "k.pem"}, "--tls-key needs --tls-cert"},
		{Options{TLSCA: filepath.Join(dir, "missing.pem")}, "--tls-ca: open"},
		{Options{TLSCA: notPEM}, "holds no PEM certificate"},
		{Options{TLSCert: filepath.Join(dir, "c.pem"), TLSKey: filepath.Join(dir, "k.pem")}, "--tls-cert " + filepath.Join(dir, "c.pem")},
	}
	for _, c := range cases {
		_, err := c.o.TLS()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to contain %q", c.o, err, c.want)
		}
	}
}

func TestClientOptions(t *testing.T) {
	// An API key alone turns TLS on (with the system roots) and sets credentials.
	o, err := Options{Address: "ns.acct.tmprl.cloud:7233", Namespace: "ns.acct", APIKey: "k"}.Client(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.ConnectionOptions.TLS == nil || o.Credentials == nil || o.HostPort != "ns.acct.tmprl.cloud:7233" || o.Namespace != "ns.acct" {
		t.Errorf("api key: %+v", o)
	}
	// Plain: no TLS, the default namespace.
	o, err = Options{Address: "h:1"}.Client(nil)
	if err != nil || o.ConnectionOptions.TLS != nil || o.Namespace != DefaultNamespace {
		t.Errorf("plain: %+v, %v", o, err)
	}
	if _, err := (Options{}).Client(nil); err == nil || !strings.Contains(err.Error(), "--address") {
		t.Errorf("no address: %v", err)
	}
}
