package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/version"
	"github.com/phasesweep/phasesweep/workflows"
)

// inProcess runs `sweep args...` in this process through mainRun, as main does, with buffers
// for its streams, and returns what it wrote on each and its exit status.
func inProcess(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code = mainRun(context.Background(), ios, args)
	return out.String(), errOut.String(), code
}

// watchSystemStreams points os.Stdout and os.Stderr at files of the test until it ends, and
// returns what reads back what was written to them: a command that writes to the process's
// streams instead of the ones it was given shows up there.
func watchSystemStreams(t *testing.T) func() string {
	t.Helper()
	dir := t.TempDir()
	stdout, stderr := os.Stdout, os.Stderr
	var files []*os.File
	for _, name := range []string{"stdout", "stderr"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	os.Stdout, os.Stderr = files[0], files[1]
	t.Cleanup(func() {
		os.Stdout, os.Stderr = stdout, stderr
		for _, f := range files {
			f.Close()
		}
	})
	return func() string {
		var b strings.Builder
		for _, f := range files {
			if data, err := os.ReadFile(f.Name()); err == nil && len(data) > 0 {
				b.WriteString(f.Name() + ": " + string(data))
			}
		}
		return b.String()
	}
}

// TestInjectedIO runs commands in this process with buffers as their streams: each writes its
// output and its errors (main's error line included) to the buffers it was given, and nothing
// to the process's stdout or stderr.
func TestInjectedIO(t *testing.T) {
	written := watchSystemStreams(t)
	quickstart := filepath.Join("..", "examples", "quickstart.yaml")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\nparams: {stepsize: 0.1}\ngrid:\n  stpesize: [0.1, 0.2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(t.TempDir(), "results.parquet")
	if err := results.WriteFile(table, smallTable()); err != nil { // resultscmds_test.go
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		// check looks at the command's stdout and stderr.
		check func(t *testing.T, stdout, stderr string)
	}{
		{[]string{"--version"}, 0, func(t *testing.T, stdout, stderr string) {
			// cobra's version template: "<name> version <Version>\n".
			if want := "sweep version " + version.String() + "\n"; stdout != want || stderr != "" {
				t.Errorf("stdout %q, stderr %q; want stdout %q", stdout, stderr, want)
			}
		}},
		{[]string{"validate", quickstart}, 0, func(t *testing.T, stdout, stderr string) {
			if !strings.HasPrefix(stdout, quickstart+`: sweep "quickstart", `) || !strings.Contains(stdout, "\n  grid   stepsize") || stderr != "" {
				t.Errorf("stdout %q, stderr %q; want the grid of quickstart on stdout", stdout, stderr)
			}
		}},
		{[]string{"validate", "--json", quickstart}, 0, func(t *testing.T, stdout, stderr string) {
			var v validation
			if err := json.Unmarshal([]byte(stdout), &v); err != nil || v.Name != "quickstart" || v.File != quickstart || stderr != "" {
				t.Errorf("stdout %q (%v), stderr %q; want quickstart's validation as JSON", stdout, err, stderr)
			}
		}},
		{[]string{"validate", bad}, exitUsage, func(t *testing.T, stdout, stderr string) {
			if stdout != "" || !strings.HasPrefix(stderr, "sweep: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "stpesize") {
				t.Errorf("stdout %q, stderr %q; want one line of sweep's naming stpesize on stderr", stdout, stderr)
			}
		}},
		{[]string{"export", table, "--csv"}, 0, func(t *testing.T, stdout, stderr string) {
			// smallTable's header and first row: point -1, gd, stepsize 0.01, loss 1, no error.
			if !strings.HasPrefix(stdout, "point,optimizer,stepsize,test_loss,error\n-1,gd,0.01,1,\n") || stderr != "" {
				t.Errorf("stdout %q, stderr %q; want the table as CSV on stdout", stdout, stderr)
			}
		}},
		{[]string{"summarize", table, "--by", "optimizer", "--metric", "test_loss"}, 0, func(t *testing.T, stdout, stderr string) {
			// gd's losses are 1, NaN, +Inf, 5e-324 and -Inf: 5 runs (no status column: all
			// converged), none max_steps, diverged or failed, 2 finite and 3 not.
			lines := strings.Split(stdout, "\n")
			if len(lines) < 2 || !strings.Contains(lines[0], "OPTIMIZER") || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "gd 5 0 0 0 2 3 ") || stderr != "" {
				t.Errorf("stdout %q, stderr %q; want the summary by optimizer on stdout", stdout, stderr)
			}
		}},
		{[]string{"summarize", table, "--metric", "no_such_column"}, exitUsage, func(t *testing.T, stdout, stderr string) {
			if stdout != "" || !strings.HasPrefix(stderr, "sweep: ") || !strings.Contains(stderr, "no_such_column") {
				t.Errorf("stdout %q, stderr %q; want the unknown column on stderr", stdout, stderr)
			}
		}},
		{[]string{"reproduce"}, 0, func(t *testing.T, stdout, stderr string) {
			if !strings.HasPrefix(stdout, "NAME ") || !strings.Contains(stdout, "\nsweep reproduce NAME [--quick] runs one") || stderr != "" {
				t.Errorf("stdout %q, stderr %q; want the recipes listed on stdout", stdout, stderr)
			}
		}},
		{[]string{"reproduce", "no-such-recipe", "--state", filepath.Join(t.TempDir(), "state")}, exitUsage, func(t *testing.T, stdout, stderr string) {
			if stdout != "" || !strings.HasPrefix(stderr, "sweep: ") || !strings.Contains(stderr, "no-such-recipe") {
				t.Errorf("stdout %q, stderr %q; want the unknown recipe on stderr", stdout, stderr)
			}
		}},
		{[]string{"frobnicate"}, exitUsage, func(t *testing.T, stdout, stderr string) {
			if stdout != "" || !strings.HasPrefix(stderr, `sweep: unknown command "frobnicate"`) {
				t.Errorf("stdout %q, stderr %q; want the unknown command on stderr", stdout, stderr)
			}
		}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := inProcess(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			tc.check(t, stdout, stderr)
		})
	}
	if w := written(); w != "" {
		t.Errorf("written to the process's streams:\n%s", w)
	}
}

// TestProgressBarOnStreams: a progress bar drawn on a stream that is not a terminal (a buffer,
// as tests give; a regular file, as a log is) writes plain lines, without the carriage return
// that redraws a terminal's line: 1 of 4 points is 25.0%.
func TestProgressBarOnStreams(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var buf bytes.Buffer
	for name, w := range map[string]io.Writer{"buffer": &buf, "file": file} {
		b := newProgressBar(w)
		if b.tty {
			t.Errorf("%s: taken for a terminal", name)
		}
		b.update(workflows.Progress{Done: 1, Total: 4}, barNote{}, true)
	}
	data, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"buffer": buf.String(), "file": string(data)} {
		if !strings.HasPrefix(out, "1/4 points  25.0%") || strings.Count(out, "\n") != 1 || strings.Contains(out, "\r") {
			t.Errorf("%s: %q, want one plain line of 1/4 points, 25.0%%", name, out)
		}
	}
}
