package refine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/phasesweep/phasesweep/pkg/results"
)

// LevelColumn is the column of a refined sweep's results.parquet that says at which level a
// point was added (int64; 0 for the coarse grid), and MetaRefine the metadata key holding the
// refine section as JSON (spec.Refine.JSON).
const (
	LevelColumn = "level"
	MetaRefine  = "phasesweep.refine"
)

// Listed is one point of a level's point list as the chunks read it: its id, the coarse
// point whose parameters it takes (Base), and the values of the refined axes replacing
// Base's, in the order of refine.axes.
type Listed struct {
	ID     int64
	Base   int64
	Values []float64
}

// List is the point list of level l: what its chunks simulate.
func (p *Planner) List(l Level) []Listed {
	out := make([]Listed, len(l.Points))
	for i, pt := range l.Points {
		out[i] = Listed{ID: pt.ID, Base: p.Base(pt.Carried), Values: p.Values(pt.Vertex)}
	}
	return out
}

// ListFields are the columns of a point list file: point, level, base, then one float column
// per refined axis.
func ListFields(axes []string) []results.Field {
	fs := []results.Field{{Name: results.PointColumn, Kind: results.Int}, {Name: LevelColumn, Kind: results.Int}, {Name: "base", Kind: results.Int}}
	for _, a := range axes {
		fs = append(fs, results.Field{Name: a, Kind: results.Float})
	}
	return fs
}

// ListTable is the point list of a level as a table (ListFields), for its file.
func ListTable(axes []string, level int, list []Listed) *results.Table {
	t := &results.Table{Fields: ListFields(axes), Meta: map[string]string{}}
	for _, pt := range list {
		row := []results.Value{{I: pt.ID}, {I: int64(level)}, {I: pt.Base}}
		for _, v := range pt.Values {
			row = append(row, results.Value{F: v})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ReadList reads a point list table written by ListTable for the refined axes axes.
func ReadList(t *results.Table, axes []string) ([]Listed, error) {
	want := ListFields(axes)
	if len(t.Fields) != len(want) {
		return nil, fmt.Errorf("point list has columns %v, want %v", t.Fields, want)
	}
	for j := range want {
		if t.Fields[j] != want[j] {
			return nil, fmt.Errorf("point list has columns %v, want %v", t.Fields, want)
		}
	}
	out := make([]Listed, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = Listed{ID: r[0].I, Base: r[2].I}
		for j := range axes {
			out[i].Values = append(out[i].Values, r[3+j].F)
		}
	}
	return out, nil
}

// Hash is a hex SHA-256 of a point list's content (ids, bases and the values' bits), which
// pins it: every chunk checks the list it reads against the hash its level was planned with.
func Hash(list []Listed) string {
	h := sha256.New()
	var b []byte
	for _, pt := range list {
		b = binary.LittleEndian.AppendUint64(b[:0], uint64(pt.ID))
		b = binary.LittleEndian.AppendUint64(b, uint64(pt.Base))
		for _, v := range pt.Values {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
