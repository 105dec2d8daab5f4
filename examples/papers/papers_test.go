package papers

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestAllRecipesLoad(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(all); got != len(Names()) || got == 0 {
		t.Fatalf("All gives %d recipes, Names %d", got, len(Names()))
	}
	for _, r := range all {
		// Each recipe's README embeds every figure it draws, and the figures are committed
		// (examples/papers/regen.sh draws them).
		readme, err := os.ReadFile(filepath.Join(r.Name, "README.md"))
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		for _, p := range r.Plots {
			if !strings.Contains(string(readme), "]("+p.File+")") {
				t.Errorf("%s/README.md does not embed %s", r.Name, p.File)
			}
			if _, err := os.Stat(filepath.Join(r.Name, p.File)); err != nil {
				t.Errorf("%s: figure not committed: %v", r.Name, err)
			}
		}
		for _, quick := range []bool{false, true} {
			if _, src, err := r.SpecFile(quick); err != nil || len(src) == 0 {
				t.Errorf("%s: spec (quick %v): %v", r.Name, quick, err)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	r, err := Lookup("even2023-stepsize")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "even2023-stepsize" || r.Source != "Even2023" {
		t.Errorf("got %+v", r)
	}
	for _, bad := range []string{"even2024", "", "even2023-stepsize/..", "../papers"} {
		if _, err := Lookup(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("Lookup(%q): %v, want ErrUnknown", bad, err)
		}
	}
	_, err = Lookup("nope")
	if err == nil || !strings.Contains(err.Error(), "even2023-eos") {
		t.Errorf("the error should list the recipes: %v", err)
	}
}

func TestPlotArgv(t *testing.T) {
	p := Plot{File: "a.png", Args: " {out}/results.parquet  --x stepsize\n--where optimizer=gd "}
	got := p.Argv("/tmp/my runs")
	want := []string{"/tmp/my runs/results.parquet", "--x", "stepsize", "--where", "optimizer=gd", "--out", "/tmp/my runs/a.png"}
	if !slices.Equal(got, want) {
		t.Errorf("Argv = %q, want %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	good := Recipe{Name: "even2023-eos", Title: "t", Source: "s", Spec: "spec.yaml", Quick: "quick.yaml",
		Plots: []Plot{{File: "a.png", Args: "{out}/results.parquet"}}}
	if err := good.check(); err != nil {
		t.Fatalf("good recipe: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Recipe)
		want string
	}{
		{"no title", func(r *Recipe) { r.Title = "" }, "title: missing"},
		{"no plots", func(r *Recipe) { r.Plots = nil }, "plots: none"},
		{"missing spec file", func(r *Recipe) { r.Quick = "fast.yaml" }, "quick:"},
		{"spec path", func(r *Recipe) { r.Spec = "../quickstart.yaml" }, "spec: want a file name"},
		{"figure type", func(r *Recipe) { r.Plots[0].File = "a.pdf" }, "plots[0].file"},
		{"figure twice", func(r *Recipe) { r.Plots = append(r.Plots, r.Plots[0]) }, `"a.png" drawn twice`},
		{"table not in out", func(r *Recipe) { r.Plots[0].Args = "results.parquet" }, "plots[0].args: want {out}/"},
		{"gives --out", func(r *Recipe) { r.Plots[0].Args = "{out}/results.parquet --out=x.png" }, "no --out"},
	}
	for _, c := range cases {
		r := good
		r.Plots = slices.Clone(good.Plots)
		c.edit(&r)
		if err := r.check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestAllSortedByName(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range all {
		names = append(names, r.Name)
	}
	if !slices.IsSorted(names) || !slices.Equal(names, Names()) {
		t.Errorf("All gives %v, Names %v: want both sorted by name", names, Names())
	}
}
