package activities

import (
	"context"
	"fmt"

	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/store"
)

// Store is where a sweep's shards and merged tables live, addressed by location strings (a
// local path, or an s3:// or gs:// URL: pkg/store). *store.Store implements it; a local
// location is read and written in place, so a sweep on local disk writes exactly the files it
// always wrote.
type Store interface {
	// Exists reports whether an object is at loc.
	Exists(ctx context.Context, loc string) (bool, error)
	// Fetch makes the objects at locs readable as local files (downloading remote ones) and
	// returns their paths; release removes the downloads.
	Fetch(ctx context.Context, locs []string) (paths []string, release func(), err error)
	// Put calls write with a local path to write the object's content to, then stores it at
	// loc whole (atomically).
	Put(ctx context.Context, loc string, write func(path string) error) error
	// Remove deletes the object at loc; a missing one is no error.
	Remove(ctx context.Context, loc string) error
	// RemoveAll deletes the directory location dir and everything under it.
	RemoveAll(ctx context.Context, dir string) error
	// List returns the locations of the objects directly in the directory location dir.
	List(ctx context.Context, dir string) ([]string, error)
}

// sharedStore serves the Activities that set no Store: one per process, so that each bucket
// is opened once.
var sharedStore = store.New()

// store is the Store the activities use.
func (a *Activities) store() Store {
	if a.Store != nil {
		return a.Store
	}
	return sharedStore
}

// readTable reads the Parquet table at loc (results.ReadFile).
func readTable(ctx context.Context, st Store, loc string) (*results.Table, error) {
	paths, release, err := st.Fetch(ctx, []string{loc})
	defer release()
	if err != nil {
		return nil, err
	}
	return results.ReadFile(paths[0])
}

// readMeta reads the metadata and row count of the Parquet table at loc (results.ReadMeta).
func readMeta(ctx context.Context, st Store, loc string) (map[string]string, int64, error) {
	paths, release, err := st.Fetch(ctx, []string{loc})
	defer release()
	if err != nil {
		return nil, 0, err
	}
	return results.ReadMeta(paths[0])
}

// writeTable writes t to loc as Parquet, atomically (results.WriteFile, then an upload).
func writeTable(ctx context.Context, st Store, loc string, t *results.Table) error {
	return st.Put(ctx, loc, func(path string) error { return results.WriteFile(path, t) })
}

// exists reports whether an object is at loc; an error looking is taken as absence, as a
// failed os.Stat always was (the caller then computes or reports the object as missing).
func exists(ctx context.Context, st Store, loc string) bool {
	ok, err := st.Exists(ctx, loc)
	return ok && err == nil
}

// MergeTables merges the tables at the locations shards into the table at out, with schema
// metadata meta, keyed by the first keyCols columns (results.MergeKeyed: 1 for sweep tables,
// results.TrajectoryKeyColumns for trajectories), and returns its row count. Remote shards are
// downloaded first and the merged table uploaded after; local ones are merged in place.
func MergeTables(ctx context.Context, st Store, shards []string, out string, meta map[string]string, keyCols int) (int, error) {
	paths, release, err := st.Fetch(ctx, shards)
	defer release()
	if err != nil {
		return 0, fmt.Errorf("read shards: %w", err)
	}
	rows := 0
	err = st.Put(ctx, out, func(path string) error {
		rows, err = results.MergeKeyed(paths, path, meta, keyCols)
		return err
	})
	return rows, err
}
