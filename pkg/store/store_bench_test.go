package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/store/fakes3"
)

// BenchmarkPutFetch writes and reads back a 4 MiB object (a large shard) on a local directory
// and on the in-process S3 server, so the cost of staging through temp files and the S3
// protocol can be compared (bytes/s is per round trip of the object).
func BenchmarkPutFetch(b *testing.B) {
	data := make([]byte, 4<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	srv := fakes3.Start(b, "bench")
	for _, c := range []struct{ name, dir string }{
		{"local", filepath.Join(b.TempDir(), "out")},
		{"s3", srv.URL("bench")},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx, st := context.Background(), New()
			defer st.Close()
			if err := st.Ensure(ctx, c.dir); err != nil {
				b.Fatal(err)
			}
			loc := Join(c.dir, "shards", "chunk-000000.parquet")
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				err := st.Put(ctx, loc, func(path string) error {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						return err
					}
					return os.WriteFile(path, data, 0o644)
				})
				if err != nil {
					b.Fatal(err)
				}
				_, release, err := st.Fetch(ctx, []string{loc})
				release()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
