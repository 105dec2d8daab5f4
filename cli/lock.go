package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The holders of a state directory's lock, written into its lock file so that a process that
// finds the lock taken knows by what. A joining command (sweep status, list, watch, ui, cancel,
// retry, ...) starts the embedded server only because none was running; a sweep run or sweep
// server that finds one of those holding the lock waits for it to let go (lockWait) rather
// than fail: a status asked for in another terminal just before the run started must not
// stop the run.
const (
	holderRun    = "sweep run"
	holderServer = "sweep server"
	holderJoin   = "a joining command"
)

// lockWait is how long a sweep run or sweep server waits for a joining command's lock.
var lockWait = 30 * time.Second

// lockPoll is how often a waiting process tries the lock again.
const lockPoll = 100 * time.Millisecond

// lockState takes an exclusive lock on stateDir, so that two processes never open the same
// SQLite state as two servers (the kernel drops the lock when the process dies), and records
// role and this process's id in the lock file. When the lock is held by a joining command and
// role is not one, it tries again every lockPoll for up to lockWait.
func lockState(ctx context.Context, stateDir, role string) (func(), error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	path := filepath.Join(stateDir, "lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open state lock: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock state directory %s: %w", stateDir, err)
		}
		holder, pid := lockHolder(path)
		// A holder that has not written its role yet is taken for a joining one: it is
		// either that or gone in a moment (the next try sees its role).
		waits := role != holderJoin && (holder == holderJoin || holder == "")
		if !waits || time.Now().After(deadline) || ctx.Err() != nil {
			f.Close()
			by := "another sweep or server"
			if holder != "" {
				by = fmt.Sprintf("%s (process %d)", holder, pid)
			}
			return nil, fmt.Errorf("state directory %s is in use by %s (use --state for another one, or --address to join that server)", stateDir, by)
		}
		time.Sleep(lockPoll)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(role+"\n"+strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		_ = f.Truncate(0)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockHolder reads the role and process id recorded in a lock file ("", 0 when none is).
func lockHolder(path string) (role string, pid int) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		return "", 0
	}
	pid, _ = strconv.Atoi(lines[1])
	return lines[0], pid
}
