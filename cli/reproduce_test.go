package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phasesweep/phasesweep/examples/papers"
	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/phase"
	"github.com/phasesweep/phasesweep/pkg/results"
	"github.com/phasesweep/phasesweep/pkg/spec"
)

// pendingPlotFlags are the sweep plot flags that the recipes use and that arrive with the
// plots branch. A recipe plot using one that this build's sweep plot lacks is
// skipped with a log line instead of failing; once they exist every plot is checked.
var pendingPlotFlags = map[string]bool{"where": true, "logz": true, "logx": true, "mark": true, "ref": true, "coords": true}

// missingPlotFlag is the first flag of argv that sweep plot lacks, or "".
func missingPlotFlag(argv []string) string {
	fl := plotCmd(systemIO()).Flags()
	for _, a := range argv {
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if fl.Lookup(name) == nil {
			return name
		}
	}
	return ""
}

// TestRecipes checks every recipe without running it: both specs parse and every point
// validates, the quick spec is smaller and has its own name (so its own sweep id and output
// directory), and every plot command parses as sweep plot arguments that name columns the
// recipe's tables have.
func TestRecipes(t *testing.T) {
	all, err := papers.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 8 {
		t.Fatalf("%d recipes, want at least 8", len(all))
	}
	for _, r := range all {
		t.Run(r.Name, func(t *testing.T) {
			var specs [2]*spec.Spec
			for i, quick := range []bool{false, true} {
				s, err := recipeSpec(r, quick)
				if err != nil {
					t.Fatal(err)
				}
				if err := grid.New(s).Validate(); err != nil {
					t.Fatal(err)
				}
				specs[i] = s
			}
			full, quick := specs[0], specs[1]
			if quick.Name == full.Name || quick.Count() > full.Count() {
				t.Errorf("quick spec %q (%d points) should be no larger than and named apart from the full %q (%d points)",
					quick.Name, quick.Count(), full.Name, full.Count())
			}
			for _, p := range r.Plots {
				for _, s := range specs {
					checkRecipePlot(t, p, s)
				}
			}
		})
	}
}

// pendingBoolFlags are the pending flags that take no value.
var pendingBoolFlags = map[string]bool{"logz": true, "logx": true, "coords": true}

// recipePlotArgs splits a plot's argv into its positional arguments and its flag values (a
// bool flag maps to "true"), independently of whether sweep plot has the flags yet.
func recipePlotArgs(argv []string) (pos []string, flags map[string]string) {
	fl := plotCmd(systemIO()).Flags()
	flags = map[string]string{}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		name, v, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		isBool := pendingBoolFlags[name]
		if f := fl.Lookup(name); f != nil {
			isBool = f.Value.Type() == "bool"
		}
		switch {
		case hasValue:
		case isBool:
			v = "true"
		case i+1 < len(argv):
			i++
			v = argv[i]
		}
		flags[name] = v
	}
	return pos, flags
}

// checkRecipePlot checks that the plot's arguments parse as sweep plot's flags (when this build
// of sweep plot has them all) and that the parameters and metrics they name are columns of the
// table it reads for spec s.
func checkRecipePlot(t *testing.T, p papers.Plot, s *spec.Spec) {
	t.Helper()
	argv := p.Argv("/out")
	if name := missingPlotFlag(argv); name != "" {
		if !pendingPlotFlags[name] {
			t.Errorf("%s: sweep plot has no flag --%s", p.File, name)
			return
		}
		t.Logf("%s: sweep plot has no --%s yet (plots branch); arguments not parsed by it", p.File, name)
	} else if err := plotCmd(systemIO()).ParseFlags(argv); err != nil {
		t.Errorf("%s: %v", p.File, err)
		return
	}
	pos, flags := recipePlotArgs(argv)
	if len(pos) != 1 {
		t.Errorf("%s: want one table argument, got %q", p.File, pos)
		return
	}
	params := map[string]bool{}
	for _, c := range s.Columns() {
		params[results.ParamColumn(c)] = true
	}
	metrics := map[string]bool{}
	fields := results.SweepFields(nil)
	switch table := filepath.Base(pos[0]); table {
	case "results.parquet":
	case "trajectories.parquet":
		if s.Record.Every <= 0 {
			t.Errorf("%s: plots trajectories but %s records none (record.every)", p.File, s.File)
		}
		if flags["coords"] == "true" && !s.Record.Beta {
			t.Errorf("%s: --coords needs record.beta in %s", p.File, s.File)
		}
		fields = results.TrajectoryFields(s.Record.Beta)
	default:
		t.Errorf("%s: reads %s, want results.parquet or trajectories.parquet", p.File, table)
	}
	for _, f := range fields {
		metrics[f.Name] = true
	}
	for _, name := range []string{"x", "y", "by", "facet"} {
		v := flags[name]
		ok := v == "" || params[v] || (name == "x" && metrics[v]) ||
			(name == "x" && v == "effective_stepsize" && params["momentum"] && params["stepsize"])
		if !ok {
			t.Errorf("%s: --%s %s: not a parameter of %s", p.File, name, v, s.File)
		}
	}
	for _, name := range []string{"z", "mark"} {
		if v := flags[name]; v != "" && !metrics[v] {
			t.Errorf("%s: --%s %s: not a column of the table", p.File, name, v)
		}
	}
	if v := flags["where"]; v != "" {
		for _, cond := range strings.Split(v, ",") {
			k, want, _ := strings.Cut(cond, "=")
			if k == "status" { // every results table has it (e.g. status=converged: runs below gamma_max)
				continue
			}
			if !params[k] {
				t.Errorf("%s: --where %s: %s is not a parameter of %s", p.File, v, k, s.File)
			} else if !specHasValue(s, k, want) {
				t.Errorf("%s: --where %s: %s never takes the value %s in %s", p.File, v, k, want, s.File)
			}
		}
	}
}

// specHasValue reports whether parameter name takes the value written as text somewhere in s
// (numbers compared to a relative 1e-9, as sweep plot --where does).
func specHasValue(s *spec.Spec, name, text string) bool {
	var values []spec.Value
	for _, f := range s.Fixed {
		if f.Name == name {
			values = append(values, f.Value)
		}
	}
	for _, a := range s.Grid {
		for j, n := range a.Names {
			if n == name {
				for k := range a.Len() {
					values = append(values, a.At(k, j))
				}
			}
		}
	}
	x, err := strconv.ParseFloat(text, 64)
	for _, v := range values {
		switch v.Kind {
		case spec.String:
			if v.Str == text {
				return true
			}
		default:
			y := v.Float
			if v.Kind == spec.Int {
				y = float64(v.Int)
			}
			if err == nil && math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y)) {
				return true
			}
		}
	}
	return false
}

// TestReproduceQuick runs every recipe's quick version end to end through sweep reproduce,
// against one embedded server (sweep server) and one worker process, and checks that each
// writes its table and its figures as decodable, non-blank images.
func TestReproduceQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	all, err := papers.All()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	addr, serverErr := startCluster(t, ctx, dir, 1)

	for _, r := range all {
		t.Run(r.Name, func(t *testing.T) {
			var argvs [][]string
			for _, p := range r.Plots {
				argvs = append(argvs, p.Argv("/out"))
			}
			for _, argv := range argvs {
				if name := missingPlotFlag(argv); pendingPlotFlags[name] {
					t.Skipf("sweep plot has no --%s yet (plots branch)", name)
				}
			}
			out := filepath.Join(dir, r.Name)
			start := time.Now()
			cmd, stdout, stderr := sweepCmd(ctx, dir, "reproduce", r.Name, "--quick", "--address", addr, "--out", out)
			if err := cmd.Run(); err != nil {
				t.Fatalf("sweep reproduce %s --quick: %v\nstdout:\n%s\nstderr:\n%s\nserver:\n%s", r.Name, err, stdout, stderr, serverErr)
			}
			t.Logf("%s --quick: %.1f s", r.Name, time.Since(start).Seconds())
			s, err := recipeSpec(r, true)
			if err != nil {
				t.Fatal(err)
			}
			tab, err := results.ReadFile(filepath.Join(out, "results.parquet"))
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(tab.Rows)) != s.Count() {
				t.Errorf("%d rows, want the quick spec's %d points", len(tab.Rows), s.Count())
			}
			for _, p := range r.Plots {
				file := filepath.Join(out, p.File)
				if !strings.Contains(stdout.String(), file) {
					t.Errorf("stdout does not name %s:\n%s", file, stdout)
				}
				checkFigure(t, file)
				checkFigureStructure(t, p, s, filepath.Join(out, "results.parquet"))
			}
		})
	}
}

// checkFigureStructure draws the plot again through phase.Plot (the function behind sweep
// plot) into a scratch file and checks what it drew against the spec: one heat map or line set
// per --facet value, heat maps with one column and row per value of --x and --y, one line per
// --by value, trajectory panels with the predicted jumps when the sweep has a saddle run.
func checkFigureStructure(t *testing.T, p papers.Plot, s *spec.Spec, resultsFile string) {
	t.Helper()
	pos, flags := recipePlotArgs(p.Argv(filepath.Dir(resultsFile)))
	opt := phase.Options{X: flags["x"], Y: flags["y"], Z: flags["z"], Agg: flags["agg"], By: flags["by"],
		Facet: flags["facet"], Mark: flags["mark"], LogX: flags["logx"] == "true", Coords: flags["coords"] == "true",
		Out: filepath.Join(t.TempDir(), p.File)}
	var err error
	if opt.Where, err = phase.ParseWhere(flags["where"]); err != nil {
		t.Fatal(err)
	}
	fig, err := phase.Plot(pos[0], opt, io.Discard)
	if err != nil {
		t.Errorf("%s: %v", p.File, err)
		return
	}
	count := func(name string) int {
		if name == "" {
			return 1
		}
		if len(opt.Where) > 0 { // the values that --where keeps
			return len(filteredValueSet(t, resultsFile, opt.Where, name))
		}
		return len(specValueSet(s, name))
	}
	switch {
	case fig.Heat != nil:
		if len(fig.Heat) != count(opt.Facet) {
			t.Errorf("%s: %d heat maps, want one per %s value (%d)", p.File, len(fig.Heat), opt.Facet, count(opt.Facet))
		}
		for _, g := range fig.Heat {
			if len(g.Xs) != count(g.XName) || len(g.Ys) != count(g.YName) {
				t.Errorf("%s: %dx%d cells, want %d values of %s x %d of %s", p.File, len(g.Xs), len(g.Ys),
					count(g.XName), g.XName, count(g.YName), g.YName)
			}
		}
	case fig.Lines != nil:
		if len(fig.Lines) != count(opt.Facet) {
			t.Errorf("%s: %d panels, want one per %s value (%d)", p.File, len(fig.Lines), opt.Facet, count(opt.Facet))
		}
		for _, set := range fig.Lines {
			if len(set.Lines) != count(set.ByName) {
				t.Errorf("%s: %d lines, want one per %s value (%d)", p.File, len(set.Lines), set.ByName, count(set.ByName))
			}
		}
	case fig.Traj != nil:
		saddle := specHasValue(s, "optimizer", "saddle")
		for _, panel := range fig.Traj {
			if len(panel.Curves) == 0 || (saddle && len(panel.Jumps) == 0) {
				t.Errorf("%s: panel %q has %d curves and %d predicted jump sets (saddle run in the sweep: %v)",
					p.File, panel.Title, len(panel.Curves), len(panel.Jumps), saddle)
			}
		}
	default:
		t.Errorf("%s: nothing drawn", p.File)
	}
}

// filteredValueSet is the set of values column name takes in the rows of the table at file
// that satisfy conds (as sweep plot --where keeps them).
func filteredValueSet(t *testing.T, file string, conds []phase.Cond, name string) map[results.Value]bool {
	t.Helper()
	tab, err := results.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if tab, err = phase.Filter(tab, conds); err != nil {
		t.Fatal(err)
	}
	set := map[results.Value]bool{}
	for j, f := range tab.Fields {
		if f.Name == results.ParamColumn(name) {
			for _, r := range tab.Rows {
				set[r[j]] = true
			}
		}
	}
	return set
}

// specValueSet is the set of values parameter name takes in s, as text.
func specValueSet(s *spec.Spec, name string) map[string]bool {
	set := map[string]bool{}
	for _, f := range s.Fixed {
		if f.Name == name {
			set[f.Value.String()] = true
		}
	}
	for _, a := range s.Grid {
		for j, n := range a.Names {
			if n == name {
				for k := range a.Len() {
					set[a.At(k, j).String()] = true
				}
			}
		}
	}
	return set
}

// checkFigure checks that file is a PNG of a plausible size with more than a few colours (a
// blank or failed drawing has one or two).
func checkFigure(t *testing.T, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	b := img.Bounds()
	if b.Dx() < 200 || b.Dy() < 150 {
		t.Errorf("%s: %v is too small for a figure", file, b)
	}
	if n := colours(img, 16); n < 16 {
		t.Errorf("%s: only %d colours: blank?", file, n)
	}
}

// colours counts the distinct colours of img, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// TestReproduceListAndUnknown: without a name the recipes are listed with their point counts
// (from the specs, counted here independently as the product of the axis lengths); an unknown
// name is a usage error (exit status 2) that lists the recipes, and nothing is started.
func TestReproduceListAndUnknown(t *testing.T) {
	var buf strings.Builder
	if err := listRecipes(&buf); err != nil {
		t.Fatal(err)
	}
	all, err := papers.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		s, err := recipeSpec(r, false)
		if err != nil {
			t.Fatal(err)
		}
		points := 1
		for _, a := range s.Grid {
			points *= a.Len()
		}
		var line string
		for _, l := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(l, r.Name+" ") {
				line = l
			}
		}
		if f := strings.Fields(line); len(f) < 4 || f[1] != r.Source || f[2] != fmt.Sprint(points) {
			t.Errorf("listing line of %s: %q, want its paper %s and %d points", r.Name, line, r.Source, points)
		}
	}
	state := filepath.Join(t.TempDir(), "state")
	err = reproduceRun(context.Background(), &reproduceOptions{IO: &IOStreams{Out: &buf, ErrOut: &buf}, name: "even2024", runFlags: runFlags{conn: connFlags{state: state}}})
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "even2023-stepsize") {
		t.Errorf("unknown recipe: %v (exit %d), want a usage error listing the recipes", err, exitCode(err))
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("a state directory was created for an unknown recipe")
	}
}
