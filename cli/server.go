package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/pkg/dial"
)

// serverOptions are sweep server's: its streams and flags.
type serverOptions struct {
	IO                       *IOStreams
	state, ip, db, namespace string
	port                     int
	tls                      devserver.TLS
}

func serverCmd(ios *IOStreams) *cobra.Command {
	opts := &serverOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the embedded Temporal server alone, for workers and sweeps on other processes or machines",
		Long: `Run the embedded Temporal server alone. Its state is a SQLite file in --state, or with
--db the PostgreSQL database postgres://user:password@host:port/dbname (env PHASESWEEP_DB): the
server creates that database and dbname_visibility (its visibility records) when missing,
sets up or upgrades Temporal's schema in both, and holds an advisory lock on the database so
that no second server runs on it. --state still holds the server's log.

With --tls-cert and --tls-key the frontend serves TLS (clients give --tls-ca, or trust the
certificate otherwise); --tls-client-ca also requires every client to present a certificate
signed by that CA (mutual TLS: workers and sweep commands give --tls-cert and --tls-key). With
TLS, the server's other ports (history, matching, the worker service, an internal frontend for
its own clients, and membership) serve TLS too, on 127.0.0.1 (the frontend's membership port on
--ip), and require a certificate of a CA the server makes at start and keeps in memory: with
--tls-client-ca no port accepts a client without a certificate, and only the frontend accepts
one of --tls-client-ca. See docs/security.md.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serverRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.state, "state", ".sweep", "directory of the server's SQLite state (and its log)")
	registerDB(cmd, &opts.db, "the server's database")
	fl.IntVar(&opts.port, "port", 7233, "frontend port")
	fl.StringVar(&opts.ip, "ip", "127.0.0.1", "address to listen on (0.0.0.0 for other machines)")
	fl.StringVar(&opts.namespace, "namespace", dial.DefaultNamespace, "namespace to create (when missing)")
	dial.BindEnv(fl, "namespace", "TEMPORAL_NAMESPACE")
	fl.StringVar(&opts.tls.CertFile, "tls-cert", "", "PEM file of the frontend's certificate (enables TLS; with --tls-key)")
	fl.StringVar(&opts.tls.KeyFile, "tls-key", "", "PEM file of the frontend certificate's private key")
	fl.StringVar(&opts.tls.ClientCAFile, "tls-client-ca", "", "PEM file of the CA of client certificates: require and verify one (mutual TLS)")
	return cmd
}

// serverRun runs the embedded server on the state directory until ctx ends (Ctrl-C).
func serverRun(ctx context.Context, opts *serverOptions) error {
	if err := checkDB(opts.db); err != nil {
		return err
	}
	unlock, err := lockState(ctx, opts.state, holderServer)
	if err != nil {
		return err
	}
	defer unlock()
	srv, err := devserver.Start(ctx, devserver.Options{StateDir: opts.state, DB: opts.db, Namespace: opts.namespace, Port: opts.port, IP: opts.ip, TLS: opts.tls})
	if err != nil {
		return err
	}
	defer os.Remove(filepath.Join(opts.state, addressFile))
	if err := recordAddress(opts.state, srv.Address()); err != nil {
		return err
	}
	internal := client.Options{HostPort: srv.InternalAddress(), Namespace: opts.namespace, Logger: quiet(opts.IO.ErrOut),
		ConnectionOptions: client.ConnectionOptions{TLS: srv.InternalTLS()}}
	if c, err := client.Dial(internal); err == nil {
		if _, err := searchAttributes(ctx, c, opts.namespace); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "warning: search attributes not registered: %v\n", err)
		}
		c.Close()
	}
	secure := "plain"
	if opts.tls.CertFile != "" {
		secure = "TLS"
		if opts.tls.ClientCAFile != "" {
			secure = "mutual TLS"
		}
	}
	fmt.Fprintf(opts.IO.Out, "Temporal server on %s (%s, namespace %s, state %s); Ctrl-C stops it\n", srv.Address(), secure, opts.namespace, srv.Where())
	<-ctx.Done()
	fmt.Fprintln(opts.IO.ErrOut, "stopping server")
	return srv.Stop()
}
