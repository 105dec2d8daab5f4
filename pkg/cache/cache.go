// Package cache is the result cache: the metrics of finished points, keyed by a hash of
// everything that determines them (KeyOf), so that a sweep overlapping an earlier one reuses
// its rows instead of simulating those points again.
//
// Storage is a directory of immutable Parquet files, one per Put (a chunk's new points),
// each written atomically (temp file, fsync, rename) under a name derived from its keys.
// Several worker processes, on one machine or sharing the directory over a network
// filesystem, write and read it without locks: a file is either absent or complete, and two
// writers of the same points write the same bytes under the same name. Files are never
// changed or removed by the program; deleting the directory (or any of its files) empties
// the cache (or part of it) and is always safe.
//
// A file has a column "key" (Key.String) and then the metric columns of its rows, by name and
// kind, so that a later program with another column set reads the entries whose columns it
// needs (Get misses when a column is absent). Its metadata names the format (MetaFormat).
//
// Each process keeps an index, key -> (file, row), loaded lazily on the first Get and
// refreshed with the files that appeared since (at most once per second, on a miss); rows are
// read from a file when they are asked for, with the last few files read kept decoded. The
// index costs about 60 bytes per cached point (measured: 56 MB for 10^6 keys), so a worker
// process holds the index of 10^6-10^7 points; its first Get reads every file once.
package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// MetaFormat is the metadata key naming a cache file's format; its value is Format.
const MetaFormat = "phasesweep.cache"

// Format is the version of the file layout this package reads and writes.
const Format = "1"

// KeyColumn is the first column of a cache file.
const KeyColumn = "key"

// refreshEvery is the least time between two listings of the directory by one Cache.
const refreshEvery = time.Second

// decodedFiles is how many files a Cache keeps decoded for Get.
const decodedFiles = 8

// Cache is a cache directory as one process sees it. It is safe for concurrent use.
type Cache struct {
	dir          string
	refreshEvery time.Duration

	mu      sync.Mutex
	index   map[Key]location
	files   []string            // file names, by location.file
	known   map[string]struct{} // files indexed (or unreadable, not retried)
	listed  time.Time           // last listing of dir (zero: never)
	decoded []*decodedFile      // most recently used last
}

// location is where a key's row lives.
type location struct{ file, row int32 }

// decodedFile is a file read for Get.
type decodedFile struct {
	file  int32
	table *results.Table
	cols  map[string]int // column index by field name
}

var (
	openMu sync.Mutex
	opened = map[string]*Cache{}
)

// Open returns the Cache of dir, creating the directory if needed. Calls with the same
// directory share one Cache (and one index) per process.
func Open(dir string) (*Cache, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", dir, err)
	}
	openMu.Lock()
	defer openMu.Unlock()
	if c, ok := opened[abs]; ok {
		return c, nil
	}
	c, err := New(abs)
	if err != nil {
		return nil, err
	}
	opened[abs] = c
	return c, nil
}

// New returns a Cache of dir with its own index (Open shares one per directory), creating
// the directory if needed.
func New(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cache directory: %w", err)
	}
	return &Cache{dir: dir, refreshEvery: refreshEvery, index: map[Key]location{}, known: map[string]struct{}{}}, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Len is the number of keys in this process's index (after refreshing it).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refresh(true)
	return len(c.index)
}

// Get returns the values of fields (names and kinds) stored under k, in the order of fields.
// It reports false when k is not cached, or its entry lacks one of fields (written by a
// program with other columns); a file that cannot be read is a miss too: the cache only ever
// saves work.
func (c *Cache) Get(k Key, fields []results.Field) ([]results.Value, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	loc, ok := c.index[k]
	if !ok {
		c.refresh(false)
		if loc, ok = c.index[k]; !ok {
			return nil, false
		}
	}
	d := c.decode(loc.file)
	if d == nil || int(loc.row) >= len(d.table.Rows) {
		delete(c.index, k) // a removed or damaged file: Put may store the point again
		return nil, false
	}
	row := d.table.Rows[loc.row]
	out := make([]results.Value, len(fields))
	for j, f := range fields {
		col, ok := d.cols[f.Name]
		if !ok || d.table.Fields[col].Kind != f.Kind {
			return nil, false
		}
		out[j] = row[col]
	}
	return out, true
}

// Entry is one finished point to store: its key and its values (of the fields given to Put).
type Entry struct {
	Key    Key
	Values []results.Value
}

// Put stores entries, whose values are of fields, as one new file; keys already in this
// process's index are left out, and nothing is written when none is left.
func (c *Cache) Put(fields []results.Field, entries []Entry) error {
	if slices.ContainsFunc(fields, func(f results.Field) bool { return f.Name == KeyColumn }) {
		return fmt.Errorf("cache: field name %q is reserved", KeyColumn)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refresh(false)
	t := &results.Table{
		Fields: append([]results.Field{{Name: KeyColumn, Kind: results.String}}, fields...),
		Meta:   map[string]string{MetaFormat: Format},
	}
	h := sha256.New()
	seen := map[Key]bool{}
	var keys []Key
	for _, e := range entries {
		if _, ok := c.index[e.Key]; ok || seen[e.Key] {
			continue
		}
		if len(e.Values) != len(fields) {
			return fmt.Errorf("cache: entry %s has %d values for %d fields", e.Key, len(e.Values), len(fields))
		}
		seen[e.Key] = true
		keys = append(keys, e.Key)
		t.Rows = append(t.Rows, append([]results.Value{{S: e.Key.String()}}, e.Values...))
		h.Write(e.Key[:])
	}
	if len(t.Rows) == 0 {
		return nil
	}
	for _, f := range fields { // the same keys with other columns make another file
		fmt.Fprintf(h, "%s:%d\n", f.Name, f.Kind)
	}
	name := hex.EncodeToString(h.Sum(nil)[:16]) + ".parquet"
	if err := results.WriteFile(filepath.Join(c.dir, name), t); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	c.add(name, keys)
	return nil
}

// refresh indexes the files that appeared in the directory since the last listing; unless
// force, at most once per refreshEvery. Call with mu held.
func (c *Cache) refresh(force bool) {
	if !force && !c.listed.IsZero() && time.Since(c.listed) < c.refreshEvery {
		return
	}
	c.listed = time.Now()
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return // a missing or unreadable directory is an empty cache
	}
	for _, e := range ents {
		name := e.Name()
		if _, ok := c.known[name]; ok || e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".parquet") {
			continue
		}
		keys, err := readKeys(filepath.Join(c.dir, name))
		if err != nil {
			c.known[name] = struct{}{}
			continue
		}
		c.add(name, keys)
	}
}

// add indexes the keys of a new file (a key already indexed keeps its first file).
func (c *Cache) add(name string, keys []Key) {
	c.known[name] = struct{}{}
	file := int32(len(c.files))
	c.files = append(c.files, name)
	for r, k := range keys {
		if _, ok := c.index[k]; !ok {
			c.index[k] = location{file: file, row: int32(r)}
		}
	}
}

// readKeys reads the keys of a cache file, in row order.
func readKeys(path string) ([]Key, error) {
	t, err := readFile(path)
	if err != nil {
		return nil, err
	}
	keys := make([]Key, len(t.Rows))
	for r, row := range t.Rows {
		if keys[r], err = ParseKey(row[0].S); err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", path, r, err)
		}
	}
	return keys, nil
}

// readFile reads a cache file and checks its format.
func readFile(path string) (*results.Table, error) {
	t, err := results.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if t.Meta[MetaFormat] != Format || len(t.Fields) == 0 || t.Fields[0] != (results.Field{Name: KeyColumn, Kind: results.String}) {
		return nil, fmt.Errorf("%s: not a cache file of format %s", path, Format)
	}
	return t, nil
}

// decode returns file decoded, reading it if it is not among the last decodedFiles used; nil
// when it cannot be read. Call with mu held.
func (c *Cache) decode(file int32) *decodedFile {
	for i, d := range c.decoded {
		if d.file == file {
			c.decoded = append(append(c.decoded[:i:i], c.decoded[i+1:]...), d)
			return d
		}
	}
	t, err := readFile(filepath.Join(c.dir, c.files[file]))
	if err != nil {
		return nil
	}
	d := &decodedFile{file: file, table: t, cols: make(map[string]int, len(t.Fields))}
	for j, f := range t.Fields {
		d.cols[f.Name] = j
	}
	if len(c.decoded) == decodedFiles {
		c.decoded = c.decoded[1:]
	}
	c.decoded = append(c.decoded, d)
	return d
}
