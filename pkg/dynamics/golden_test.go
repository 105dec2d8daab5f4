package dynamics

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// update rewrites testdata/golden.json from this build's results:
//
//	go test ./pkg/dynamics -run TestGoldenFile -update
//
// Do it only together with a bump of Version (the result cache keys on it: an unnoticed change
// would mix old and new numbers in one table), and say in the commit why the numbers moved.
var update = flag.Bool("update", false, "rewrite testdata/golden.json")

const goldenFile = "testdata/golden.json"

// goldenConfig is the run of optimizer opt on model model that the golden file pins: small
// enough that every optimiser and model takes milliseconds, long enough that every metric is
// away from its initial value. Optimiser settings are set for every optimiser (each reads
// only its own).
func goldenConfig(model, opt string) Config {
	c := Config{
		Model: model, Optimizer: opt, Stepsize: 0.05, Batch: 4, Init: 0.1,
		Momentum: 0.5, Noise: 0.1, Rho: 0.05, PretrainInit: Unset, Rescale: 1,
		N: 16, D: 24, Sparsity: 3, XMean: 0.1, LabelNoise: 0.05, Test: 50, Steps: 400,
		DataSeed: 31, RunSeed: 32,
	}
	switch model {
	case ModelDeep:
		c.Depth = 3
	case ModelSTL, ModelMTL, ModelPTFT, ModelLP:
		c.KAux, c.KMain, c.Overlap, c.NAux = 6, 3, 2, 30
	}
	if opt == OptimizerSaddle {
		c.Init = 1e-6
	}
	if opt == OptimizerSGF {
		c.Stepsize = 0.01
	}
	return c
}

// goldenRuns are the (model, optimizer) pairs this build can run: every optimiser on every
// model that accepts it (Validate).
func goldenRuns() []string {
	var keys []string
	for _, m := range ModelNames() {
		for _, o := range OptimizerNames() {
			if goldenConfig(m, o).Validate() == nil {
				keys = append(keys, m+"/"+o)
			}
		}
	}
	return keys
}

// goldenValues flattens r into metric name -> exact text: floats as strconv 'g' -1 (which
// round-trips bit for bit), NaN and infinities by name, slices as JSON lists, and the
// multi-task metrics under "MultiTask.<field>". Names are the Go field names of Result, so
// a field added to Result appears here without any change to this test.
func goldenValues(r Result) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		for i := range v.NumField() {
			f, x := v.Type().Field(i), v.Field(i)
			name := prefix + f.Name
			switch x.Kind() {
			case reflect.Float64:
				out[name] = strconv.FormatFloat(x.Float(), 'g', -1, 64)
			case reflect.Int:
				out[name] = strconv.FormatInt(x.Int(), 10)
			case reflect.String:
				out[name] = x.String()
			case reflect.Slice:
				var parts []string
				for j := range x.Len() {
					parts = append(parts, strconv.FormatFloat(x.Index(j).Float(), 'g', -1, 64))
				}
				b, _ := json.Marshal(parts)
				out[name] = string(b)
			case reflect.Pointer:
				if !x.IsNil() {
					walk(name+".", x.Elem())
				}
			default:
				panic(fmt.Sprintf("golden: field %s of kind %v", name, x.Kind()))
			}
		}
	}
	walk("", reflect.ValueOf(r))
	return out
}

// TestGoldenFile runs every optimiser on every model and compares every metric, bit for bit,
// with testdata/golden.json (written by this test with -update from a reviewed build). It
// catches any change of the numbers: a changed formula, operation order or default. A pair
// missing from the file, or in the file but no longer run, fails too.
func TestGoldenFile(t *testing.T) {
	got := map[string]map[string]string{}
	for _, key := range goldenRuns() {
		var m, o string
		for i := range key {
			if key[i] == '/' {
				m, o = key[:i], key[i+1:]
			}
		}
		r, err := Run(context.Background(), goldenConfig(m, o))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if r.Status == StatusDiverged || math.IsNaN(r.TrainLoss) {
			t.Errorf("%s diverged: pick a golden configuration that pins numbers", key)
		}
		got[key] = goldenValues(r)
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d runs (Version %s)", goldenFile, len(got), Version)
		return
	}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (write it with -update)", err)
	}
	var want map[string]map[string]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s is in %s but no longer runs", k, goldenFile)
			continue
		}
		for name, w := range want[k] {
			if g[name] != w && !gonumNoAsmClose(name, g[name], w) {
				t.Errorf("%s %s = %s, golden %s (Version %s)", k, name, g[name], w, Version)
			}
		}
		for name := range g {
			if _, ok := want[k][name]; !ok {
				t.Errorf("%s %s is not in %s (run with -update after review)", k, name, goldenFile)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s runs but is not in %s (run with -update after review)", k, goldenFile)
		}
	}
}

// gonumSolved are the metrics computed through gonum's linear algebra (the implicit-bias and
// gradient-flow solves of theory_implicit.go and theory_interp.go, the Lanczos sharpness).
var gonumSolved = map[string]bool{"PredErr": true, "GFErr": true, "Sharpness": true}

// gonumNoAsmClose reports whether got and want (golden texts of metric name) agree to a
// relative 1e-12 where the build has the noasm tag and name is gonumSolved: the tag also
// selects gonum's pure-Go kernels, which sum in another order than its assembly (measured:
// 3e-15 relative on pred_err and gf_err), so those metrics move at rounding level. Every other
// metric, and every metric of a build without the tag, is compared bit for bit.
func gonumNoAsmClose(name, got, want string) bool {
	if !noasmBuild || !gonumSolved[name] {
		return false
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && math.Abs(g-w) <= 1e-12*math.Abs(w)
}
