package workflows

// A sweep whose output location is an s3:// URL on an in-process S3-protocol server: shards,
// partial shards, trajectory shards and the merged tables all go through the object store.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/phasesweep/phasesweep/activities"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// readStored reads the table at loc through st.
func readStored(t *testing.T, st *store.Store, loc string) *results.Table {
	t.Helper()
	paths, release, err := st.Fetch(context.Background(), []string{loc})
	defer release()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := results.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestSweepToObjectStore runs the trajectory sweep with its output at s3://phasesweep/sweeps/wf
// on a fake S3 server. The first attempt of each chunk of six fails at its sixth point after
// writing its partial shards (to the bucket) with three points; the retry must resume from
// them. At the end the bucket must hold exactly results.parquet and trajectories.parquet (the
// shards removed), equal bit for bit to simulating each point directly, as on a local disk.
func TestSweepToObjectStore(t *testing.T) {
	const chunk, every, failAt = 6, 3, 5
	srv := fakes3.Start(t, "phasesweep")
	st := store.New()
	defer st.Close()
	g := testGrid(t, trajSpec)
	in := sweepInput(t, trajSpec, g.Count(), chunk, 2)
	in.OutDir = srv.URL("sweeps/wf")

	var log attemptLog
	var mu sync.Mutex
	var seen []string // keys in the bucket when a first attempt failed
	h := activities.Hooks{PartialEvery: every}
	h.Inject = func(info activity.Info, point int64) error {
		log.add(int(point/chunk), int(info.Attempt), point)
		if info.Attempt == 1 && point%chunk == failAt {
			mu.Lock()
			seen = srv.Keys(t)
			mu.Unlock()
			return temporal.NewApplicationError(fmt.Sprintf("injected crash at point %d", point), "Injected")
		}
		return nil
	}
	a := activities.WithHooks(h)
	a.Store = st
	out := runSweep(t, newEnv(t, a), in)

	if want := layoutOf(in).Results(); out.Results != want || !strings.HasPrefix(want, "s3://phasesweep/sweeps/wf/results.parquet?") {
		t.Errorf("Results = %q, want %q", out.Results, want)
	}
	if int64(out.Rows) != g.Count() {
		t.Errorf("Rows = %d, want %d", out.Rows, g.Count())
	}
	if !slices.ContainsFunc(seen, func(k string) bool { return strings.HasSuffix(k, ".partial.parquet") }) {
		t.Errorf("no partial shard in the bucket when a chunk failed: %v", seen)
	}
	for _, ch := range grid.Chunks(g.Count(), chunk) {
		if ch.Len() > failAt {
			if want := pointRange(ch.Start+every, ch.End); !slices.Equal(log.get(ch.ID, 2), want) {
				t.Errorf("chunk %d: attempt 2 simulated %v, want %v (resumed from the partial shard in the bucket)", ch.ID, log.get(ch.ID, 2), want)
			}
		}
	}
	if keys, want := srv.Keys(t), []string{"sweeps/wf/results.parquet", "sweeps/wf/trajectories.parquet"}; !slices.Equal(keys, want) {
		t.Errorf("bucket holds %v, want %v", keys, want)
	}
	if ok, diff := results.Equal(readStored(t, st, out.Results), directTable(t, g)); !ok {
		t.Errorf("results differ from simulating each point directly: %s", diff)
	}
	trajRef, _ := directTrajectories(t, g)
	if ok, diff := results.Equal(readStored(t, st, out.Trajectories), trajRef); !ok {
		t.Errorf("trajectories differ from simulating each point directly: %s", diff)
	}

	// Run again: the merge finds its finished tables in the bucket and returns them.
	again := runSweep(t, newEnv(t, a), in)
	if again.Results != out.Results || again.Rows != out.Rows || again.Trajectories != out.Trajectories {
		t.Errorf("second run %+v, want %+v", again, out)
	}
}
