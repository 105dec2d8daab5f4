package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/pkg/dial"
	"github.com/phasesweep/phasesweep/workflows"
)

// backend is a Temporal frontend to talk to: an embedded server started here, or a cluster.
type backend struct {
	client client.Client
	opts   dial.Options      // how client was dialled, with the defaults filled in
	server *devserver.Server // nil for a cluster
	unlock func()
	logOut io.Closer
}

// connFlags are the connection options of every command that talks to Temporal: a cluster's
// frontend (dial.Options: --address, --namespace, --task-queue, --tls-*, --api-key), else the
// embedded server on --state, persisted in SQLite there or in the PostgreSQL database --db.
type connFlags struct {
	dial.Options
	state, db string
}

// register adds the connection flags to cmd.
func (f *connFlags) register(cmd *cobra.Command) {
	f.Options.Register(cmd.Flags(), "", "host:port of a Temporal frontend (default: the embedded server on --state, joined if it is running)")
	cmd.Flags().StringVar(&f.state, "state", ".sweep", "state directory of the embedded server")
	registerDB(cmd, &f.db, "the embedded server's database when this command starts it")
}

// registerDB adds --db (env PHASESWEEP_DB) to cmd.
func registerDB(cmd *cobra.Command, db *string, what string) {
	cmd.Flags().StringVar(db, "db", "", what+": postgres://user:password@host:port/dbname (default: SQLite in --state)")
	dial.BindEnv(cmd.Flags(), "db", "PHASESWEEP_DB")
}

// checkDB is a usage error for a --db that is not a PostgreSQL URL.
func checkDB(db string) error {
	if db == "" {
		return nil
	}
	if err := devserver.CheckDB(db); err != nil {
		return usageError{err}
	}
	return nil
}

// connect starts the embedded server in f.state (on f.db when given) when f.Address is empty,
// else dials f.Address. With attach, a server already running on the state directory (a sweep
// run or sweep server in another process) is joined at the address it recorded instead. The
// SDK's warnings go to <state>/client.log (embedded) or to errOut (cluster).
func connect(ctx context.Context, errOut io.Writer, f connFlags, attach bool) (*backend, error) {
	b := &backend{opts: f.Options.WithDefaults()}
	logW := errOut
	if b.opts.Address == "" {
		role := holderRun
		if attach {
			role = holderJoin
		}
		unlock, err := lockState(ctx, f.state, role)
		if err != nil {
			if !attach {
				return nil, err
			}
			running, ok := awaitAddress(ctx, f.state)
			if !ok {
				return nil, err
			}
			f.Address, f.db = running, "" // that server has its database
			return connect(ctx, errOut, f, false)
		}
		b.unlock = unlock
		if b.opts.TLSEnabled() {
			b.close()
			return nil, usageError{errors.New("--tls-* and --api-key need --address: the embedded server this command starts is plain (sweep server --tls-cert serves TLS)")}
		}
		if err := checkDB(f.db); err != nil {
			b.close()
			return nil, err
		}
		srv, err := devserver.Start(ctx, devserver.Options{StateDir: f.state, DB: f.db, Namespace: b.opts.Namespace})
		if err != nil {
			b.close()
			return nil, err
		}
		b.server = srv
		b.opts.Address = srv.Address()
		if err := recordAddress(f.state, b.opts.Address); err != nil {
			b.close()
			return nil, err
		}
		logFile, err := os.OpenFile(filepath.Join(f.state, "client.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			logW, b.logOut = logFile, logFile
		}
	} else if f.db != "" && f.db != os.Getenv("PHASESWEEP_DB") { // the variable may be set for servers
		return nil, usageError{errors.New("--db applies to the embedded server only; it cannot be combined with --address")}
	}
	opts, err := b.opts.Client(quiet(logW))
	if err != nil {
		b.close()
		return nil, usageError{err}
	}
	// A server started just before this command may not answer yet: Dial retries for a while.
	c, err := dial.Dial(ctx, opts, dialWait)
	if err != nil {
		b.close()
		return nil, err
	}
	b.client = c
	return b, nil
}

// close shuts down the client, then the embedded server, then releases the state lock.
func (b *backend) close() {
	if b.client != nil {
		b.client.Close()
	}
	if b.server != nil {
		_ = os.Remove(filepath.Join(b.server.StateDir(), addressFile))
		_ = b.server.Stop()
	}
	if b.logOut != nil {
		_ = b.logOut.Close()
	}
	if b.unlock != nil {
		b.unlock()
	}
}

// serveEmbedded starts a worker in this process when this process started the embedded server
// (then no other process runs one for it), and returns what stops it (nothing otherwise).
func (b *backend) serveEmbedded() (stop func(), err error) {
	if b.server == nil {
		return func() {}, nil
	}
	w := workflows.NewWorkerOn(b.client, b.opts.TaskQueue, &activities.Activities{}, 0)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return w.Stop, nil
}

// dialWait is how long a command keeps trying to reach a frontend.
const dialWait = 30 * time.Second

// addressFile, in a state directory, holds the frontend address of the embedded server that
// runs on it while it runs, so that other commands can join it.
const addressFile = "address"

// awaitAddress reads the address a running server recorded in stateDir, waiting up to
// lockWait for a server that is still starting (its process holds the lock, and has not
// written the address yet).
func awaitAddress(ctx context.Context, stateDir string) (string, bool) {
	deadline := time.Now().Add(lockWait)
	for {
		b, err := os.ReadFile(filepath.Join(stateDir, addressFile))
		if address := strings.TrimSpace(string(b)); err == nil && address != "" {
			return address, true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return "", false
		}
		time.Sleep(lockPoll)
	}
}

// recordAddress writes the running server's address into the state directory.
func recordAddress(stateDir, address string) error {
	if err := os.WriteFile(filepath.Join(stateDir, addressFile), []byte(address+"\n"), 0o644); err != nil {
		return fmt.Errorf("record the server address: %w", err)
	}
	return nil
}

// searchAttributes makes sure the namespace has the sweep's search attributes
// (workflows.SearchAttributeTypes), adding the missing ones, and reports whether it has them.
func searchAttributes(ctx context.Context, c client.Client, namespace string) (bool, error) {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return false, err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range workflows.SearchAttributeTypes() {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return true, nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	return err == nil, err
}

// quiet is an SDK logger that keeps warnings and errors only, on w.
func quiet(w io.Writer) sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn})))
}
