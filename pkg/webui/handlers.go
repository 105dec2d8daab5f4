package webui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
)

// sweepRow is a sweep with the counts of its table so far, as the sweeps page lists it.
type sweepRow struct {
	Sweep
	Counts []int // rows by status, in the order of Statuses
	Rows   int   // rows of the table so far
	Error  string
}

// rows lists the sweeps with their counts.
func (s *Server) rows(r *http.Request) ([]sweepRow, error) {
	sweeps, err := s.src.Sweeps(r.Context())
	if err != nil {
		return nil, err
	}
	var out []sweepRow
	for _, sw := range sweeps {
		row := sweepRow{Sweep: sw, Counts: make([]int, len(statuses))}
		if l, err := s.tables.get(r.Context(), sw.ID); err != nil {
			row.Error = err.Error()
		} else if l.rows != nil {
			row.Counts, row.Rows = l.counts, len(l.rows.Rows)
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) sweepsPage(w http.ResponseWriter, r *http.Request) {
	rows, err := s.rows(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	s.render(w, "sweeps.html", map[string]any{"Sweeps": rows, "Statuses": statuses})
}

func (s *Server) sweepsJSON(w http.ResponseWriter, r *http.Request) {
	rows, err := s.rows(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"sweeps": rows, "statuses": statuses})
}

func (s *Server) sweepPage(w http.ResponseWriter, r *http.Request) {
	sw, ok := s.sweep(w, r)
	if !ok {
		return
	}
	s.render(w, "sweep.html", map[string]any{"Sweep": sw, "Control": s.opt.AllowControl, "Statuses": statuses,
		"Aggs": []string{"mean", "median", "min", "max"}})
}

// progress is the answer of the sweep page's poll.
type progress struct {
	Sweep    Sweep    `json:"sweep"`
	Counts   []int    `json:"counts"`
	Rows     int      `json:"rows"`
	Key      string   `json:"key"` // the table's key: the figure is fetched again when it changes
	Partial  bool     `json:"partial"`
	Params   []string `json:"params"`  // the parameter columns (axes, facets, --by)
	Metrics  []string `json:"metrics"` // the numeric metric columns and the outcomes (z)
	Statuses []string `json:"statuses"`
}

func (s *Server) progressJSON(w http.ResponseWriter, r *http.Request) {
	sw, l, ok := s.sweepTable(w, r, false)
	if !ok {
		return
	}
	p := progress{Sweep: sw, Counts: l.counts, Key: l.ref.Key, Partial: l.ref.Partial, Statuses: statuses}
	if l.rows != nil {
		p.Rows = len(l.rows.Rows)
		p.Params, p.Metrics = columnsOf(l.rows)
		if _, ok := columnIndex(l.rows)[phase.StatusColumn]; ok { // sweep plot's outcome maps
			p.Metrics = append(p.Metrics, phase.ZStatus, phase.ZConverged, phase.ZDiverged)
		}
	}
	writeJSON(w, p)
}

// columnsOf splits a results table's columns into parameters (between point and the first
// metric, train_loss; with effective_stepsize when there are stepsize and momentum) and the
// numeric metrics.
func columnsOf(t *results.Table) (params, metrics []string) {
	inParams := true
	for _, f := range t.Fields[1:] {
		if f.Name == "train_loss" {
			inParams = false
		}
		switch {
		case inParams:
			params = append(params, f.Name)
		case f.Kind != results.String:
			metrics = append(metrics, f.Name)
		}
	}
	if slices.Contains(params, "stepsize") && slices.Contains(params, "momentum") {
		params = append(params, "effective_stepsize")
	}
	return params, metrics
}

func (s *Server) figureJSON(w http.ResponseWriter, r *http.Request) {
	_, l, ok := s.sweepTable(w, r, false)
	if !ok {
		return
	}
	d := l.figure(plotQueryOf(r.URL.Query()))
	if d.err != nil {
		writeError(w, d.err)
		return
	}
	writeJSON(w, d.fig)
}

// writeError answers a figure that cannot be drawn: 422 with the reason for a choice the
// table does not allow (or no row yet), 500 otherwise.
func writeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	var pe plotError
	if errors.As(err, &pe) {
		code = http.StatusUnprocessableEntity
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// downloads are the files a sweep page offers, by name.
var downloads = map[string]string{
	"figure.svg":      "image/svg+xml",
	"figure.png":      "image/png",
	"results.parquet": "application/vnd.apache.parquet",
	"results.csv":     "text/csv; charset=utf-8",
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	ctype, known := downloads[file]
	if !known {
		http.NotFound(w, r)
		return
	}
	sw, l, ok := s.sweepTable(w, r, true)
	if !ok {
		return
	}
	p := plotQueryOf(r.URL.Query())
	var path string
	switch file {
	case "figure.svg":
		d := l.figure(p)
		if d.err != nil {
			writeError(w, d.err)
			return
		}
		path = d.svg
	case "figure.png":
		path = filepath.Join(l.dir, "download.png")
		l.mu.Lock()
		_, err := drawFigure(l.ref.Results, l.rows, p, path)
		l.mu.Unlock()
		if err != nil {
			writeError(w, err)
			return
		}
	case "results.parquet":
		path = l.ref.Results
	case "results.csv":
		if s.opt.WriteCSV == nil {
			http.NotFound(w, r)
			return
		}
		var buf bytes.Buffer
		if err := s.opt.WriteCSV(&buf, l.rows); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		serveBytes(w, ctype, sw.ID+"-results.csv", buf.Bytes())
		return
	}
	serveFile(w, l, ctype, sw.ID+"-"+file, path)
}

// serveFile answers the file at path of table l (its table files, or a figure rendered into
// its directory; anything else is refused), as a download named name unless name is "".
func serveFile(w http.ResponseWriter, l *loaded, ctype, name, path string) {
	if path == "" || path != l.ref.Results && path != l.ref.Trajectories && filepath.Dir(path) != l.dir {
		http.Error(w, "not a file of this sweep", http.StatusForbidden)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	serveBytes(w, ctype, name, b)
}

// serveBytes answers b, as a download named name unless name is "".
func serveBytes(w http.ResponseWriter, ctype, name string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	if name != "" {
		w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// cellView is a table of rows for the points and point pages.
type cellView struct {
	Fields []string
	Rows   [][]string
	Points []int64
}

// view formats the rows of t.
func view(t *results.Table) cellView {
	var v cellView
	for _, f := range t.Fields {
		v.Fields = append(v.Fields, f.Name)
	}
	for _, r := range t.Rows {
		row := make([]string, len(r))
		for j, f := range t.Fields {
			row[j] = valueString(f, r[j])
		}
		v.Rows = append(v.Rows, row)
		v.Points = append(v.Points, r[0].I)
	}
	return v
}

// maxListed is the most points the points page lists.
const maxListed = 2000

func (s *Server) pointsPage(w http.ResponseWriter, r *http.Request) {
	sw, l, ok := s.sweepTable(w, r, true)
	if !ok {
		return
	}
	where, cell := r.URL.Query().Get("where"), r.URL.Query().Get("cell")
	sel, err := cellRows(l.rows, where, cell)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	more := len(sel.Rows) - maxListed
	if more > 0 {
		sel = &results.Table{Fields: sel.Fields, Rows: sel.Rows[:maxListed]}
	}
	s.render(w, "points.html", map[string]any{"Sweep": sw, "Where": where, "Cell": cell,
		"Table": view(sel), "More": more, "Total": len(sel.Rows) + max(more, 0)})
}

// point finds the row of point {n} of the request's sweep, or answers 404.
func (s *Server) point(w http.ResponseWriter, r *http.Request) (Sweep, *loaded, int, bool) {
	n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
	if err != nil || n < 0 {
		http.Error(w, "point: want a point number, got "+strconv.Quote(r.PathValue("n")), http.StatusBadRequest)
		return Sweep{}, nil, 0, false
	}
	sw, l, ok := s.sweepTable(w, r, true)
	if !ok {
		return sw, nil, 0, false
	}
	k, found := slices.BinarySearchFunc(l.rows.Rows, n, func(row []results.Value, n int64) int {
		return int(row[0].I - n)
	})
	if found {
		return sw, l, k, true
	}
	http.Error(w, fmt.Sprintf("sweep %s has no finished point %d", sw.ID, n), http.StatusNotFound)
	return sw, nil, 0, false
}

func (s *Server) pointPage(w http.ResponseWriter, r *http.Request) {
	sw, l, k, ok := s.point(w, r)
	if !ok {
		return
	}
	row := l.rows.Rows[k]
	one := view(&results.Table{Fields: l.rows.Fields, Rows: [][]results.Value{row}})
	params, _ := columnsOf(l.rows)
	type kv struct{ Name, Value string }
	var ps, ms []kv
	for j, name := range one.Fields[1:] {
		e := kv{name, one.Rows[0][j+1]}
		if slices.Contains(params, name) {
			ps = append(ps, e)
		} else {
			ms = append(ms, e)
		}
	}
	j, err := predictJumps(l.rows, row[0].I)
	if err != nil {
		j.None = err.Error()
	}
	s.render(w, "point.html", map[string]any{"Sweep": sw, "Point": row[0].I, "Params": ps, "Metrics": ms,
		"Trajectory": l.ref.Trajectories != "", "Jumps": j})
}

func (s *Server) trajectoryFile(w http.ResponseWriter, r *http.Request) {
	_, l, k, ok := s.point(w, r)
	if !ok {
		return
	}
	if l.ref.Trajectories == "" {
		http.Error(w, "this sweep records no trajectories (record: {every: N} in its spec)", http.StatusNotFound)
		return
	}
	n := l.rows.Rows[k][0].I
	out := filepath.Join(l.dir, fmt.Sprintf("traj-%d.svg", n))
	l.mu.Lock()
	_, err := os.Stat(out)
	if err != nil {
		err = drawTrajectory(l.ref.Trajectories, n, out)
	}
	l.mu.Unlock()
	if err != nil {
		http.Error(w, fmt.Sprintf("trajectory of point %d: %v", n, err), http.StatusUnprocessableEntity)
		return
	}
	serveFile(w, l, "image/svg+xml", "", out)
}

// render executes a page template.
func (s *Server) render(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "template "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.Copy(w, &buf)
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
