// Package devserver runs a Temporal server inside the current process, so that a sweep needs
// nothing installed but Go: persisted in one SQLite file by default, or in a PostgreSQL
// database for a lab's durable server, with an optional TLS (and mTLS) frontend. It is linked
// only by the CLI and its integration tests: the server adds a large amount of code to a binary.
package devserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/temporal"
)

// Namespace is the namespace the embedded server creates unless Options.Namespace names
// another.
const Namespace = "default"

// clusterName is the name of the single cluster the server forms.
const clusterName = "active"

// Options configure an embedded server.
type Options struct {
	// StateDir holds the SQLite database (temporal.db, unless DB is set) and the server log
	// (server.log). Existing state is reopened, so running workflows resume.
	StateDir string
	// DB, when not empty, is a PostgreSQL URL, postgres://user:password@host:port/dbname: the
	// server keeps its state there (and its visibility records in dbname_visibility), creating
	// the databases and Temporal's schema when missing and upgrading an older schema.
	DB string
	// Namespace to create (when missing) besides the system one; empty means Namespace.
	Namespace string
	// Port is the frontend's port; 0 picks a free one.
	Port int
	// IP is the address the frontend binds; empty means 127.0.0.1. The other services always
	// listen on 127.0.0.1.
	IP string
	// TLS of the frontend; the zero value is a plain frontend.
	TLS TLS
	// LogLevel of the server's log file (debug, info, warn, error); empty means warn.
	LogLevel string
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	address  string
	internal string
	// internalTLS is the TLS of clients dialing internal (nil when the server is plain).
	internalTLS *tls.Config
	// listens are the TCP addresses the configuration has the services listen on.
	listens  []string
	where    string
	stateDir string
	release  func()
}

// Start opens (or creates) the state and starts the frontend, history, matching and worker
// services (and, with TLS, an internal frontend on loopback for the server's own clients). With
// TLS, the services other than the frontend speak TLS to each other with a CA and a
// certificate made now and held in memory only (see internalPKI), so that no port accepts a
// client without a certificate when the frontend requires one. It returns once the frontend
// answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.StateDir == "" {
		return nil, errors.New("devserver: state directory is empty")
	}
	if err := opts.TLS.check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("devserver: create state directory: %w", err)
	}
	ip := opts.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	port := opts.Port
	if port == 0 {
		p, err := freePort(ip)
		if err != nil {
			return nil, err
		}
		port = p
	}
	namespace := opts.Namespace
	if namespace == "" {
		namespace = Namespace
	}
	level := opts.LogLevel
	if level == "" {
		level = "warn"
	}
	logFile := filepath.Join(opts.StateDir, "server.log")
	var logger log.Logger = fatalLogger{log.NewZapLogger(log.BuildZapLogger(log.Config{
		Level:      level,
		OutputFile: logFile,
	})), logFile}

	var st store
	var err error
	if opts.DB != "" {
		st, err = openPostgres(ctx, opts.DB, logger)
	} else {
		st, err = openSQLite(opts.StateDir)
	}
	if err != nil {
		return nil, err
	}
	s := &Server{stateDir: opts.StateDir, where: st.where, release: st.release}
	fail := func(err error) (*Server, error) {
		s.releaseStore()
		return nil, err
	}
	if err := st.prepare(namespace); err != nil {
		return fail(err)
	}
	var internal *internalPKI
	if opts.TLS.enabled() {
		if internal, err = newInternalPKI(); err != nil {
			return fail(err)
		}
		if s.internalTLS, err = internal.clientTLS(); err != nil {
			return fail(err)
		}
	}
	cfg, services, err := serverConfig(st, ip, port, opts.TLS, internal)
	if err != nil {
		return fail(err)
	}
	s.listens = listenAddresses(cfg)
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(services),
		temporal.WithLogger(logger),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
		temporal.WithDynamicConfigClient(dynamicConfig(opts.TLS.enabled())),
	)
	if err != nil {
		return fail(fmt.Errorf("devserver: create server: %w", err))
	}
	if err := srv.Start(); err != nil {
		return fail(fmt.Errorf("devserver: start server: %w", err))
	}
	s.srv = srv
	s.address = net.JoinHostPort(ip, strconv.Itoa(port))
	s.internal = s.address
	if opts.TLS.enabled() {
		s.internal = net.JoinHostPort(loopback, strconv.Itoa(cfg.Services[internalFrontend].RPC.GRPCPort))
	}
	if err := s.waitReady(ctx, namespace); err != nil {
		_ = srv.Stop()
		return fail(err)
	}
	return s, nil
}

// Address is the frontend's host:port (the address clients and workers dial).
func (s *Server) Address() string { return s.address }

// InternalAddress is a frontend on loopback for clients inside this process: the internal
// frontend when the public one uses TLS (dial it with InternalTLS), else the public one.
func (s *Server) InternalAddress() string { return s.internal }

// InternalTLS is the TLS configuration (a client certificate of the server's internal CA) that
// a client inside this process dials InternalAddress with; nil when the server is plain. Each
// call returns a fresh copy.
func (s *Server) InternalTLS() *tls.Config {
	if s.internalTLS == nil {
		return nil
	}
	return s.internalTLS.Clone()
}

// Where says where the server keeps its state: the SQLite file, or the PostgreSQL databases.
func (s *Server) Where() string { return s.where }

// StateDir is the directory of the server's log (and of its SQLite state).
func (s *Server) StateDir() string { return s.stateDir }

// Stop shuts the services down and releases the database; the state stays.
func (s *Server) Stop() error {
	err := s.srv.Stop()
	s.releaseStore()
	return err
}

// releaseStore gives up the exclusive use of the database.
func (s *Server) releaseStore() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}

// dynamicConfig is the server's dynamic configuration. Search attributes that a sweep adds
// just before it starts are read through (not from a cache refreshed every minute or so), so
// the first workflow task of a sweep on a fresh state directory does not fail on them and wait
// for its retry. With TLS, membership (ringpop) uses the internode TLS too: it is plain TCP
// otherwise, whatever the static TLS configuration says.
func dynamicConfig(secure bool) dynamicconfig.Client {
	dc := dynamicconfig.NewMemoryClient()
	dc.OverrideSetting(dynamicconfig.ForceSearchAttributesCacheRefreshOnRead, true)
	if secure {
		dc.OverrideSetting(dynamicconfig.EnableRingpopTLS, true)
	}
	return dc
}

// waitReady polls the internal address until a client can check its health.
func (s *Server) waitReady(ctx context.Context, namespace string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: s.internal, Namespace: namespace, Logger: quietLogger{},
			ConnectionOptions: client.ConnectionOptions{TLS: s.InternalTLS()}})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("devserver: frontend %s not ready after 60s: %w", s.internal, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// quietLogger discards the SDK client's log lines while probing readiness.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
