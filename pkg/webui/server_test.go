package webui

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// TestFigureCells checks the heat map's cells against synthOutcome by hand: the mean of
// test_loss over the seeds that did not diverge or fail, Bad where none did, and the counts and seeds.
func TestFigureCells(t *testing.T) {
	ts, _ := newTestServer(t, t.TempDir(), Options{})
	f := getFigure(t, ts.URL, "")
	if f.Kind != "heat" || f.X != "stepsize" || f.Y != "init" || f.Z != "test_loss" || f.Agg != "mean" || len(f.Panels) != 1 {
		t.Fatalf("figure %s %s/%s/%s/%s with %d panels, want a heat map of test_loss (mean) over stepsize, init", f.Kind, f.X, f.Y, f.Z, f.Agg, len(f.Panels))
	}
	p := f.Panels[0]
	if len(p.Xs) != 5 || len(p.Ys) != 3 || len(p.Z) != 15 {
		t.Fatalf("grid %dx%d with %d cells, want 5x3", len(p.Xs), len(p.Ys), len(p.Z))
	}
	for iy, in := range p.Ys {
		for ix, ss := range p.Xs {
			c := iy*len(p.Xs) + ix
			want := make([]int, len(f.Statuses))
			// Status-aware (pkg/aggregate): diverged and failed runs are left out of the
			// aggregate; a cell is Bad when every run of it is.
			var sum float64
			kept := 0
			for seed := range int64(2) {
				loss, st := synthOutcome(ss, in, seed)
				for k, s := range f.Statuses {
					if s == st {
						want[k]++
					}
				}
				if st != "diverged" && st != "failed" {
					sum += loss
					kept++
				}
			}
			bad := kept == 0
			if p.N[c] != 2 || p.Bad[c] != bad || !slices.Equal(p.Counts[c], want) || !slices.Equal(p.Seeds[c], []int64{0, 1}) {
				t.Errorf("cell stepsize=%g init=%g: n %d bad %v counts %v seeds %v, want 2 %v %v [0 1]", ss, in, p.N[c], p.Bad[c], p.Counts[c], p.Seeds[c], bad, want)
			}
			switch {
			case bad && p.Z[c] != nil:
				t.Errorf("cell stepsize=%g init=%g is bad but has aggregate %g", ss, in, *p.Z[c])
			case !bad && (p.Z[c] == nil || math.Abs(*p.Z[c]-sum/float64(kept)) > 1e-15*sum):
				t.Errorf("cell stepsize=%g init=%g: aggregate %v, want the mean %g of its %d runs that did not diverge", ss, in, p.Z[c], sum/float64(kept), kept)
			}
			if p.Color[c] == "" || bad && p.Color[c] != "#aaaaaa" {
				t.Errorf("cell stepsize=%g init=%g: colour %q (bad cells are phase.BadColor #aaaaaa)", ss, in, p.Color[c])
			}
		}
	}
	// --where and a facet: the cells keep only the rows selected, one panel per seed.
	f = getFigure(t, ts.URL, "facet=seed&where=init=0.1,init=1")
	if len(f.Panels) != 2 || len(f.Panels[0].Ys) != 2 || f.Panels[1].Facet != "1" {
		t.Fatalf("faceted figure: %d panels, %d y values", len(f.Panels), len(f.Panels[0].Ys))
	}
	for _, p := range f.Panels {
		for c := range p.N {
			if p.N[c] != 1 || len(p.Seeds[c]) != 1 || p.Seeds[c][0] != map[string]int64{"0": 0, "1": 1}[p.Facet] {
				t.Fatalf("facet seed=%s cell %d: n %d seeds %v", p.Facet, c, p.N[c], p.Seeds[c])
			}
		}
	}
	// A choice the table cannot be drawn with is a message, not a failure.
	code, b := fetch(t, ts.URL+"/api/sweep/sweep-synth/figure?z=nosuch")
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(b), `no column \"nosuch\"`) {
		t.Errorf("z=nosuch: %d %s", code, b)
	}
}

// TestPages renders every page and download of a sweep.
func TestPages(t *testing.T) {
	dir := t.TempDir()
	ts, src := newTestServer(t, dir, Options{WriteCSV: func(w io.Writer, tab *results.Table) error {
		_, err := w.Write([]byte("csv of " + tab.Fields[0].Name))
		return err
	}})
	for _, c := range []struct{ path, want string }{
		{"/", "sweep-synth"},
		{"/sweep/sweep-synth", "stepsize: {logspace: [0.01, 1], num: 5}"},
		{"/sweep/sweep-synth/points?cell=stepsize=1,init=0.1", `href="/sweep/sweep-synth/point/`},
		{"/sweep/sweep-synth/point/0", "synthetic failure"},
		{"/api/sweep/sweep-synth/progress", `"params":["n","d","sparsity","max_steps","stepsize","init","seed"]`},
		{"/sweep/sweep-synth/download/results.csv", "csv of point"},
		{"/sweep/sweep-synth/download/figure.svg", "<svg"},
		{"/sweep/sweep-synth/download/figure.png", "\x89PNG"},
		{"/static/ui.js", "use strict"},
	} {
		code, b := fetch(t, ts.URL+c.path)
		if code != http.StatusOK || !bytes.Contains(b, []byte(c.want)) {
			t.Errorf("GET %s: %d, body without %q:\n%.400s", c.path, code, c.want, b)
		}
	}
	code, b := fetch(t, ts.URL+"/sweep/sweep-synth/download/results.parquet")
	want, _ := os.ReadFile(src.table.Results)
	if code != http.StatusOK || !bytes.Equal(b, want) {
		t.Errorf("results.parquet download: %d, %d bytes, want the %d of the table", code, len(b), len(want))
	}
	// The points page lists the rows of the cell: stepsize 1 and init 0.1, seeds 0 and 1.
	_, b = fetch(t, ts.URL+"/sweep/sweep-synth/points?cell="+url.QueryEscape("stepsize=1,init=0.1"))
	if n := strings.Count(string(b), `/point/`); n != 2 {
		t.Errorf("points of cell stepsize=1 init=0.1: %d links, want 2", n)
	}
}

// TestControlNeedsAllowControl: without AllowControl every control endpoint answers 403 and
// reaches no sweep; with it the Source gets the call, except from another site's page.
func TestControlNeedsAllowControl(t *testing.T) {
	actions := []string{"pause", "resume", "cancel", "concurrency"}
	ts, src := newTestServer(t, t.TempDir(), Options{})
	for _, a := range append(actions, "progress", "nosuch") {
		resp, err := http.PostForm(ts.URL+"/api/sweep/sweep-synth/"+a, url.Values{"n": {"3"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without --allow-control: %d, want 403", a, resp.StatusCode)
		}
	}
	if len(src.calls) != 0 {
		t.Fatalf("read-only server controlled the sweep: %v", src.calls)
	}

	ts, src = newTestServer(t, t.TempDir(), Options{AllowControl: true})
	for _, a := range actions {
		resp, err := http.PostForm(ts.URL+"/api/sweep/sweep-synth/"+a, url.Values{"n": {"3"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("POST %s with --allow-control: %d", a, resp.StatusCode)
		}
	}
	if len(src.calls) != 4 || src.calls[3] != (Control{Action: ActionConcurrency, Concurrency: 3}) {
		t.Errorf("control calls %v, want pause, resume, cancel, concurrency 3", src.calls)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/sweep/sweep-synth/pause", nil)
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(src.calls) != 4 {
		t.Errorf("cross-origin pause: %d, %d calls", resp.StatusCode, len(src.calls))
	}
}

// TestListen: loopback by default, another address only when explicit, and a loopback server
// answers only to its own Host (a rebinding page's requests carry its own name).
func TestListen(t *testing.T) {
	srv, err := New(&fileSource{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Listen("0.0.0.0", 0, false); err == nil || !strings.Contains(err.Error(), "without --ip") {
		t.Errorf("listen on 0.0.0.0 not explicit: %v, want a refusal", err)
	}
	if _, err := srv.Listen("localhost", 0, true); err == nil {
		t.Error("a host name was accepted as --ip")
	}
	l, err := srv.Listen(DefaultIP, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = http.Serve(l, srv.Handler()) }()
	defer l.Close()
	base := "http://" + l.Addr().String()
	if code, _ := fetch(t, base+"/static/ui.css"); code != http.StatusOK {
		t.Errorf("own Host: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Host = "rebind.example:" + strings.Split(l.Addr().String(), ":")[1]
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d, want 421", resp.StatusCode)
	}
}

// TestNoFileOutsideOutput asks every endpoint for files outside the sweep's output (paths in
// the sweep id, the point, the download name and the figure options, plain and escaped) and
// checks that no answer carries the content of a table or file placed beside the output.
func TestNoFileOutsideOutput(t *testing.T) {
	dir := t.TempDir()
	ts, _ := newTestServer(t, dir, Options{AllowControl: true})
	secret := "SECRET-" + strings.Repeat("x", 8)
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	other := writeSynth(t, filepath.Join(dir, "other"), strings.Replace(synthSpec, "name: synth", "name: "+secret, 1))
	rel, _ := filepath.Rel(filepath.Join(dir, "out"), other)
	abs := []string{filepath.Join(dir, "secret.txt"), other, "/etc/passwd"}
	var probes []string
	for _, p := range append(abs, rel, "../secret.txt", "..%2fsecret.txt", "%2e%2e/%2e%2e/secret.txt") {
		e := url.PathEscape(p)
		probes = append(probes,
			"/sweep/"+e, "/sweep/"+p, "/api/sweep/"+e+"/progress", "/api/sweep/"+e+"/figure",
			"/sweep/sweep-synth/download/"+e, "/sweep/sweep-synth/download/"+p,
			"/sweep/sweep-synth/point/"+e, "/sweep/sweep-synth/point/"+e+"/trajectory.svg",
			"/static/"+e, "/static/"+p, "/static/../../"+p,
			"/sweep/sweep-synth/points?where=point="+url.QueryEscape(p)+"&cell="+url.QueryEscape(p),
			"/api/sweep/sweep-synth/figure?x="+url.QueryEscape(p)+"&z="+url.QueryEscape(p)+"&where="+url.QueryEscape(p),
			"/sweep/sweep-synth/download/figure.svg?facet="+url.QueryEscape(p),
		)
	}
	for _, p := range probes {
		code, b := fetch(t, ts.URL+p)
		if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte("root:")) {
			t.Errorf("GET %s (%d) answered with a file outside the output:\n%.300s", p, code, b)
		}
		if code == http.StatusOK && !strings.Contains(p, "/sweep/sweep-synth") {
			t.Errorf("GET %s: 200 for a path that names no sweep", p)
		}
	}
}

// TestPointJumps: the point page of a gd point lists the jumps predicted by the saddle run on
// the same data, T_k = ln(1/init) t_k (Pesme2023), with the plateau losses before each.
func TestPointJumps(t *testing.T) {
	const jumpSpec = "name: jumps\nseed: 1\nparams: {n: 20, d: 30, sparsity: 3, init: 0.01, stepsize: 0.1}\ngrid:\n  optimizer: [gd, saddle]\n"
	s, err := spec.Parse("jumps.yaml", []byte(jumpSpec))
	if err != nil {
		t.Fatal(err)
	}
	g := grid.New(s)
	tab := &results.Table{Fields: results.SweepFields(g.Columns()), Meta: map[string]string{results.MetaSpec: jumpSpec}}
	for p := range g.Count() {
		r := dynamics.Result{TestLoss: 0.1, Status: dynamics.StatusConverged}
		if p == 1 {
			r.JumpTimes, r.PlateauLosses = []float64{1, 3}, []float64{0.5, 0.25, 0.125}
		}
		tab.Rows = append(tab.Rows, results.SweepRow(p, g.Point(p).Values, r))
	}
	out := filepath.Join(t.TempDir(), "out")
	res := filepath.Join(out, "results.parquet")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFile(res, tab); err != nil {
		t.Fatal(err)
	}
	srv, err := New(&fileSource{sweep: Sweep{ID: "sweep-jumps"}, table: Table{Results: res, Key: "k"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	_, b := fetch(t, ts.URL+"/sweep/sweep-jumps/point/0")
	for _, want := range []string{
		`point/1">1</a> on the same data`,
		fmt.Sprintf("<td>0</td><td>%v</td><td>0.5</td>", math.Log(100)*1),
		fmt.Sprintf("<td>1</td><td>%v</td><td>0.25</td>", math.Log(100)*3),
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("point page of the gd point lacks %q:\n%s", want, b)
		}
	}
	if _, b := fetch(t, ts.URL+"/sweep/sweep-jumps/point/1"); strings.Contains(string(b), "Predicted jumps") {
		t.Error("the saddle point's page shows predicted jumps")
	}
}
