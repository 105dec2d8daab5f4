package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/phasesweep/phasesweep/pkg/devserver"
)

// backend is a Temporal frontend to talk to: an embedded server started here, or a cluster.
type backend struct {
	client client.Client
	server *devserver.Server // nil for a cluster
	unlock func()
	logOut io.Closer
}

// connect starts the embedded server in stateDir when address is empty, else dials address.
// The SDK's warnings go to stateDir/client.log (embedded) or to stderr (cluster).
func connect(ctx context.Context, address, stateDir string) (*backend, error) {
	b := &backend{}
	var logW io.Writer = os.Stderr
	if address == "" {
		unlock, err := lockState(stateDir)
		if err != nil {
			return nil, err
		}
		b.unlock = unlock
		srv, err := devserver.Start(ctx, devserver.Options{StateDir: stateDir})
		if err != nil {
			b.close()
			return nil, err
		}
		b.server = srv
		address = srv.Address()
		f, err := os.OpenFile(filepath.Join(stateDir, "client.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			logW, b.logOut = f, f
		}
	}
	c, err := client.Dial(client.Options{
		HostPort:  address,
		Namespace: devserver.Namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(logW, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	})
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
