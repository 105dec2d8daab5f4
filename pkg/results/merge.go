package results

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// Merge reads shards, keeps exactly one row per point (if two shards contain
// the same point, the rows must be identical, floats bit for bit, else an
// error naming the point and both files), sorts by point, sets Meta to meta
// (shard metadata is not carried over), and writes out atomically. All shards
// must have the same Fields as the first one, whose first column must be
// "point" (Int) (else an error naming the file and the column). Merge with no
// shards is an error. Returns the number of rows written.
//
// Merge streams: it first reads only the point column of every shard, then
// writes the output in batches, holding a shard's columns in memory (as Arrow
// arrays) only from its first to its last row in point order.
func Merge(shards []string, out string, meta map[string]string) (int, error) {
	st, err := merge(shards, out, meta)
	return st.rows, err
}

// mergeStats describes a finished merge.
type mergeStats struct {
	rows       int // rows written
	peakLoaded int // most shards held in memory at once
}

// merge implements Merge and reports statistics for tests.
func merge(shards []string, out string, meta map[string]string) (mergeStats, error) {
	return mergeKeyed(shards, out, meta, 1)
}

// mergeKeyed implements Merge (keyCols = 1) and MergeKeyed (keyCols = 1 or 2).
func mergeKeyed(shards []string, out string, meta map[string]string, keyCols int) (mergeStats, error) {
	if keyCols < 1 || keyCols > maxKeyColumns {
		return mergeStats{}, fmt.Errorf("merge: %d key columns, want 1 to %d", keyCols, maxKeyColumns)
	}
	if len(shards) == 0 {
		return mergeStats{}, errors.New("merge: no shards")
	}
	if len(shards) > math.MaxInt32 {
		return mergeStats{}, fmt.Errorf("merge: %d shards is too many", len(shards))
	}
	fields, keys, nrows, err := scanKeys(shards, keyCols)
	if err != nil {
		return mergeStats{}, fmt.Errorf("merge: %w", err)
	}
	slices.SortFunc(keys, func(a, b rowKey) int {
		return cmp.Or(cmp.Compare(a.point, b.point), cmp.Compare(a.sub, b.sub), cmp.Compare(a.shard, b.shard), cmp.Compare(a.row, b.row))
	})
	sc, err := arrowSchema(fields, meta)
	if err != nil {
		return mergeStats{}, fmt.Errorf("merge into %s: %w", out, err)
	}
	m := &merger{shards: shards, fields: fields, keys: keys, nrows: nrows, keyCols: keyCols}
	m.computeLastUse()
	defer m.releaseAll()
	var st mergeStats
	err = writeAtomic(out, func(w io.Writer) error {
		bw, err := newBatchWriter(w, sc, fields)
		if err != nil {
			return err
		}
		defer bw.release()
		if st.rows, err = m.copyRows(bw); err != nil {
			return err
		}
		return bw.close()
	})
	if err != nil {
		return mergeStats{}, fmt.Errorf("merge into %s: %w", out, err)
	}
	st.peakLoaded = m.peakLoaded
	return st, nil
}

// maxKeyColumns is the widest key MergeKeyed supports: (point, step).
const maxKeyColumns = 2

// rowKey locates one row: its key (point, and the second key column or 0),
// shard index and row index in the shard.
type rowKey struct {
	point int64
	sub   int64
	shard int32
	row   int32
}

// sameKey reports whether a and b have the same key.
func sameKey(a, b rowKey) bool { return a.point == b.point && a.sub == b.sub }

// scanKeys checks every shard's fields against the first shard's and
// collects the key of every row, reading only the keyCols key columns.
func scanKeys(shards []string, keyCols int) (fields []Field, keys []rowKey, nrows []int, err error) {
	nrows = make([]int, len(shards))
	for i, path := range shards {
		p, err := openParquet(path)
		if err != nil {
			return nil, nil, nil, err
		}
		if i == 0 {
			fields = p.fields
			if f := fields[0]; f.Name != PointColumn || f.Kind != Int {
				p.close()
				return nil, nil, nil, fmt.Errorf("shard %s: first column is %q (%v), want %q (int)", path, f.Name, f.Kind, PointColumn)
			}
			for j := 1; j < keyCols; j++ {
				if j >= len(fields) || fields[j].Kind != Int {
					p.close()
					return nil, nil, nil, fmt.Errorf("shard %s: key column %d is not an int column", path, j)
				}
			}
		} else if err := sameFields(fields, p.fields); err != nil {
			p.close()
			return nil, nil, nil, fmt.Errorf("shard %s: %w (compared with %s)", path, err, shards[0])
		}
		if p.numRows() > math.MaxInt32 {
			p.close()
			return nil, nil, nil, fmt.Errorf("shard %s: %d rows is too many", path, p.numRows())
		}
		nrows[i] = int(p.numRows())
		row := int32(0)
		err = p.eachBatch(keyIndices(keyCols), func(_ arrow.RecordBatch, cols []column) error {
			for k := 0; k < cols[0].ints.Len(); k++ {
				key := rowKey{point: cols[0].ints.Value(k), shard: int32(i), row: row}
				if keyCols > 1 {
					key.sub = cols[1].ints.Value(k)
				}
				keys = append(keys, key)
				row++
			}
			return nil
		})
		p.close()
		if err != nil {
			return nil, nil, nil, err
		}
	}
	return fields, keys, nrows, nil
}

// sameFields reports, naming the column, how got differs from want.
func sameFields(want, got []Field) error {
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g Field) bool { return g.Name == w.Name }) {
			return fmt.Errorf("missing column %q", w.Name)
		}
	}
	for _, g := range got {
		if !slices.ContainsFunc(want, func(w Field) bool { return w.Name == g.Name }) {
			return fmt.Errorf("unexpected column %q", g.Name)
		}
	}
	for j, w := range want {
		g := got[j]
		if g.Name != w.Name {
			return fmt.Errorf("column %q is at position %d, want %d", w.Name, slices.IndexFunc(got, func(g Field) bool { return g.Name == w.Name }), j)
		}
		if g.Kind != w.Kind {
			return fmt.Errorf("column %q is %v, want %v", w.Name, g.Kind, w.Kind)
		}
	}
	return nil
}

// merger holds the state of Merge's write pass.
type merger struct {
	shards  []string
	fields  []Field
	keys    []rowKey // sorted by key
	keyCols int      // key columns: 1 (point) or 2 (point, step)
	nrows   []int    // rows per shard, from the scan
	lastUse []int    // per shard: last index in keys that needs it loaded
	loaded  []*loadedFile

	nLoaded, peakLoaded int // shards in memory now, and at most
}

// computeLastUse finds, for every shard, the last key index at which its
// data is needed: its own rows, and rows of other shards duplicating a point
// whose kept row comes from it.
func (m *merger) computeLastUse() {
	m.lastUse = make([]int, len(m.shards))
	m.loaded = make([]*loadedFile, len(m.shards))
	first := 0
	for idx, k := range m.keys {
		if !sameKey(m.keys[first], k) {
			first = idx
		}
		m.lastUse[k.shard] = idx
		m.lastUse[m.keys[first].shard] = idx
	}
}

// shard returns shard i's data, loading it if needed.
func (m *merger) shard(i int32) (*loadedFile, error) {
	if l := m.loaded[i]; l != nil {
		return l, nil
	}
	p, err := openParquet(m.shards[i])
	if err != nil {
		return nil, err
	}
	defer p.close()
	if err := sameFields(m.fields, p.fields); err != nil {
		return nil, fmt.Errorf("shard %s changed during merge: %w", m.shards[i], err)
	}
	l, err := p.loadAll()
	if err != nil {
		return nil, err
	}
	if n := l.cols[0].ints.Len(); n != m.nrows[i] {
		l.release()
		return nil, fmt.Errorf("shard %s changed during merge: %d rows, was %d", m.shards[i], n, m.nrows[i])
	}
	m.loaded[i] = l
	m.nLoaded++
	m.peakLoaded = max(m.peakLoaded, m.nLoaded)
	return l, nil
}

// copyRows appends one row per key, in key order, to bw and returns the
// number of rows appended.
func (m *merger) copyRows(bw *batchWriter) (int, error) {
	n := 0
	first := 0
	for idx, k := range m.keys {
		src, err := m.shard(k.shard)
		if err != nil {
			return 0, err
		}
		if idx > 0 && sameKey(m.keys[first], k) {
			kept := m.keys[first]
			if err := m.sameRow(kept, k); err != nil {
				return 0, err
			}
		} else {
			first = idx
			for j, c := range src.cols {
				c.appendTo(bw.rb.Field(j), int(k.row))
			}
			if err := bw.rowDone(); err != nil {
				return 0, err
			}
			n++
		}
		m.releaseDone(idx, k.shard)
		if kept := m.keys[first].shard; kept != k.shard {
			m.releaseDone(idx, kept)
		}
	}
	return n, nil
}

// releaseDone frees shard i's data if key index idx is its last use.
func (m *merger) releaseDone(idx int, i int32) {
	if m.lastUse[i] == idx && m.loaded[i] != nil {
		m.loaded[i].release()
		m.loaded[i] = nil
		m.nLoaded--
	}
}

// sameRow returns an error naming the point, both files and the first
// differing column if rows a and b (same point) differ.
func (m *merger) sameRow(a, b rowKey) error {
	la, lb := m.loaded[a.shard], m.loaded[b.shard]
	for j, f := range m.fields {
		va, vb := la.cols[j].value(int(a.row)), lb.cols[j].value(int(b.row))
		if !sameValue(f.Kind, va, vb) {
			if m.keyCols > 1 {
				return fmt.Errorf("point %d %s %d differs between %s (row %d) and %s (row %d): column %q: %s vs %s",
					a.point, m.fields[1].Name, a.sub, m.shards[a.shard], a.row, m.shards[b.shard], b.row, f.Name, formatValue(f.Kind, va), formatValue(f.Kind, vb))
			}
			return fmt.Errorf("point %d differs between %s (row %d) and %s (row %d): column %q: %s vs %s",
				a.point, m.shards[a.shard], a.row, m.shards[b.shard], b.row, f.Name, formatValue(f.Kind, va), formatValue(f.Kind, vb))
		}
	}
	return nil
}

// releaseAll frees every shard still loaded.
func (m *merger) releaseAll() {
	for i, l := range m.loaded {
		if l != nil {
			l.release()
			m.loaded[i] = nil
		}
	}
}
