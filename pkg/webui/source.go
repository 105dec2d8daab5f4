package webui

import (
	"context"
	"errors"
	"time"

	"github.com/phasesweep/phasesweep/workflows"
)

// Source is what the server knows about sweeps. The command implements it on a Temporal client
// (cli/ui.go); tests implement it on files. Every path a Source returns is in the sweep's output
// or a private copy of it: the server opens no other file.
type Source interface {
	// Sweeps lists the sweeps the server knows, newest first.
	Sweeps(ctx context.Context) ([]Sweep, error)
	// Sweep describes one sweep; ErrUnknown when there is no sweep of that id.
	Sweep(ctx context.Context, id string) (Sweep, error)
	// Table is the sweep's table so far: results.parquet of a finished sweep, the merge of the
	// finished shards of a running one. A zero Table (Results "") means no row yet.
	Table(ctx context.Context, id string) (Table, error)
	// Control pauses, resumes or cancels a sweep or sets its concurrency, as the command of the
	// same name does; its error says what failed and names the sweep.
	Control(ctx context.Context, id string, c Control) error
}

// ErrUnknown is returned by a Source for a sweep id it does not know.
var ErrUnknown = errors.New("no such sweep")

// Sweep is one sweep as the pages show it.
type Sweep struct {
	ID       string
	Status   string // running, paused, completed, cancelled, failed, terminated, ...
	Started  time.Time
	Progress workflows.Progress // Total and Done at least; the rest when the sweep answered its query
	Spec     string             // the spec's YAML
	SpecFile string
	Out      string // the output location
	// TemporalURL is the sweep's page in the Temporal Web UI ("" when no address was given).
	TemporalURL string
}

// Table locates the local files of a sweep's table. Key changes whenever the table does (a
// running sweep: the set of its finished shards), so that whatever is drawn from it is kept
// until then.
type Table struct {
	Results      string // results.parquet or a merge of the finished shards ("" for none yet)
	Trajectories string // beside Results when the spec records trajectories, else ""
	Key          string
	Partial      bool
}

// Control is one action of the control buttons.
type Control struct {
	Action      string // ActionPause, ActionResume, ActionCancel or ActionConcurrency
	Concurrency int    // for ActionConcurrency: the chunks in flight wanted
}

// The control actions.
const (
	ActionPause       = "pause"
	ActionResume      = "resume"
	ActionCancel      = "cancel"
	ActionConcurrency = "concurrency"
)
