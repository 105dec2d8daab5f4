package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/phasesweep/phasesweep/pkg/grid"
	"github.com/phasesweep/phasesweep/pkg/spec"
	"github.com/phasesweep/phasesweep/workflows"
)

// overridesHelp explains key=value arguments, for the commands that take them.
const overridesHelp = `Arguments after SPEC override the spec without editing it (the rules are spec.Override's):
  steps=20000                  a parameter (under params; a swept one becomes that one value)
  optimizer=gd,sgd             a grid axis of these values (a, makes a list of one)
  stepsize=logspace(0.01,1,5)  a generated axis; also linspace(a,b,k) and range(k)
  params.stepsize=0.1          a parameter under params even if the file sweeps it
  grid.n=20                    a one-value grid axis
  seed=7 name=x chunk=10 out=dir record.every=100
                               top-level keys (seed=N is the spec seed; seed=range(k) the
                               replicate axis, params.seed=N the replicate parameter)
The overrides become part of the spec: its stored source, its hash and so its sweep id.`

// validateOptions are sweep validate's: the spec and its overrides, --json, the streams.
type validateOptions struct {
	IO        *IOStreams
	file      string
	overrides []string
	json      bool
}

func validateCmd(ios *IOStreams) *cobra.Command {
	opts := &validateOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "validate SPEC [key=value ...]",
		Short: "Check a spec and summarise its grid without running anything",
		Long: `Check SPEC (with any overrides) as sweep run would, and print what it would run: the
points, axes and fixed parameters, the overrides applied, the spec hash and sweep id, the
chunks, and an estimate of the work and of the wall time on this machine (the cost model that
sizes chunks: every point runs all its steps, at the Go kernels' speed, on all CPUs).

` + overridesHelp,
		Args: minimumArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file, opts.overrides = args[0], args[1:]
			return validateRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the summary as JSON (snake_case keys)")
	return cmd
}

// validateRun checks the spec as sweep run would and prints what it would run.
func validateRun(opts *validateOptions) error {
	g, err := grid.LoadWithOverrides(opts.file, opts.overrides)
	if err != nil {
		return err
	}
	if err := checkRefine(g.Spec()); err != nil { // refine.go
		return err
	}
	v := describeGrid(opts.file, g)
	out := opts.IO.Out
	if opts.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	v.print(out)
	if g.Spec().Refine != nil {
		fmt.Fprintln(out, describeRefine(g.Spec()))
	}
	return nil
}

// minimumArgs is cobra.MinimumNArgs with a usage error.
func minimumArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// validation is what sweep validate reports about a grid.
type validation struct {
	File      string           `json:"file"`
	Name      string           `json:"name"`
	Points    int64            `json:"points"`
	ChunkSize int              `json:"chunk_size"`
	Chunks    int64            `json:"chunks"`
	SpecHash  string           `json:"spec_hash"`
	SweepID   string           `json:"sweep_id"`
	Overrides []overrideReport `json:"overrides"`
	Axes      []axisReport     `json:"axes"`
	Fixed     []fixedReport    `json:"fixed"`
	// The cost model (grid.Estimate): work units, CPU seconds on one core, and wall seconds
	// on this machine's CPUs.
	WorkUnits           float64 `json:"work_units"`
	EstimatedCPUSeconds float64 `json:"estimated_cpu_seconds"`
	EstimatedSeconds    float64 `json:"estimated_seconds"`
	CPUs                int     `json:"cpus"`
}

// overrideReport is one applied override (spec.Change).
type overrideReport struct {
	Arg  string `json:"arg"`
	Path string `json:"path"`
	Was  string `json:"was,omitempty"`
}

// axisReport describes one axis: its parameters, length, how each is generated ("" for a
// list), its first and last positions, and a preview for people (the first three positions,
// "...", the last; a zip's values joined by "/").
type axisReport struct {
	Names     []string `json:"names"`
	Len       int      `json:"len"`
	Generated []string `json:"generated"`
	First     []any    `json:"first"`
	Last      []any    `json:"last"`
	Preview   []string `json:"preview"`
}

// fixedReport is one fixed parameter.
type fixedReport struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// describeGrid gathers the report on g, loaded from file.
func describeGrid(file string, g *grid.Grid) validation {
	s := g.Spec()
	chunk := s.Chunk // as sweep run sizes chunks without --chunk
	if chunk == 0 {
		chunk = g.ChunkSize(chunkSeconds)
	}
	est := g.Estimate()
	v := validation{
		File: file, Name: s.Name, Points: g.Count(), ChunkSize: chunk,
		Chunks:   (g.Count() + int64(chunk) - 1) / int64(chunk),
		SpecHash: g.SpecHash(), SweepID: workflows.WorkflowID(s.Name, g.Hash()),
		Overrides: []overrideReport{}, Axes: []axisReport{}, Fixed: []fixedReport{},
		WorkUnits: est.Units, EstimatedCPUSeconds: est.CPUSeconds, CPUs: runtime.NumCPU(),
	}
	v.EstimatedSeconds = est.CPUSeconds / float64(v.CPUs)
	for _, c := range s.Overrides {
		v.Overrides = append(v.Overrides, overrideReport(c))
	}
	for _, ax := range s.Grid {
		a := axisReport{Names: ax.Names, Len: ax.Len(), First: jsonValues(ax.Row(0)), Last: jsonValues(ax.Row(ax.Len() - 1))}
		for j := range ax.Names {
			a.Generated = append(a.Generated, ax.Generated(j))
		}
		for k := 0; k < ax.Len(); k++ {
			if ax.Len() > 6 && k == 3 {
				a.Preview, k = append(a.Preview, "..."), ax.Len()-1
			}
			var parts []string
			for _, x := range ax.Row(k) {
				parts = append(parts, x.String())
			}
			a.Preview = append(a.Preview, strings.Join(parts, "/"))
		}
		v.Axes = append(v.Axes, a)
	}
	for _, f := range s.Fixed {
		v.Fixed = append(v.Fixed, fixedReport{f.Name, jsonValue(f.Value)})
	}
	return v
}

// jsonValue is a value as JSON has it: a number, or a string (also for a float JSON cannot
// hold, such as +Inf).
func jsonValue(v spec.Value) any {
	switch {
	case v.Kind == spec.Int:
		return v.Int
	case v.Kind == spec.Float && !math.IsInf(v.Float, 0) && !math.IsNaN(v.Float):
		return v.Float
	}
	return v.String()
}

func jsonValues(vs []spec.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = jsonValue(v)
	}
	return out
}

// print writes the report for a terminal.
func (v validation) print(w io.Writer) {
	fmt.Fprintf(w, "%s: sweep %q, %d points, %d axes, spec hash %s, sweep id %s\n",
		v.File, v.Name, v.Points, len(v.Axes), v.SpecHash[:16], v.SweepID)
	for _, o := range v.Overrides {
		was := ""
		if o.Was != "" {
			was = " (was " + o.Was + ")"
		}
		fmt.Fprintf(w, "  override %-28s sets %s%s\n", o.Arg, o.Path, was)
	}
	fmt.Fprint(w, v.axesText())
	for _, f := range v.Fixed {
		fmt.Fprintf(w, "  fixed  %-24s %v\n", f.Name, f.Value)
	}
	fmt.Fprintf(w, "  work   %.3g units ((steps+1) x n x d summed over the points), in %d chunk(s) of up to %d points\n",
		v.WorkUnits, v.Chunks, v.ChunkSize)
	fmt.Fprintf(w, "  time   about %s of CPU, %s on this machine's %d CPUs (the cost model that sizes chunks; points that converge or diverge stop sooner)\n",
		seconds(v.EstimatedCPUSeconds), seconds(v.EstimatedSeconds), v.CPUs)
}

// axesText lists the axes with their previews, and how generated ones are generated.
func (v validation) axesText() string {
	var b strings.Builder
	for _, a := range v.Axes {
		gen := ""
		if g := strings.Join(a.Generated, "/"); strings.Trim(g, "/") != "" {
			gen = " " + g
		}
		fmt.Fprintf(&b, "  grid   %-24s %4d values%s: %s\n", strings.Join(a.Names, "+"), a.Len, gen, strings.Join(a.Preview, ", "))
	}
	return b.String()
}

// seconds formats a duration in seconds for a person: 42 s, 3.5 min, 2.1 h, 4.2 days.
func seconds(s float64) string {
	switch {
	case s < 90:
		return fmt.Sprintf("%.2g s", s)
	case s < 90*60:
		return fmt.Sprintf("%.2g min", s/60)
	case s < 48*3600:
		return fmt.Sprintf("%.2g h", s/3600)
	}
	return fmt.Sprintf("%.1f days", s/86400)
}
