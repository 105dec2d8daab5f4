package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// startCluster starts a `sweep server` on a free port, its state in dir/server-state, and
// workers `worker --address ADDR workerArgs...` processes against it, once the server's
// frontend answers. When the test ends the
// workers, then the server, get an interrupt and are waited for; the workers' stderr is
// printed if the test failed. It returns the frontend's address and the server's stderr.
func startCluster(t *testing.T, ctx context.Context, dir string, workers int, workerArgs ...string) (addr string, serverErr *bytes.Buffer) {
	t.Helper()
	port := freePort(t)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	server, _, serverErr := sweepCmd(ctx, dir, "server", "--state", filepath.Join(dir, "server-state"), "--port", fmt.Sprint(port))
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Process.Signal(os.Interrupt); _ = server.Wait() })
	waitForServer(t, ctx, filepath.Join(dir, "server-state"), server)
	for i := range workers {
		w := exec.CommandContext(ctx, bins.worker, append([]string{"--address", addr}, workerArgs...)...)
		var stderr bytes.Buffer
		w.Stderr = &stderr
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = w.Process.Signal(os.Interrupt)
			_ = w.Wait()
			if t.Failed() {
				t.Logf("worker %d:\n%s", i, stderr.String())
			}
		})
	}
	return addr, serverErr
}
