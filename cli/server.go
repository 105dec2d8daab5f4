package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/pkg/dial"
)

func serverCmd(ios *IOStreams) *cobra.Command {
	var state, ip, db, namespace string
	var port int
	var tls devserver.TLS
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
			ctx := cmd.Context()
			if err := checkDB(db); err != nil {
				return err
			}
			unlock, err := lockState(ctx, state, holderServer)
			if err != nil {
				return err
			}
			defer unlock()
			srv, err := devserver.Start(ctx, devserver.Options{StateDir: state, DB: db, Namespace: namespace, Port: port, IP: ip, TLS: tls})
			if err != nil {
				return err
			}
			defer os.Remove(filepath.Join(state, addressFile))
			if err := recordAddress(state, srv.Address()); err != nil {
				return err
			}
			internal := client.Options{HostPort: srv.InternalAddress(), Namespace: namespace, Logger: quiet(ios.ErrOut),
				ConnectionOptions: client.ConnectionOptions{TLS: srv.InternalTLS()}}
			if c, err := client.Dial(internal); err == nil {
				if _, err := searchAttributes(ctx, c, namespace); err != nil {
					fmt.Fprintf(ios.ErrOut, "warning: search attributes not registered: %v\n", err)
				}
				c.Close()
			}
			secure := "plain"
			if tls.CertFile != "" {
				secure = "TLS"
				if tls.ClientCAFile != "" {
					secure = "mutual TLS"
				}
			}
			fmt.Fprintf(ios.Out, "Temporal server on %s (%s, namespace %s, state %s); Ctrl-C stops it\n", srv.Address(), secure, namespace, srv.Where())
			<-ctx.Done()
			fmt.Fprintln(ios.ErrOut, "stopping server")
			return srv.Stop()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&state, "state", ".sweep", "directory of the server's SQLite state (and its log)")
	registerDB(cmd, &db, "the server's database")
	fl.IntVar(&port, "port", 7233, "frontend port")
	fl.StringVar(&ip, "ip", "127.0.0.1", "address to listen on (0.0.0.0 for other machines)")
	fl.StringVar(&namespace, "namespace", dial.DefaultNamespace, "namespace to create (when missing)")
	dial.BindEnv(fl, "namespace", "TEMPORAL_NAMESPACE")
	fl.StringVar(&tls.CertFile, "tls-cert", "", "PEM file of the frontend's certificate (enables TLS; with --tls-key)")
	fl.StringVar(&tls.KeyFile, "tls-key", "", "PEM file of the frontend certificate's private key")
	fl.StringVar(&tls.ClientCAFile, "tls-client-ca", "", "PEM file of the CA of client certificates: require and verify one (mutual TLS)")
	return cmd
}
