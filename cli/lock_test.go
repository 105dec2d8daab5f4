package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunWaitsForJoiningLock: a sweep status that took the state lock (it found no server and
// started one) just before a sweep run must not make the run fail: the run waits for it. This
// is the race CI hit in TestStallReported (the run printed "state directory ... is in use");
// before, lockState failed at once whoever held the lock.
func TestRunWaitsForJoiningLock(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	release, err := lockState(ctx, dir, holderJoin)
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := lockHolder(dir + "/lock"); role != holderJoin {
		t.Fatalf("lock file names %q, want %q", role, holderJoin)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		release()
	}()
	start := time.Now()
	unlock, err := lockState(ctx, dir, holderRun)
	if err != nil {
		t.Fatalf("sweep run did not wait for the joining command: %v", err)
	}
	defer unlock()
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("the run took a held lock after %v", waited)
	}
}

// TestLockHeldByRun: a second sweep run (or a joining command's lock attempt) on a state
// directory a run holds fails at once, naming the holder.
func TestLockHeldByRun(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	unlock, err := lockState(ctx, dir, holderRun)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	for _, role := range []string{holderRun, holderServer, holderJoin} {
		start := time.Now()
		_, err := lockState(ctx, dir, role)
		if err == nil || !strings.Contains(err.Error(), "in use by sweep run (process ") {
			t.Errorf("%s on a run's state directory: %v", role, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s waited %v for a run's lock", role, time.Since(start))
		}
	}
}

// TestJoinWaitsForAddress: a joining command that finds the lock held but no address yet (the
// holder is still starting its server) waits for the address rather than failing.
func TestJoinWaitsForAddress(t *testing.T) {
	dir := t.TempDir()
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = recordAddress(dir, "127.0.0.1:7233")
	}()
	if got, ok := awaitAddress(context.Background(), dir); !ok || got != "127.0.0.1:7233" {
		t.Errorf("awaitAddress = %q, %v", got, ok)
	}
}
