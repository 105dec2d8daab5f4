package main

// End-to-end tests of what the state commands say: sweep status and sweep list on an
// interrupted and a completed sweep, a stalled sweep's reason, Ctrl-C, and the JSON keys of
// docs/cli-json.md.

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/pkg/layout"
)

// docKeys are the keys docs/cli-json.md lists in the first table after the heading that names
// command ("## sweep status", "## sweep run", "## sweep watch"; a heading may name several,
// separated by commas).
func docKeys(t *testing.T, command string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "docs", "cli-json.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\|")
	var keys []string
	in, table := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			if table {
				break
			}
			in = slices.Contains(strings.Split(strings.TrimPrefix(line, "## "), ", "), command)
			continue
		}
		if m := row.FindStringSubmatch(line); in && m != nil {
			keys, table = append(keys, m[1]), true
		} else if in && table && !strings.HasPrefix(line, "|") {
			break // the end of the first table
		}
	}
	if len(keys) == 0 {
		t.Fatalf("docs/cli-json.md has no key table for %q", command)
	}
	slices.Sort(keys)
	return keys
}

// checkKeys checks that the JSON object out has exactly the keys the doc gives command.
func checkKeys(t *testing.T, command string, out []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s --json: %v: %q", command, err, out)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	if want := docKeys(t, command); !slices.Equal(got, want) {
		t.Errorf("%s --json keys\n got %v\nwant %v (docs/cli-json.md)", command, got, want)
	}
	return m
}

// finishedShards counts the finished chunk shards in dir (not the partial ones of chunks in
// progress).
func finishedShards(dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "chunk-*.parquet"))
	n := 0
	for _, p := range m {
		if !strings.Contains(filepath.Base(p), ".partial.") {
			n++
		}
	}
	return n
}

func TestStatusTellsTheTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	specPath := writeSpec(t, dir, e2eSpec) // 48 points
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	state := filepath.Join(dir, "state")
	sweep := func(args ...string) (string, string, error) {
		cmd, stdout, stderr := sweepCmd(ctx, dir, append(args, "--state", state)...)
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	runArgs := []string{"run", specPath, "--state", state, "--out", filepath.Join(dir, "out"), "--chunk", "1", "--concurrency", "1"}

	// Interrupted: killed after three chunks. Nothing serves the sweep; its counts are its
	// finished shards.
	run, _, runErr := sweepCmd(ctx, dir, runArgs...)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	shards := filepath.Join(dir, "out", layout.Dir, "*", "shards") // the sweep's shard directory
	for finishedShards(shards) < 3 {
		if ctx.Err() != nil {
			t.Fatalf("no shards appeared: %s", runErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = run.Process.Signal(syscall.SIGKILL)
	_ = run.Wait()
	kept := int64(finishedShards(shards)) // chunks of one point
	out, errOut, err := sweep("status", "spec.yaml", "--json")
	if err != nil {
		t.Fatalf("status: %v %s", err, errOut)
	}
	st := checkKeys(t, "sweep status", []byte(out))
	if st["status"] != "interrupted" || st["served"] != false || st["counts_from"] != "shards" ||
		st["done"] != float64(kept) || st["total"] != float64(48) || st["eta_seconds"] != nil {
		t.Errorf("status of the killed sweep with %d shards: %s", kept, out)
	}
	if out, _, _ := sweep("status", "spec.yaml"); !strings.Contains(out, "interrupted (no process is serving this sweep") ||
		!strings.Contains(out, "points (") {
		t.Errorf("status text of the killed sweep:\n%s", out)
	}
	if out, _, _ := sweep("list"); !regexp.MustCompile(`sweep-e2e-\S+\s+interrupted\s.*\s\d+/48`).MatchString(out) {
		t.Errorf("list of the killed sweep:\n%s", out)
	}

	// Completed: the counts are the rows of the table it wrote.
	cmd, _, stderr := sweepCmd(ctx, dir, runArgs...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("rerun: %v %s", err, stderr)
	}
	out, errOut, err = sweep("status", "spec.yaml")
	if err != nil || !strings.Contains(out, ": completed\n  48/48 points (100.0%)") || !strings.Contains(out, "results: "+filepath.Join(dir, "out", "results.parquet")) {
		t.Errorf("status of the completed sweep: %v\n%s%s", err, out, errOut)
	}
	out, _, _ = sweep("status", "spec.yaml", "--json")
	st = checkKeys(t, "sweep status", []byte(out))
	if st["status"] != "completed" || st["done"] != float64(48) || st["total"] != float64(48) || st["counts_from"] != "results_table" {
		t.Errorf("status --json of the completed sweep: %s", out)
	}
	out, _, _ = sweep("list", "--json")
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
		t.Fatalf("list --json: %v %s", err, out)
	}
	// The doc: sweep list prints the objects of sweep status.
	if st := checkKeys(t, "sweep status", list[0]); st["done"] != float64(48) || st["status"] != "completed" {
		t.Errorf("list --json: %s", out)
	}
	if out, _, _ := sweep("list"); !regexp.MustCompile(`sweep-e2e-\S+\s+completed\s.*\s48/48`).MatchString(out) {
		t.Errorf("list of the completed sweep:\n%s", out)
	}
	for _, c := range [][]string{
		{"sweep results", "results", "spec.yaml", "--json"},
		{"sweep watch", "watch", "spec.yaml", "--json"},
		{"sweep run", "run", specPath, "--json", "--out", filepath.Join(dir, "out")},
	} {
		out, errOut, err := sweep(c[1:]...)
		if err != nil {
			t.Errorf("%s: %v %s", c[0], err, errOut)
			continue
		}
		if m := checkKeys(t, c[0], []byte(out)); m["rows"] != float64(48) {
			t.Errorf("%s --json: %s", c[0], out)
		}
	}
}

// TestStallReported: a sweep whose output location cannot be written (/proc/self: no
// directory can be made there, even by root) stalls; sweep status and the run's progress
// lines say why and for how long, without an ETA. Ctrl-C then stops the run with status 130
// and one line saying how to resume.
func TestStallReported(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	specPath := writeSpec(t, dir, e2eSpec)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	state := filepath.Join(dir, "state")
	run, _, runErr := sweepCmd(ctx, dir, "run", specPath, "--state", state, "--out", "/proc/self", "--chunk", "4", "--concurrency", "2")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = run.Process.Kill() }()
	started := time.Now()
	var st sweepState
	for {
		cmd, stdout, _ := sweepCmd(ctx, dir, "status", "spec.yaml", "--json", "--state", state)
		if cmd.Run() == nil && json.Unmarshal(stdout.Bytes(), &st) == nil && st.Stall != nil {
			break
		}
		if time.Since(started) > 30*time.Second {
			t.Fatalf("no stall reported within 30 s: status %+v; run: %s", st, runErr)
		}
		time.Sleep(time.Second)
	}
	// The first write of the sweep, PrepareSweep's, is the one that fails.
	if st.Status != "stalled" || st.ETA != nil || st.Stall.Activity != "PrepareSweep" || st.Stall.Attempt < 2 ||
		!strings.Contains(st.Stall.Failure, "/proc/self/.phasesweep") || st.Stall.Since.IsZero() ||
		st.Stall.Seconds < 0 || st.Stall.Seconds > time.Since(started).Seconds()+1 {
		t.Errorf("stalled status: %+v, stall %+v", st, *st.Stall)
	}
	cmd, stdout, _ := sweepCmd(ctx, dir, "status", "spec.yaml", "--state", state)
	_ = cmd.Run()
	if !regexp.MustCompile(`: stalled\n.*\n  stalled for \d+s: \d+ PrepareSweep activit(y|ies) failing \(attempt \d+\): .*/proc/self/\.phasesweep`).MatchString(stdout.String()) ||
		strings.Contains(stdout.String(), "ETA") {
		t.Errorf("status text:\n%s", stdout)
	}
	// The run's progress lines (stderr is no terminal: a line as the condition changes).
	for !strings.Contains(runErr.String(), "stalled for") {
		if ctx.Err() != nil {
			t.Fatalf("the run's progress never said stalled: %s", runErr)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Ctrl-C.
	if err := run.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	if code := run.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit status %d after SIGINT, want 130", code)
	}
	lines := strings.Split(strings.TrimSpace(runErr.String()), "\n")
	last := lines[len(lines)-1]
	if !regexp.MustCompile(`^interrupted: sweep sweep-e2e-\S+ is saved; run the same command again to resume it$`).MatchString(last) {
		t.Errorf("last line after SIGINT %q, want how to resume", last)
	}
	if strings.Contains(runErr.String(), "context canceled") || strings.Count(runErr.String(), "interrupted") != 1 {
		t.Errorf("stderr after SIGINT:\n%s", runErr)
	}
}

// TestReadmeJSONTable: the README's table of --json keys lists, for each command that
// docs/cli-json.md describes with a table, exactly the keys of that table.
func TestReadmeJSONTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| (`sweep [a-z]+`(?:, `sweep [a-z]+`)*) \\| (.*) \\|$")
	key := regexp.MustCompile("`([a-z_]+)`")
	seen := 0
	for _, line := range strings.Split(string(b), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil || !strings.HasPrefix(m[2], "`") || strings.Contains(m[2], "(") {
			continue // not a row of the table, or one that describes its shape in words
		}
		var got []string
		for _, k := range key.FindAllStringSubmatch(m[2], -1) {
			got = append(got, k[1])
		}
		for _, c := range strings.Split(m[1], ", ") {
			command := strings.Trim(c, "`")
			want := docKeys(t, command)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("README lists for %s %v, docs/cli-json.md %v", command, got, want)
			}
			seen++
		}
	}
	if seen < 10 {
		t.Errorf("found %d commands in the README's --json table, want the 11 with a key table", seen)
	}
}
