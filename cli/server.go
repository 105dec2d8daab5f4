package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/devserver"
)

func serverCmd() *cobra.Command {
	var state, ip string
	var port int
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the embedded Temporal server alone, for workers and sweeps on other processes or machines",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			unlock, err := lockState(state)
			if err != nil {
				return err
			}
			defer unlock()
			srv, err := devserver.Start(ctx, devserver.Options{StateDir: state, Port: port, IP: ip})
			if err != nil {
				return err
			}
			defer os.Remove(filepath.Join(state, addressFile))
			if err := recordAddress(state, srv.Address()); err != nil {
				return err
			}
			if c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: devserver.Namespace, Logger: quiet()}); err == nil {
				if _, err := searchAttributes(ctx, c); err != nil {
					fmt.Fprintf(os.Stderr, "warning: search attributes not registered: %v\n", err)
				}
				c.Close()
			}
			fmt.Fprintf(os.Stdout, "Temporal server on %s (namespace %s, state %s); Ctrl-C stops it\n", srv.Address(), devserver.Namespace, state)
			<-ctx.Done()
			fmt.Fprintln(os.Stderr, "stopping server")
			return srv.Stop()
		},
	}
	cmd.Flags().StringVar(&state, "state", ".sweep", "directory of the server's SQLite state")
	cmd.Flags().IntVar(&port, "port", 7233, "frontend port")
	cmd.Flags().StringVar(&ip, "ip", "127.0.0.1", "address to listen on (0.0.0.0 for other machines)")
	return cmd
}
