package main

// Chaos test: a sweep of >= 2,000 points on
// `sweep server` with 3 worker processes, a random worker killed with SIGKILL every few seconds
// and restarted, the server killed with SIGKILL mid-sweep and restarted on the same state and
// port, and `sweep run --address` rerun whenever it dies. The table must have exactly one row
// per point, bit-identical to a fault-free run of the same spec, and no shards left behind.
//
// The default (short) version runs in CI: 2,000 points, a worker killed every 2-4 s, the
// server killed once. PHASESWEEP_CHAOS=long (bench/chaos.sh) runs 8,000 points, a worker
// killed every 1-3 s, the server killed three times. PHASESWEEP_CHAOS_SEED sets the seed of
// the kill schedule (default 1).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/phasesweep/phasesweep/pkg/layout"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// chaosConfig is the size of a chaos run and the pace of its faults.
type chaosConfig struct {
	seeds          int           // replicates: points = 2 x 25 x 4 x seeds
	steps          int           // steps per point
	chunk          string        // --chunk
	killMin        time.Duration // a worker is killed every killMin + U[0, killSpread)
	killSpread     time.Duration
	serverKillsAt  []float64 // fractions of the chunks done at which the server is killed
	serverDownFor  time.Duration
	timeout        time.Duration
	groupChunks    string // --group-chunks
	groupsPerRun   string // --groups-per-run
	workers        int
	workerParallel string // --concurrency of each worker
}

func chaosSettings() chaosConfig {
	c := chaosConfig{
		seeds: 10, steps: 20000, chunk: "20",
		killMin: 2 * time.Second, killSpread: 2 * time.Second,
		serverKillsAt: []float64{0.4}, serverDownFor: time.Second,
		timeout:     4 * time.Minute,
		groupChunks: "8", groupsPerRun: "3",
		workers: 3, workerParallel: "1",
	}
	if os.Getenv("PHASESWEEP_CHAOS") == "long" {
		c.seeds, c.steps = 40, 20000
		c.killMin, c.killSpread = time.Second, 2*time.Second
		c.serverKillsAt = []float64{0.2, 0.5, 0.8}
		c.timeout = 30 * time.Minute
	}
	return c
}

func chaosSpec(c chaosConfig) string {
	return fmt.Sprintf(`name: chaos
seed: 11
params:
  n: 10
  d: 15
  sparsity: 2
  test: 100
  batch: 2
  steps: %d
  stop_loss: 1.0e-30
grid:
  optimizer: [gd, sgd]
  stepsize: {logspace: [0.005, 0.6], num: 25}
  init: [0.01, 0.1, 0.5, 1.0]
  seed: {range: %d}
`, c.steps, c.seeds)
}

// proc is a restartable child process.
type proc struct {
	name string
	args []string
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *os.File
}

func (p *proc) start(t *testing.T, bin string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(bin, p.args...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	p.cmd = cmd
}

// startProcs starts, as procs a test may kill and start again, a `sweep server` on a free port
// (its state in dir/server-state) and n `worker --address ADDR --concurrency concurrency`
// processes, all logging to dir/processes.log. When the test ends they are stopped, the
// workers first, and the log closed.
func startProcs(t *testing.T, dir string, n int, concurrency string) (addr string, log *os.File, server *proc, workers []*proc) {
	t.Helper()
	port := freePort(t)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	log, err := os.Create(filepath.Join(dir, "processes.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	server = &proc{name: "server", dir: dir, log: log,
		args: []string{"server", "--state", filepath.Join(dir, "server-state"), "--port", strconv.Itoa(port)}}
	server.start(t, bins.sweep)
	t.Cleanup(server.stop)
	workers = make([]*proc, n)
	for i := range workers {
		workers[i] = &proc{name: fmt.Sprintf("worker %d", i), dir: dir, log: log,
			args: []string{"--address", addr, "--concurrency", concurrency}}
		workers[i].start(t, bins.worker)
		t.Cleanup(workers[i].stop)
	}
	return addr, log, server, workers
}

// rerunOutcome is how the sweep run that rerunSweep repeats ended.
type rerunOutcome struct {
	stdout string // the successful run's
	runs   int
	err    error // why no run succeeded
}

// rerunSweep runs `sweep args...` in dir again whenever it exits with an error, as a user would
// while the server or workers die, logging each failure to log, until a run succeeds or ctx
// ends; the outcome arrives on the channel it returns.
func rerunSweep(ctx context.Context, dir string, log io.Writer, args ...string) <-chan rerunOutcome {
	finished := make(chan rerunOutcome, 1)
	go func() {
		var o rerunOutcome
		for {
			o.runs++
			cmd, stdout, stderr := sweepCmd(ctx, dir, args...)
			err := cmd.Run()
			if err == nil {
				o.stdout = stdout.String()
				finished <- o
				return
			}
			fmt.Fprintf(log, "sweep run #%d: %v\n%s\n", o.runs, err, stderr)
			if ctx.Err() != nil {
				o.err = fmt.Errorf("sweep run did not finish (%v; %d runs); last stderr:\n%s", ctx.Err(), o.runs, stderr)
				finished <- o
				return
			}
			time.Sleep(time.Second)
		}
	}()
	return finished
}

// kill sends SIGKILL and reaps the process.
func (p *proc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
	p.cmd = nil
}

// stop interrupts the process and waits for it.
func (p *proc) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
	p.cmd = nil
}

func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	cfg := chaosSettings()
	seed := uint64(1)
	if s := os.Getenv("PHASESWEEP_CHAOS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PHASESWEEP_CHAOS_SEED: %v", err)
		}
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 4))
	specText := chaosSpec(cfg)
	points := 2 * 25 * 4 * cfg.seeds

	// Fault-free reference: the embedded server and its in-process worker, default chunking.
	began := time.Now()
	ref := t.TempDir()
	refTab, _ := runSweepCmdTimeout(t, ref, writeSpec(t, ref, specText), cfg.timeout)
	checkRows(t, refTab, points)
	t.Logf("fault-free reference: %d points in %v", points, time.Since(began).Round(time.Millisecond))

	dir := t.TempDir()
	specPath := writeSpec(t, dir, specText)
	out := filepath.Join(dir, "out")
	shards := filepath.Join(out, layout.Dir, "*", "shards") // the sweep's shard directory
	chunkSize, _ := strconv.Atoi(cfg.chunk)
	chunks := (points + chunkSize - 1) / chunkSize
	addr, logf, server, workers := startProcs(t, dir, cfg.workers, cfg.workerParallel)

	// The sweep, rerun whenever `sweep run` exits with an error (it may when the server dies).
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	finished := rerunSweep(ctx, dir, logf, "run", specPath, "--address", addr, "--out", out,
		"--chunk", cfg.chunk, "--group-chunks", cfg.groupChunks, "--groups-per-run", cfg.groupsPerRun, "--json")

	// The faults, until the sweep ends.
	workerKills, serverKills := 0, 0
	nextKill := time.Now().Add(cfg.killMin + time.Duration(rng.Int64N(int64(cfg.killSpread))))
	var res rerunOutcome
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case res = <-finished:
			break wait
		case <-tick.C:
		}
		if serverKills < len(cfg.serverKillsAt) {
			if m, _ := filepath.Glob(filepath.Join(shards, "chunk-*.parquet")); float64(len(m)) >= cfg.serverKillsAt[serverKills]*float64(chunks) {
				server.kill()
				serverKills++
				t.Logf("%v: server killed (%d of %d shards written)", time.Since(began).Round(time.Millisecond), len(m), chunks)
				time.Sleep(cfg.serverDownFor)
				server.start(t, bins.sweep)
			}
		}
		if time.Now().After(nextKill) {
			w := workers[rng.IntN(len(workers))]
			w.kill()
			w.start(t, bins.worker)
			workerKills++
			nextKill = time.Now().Add(cfg.killMin + time.Duration(rng.Int64N(int64(cfg.killSpread))))
		}
	}
	if res.err != nil {
		t.Fatalf("%v\n(process log in %s)", res.err, logf.Name())
	}
	t.Logf("chaos sweep done in %v: %d worker kills, %d server kills, %d sweep run invocations",
		time.Since(began).Round(time.Millisecond), workerKills, serverKills, res.runs)
	if serverKills < len(cfg.serverKillsAt) {
		t.Errorf("the sweep finished before the server was killed %d times (%d): make it longer", len(cfg.serverKillsAt), serverKills)
	}
	if workerKills < 3 {
		t.Errorf("only %d worker kills landed during the sweep: make it longer", workerKills)
	}
	var summary struct{ Rows int }
	if err := json.Unmarshal([]byte(lastLine(res.stdout)), &summary); err != nil || summary.Rows != points {
		t.Errorf("sweep run reported %q, want %d rows", res.stdout, points)
	}
	tab, err := results.ReadFile(filepath.Join(out, "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, tab, points) // exactly one row per point, in order
	if ok, diff := results.Equal(refTab, tab); !ok {
		t.Fatalf("chaos sweep differs from the fault-free one: %s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(out, layout.Dir, "*")); len(left) > 0 {
		t.Errorf("intermediate files left behind after the merge: %v", left)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "*.tmp*")); len(m) > 0 {
		t.Errorf("temporary files left behind: %v", m)
	}

	// What the faults did, from the server's histories: chunk attempts that were retried
	// (a kill landed while they ran) and the longest history of any execution.
	retried, longest, execs := chaosHistories(t, addr)
	t.Logf("%d executions; %d chunk activities completed on a retry; longest history %d events", execs, retried, longest)
	if retried == 0 {
		t.Error("no chunk activity was retried: no kill landed mid-chunk")
	}
}

// checkRows checks that tab has exactly one row per point, sorted by point.
func checkRows(t *testing.T, tab *results.Table, points int) {
	t.Helper()
	if len(tab.Rows) != points {
		t.Fatalf("%d rows, want %d", len(tab.Rows), points)
	}
	for i, r := range tab.Rows {
		if r[0].I != int64(i) {
			t.Fatalf("row %d has point %d", i, r[0].I)
		}
	}
}

// runSweepCmdTimeout is runSweepCmd with a longer deadline.
func runSweepCmdTimeout(t *testing.T, dir, specPath string, timeout time.Duration) (*results.Table, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd, stdout, stderr := sweepCmd(ctx, dir, "run", specPath, "--state", filepath.Join(dir, "state"), "--out", filepath.Join(dir, "out"))
	if err := cmd.Run(); err != nil {
		t.Fatalf("sweep run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	tab, err := results.ReadFile(filepath.Join(dir, "out", "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return tab, stderr.String()
}

// chaosHistories walks every execution on the server at addr and returns the number of
// activities whose completed attempt was not the first, the longest history, and the number
// of executions.
func chaosHistories(t *testing.T, addr string) (retried, longest, execs int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietClientLogger{}})
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000, NextPageToken: token})
		if err != nil {
			t.Fatalf("list workflows: %v", err)
		}
		for _, e := range resp.GetExecutions() {
			execs++
			it := c.GetWorkflowHistory(ctx, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			n := 0
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatalf("history of %s: %v", e.GetExecution().GetWorkflowId(), err)
				}
				n++
				if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
					retried++
				}
			}
			longest = max(longest, n)
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return retried, longest, execs
		}
	}
}

// quietClientLogger drops the SDK client's log lines.
type quietClientLogger struct{}

func (quietClientLogger) Debug(string, ...any) {}
func (quietClientLogger) Info(string, ...any)  {}
func (quietClientLogger) Warn(string, ...any)  {}
func (quietClientLogger) Error(string, ...any) {}
