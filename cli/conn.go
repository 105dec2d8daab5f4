package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/phasesweep/phasesweep/pkg/devserver"
	"github.com/phasesweep/phasesweep/workflows"
)

// backend is a Temporal frontend to talk to: an embedded server started here, or a cluster.
type backend struct {
	client client.Client
	server *devserver.Server // nil for a cluster
	unlock func()
	logOut io.Closer
}

// connect starts the embedded server in stateDir when address is empty, else dials address.
// With attach, a server already running on stateDir (a sweep run or sweep server in another
// process) is joined at the address it recorded instead. The SDK's warnings go to
// stateDir/client.log (embedded) or to stderr (cluster).
func connect(ctx context.Context, address, stateDir string, attach bool) (*backend, error) {
	b := &backend{}
	var logW io.Writer = os.Stderr
	if address == "" {
		unlock, err := lockState(stateDir)
		if err != nil {
			running, rerr := os.ReadFile(filepath.Join(stateDir, addressFile))
			if !attach || rerr != nil {
				return nil, err
			}
			return connect(ctx, strings.TrimSpace(string(running)), stateDir, false)
		}
		b.unlock = unlock
		srv, err := devserver.Start(ctx, devserver.Options{StateDir: stateDir})
		if err != nil {
			b.close()
			return nil, err
		}
		b.server = srv
		address = srv.Address()
		if err := recordAddress(stateDir, address); err != nil {
			b.close()
			return nil, err
		}
		f, err := os.OpenFile(filepath.Join(stateDir, "client.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			logW, b.logOut = f, f
		}
	}
	opts := client.Options{
		HostPort:  address,
		Namespace: devserver.Namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(logW, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}
	// A server started just before this command may not answer yet: retry for a while.
	c, err := client.Dial(opts)
	for deadline := time.Now().Add(dialWait); err != nil && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(500 * time.Millisecond)
		c, err = client.Dial(opts)
	}
	if err != nil {
		b.close()
		return nil, fmt.Errorf("connect to Temporal at %s: %w", address, err)
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

// lockState takes an exclusive lock on stateDir so that two processes never open the same
// SQLite state as two servers; the kernel drops the lock when the process dies.
func lockState(stateDir string) (func(), error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(stateDir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open state lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("state directory %s is in use by another sweep or server (use --state for another one, or --address to join that server)", stateDir)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// dialWait is how long a command keeps trying to reach a frontend.
const dialWait = 30 * time.Second

// addressFile, in a state directory, holds the frontend address of the embedded server that
// runs on it while it runs, so that other commands can join it.
const addressFile = "address"

// recordAddress writes the running server's address into the state directory.
func recordAddress(stateDir, address string) error {
	if err := os.WriteFile(filepath.Join(stateDir, addressFile), []byte(address+"\n"), 0o644); err != nil {
		return fmt.Errorf("record the server address: %w", err)
	}
	return nil
}

// searchAttributes makes sure the namespace has the sweep's search attributes
// (workflows.SearchAttributeTypes), adding the missing ones, and reports whether it has them.
func searchAttributes(ctx context.Context, c client.Client) (bool, error) {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: devserver.Namespace})
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
		Namespace: devserver.Namespace, SearchAttributes: missing,
	})
	return err == nil, err
}

// quiet is an SDK logger that keeps warnings and errors only, on stderr.
func quiet() sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}
