// Package papers holds the recipes of examples/papers: each paper's key experiment as a sweep
// spec (full, and a quick version for CI), the plot commands that draw its figures, and a
// README saying what a correct run shows (docs/science.md section 8). The recipe files are
// embedded, so that `sweep reproduce NAME` works from any directory.
//
// A recipe is a directory <name>/ holding recipe.yaml:
//
//	title: Even2023, test loss against stepsize for gd and sgd
//	source: Even2023          # the short name in docs/science.md
//	spec: spec.yaml           # the full sweep, a file of this directory
//	quick: quick.yaml         # the same experiment on a smaller grid (CI, a first look)
//	plots:                    # `sweep plot` argument lists, drawn in order after the sweep
//	  - file: test_loss_stepsize.png
//	    args: "{out}/results.parquet --x stepsize --by optimizer --mark gamma_max"
//
// In args, {out} stands for the sweep's output directory; the arguments are separated by
// white space (none contains any). The figure goes to {out}/<file>: `sweep reproduce` appends
// --out itself, so args may not give it.
package papers

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed */recipe.yaml */*.yaml
var files embed.FS

// RecipeFile is the name of a recipe's description in its directory.
const RecipeFile = "recipe.yaml"

// OutPlaceholder stands for the sweep's output directory in a plot's args.
const OutPlaceholder = "{out}"

// Recipe is one paper's experiment.
type Recipe struct {
	Name   string `yaml:"-"` // the directory, which names the recipe
	Title  string `yaml:"title"`
	Source string `yaml:"source"` // short name of the paper in docs/science.md
	Spec   string `yaml:"spec"`   // file name of the full spec
	Quick  string `yaml:"quick"`  // file name of the quick spec
	Plots  []Plot `yaml:"plots"`
}

// Plot is one figure: the arguments of `sweep plot` and the file it draws.
type Plot struct {
	File string `yaml:"file"` // figure file name (.png or .svg), written into the output directory
	Args string `yaml:"args"` // `sweep plot` arguments without --out; {out} is the output directory
}

// Argv is the argument list of the plot for the output directory out, --out included.
func (p Plot) Argv(out string) []string {
	var argv []string
	for _, a := range strings.Fields(p.Args) {
		argv = append(argv, strings.ReplaceAll(a, OutPlaceholder, out))
	}
	return append(argv, "--out", path.Join(out, p.File))
}

// Command is the plot as a `sweep plot` command line for the output directory out.
func (p Plot) Command(out string) string {
	return "sweep plot " + strings.Join(p.Argv(out), " ")
}

// SpecFile is the file name and text of the recipe's full spec, or of its quick one.
func (r Recipe) SpecFile(quick bool) (string, []byte, error) {
	name := r.Spec
	if quick {
		name = r.Quick
	}
	src, err := files.ReadFile(path.Join(r.Name, name))
	if err != nil {
		return "", nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	return path.Join("examples/papers", r.Name, name), src, nil
}

// All is every recipe, sorted by name.
func All() ([]Recipe, error) {
	var out []Recipe
	for _, name := range Names() {
		r, err := load(name)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Names lists the recipes' names, sorted.
func Names() []string {
	dirs, _ := fs.Glob(files, "*/"+RecipeFile)
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = path.Dir(d)
	}
	sort.Strings(names)
	return names
}

// ErrUnknown is returned by Lookup for a name that is no recipe.
var ErrUnknown = errors.New("unknown recipe")

// Lookup is the recipe called name.
func Lookup(name string) (Recipe, error) {
	if _, err := fs.Stat(files, path.Join(name, RecipeFile)); err != nil || strings.Contains(name, "/") {
		return Recipe{}, fmt.Errorf("%w %q (recipes: %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	return load(name)
}

// load reads and checks <name>/recipe.yaml. Unknown keys are errors, with their line.
func load(name string) (Recipe, error) {
	file := path.Join("examples/papers", name, RecipeFile)
	src, err := files.ReadFile(path.Join(name, RecipeFile))
	if err != nil {
		return Recipe{}, fmt.Errorf("%s: %w", file, err)
	}
	var r Recipe
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return Recipe{}, fmt.Errorf("%s: %w", file, err)
	}
	r.Name = name
	if err := r.check(); err != nil {
		return Recipe{}, fmt.Errorf("%s: %w", file, err)
	}
	return r, nil
}

// check reports a missing field, a spec file that is not there, or a plot without a figure
// file, with a results file other than {out}/..., or giving --out.
func (r Recipe) check() error {
	switch {
	case r.Title == "":
		return errors.New("title: missing")
	case r.Source == "":
		return errors.New("source: missing")
	case len(r.Plots) == 0:
		return errors.New("plots: none")
	}
	for key, f := range map[string]string{"spec": r.Spec, "quick": r.Quick} {
		if f == "" || strings.Contains(f, "/") {
			return fmt.Errorf("%s: want a file name of the recipe's directory, got %q", key, f)
		}
		if _, err := fs.Stat(files, path.Join(r.Name, f)); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	seen := map[string]bool{}
	for i, p := range r.Plots {
		ext := path.Ext(p.File)
		if (ext != ".png" && ext != ".svg") || strings.Contains(p.File, "/") {
			return fmt.Errorf("plots[%d].file: want a .png or .svg file name, got %q", i, p.File)
		}
		if seen[p.File] {
			return fmt.Errorf("plots[%d].file: %q drawn twice", i, p.File)
		}
		seen[p.File] = true
		args := strings.Fields(p.Args)
		if len(args) == 0 || !strings.HasPrefix(args[0], OutPlaceholder+"/") {
			return fmt.Errorf("plots[%d].args: want %s/<table>.parquet first, got %q", i, OutPlaceholder, p.Args)
		}
		for _, a := range args {
			if a == "--out" || strings.HasPrefix(a, "--out=") {
				return fmt.Errorf("plots[%d].args: no --out (the figure goes to %s/%s)", i, OutPlaceholder, p.File)
			}
		}
	}
	return nil
}
