package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// operands are the positional arguments a command's Use line names: required ones (SPEC) and
// optional ones ([NAME]).
func operands(use string) (required, optional int) {
	for _, w := range strings.Fields(use)[1:] {
		switch {
		case strings.HasPrefix(w, "-"):
		case strings.HasPrefix(w, "["):
			optional++
		default:
			required++
		}
	}
	return required, optional
}

// TestExitCodes runs every command with an unknown flag, with too few and too many
// arguments (usage errors: 2, nothing started), and a few runtime errors (1).
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	type call struct {
		args []string
		want int
	}
	calls := []call{
		{[]string{"frobnicate"}, 2}, // unknown command
		{[]string{"stauts", "x"}, 2},
		{[]string{"--no-such-flag"}, 2},
		{[]string{"export", filepath.Join(dir, "missing.parquet"), "--csv"}, 1},
		{[]string{"summarize", filepath.Join(dir, "missing.parquet"), "--metric", "test_loss"}, 1},
		{[]string{"status", "sweep-none-0000000000000000", "--state", filepath.Join(dir, "state")}, 1},
	}
	commands := 0
	for _, c := range rootCmd(systemIO()).Commands() {
		name := c.Name()
		if name == "help" || name == "completion" || c.Hidden {
			continue
		}
		commands++
		req, opt := operands(c.Use)
		args := make([]string, req)
		for i := range args {
			args[i] = "x"
		}
		calls = append(calls, call{append([]string{name, "--no-such-flag"}, args...), 2})
		calls = append(calls, call{append([]string{name}, append(args, make([]string, opt+1)...)...), 2})
		if req > 0 {
			calls = append(calls, call{[]string{name}, 2})
		}
	}
	if commands < 15 {
		t.Fatalf("only %d commands found", commands)
	}
	for _, c := range calls {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd, stdout, stderr := sweepCmd(ctx, dir, c.args...)
			_ = cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != c.want {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", got, c.want, stdout, stderr)
			}
			if msg := stderr.String(); strings.Count(strings.TrimSpace(msg), "\n") > 0 || !strings.HasPrefix(msg, "sweep: ") {
				t.Errorf("stderr is not one line of sweep's: %q", msg)
			}
			if c.want == 2 && stdout.Len() > 0 {
				t.Errorf("a usage error printed on stdout: %q", stdout)
			}
		})
	}
}
