package layout

import (
	"context"
	"slices"
	"testing"
)

// TestPaths pins the layout's paths: they name files on users' disks and in buckets, and the
// workflows' replay histories record them.
func TestPaths(t *testing.T) {
	l, err := New("/data/out", "sweep-quick-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	legacy := Sweep{Out: "/data/out"}
	s3 := Sweep{Out: "s3://b/p?region=r", ID: "sweep-x"}
	for _, tc := range []struct{ got, want string }{
		{l.Results(), "/data/out/results.parquet"},
		{l.Trajectories(), "/data/out/trajectories.parquet"},
		{l.PartialResults(), "/data/out/results.partial.parquet"},
		{l.PartialTrajectories(), "/data/out/trajectories.partial.parquet"},
		{l.WorkDir(), "/data/out/.phasesweep/sweep-quick-0123456789abcdef"},
		{l.SpecCopy(), "/data/out/.phasesweep/sweep-quick-0123456789abcdef/spec.yaml"},
		{l.Shard(12), "/data/out/.phasesweep/sweep-quick-0123456789abcdef/shards/chunk-000012.parquet"},
		{l.SetAsideDir(), "/data/out/.phasesweep/sweep-quick-0123456789abcdef/set-aside"},
		{PartialShard(l.Shard(3)), "/data/out/.phasesweep/sweep-quick-0123456789abcdef/shards/chunk-000003.partial.parquet"},
		{TrajectoryShard(l.Shard(3)), "/data/out/.phasesweep/sweep-quick-0123456789abcdef/shards/traj-000003.parquet"},
		{TrajectoryShard(PartialShard(l.Shard(3))), "/data/out/.phasesweep/sweep-quick-0123456789abcdef/shards/traj-000003.partial.parquet"},
		{legacy.Shard(1), "/data/out/shards/chunk-000001.parquet"},
		{legacy.WorkDir(), "/data/out"},
		{s3.Shard(2), "s3://b/p/.phasesweep/sweep-x/shards/chunk-000002.parquet?region=r"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestNewRejectsBadID: an id that could leave the output directory or is empty of meaning.
func TestNewRejectsBadID(t *testing.T) {
	for _, id := range []string{"..", "a/b", "../x", ".hidden", "a..b", "x y"} {
		if _, err := New("/out", id); err == nil {
			t.Errorf("New(%q) accepted", id)
		}
	}
}

func TestChunkOf(t *testing.T) {
	l := Sweep{Out: "/o", ID: "s"}
	if id, ok := ChunkOf(l.Shard(1234567)); !ok || id != 1234567 {
		t.Errorf("ChunkOf(Shard(1234567)) = %d, %v", id, ok)
	}
	for _, name := range []string{"/o/chunk-000001.partial.parquet", "/o/traj-000001.parquet", "/o/chunk-1.parquet", "/o/chunk-00000x.parquet", "/o/notes.txt"} {
		if _, ok := ChunkOf(name); ok {
			t.Errorf("ChunkOf(%q) is a chunk", name)
		}
	}
}

// TestOwned: cleanup removes what the layout names and nothing else.
func TestOwned(t *testing.T) {
	own := []string{"chunk-000001.parquet", "traj-000001.parquet", "chunk-000001.partial.parquet", "traj-000001.partial.parquet",
		".chunk-000001.parquet.3141592.tmp", ".traj-000002.partial.parquet.77.tmp"}
	notOwn := []string{"important.txt", "chunk-1.parquet", "chunk-000001.csv", ".chunk-000001.parquet", "results.parquet",
		".results.parquet.1.tmp", "chunk-000001.parquet.bak", "mychunk-000001.parquet"}
	for _, n := range own {
		if !Owned("/o/shards/" + n) {
			t.Errorf("%s is not owned, want owned", n)
		}
	}
	for _, n := range notOwn {
		if Owned("/o/shards/" + n) {
			t.Errorf("%s is owned, want left alone", n)
		}
	}
}

func TestChunks(t *testing.T) {
	for _, tc := range []struct {
		points int64
		size   int
		want   int
	}{{10, 3, 4}, {9, 3, 3}, {1, 5, 1}, {0, 5, 0}, {5, 0, 0}} {
		if got := Chunks(tc.points, tc.size); got != tc.want {
			t.Errorf("Chunks(%d, %d) = %d, want %d", tc.points, tc.size, got, tc.want)
		}
	}
	if s, e := ChunkRange(3, 10, 3); s != 9 || e != 10 {
		t.Errorf("ChunkRange(3, 10, 3) = [%d, %d), want [9, 10)", s, e)
	}
}

type listed []string

func (l listed) List(context.Context, string) ([]string, error) { return l, nil }

// TestFinishedShards: a chunk counts once its shard (and, when recording, its trajectory
// shard) is there; partial shards never count.
func TestFinishedShards(t *testing.T) {
	l := Sweep{Out: "/o", ID: "s"}
	files := listed{l.Shard(0), TrajectoryShard(l.Shard(0)), l.Shard(2), PartialShard(l.Shard(1)), TrajectoryShard(PartialShard(l.Shard(1)))}
	got, _ := l.FinishedShards(context.Background(), files, 3, false)
	if want := []string{l.Shard(0), l.Shard(2)}; !slices.Equal(got, want) {
		t.Errorf("not recording: %v, want %v", got, want)
	}
	got, _ = l.FinishedShards(context.Background(), files, 3, true)
	if want := []string{l.Shard(0)}; !slices.Equal(got, want) {
		t.Errorf("recording: %v, want %v", got, want)
	}
}
