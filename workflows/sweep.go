// Package workflows holds the deterministic orchestration of a sweep: which chunks run, how
// many at once, and the merge at the end. It does no I/O and reads no clock or randomness;
// activities do the work.
//
// Shape at scale (docs/design.md "Temporal limits"): SweepWorkflow runs the
// chunks in chunk groups, each group a child ChunkGroupWorkflow that keeps a window of chunk activities
// in flight; a few children run at once; every finished chunk signals its counts to the
// parent for the progress query; the parent continues-as-new when Temporal suggests it (or
// after GroupsPerRun groups), so that no history grows past a few thousand events whatever
// the number of points.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/layout"
)

// TaskQueue is the default queue of sweeps and their workers (sweep run --task-queue and the
// worker's --task-queue choose another; dial.DefaultTaskQueue has the same value). A sweep's
// children run on the sweep's own queue.
const TaskQueue = "phasesweep"

// Names of a sweep's query, signals and update.
const (
	ProgressQuery     = "progress"        // query: Progress
	LevelsQuery       = "levels"          // query of a refined sweep: the points of each level so far ([]int64)
	PauseSignal       = "pause"           // signal: start no new chunk until resumed
	ResumeSignal      = "resume"          // signal: start chunks again
	WindowSignal      = "set-window"      // signal to a chunk group: its chunks in flight (int)
	ConcurrencyUpdate = "concurrency"     // update: chunks in flight for the whole sweep (int)
	ConcurrencySignal = "set-concurrency" // signal to a refined sweep's level: the update, forwarded (int)
)

// MaxConcurrency bounds the chunks a sweep keeps in flight (Temporal allows 2,000 pending
// activities per execution).
const MaxConcurrency = 2000

// Defaults of SweepInput's tuning fields.
const (
	// DefaultConcurrency is how many chunks a sweep keeps in flight; each worker runs only as
	// many at once as it has cores.
	DefaultConcurrency = 64
	// DefaultChunksPerGroup bounds one child workflow: about 8 events per chunk keep its
	// history near 2,000 events.
	DefaultChunksPerGroup = 256
	// DefaultGroupsPerRun bounds one run of the parent between continue-as-new (the server
	// suggests it earlier, at 4,096 events, when chunks are many and small).
	DefaultGroupsPerRun = 64
)

// SweepInput is everything a sweep needs; it stays small (the spec's YAML, a path, counts).
type SweepInput struct {
	Spec        string // the spec's YAML
	SpecFile    string // where it came from, for messages
	OutDir      string // absolute directory, or s3:// / gs:// URL (pkg/store), of shards and results.parquet
	Points      int64  // number of grid points
	ChunkSize   int    // points per activity
	Concurrency int    // chunks in flight (0: DefaultConcurrency)
	// ChunksPerGroup is the chunks per chunk group, one child ChunkGroupWorkflow (0:
	// DefaultChunksPerGroup), and GroupsPerRun the groups a run starts before it continues as
	// new (0: DefaultGroupsPerRun). Their JSON keys keep the names of recorded histories.
	ChunksPerGroup int `json:"ChunksPerBatch"`
	GroupsPerRun   int `json:"BatchesPerRun"`
	// CacheDir is the absolute directory of the result cache (pkg/cache), shared by the
	// sweeps that use it: points finished by an earlier sweep are read from it instead of
	// simulated. "" disables the cache.
	CacheDir string `json:",omitempty"`

	// Name is the spec's name, and SearchAttributes whether to record the sweep's search
	// attributes (search.go; they must be registered on the namespace).
	Name             string `json:",omitempty"`
	SearchAttributes bool   `json:",omitempty"`

	// SweepID names the directory of the sweep's intermediate files (pkg/layout); "" takes
	// the workflow id. Hash and Data pin the contents of the spec and of its data files at
	// submission (grid.Grid.Hash and DataFiles): every chunk checks them before it simulates,
	// and the merge checks every shard against them ("" and nil: not checked).
	SweepID string          `json:",omitempty"`
	Hash    string          `json:",omitempty"`
	Data    []grid.DataFile `json:",omitempty"`

	// Level makes the sweep one level of a refined sweep (RefineWorkflow): its points are the
	// level's point list, numbered from Level.First, and its merge writes the level's table.
	// Notify is the workflow (the refined sweep) to which every chunk's counts are forwarded.
	Level  *activities.LevelPin `json:",omitempty"`
	Notify string               `json:",omitempty"`

	// State is carried across continue-as-new; nil when a sweep starts.
	State *SweepState `json:",omitempty"`
}

// SweepState is where a sweep stands: the next group to start, the counts so far, and the
// controls set while it runs.
type SweepState struct {
	NextGroup   int `json:"NextBatch"` // the key of recorded histories
	Progress    Progress
	Paused      bool
	Concurrency int       // set by the concurrency update; 0: from the input
	Started     time.Time // when the sweep's first run began (for the rate)
	Prepared    bool      `json:",omitempty"` // PrepareSweep has run
}

// SweepOutput reports a finished sweep.
type SweepOutput struct {
	Results      string
	Rows         int
	Diverged     int64
	Trajectories string `json:",omitempty"`
	// Partial is set when the sweep was cancelled: the table holds the finished chunks only.
	Partial bool `json:",omitempty"`
	// Recomputed and SetAside are the Progress fields of that name at the end.
	Recomputed int    `json:",omitempty"`
	SetAside   string `json:",omitempty"`
	// LevelPoints are the points of each level of a refined sweep (level 0: the coarse grid).
	LevelPoints []int64 `json:",omitempty"`
}

// Progress is the answer of the progress query.
type Progress struct {
	Total, Done, Diverged int64
	Failed                int64 `json:",omitempty"` // rows of points whose simulation failed
	Chunks, ChunksDone    int
	Merging, Finished     bool
	Paused                bool `json:",omitempty"`
	Concurrency           int  `json:",omitempty"`
	// Rate is points per second since the sweep started (workflow time, across
	// continue-as-new); ETA the seconds the remaining points take at that rate (0 when unknown).
	Rate float64 `json:",omitempty"`
	ETA  float64 `json:",omitempty"`
	// Recomputed counts the chunks run again because the merge found their shards missing,
	// unreadable or not this sweep's; SetAside says the last shard set aside and why.
	Recomputed int    `json:",omitempty"`
	SetAside   string `json:",omitempty"`
	// Level is the level a refined sweep runs (0: its coarse grid) and Levels its last
	// possible level (refine.levels); Total and Done count the points of the levels planned
	// so far (LevelsQuery lists them). Both zero for a sweep that is not refined.
	Level  int `json:",omitempty"`
	Levels int `json:",omitempty"`
}

// add counts one finished chunk.
func (p *Progress) add(c activities.ChunkOutput) {
	p.Done += int64(c.Rows)
	p.Diverged += int64(c.Diverged)
	p.Failed += int64(c.Failed)
	p.ChunksDone++
}

// WorkflowID is the id of the sweep of a spec: the same spec resubmitted finds the same sweep.
func WorkflowID(name, specHash string) string { return fmt.Sprintf("sweep-%s-%s", name, specHash[:16]) }

// Register adds the sweep's workflows and activities to a worker.
func Register(r worker.Registry, a *activities.Activities) {
	r.RegisterWorkflow(SweepWorkflow)
	r.RegisterWorkflowWithOptions(ChunkGroupWorkflow, workflow.RegisterOptions{Name: ChunkGroupType})
	r.RegisterWorkflow(RefineWorkflow)
	r.RegisterActivity(a)
}

// chunkRetry retries failed chunk attempts (a killed worker, a full disk) without limit, with
// backoff; a bad spec or a failing simulation is non-retryable.
var chunkRetry = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        30 * time.Second,
	NonRetryableErrorTypes: []string{activities.ErrSpec},
}

// plan is the derived shape of a sweep.
type plan struct {
	chunks, perGroup, groups int
	window                   int // chunks in flight in all
	children, childWindow    int // groups in flight, chunks in flight per group
	groupsPerRun             int
}

func newPlan(in SweepInput, concurrency int) plan {
	p := plan{perGroup: in.ChunksPerGroup, window: concurrency, groupsPerRun: in.GroupsPerRun}
	if p.perGroup < 1 {
		p.perGroup = DefaultChunksPerGroup
	}
	if p.window < 1 {
		p.window = DefaultConcurrency
	}
	if p.groupsPerRun < 1 {
		p.groupsPerRun = DefaultGroupsPerRun
	}
	p.chunks = layout.Chunks(in.Points, in.ChunkSize)
	p.groups = (p.chunks + p.perGroup - 1) / p.perGroup
	// Two groups overlap so that the window stays full while one group drains.
	p.children = min(2, p.groups)
	p.childWindow = max(1, (p.window+p.children-1)/p.children)
	return p
}

// SweepWorkflow runs the chunks of a sweep in child groups with at most Concurrency chunks in
// flight, continuing-as-new between groups when its history grows, then merges the shards
// into results.parquet. Its state and steps are those of sweepRun (sweep_run.go).
func SweepWorkflow(ctx workflow.Context, in SweepInput) (SweepOutput, error) {
	if in.ChunkSize < 1 || in.Points < 1 {
		return SweepOutput{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("invalid sweep input: %d points, chunk size %d", in.Points, in.ChunkSize), activities.ErrSpec, nil)
	}
	r := newSweepRun(ctx, in)
	if err := r.setHandlers(); err != nil {
		return SweepOutput{}, err
	}
	// After the handlers: the progress query answers while the preparation runs.
	pin, err := prepare(ctx, in, &r.st)
	if err != nil {
		return SweepOutput{}, err
	}
	r.pin = pin
	r.runGroups()
	r.drainSignals()
	switch {
	case ctx.Err() != nil:
		return cancelled(ctx, in, r.p, pin, r.st)
	case r.firstErr != nil:
		return SweepOutput{}, r.firstErr
	case r.st.NextGroup < r.p.groups:
		next := in
		next.State = &r.st
		return SweepOutput{}, workflow.NewContinueAsNewError(ctx, SweepWorkflow, next)
	}
	return r.finish()
}

// merge runs MergeShards for the sweep (partial: only the finished chunks). It heartbeats, so
// a merge on a worker that dies is retried on another within the heartbeat timeout.
func merge(ctx workflow.Context, in SweepInput, p plan, pin activities.Pin, partial bool) (activities.MergeOutput, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    heartbeatTimeout,
		RetryPolicy:         chunkRetry,
	})
	var a *activities.Activities
	var merged activities.MergeOutput
	mi := activities.MergeInput{Spec: in.Spec, SpecFile: in.SpecFile, OutDir: in.OutDir, Chunks: p.chunks, Partial: partial, Pin: pin}
	if pin.SpecCopy != "" { // pinned sweeps check every shard against its chunk's range
		mi.Spec, mi.Points, mi.ChunkSize = "", in.Points, in.ChunkSize
	}
	err := workflow.ExecuteActivity(ctx, a.MergeShards, mi).Get(ctx, &merged)
	return merged, err
}

// cancelled ends a sweep whose cancellation was requested: it merges the finished chunks into
// a table marked partial (keeping their shards, so that running the sweep again resumes from
// them) and ends the workflow as cancelled.
func cancelled(ctx workflow.Context, in SweepInput, p plan, pin activities.Pin, st SweepState) (SweepOutput, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	merged, err := merge(dctx, in, p, pin, true)
	if err != nil {
		return SweepOutput{}, err
	}
	workflow.GetLogger(ctx).Info("sweep cancelled", "rows", merged.Rows, "results", merged.Results)
	return SweepOutput{Results: merged.Results, Rows: merged.Rows, Diverged: st.Progress.Diverged, Partial: true}, temporal.NewCanceledError(merged.Results, merged.Rows)
}

// cancellation is a future that becomes ready when ctx is cancelled: a selector case that
// fires once (ctx.Done() as a receive case would fire on every Select once closed).
func cancellation(ctx workflow.Context) workflow.Future {
	f, settle := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(gctx workflow.Context) {
		gctx.Done().Receive(gctx, nil)
		settle.Set(nil, nil)
	})
	return f
}

// groupID is the id of a sweep's k-th chunk group, "<id>-batch-NNNNNN": running sweeps and
// recorded histories name their children so.
func groupID(parentID string, k int) string { return fmt.Sprintf("%s-batch-%06d", parentID, k) }

// validConcurrency rejects a concurrency update outside [1, MaxConcurrency].
func validConcurrency(_ workflow.Context, n int) error {
	if n < 1 || n > MaxConcurrency {
		return fmt.Errorf("concurrency must be between 1 and %d, got %d", MaxConcurrency, n)
	}
	return nil
}
