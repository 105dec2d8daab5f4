// Command histlen walks every workflow execution on a Temporal frontend (every run of the
// sweeps across continue-as-new, and their batch children) and prints the number of history
// events of each, then the longest. bench/million.sh uses it to check that no execution's
// history grows with the number of points.
//
//	go run ./bench/histlen --address 127.0.0.1:7233 [--all]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// execution is one run of one workflow and its history length.
type execution struct {
	id, run, typ, status string
	events               int64
}

func main() {
	address := flag.String("address", "127.0.0.1:7233", "host:port of the Temporal frontend")
	namespace := flag.String("namespace", "default", "Temporal namespace")
	all := flag.Bool("all", false, "print every execution, not only the summary")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c, err := client.Dial(client.Options{HostPort: *address, Namespace: *namespace})
	if err != nil {
		fmt.Fprintf(os.Stderr, "histlen: connect to %s: %v\n", *address, err)
		os.Exit(1)
	}
	defer c.Close()
	execs, err := walk(ctx, c, *namespace)
	if err != nil {
		fmt.Fprintf(os.Stderr, "histlen: %v\n", err)
		os.Exit(1)
	}
	sort.Slice(execs, func(i, j int) bool { return execs[i].events > execs[j].events })
	byType := map[string][2]int64{} // type -> count, max events
	for _, e := range execs {
		s := byType[e.typ]
		s[0]++
		s[1] = max(s[1], e.events)
		byType[e.typ] = s
		if *all {
			fmt.Printf("%6d events  %-14s %-16s %s %s\n", e.events, e.typ, e.status, e.id, e.run)
		}
	}
	for typ, s := range byType {
		fmt.Printf("type %s: %d executions, longest history %d events\n", typ, s[0], s[1])
	}
	if len(execs) > 0 {
		e := execs[0]
		fmt.Printf("longest history: %d events (%s %s run %s, %s)\n", e.events, e.typ, e.id, e.run, e.status)
	}
}

// walk lists every execution in the namespace (open and closed, every run) and counts the
// events of each one's history.
func walk(ctx context.Context, c client.Client, namespace string) ([]execution, error) {
	var out []execution
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: namespace, PageSize: 1000, NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("list workflows: %w", err)
		}
		for _, info := range resp.GetExecutions() {
			e := execution{
				id: info.GetExecution().GetWorkflowId(), run: info.GetExecution().GetRunId(),
				typ:    info.GetType().GetName(),
				status: strings.TrimPrefix(strings.ToLower(info.GetStatus().String()), "workflow_execution_status_"),
			}
			// Counted from the history itself: the visibility record's HistoryLength is not
			// set for open runs.
			if e.events, err = count(ctx, c, e.id, e.run); err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			return out, nil
		}
	}
}

// count reads one run's history and returns its number of events.
func count(ctx context.Context, c client.Client, id, run string) (int64, error) {
	it := c.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var n int64
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			return 0, fmt.Errorf("history of %s/%s: %w", id, run, err)
		}
		n++
	}
	return n, nil
}
