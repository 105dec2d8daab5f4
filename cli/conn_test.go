package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestConnectionFlags checks that every command that talks to Temporal takes the connection
// options of pkg/dial and that its help names each one's environment variable.
func TestConnectionFlags(t *testing.T) {
	want := map[string]string{
		"address": "TEMPORAL_ADDRESS", "namespace": "TEMPORAL_NAMESPACE", "task-queue": "PHASESWEEP_TASK_QUEUE",
		"tls-ca": "TEMPORAL_TLS_CA", "tls-cert": "TEMPORAL_TLS_CERT", "tls-key": "TEMPORAL_TLS_KEY",
		"tls-server-name": "TEMPORAL_TLS_SERVER_NAME", "api-key": "TEMPORAL_API_KEY", "db": "PHASESWEEP_DB",
	}
	ios := systemIO()
	cmds := append([]*cobra.Command{runCmd(ios), reproduceCmd(ios), retryCmd(ios), resultsCmd(ios)}, controlCmds(ios)...)
	if len(cmds) != 11 {
		t.Fatalf("%d commands, want run, reproduce, retry, results, status, list, watch, pause, resume, cancel, concurrency", len(cmds))
	}
	for _, cmd := range cmds {
		for flag, env := range want {
			f := cmd.Flags().Lookup(flag)
			if f == nil {
				t.Errorf("%s has no --%s", cmd.Name(), flag)
				continue
			}
			if !strings.Contains(f.Usage, "(env "+env+")") {
				t.Errorf("%s --%s: usage %q does not name %s", cmd.Name(), flag, f.Usage, env)
			}
		}
	}
	srv := serverCmd(ios)
	for _, flag := range []string{"db", "tls-cert", "tls-key", "tls-client-ca", "namespace"} {
		if srv.Flags().Lookup(flag) == nil {
			t.Errorf("server has no --%s", flag)
		}
	}
}
