// Package devserver runs a Temporal server inside the current process, persisted in one SQLite
// file, so that a sweep needs nothing installed but Go. It is linked only by the CLI and its
// integration tests: the server adds a large amount of code to a binary.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/resolver"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Namespace is the namespace the embedded server creates and sweeps use.
const Namespace = "default"

// clusterName is the name of the single cluster the server forms.
const clusterName = "active"

// Options configure an embedded server.
type Options struct {
	// StateDir holds the SQLite database (temporal.db) and the server log (server.log).
	// Existing state is reopened, so running workflows resume.
	StateDir string
	// Port is the frontend's port on 127.0.0.1; 0 picks a free one.
	Port int
	// IP is the address the frontend binds; empty means 127.0.0.1.
	IP string
	// LogLevel of the server's log file (debug, info, warn, error); empty means warn.
	LogLevel string
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	address  string
	dbPath   string
	stateDir string
}

// Start opens (or creates) the state in opts.StateDir and starts the frontend, history,
// matching and worker services. It returns once the frontend answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.StateDir == "" {
		return nil, errors.New("devserver: state directory is empty")
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
	dbPath := filepath.Join(opts.StateDir, "temporal.db")
	sqlCfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "1", // NORMAL: durable against a killed process under WAL
			"busy_timeout": "10000",
		},
	}
	if _, err := os.Stat(dbPath); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			_ = os.Remove(dbPath)
			return nil, fmt.Errorf("devserver: set up schema in %s: %w", dbPath, err)
		}
	} else if err := forgetMembers(sqlCfg); err != nil {
		return nil, err
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("devserver: namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("devserver: create namespace %q: %w", Namespace, err)
	}

	cfg, err := serverConfig(sqlCfg, ip, port)
	if err != nil {
		return nil, err
	}
	level := opts.LogLevel
	if level == "" {
		level = "warn"
	}
	logger := log.NewZapLogger(log.BuildZapLogger(log.Config{
		Level:      level,
		OutputFile: filepath.Join(opts.StateDir, "server.log"),
	}))
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
	)
	if err != nil {
		return nil, fmt.Errorf("devserver: create server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devserver: start server: %w", err)
	}
	s := &Server{srv: srv, address: net.JoinHostPort(ip, strconv.Itoa(port)), dbPath: dbPath, stateDir: opts.StateDir}
	if err := s.waitReady(ctx); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return s, nil
}

// Address is the frontend's host:port.
func (s *Server) Address() string { return s.address }

// DBPath is the SQLite file holding the server's state.
func (s *Server) DBPath() string { return s.dbPath }

// StateDir is the directory of the server's state.
func (s *Server) StateDir() string { return s.stateDir }

// Stop shuts the services down; the state stays on disk.
func (s *Server) Stop() error { return s.srv.Stop() }

// waitReady polls the frontend until a client can check its health.
func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: s.address, Namespace: Namespace, Logger: quietLogger{}})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("devserver: frontend %s not ready after 60s: %w", s.address, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// serverConfig is the static configuration of a single-node cluster on ip, with the frontend
// on port and the other services on free ports.
func serverConfig(sqlCfg *config.SQL, ip string, port int) (*config.Config, error) {
	frontend := net.JoinHostPort(ip, strconv.Itoa(port))
	services := map[string]config.Service{}
	for _, name := range temporal.DefaultServices {
		grpcPort := port
		if name != "frontend" {
			p, err := freePort(ip)
			if err != nil {
				return nil, err
			}
			grpcPort = p
		}
		memberPort, err := freePort(ip)
		if err != nil {
			return nil, err
		}
		services[name] = config.Service{RPC: config.RPC{GRPCPort: grpcPort, MembershipPort: memberPort, BindOnIP: ip}}
	}
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: ip},
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}, nil
}

// forgetMembers deletes the cluster membership records of an earlier server on this state. A
// server killed without shutting down leaves its services registered; the new one would then
// try to join those dead addresses for up to Membership.MaxJoinDuration (30 s) before serving.
// The embedded server is the only node of its cluster, and the caller holds the state
// directory exclusively (the CLI's lock), so every record found here is stale.
func forgetMembers(cfg *config.SQL) error {
	db, err := sql.NewSQLAdminDB(sqlplugin.DbKindUnknown, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("devserver: open state: %w", err)
	}
	defer db.Close()
	if err := db.Exec("DELETE FROM cluster_membership"); err != nil {
		return fmt.Errorf("devserver: clear stale cluster membership: %w", err)
	}
	return nil
}

// freePort asks the kernel for a port that is free on ip right now.
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("devserver: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// quietLogger discards the SDK client's log lines while probing readiness.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
