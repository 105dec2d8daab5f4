package main

// End-to-end test of an output location in object storage: the sweep binary, on the real
// embedded Temporal server, writes its shards and tables to an S3-protocol server served by
// this test (pkg/store/fakes3), and `sweep results` reads them back into local files.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// s3Spec is a sweep of 8 points in chunks of 2 that records trajectories.
const s3Spec = `name: s3e2e
seed: 2
params:
  n: 10
  d: 20
  sparsity: 2
  steps: 200
grid:
  optimizer: [gd, sgd]
  stepsize: [0.01, 0.05]
  seed: {range: 2}
record:
  every: 50
chunk: 2
`

// TestS3OutputE2E runs the same spec twice, on two embedded servers: once into a local
// directory, once into the bucket --out names (a URL with the fake server's plain-http
// endpoint, allowed by store.EnvAllowInsecure, which fakes3.Start sets). The bucket must then
// hold exactly results.parquet and trajectories.parquet (shards removed after the merge);
// `sweep results --out-file` must copy them to local files that equal the local run's
// tables, byte for byte (the same writer, rows and metadata); and without --out-file they
// land in runs/<name>/.
func TestS3OutputE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sweep binary twice")
	}
	srv := fakes3.Start(t, "phasesweep") // also sets dummy AWS credentials for the binaries
	dir := t.TempDir()
	url := srv.URL("e2e")
	specPath := writeSpec(t, dir, s3Spec)
	local, _ := runSweepCmd(t, dir, specPath) // --out dir/out

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run := func(args ...string) string { return sweepOK(ctx, t, dir, args...) }
	state := filepath.Join(dir, "state-s3")
	got := run("run", specPath, "--state", state, "--out", url)
	if want := "results: s3://phasesweep/e2e/results.parquet?"; !strings.HasPrefix(lastLine(got), want) {
		t.Errorf("sweep run printed %q, want a line starting %q", got, want)
	}
	if keys, want := srv.Keys(t), []string{"e2e/results.parquet", "e2e/trajectories.parquet"}; !slices.Equal(keys, want) {
		t.Errorf("bucket holds %v, want %v", keys, want)
	}

	outFile := filepath.Join(dir, "fetched", "s3.parquet")
	got = run("results", specPath, "--state", state, "--out-file", outFile)
	if want := "results: " + outFile + " (8 rows;"; !strings.HasPrefix(got, want) || !strings.Contains(got, "copied from: s3://phasesweep/e2e/results.parquet?") {
		t.Errorf("sweep results printed %q, want %q... and the bucket URL", got, want)
	}
	fetched, err := results.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if ok, diff := results.Equal(fetched, local); !ok {
		t.Errorf("table from S3 differs from the local run's: %s", diff)
	}
	sameBytes(t, outFile, filepath.Join(dir, "out", "results.parquet"))
	sameBytes(t, filepath.Join(dir, "fetched", "s3.trajectories.parquet"), filepath.Join(dir, "out", "trajectories.parquet"))

	run("results", specPath, "--state", state) // no --out-file: runs/<name>/ here
	sameBytes(t, filepath.Join(dir, "runs", "s3e2e", "results.parquet"), filepath.Join(dir, "out", "results.parquet"))
	sameBytes(t, filepath.Join(dir, "runs", "s3e2e", "trajectories.parquet"), filepath.Join(dir, "out", "trajectories.parquet"))
}

// TestS3SpecEndpointRefusedE2E: `sweep run` on a spec whose out names an endpoint, with AWS
// credentials and a session token in its environment, exits with status 2 (nothing submitted)
// and an error at the spec's out line naming --allow-spec-endpoint, and the endpoint sees no
// request.
func TestS3SpecEndpointRefusedE2E(t *testing.T) {
	srv := credentialedS3(t)
	dir := t.TempDir()
	specPath := writeSpec(t, dir, s3Spec+"out: "+srv.URL("e2e")+"\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd, stdout, stderr := sweepCmd(ctx, dir, "run", specPath, "--state", filepath.Join(dir, "state"))
	err := cmd.Run()
	want := fmt.Sprintf("sweep: %s:%d: out: ", specPath, strings.Count(s3Spec, "\n")+1) // the line after s3Spec
	if err == nil || cmd.ProcessState.ExitCode() != 2 || !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "--allow-spec-endpoint") {
		t.Errorf("sweep run: %v (exit %d)\nstdout:\n%s\nstderr:\n%s\nwant exit 2 and stderr starting %q, naming --allow-spec-endpoint",
			err, cmd.ProcessState.ExitCode(), stdout, stderr, want)
	}
	noRequests(t, srv, "sweep run")
}

// sweepOK runs `sweep args...` in dir and returns its stdout; a failure fails t.
func sweepOK(ctx context.Context, t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd, stdout, stderr := sweepCmd(ctx, dir, args...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("sweep %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout, stderr)
	}
	return stdout.String()
}

// sameBytes fails t unless the files a and b have the same content.
func sameBytes(t *testing.T, a, b string) {
	t.Helper()
	ba, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ba, bb) {
		t.Errorf("%s (%d bytes) differs from %s (%d bytes)", a, len(ba), b, len(bb))
	}
}
