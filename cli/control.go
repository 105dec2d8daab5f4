package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/workflows"
)

// controlFlags are the connection options of the commands that act on existing sweeps.
type controlFlags struct {
	conn connFlags
	json bool
}

func (f *controlFlags) register(cmd *cobra.Command) {
	f.conn.register(cmd)
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON on stdout")
}

// withSweep connects and calls fn with the client and the sweep's workflow id.
func (f *controlFlags) withSweep(ctx context.Context, ref string, fn func(client.Client, string) error) error {
	id, err := sweepID(ref)
	if err != nil {
		return err
	}
	b, err := connect(ctx, f.conn, true)
	if err != nil {
		return err
	}
	defer b.close()
	return fn(b.client, id)
}

// sweepID accepts a sweep's workflow id or the path of its spec file.
func sweepID(ref string) (string, error) {
	if strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") {
		g, err := grid.Load(ref)
		if err != nil {
			return "", err
		}
		return workflows.WorkflowID(g.Spec().Name, g.Hash()), nil // as sweep run names it
	}
	return ref, nil
}

// controlCmds are status, list, watch, pause, resume, cancel and concurrency.
func controlCmds() []*cobra.Command {
	return []*cobra.Command{statusCmd(), listCmd(), watchCmd(),
		signalCmd("pause", workflows.PauseSignal, "Pause a sweep: no new chunk starts until it is resumed (running chunks finish)"),
		signalCmd("resume", workflows.ResumeSignal, "Resume a paused sweep"),
		cancelCmd(), concurrencyCmd()}
}

func statusCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "status SWEEP",
		Short: "Show a sweep's state and progress (SWEEP: its id or its spec file)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.withSweep(cmd.Context(), args[0], func(c client.Client, id string) error {
				desc, err := c.DescribeWorkflowExecution(cmd.Context(), id, "")
				if err != nil {
					return fmt.Errorf("sweep %s: %w", id, err)
				}
				status := strings.ToLower(desc.GetWorkflowExecutionInfo().GetStatus().String())
				var p workflows.Progress
				if v, err := c.QueryWorkflow(cmd.Context(), id, "", workflows.ProgressQuery); err == nil {
					_ = v.Get(&p)
				}
				if f.json {
					return json.NewEncoder(os.Stdout).Encode(map[string]any{"sweep": id, "status": status, "progress": p})
				}
				state := status
				if p.Paused && status == "running" {
					state = "paused"
				}
				fmt.Printf("sweep %s: %s\n  %s\n", id, state, describeProgress(p))
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

// describeProgress formats a Progress on one line.
func describeProgress(p workflows.Progress) string {
	pct := 0.0
	if p.Total > 0 {
		pct = 100 * float64(p.Done) / float64(p.Total)
	}
	eta := "--"
	if p.ETA > 0 {
		eta = (time.Duration(p.ETA) * time.Second).String()
	}
	return fmt.Sprintf("%d/%d points (%.1f%%), %d/%d chunks, %d diverged, %d failed, %.1f points/s, ETA %s, concurrency %d",
		p.Done, p.Total, pct, p.ChunksDone, p.Chunks, p.Diverged, p.Failed, p.Rate, eta, p.Concurrency)
}

func listCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the sweeps the server knows, newest first",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := connect(cmd.Context(), f.conn, true)
			if err != nil {
				return err
			}
			defer b.close()
			return listSweeps(cmd.Context(), b.client, b.opts.Namespace, f.json)
		},
	}
	f.register(cmd)
	return cmd
}

func listSweeps(ctx context.Context, c client.Client, namespace string, asJSON bool) error {
	type row struct {
		Sweep, Status, Started string
		Progress               *workflows.Progress `json:",omitempty"`
	}
	var rows []row
	it, err := c.ListWorkflow(ctx, listRequest(namespace))
	if err != nil {
		return fmt.Errorf("list sweeps: %w", err)
	}
	for _, e := range it.GetExecutions() {
		r := row{Sweep: e.GetExecution().GetWorkflowId(), Status: strings.ToLower(e.GetStatus().String()),
			Started: e.GetStartTime().AsTime().Local().Format("2006-01-02 15:04:05")}
		r.Status = strings.TrimPrefix(r.Status, "workflow_execution_status_")
		if e.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			if v, err := c.QueryWorkflow(ctx, r.Sweep, "", workflows.ProgressQuery); err == nil {
				var p workflows.Progress
				if v.Get(&p) == nil {
					r.Progress = &p
				}
			}
		}
		rows = append(rows, r)
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(rows)
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SWEEP\tSTATUS\tSTARTED\tPROGRESS")
	for _, r := range rows {
		prog := ""
		if r.Progress != nil {
			prog = fmt.Sprintf("%d/%d", r.Progress.Done, r.Progress.Total)
			if r.Progress.Paused {
				r.Status = "paused"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Sweep, r.Status, r.Started, prog)
	}
	return tw.Flush()
}

func watchCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "watch SWEEP",
		Short: "Follow a sweep's progress until it ends",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.withSweep(cmd.Context(), args[0], func(c client.Client, id string) error {
				res, err := watch(cmd.Context(), c, c.GetWorkflow(cmd.Context(), id, ""))
				if err != nil {
					return err
				}
				fmt.Printf("results: %s (%d rows, %d diverged; sweep %s)\n", res.Results, res.Rows, res.Diverged, id)
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

func signalCmd(use, signal, short string) *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   use + " SWEEP",
		Short: short,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.withSweep(cmd.Context(), args[0], func(c client.Client, id string) error {
				if err := c.SignalWorkflow(cmd.Context(), id, "", signal, nil); err != nil {
					return fmt.Errorf("%s sweep %s: %w", use, id, err)
				}
				fmt.Fprintf(os.Stderr, "sweep %s: %s requested\n", id, use)
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

func cancelCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "cancel SWEEP",
		Short: "Cancel a sweep: running chunks stop, the finished ones are merged into a table marked partial",
		Long: `Cancel a sweep. Running chunks stop; the chunks already finished are merged into
results.parquet, whose metadata then says phasesweep.partial=true. Their shards are kept, so
running the same spec again resumes the sweep from them.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.withSweep(cmd.Context(), args[0], func(c client.Client, id string) error {
				if err := c.CancelWorkflow(cmd.Context(), id, ""); err != nil {
					return fmt.Errorf("cancel sweep %s: %w", id, err)
				}
				var out workflows.SweepOutput
				err := c.GetWorkflow(cmd.Context(), id, "").Get(cmd.Context(), &out)
				if err != nil && !temporal.IsCanceledError(err) {
					return fmt.Errorf("sweep %s: %w", id, err)
				}
				fmt.Fprintf(os.Stderr, "sweep %s cancelled; the finished points are in its results.parquet (marked partial)\n", id)
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

func concurrencyCmd() *cobra.Command {
	var f controlFlags
	cmd := &cobra.Command{
		Use:   "concurrency SWEEP N",
		Short: "Change how many chunks a running sweep keeps in flight",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return usageError{fmt.Errorf("N must be an integer, got %q", args[1])}
			}
			return f.withSweep(cmd.Context(), args[0], func(c client.Client, id string) error {
				h, err := c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
					WorkflowID: id, UpdateName: workflows.ConcurrencyUpdate, Args: []any{n},
					WaitForStage: client.WorkflowUpdateStageCompleted,
				})
				if err != nil {
					return fmt.Errorf("sweep %s: %w", id, err)
				}
				var got int
				if err := h.Get(cmd.Context(), &got); err != nil {
					return fmt.Errorf("sweep %s: %w", id, err)
				}
				fmt.Fprintf(os.Stderr, "sweep %s: concurrency %d\n", id, got)
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

// listRequest asks for the sweeps (not their batch children), newest first.
func listRequest(namespace string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: namespace,
		Query:     "WorkflowType = 'SweepWorkflow'",
	}
}
