// Package dial owns how phasesweep reaches a Temporal frontend: the connection options shared by
// the sweep command and the worker (address, namespace, task queue, TLS, API key), their flags
// and environment variables, and the SDK client options built from them. It links no server.
package dial

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// DefaultNamespace is the namespace used unless --namespace or TEMPORAL_NAMESPACE names another.
const DefaultNamespace = "default"

// DefaultTaskQueue is the task queue sweeps and workers use unless --task-queue or
// PHASESWEEP_TASK_QUEUE names another (workflows.TaskQueue has the same value).
const DefaultTaskQueue = "phasesweep"

// Options say where a Temporal frontend is and how to talk to it.
type Options struct {
	// Address is the frontend's host:port; empty means the caller's default (the CLI's
	// embedded server).
	Address string
	// Namespace of the sweeps.
	Namespace string
	// TaskQueue the sweep workflows, their children and activities run on.
	TaskQueue string
	// TLSCA is a PEM file of the certificate authorities that sign the server's certificate
	// (empty: the system's roots).
	TLSCA string
	// TLSCert and TLSKey are PEM files of this client's certificate and key (mTLS).
	TLSCert, TLSKey string
	// TLSServerName is the name the server's certificate must carry (default: the host of
	// Address).
	TLSServerName string
	// APIKey is sent as a bearer token (Temporal Cloud); it implies TLS.
	APIKey string
}

// option describes one connection flag: its name, environment variable, default and the
// field of Options it fills.
type option struct {
	flag, env, def, usage string
	field                 func(*Options) *string
}

// options are the connection flags, in the order --help lists them.
var options = []option{
	{"address", "TEMPORAL_ADDRESS", "", "host:port of the Temporal frontend", func(o *Options) *string { return &o.Address }},
	{"namespace", "TEMPORAL_NAMESPACE", DefaultNamespace, "Temporal namespace of the sweeps", func(o *Options) *string { return &o.Namespace }},
	{"task-queue", "PHASESWEEP_TASK_QUEUE", DefaultTaskQueue, "task queue of the sweeps and their workers", func(o *Options) *string { return &o.TaskQueue }},
	{"tls-ca", "TEMPORAL_TLS_CA", "", "PEM file of the CA that signs the server's certificate (enables TLS; default: the system's roots)", func(o *Options) *string { return &o.TLSCA }},
	{"tls-cert", "TEMPORAL_TLS_CERT", "", "PEM file of the client certificate, for mTLS (with --tls-key; enables TLS)", func(o *Options) *string { return &o.TLSCert }},
	{"tls-key", "TEMPORAL_TLS_KEY", "", "PEM file of the client certificate's private key (with --tls-cert)", func(o *Options) *string { return &o.TLSKey }},
	{"tls-server-name", "TEMPORAL_TLS_SERVER_NAME", "", "name the server's certificate must carry (default: the host of --address; enables TLS)", func(o *Options) *string { return &o.TLSServerName }},
	{"api-key", "TEMPORAL_API_KEY", "", "API key sent as a bearer token, e.g. for Temporal Cloud (implies TLS)", func(o *Options) *string { return &o.APIKey }},
}

// Register adds the connection flags to fs, each bound to its environment variable (see
// BindEnv). address is the default of --address; addressUsage, when not empty, replaces its
// usage line (the CLI says what an empty address means there).
func (o *Options) Register(fs *pflag.FlagSet, address, addressUsage string) {
	for _, opt := range options {
		usage, def := opt.usage, opt.def
		if opt.flag == "address" {
			def = address
			if addressUsage != "" {
				usage = addressUsage
			}
		}
		fs.StringVar(opt.field(o), opt.flag, def, usage)
		BindEnv(fs, opt.flag, opt.env)
	}
}

// TLSEnabled reports whether the connection uses TLS: any TLS option or an API key.
func (o Options) TLSEnabled() bool {
	return o.TLSCA != "" || o.TLSCert != "" || o.TLSKey != "" || o.TLSServerName != "" || o.APIKey != ""
}

// TLS is the client TLS configuration, or nil for a plain connection. Files that cannot be
// read or parsed are errors naming the flag and the file.
func (o Options) TLS() (*tls.Config, error) {
	if !o.TLSEnabled() {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: o.TLSServerName, MinVersion: tls.VersionTLS12}
	if o.TLSCA != "" {
		pem, err := os.ReadFile(o.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca: %s holds no PEM certificate", o.TLSCA)
		}
	}
	switch {
	case o.TLSCert != "" && o.TLSKey == "":
		return nil, errors.New("--tls-cert needs --tls-key (the certificate's private key)")
	case o.TLSKey != "" && o.TLSCert == "":
		return nil, errors.New("--tls-key needs --tls-cert (the client certificate)")
	case o.TLSCert != "":
		pair, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", o.TLSCert, o.TLSKey, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// Client is the SDK's client.Options for these options, logging to logger.
func (o Options) Client(logger sdklog.Logger) (client.Options, error) {
	if o.Address == "" {
		return client.Options{}, errors.New("--address is empty: no Temporal frontend to connect to")
	}
	tlsCfg, err := o.TLS()
	if err != nil {
		return client.Options{}, err
	}
	opts := client.Options{
		HostPort:          o.Address,
		Namespace:         o.WithDefaults().Namespace,
		Logger:            logger,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg},
	}
	if o.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(o.APIKey)
	}
	return opts, nil
}

// WithDefaults is o with an empty namespace and task queue replaced by DefaultNamespace and
// DefaultTaskQueue.
func (o Options) WithDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.TaskQueue == "" {
		o.TaskQueue = DefaultTaskQueue
	}
	return o
}
