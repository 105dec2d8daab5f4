package spec

import (
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// materialised is how axes were expanded before they were generated on demand: the whole
// slice at once, the endpoints overwritten after the loop, integers rounded afterwards. It is
// kept here as the reference the on-demand values must equal bit for bit (point ids, seeds
// and spec hashes are computed from them).
func materialised(a, b float64, k int, log bool, kind Kind) []Value {
	xs := make([]float64, k)
	for i := range xs {
		t := 0.0
		if k > 1 {
			t = float64(i) / float64(k-1)
		}
		if log {
			xs[i] = a * math.Pow(b/a, t)
		} else {
			xs[i] = a + (b-a)*t
		}
	}
	xs[0], xs[k-1] = a, b
	vals := make([]Value, k)
	for i, x := range xs {
		if kind == Int {
			vals[i] = IntValue(int64(math.Round(x)))
		} else {
			vals[i] = FloatValue(x)
		}
	}
	return vals
}

// TestGeneratedBitIdentical compares every value of generated axes of both shapes, both
// numeric kinds, increasing and decreasing, short and long, with the materialised reference.
func TestGeneratedBitIdentical(t *testing.T) {
	for _, tc := range []struct {
		a, b float64
		k    int
		log  bool
		kind Kind
	}{
		{0.005, 0.8, 12, true, Float}, {0.01, 1, 5, true, Float}, {1e-4, 3, 100_000, true, Float},
		{2, 0.01, 777, true, Float}, {1e-300, 1e300, 1001, true, Float}, {0.1, 0.1, 1, true, Float},
		{0.001, 2.5, 37, false, Float}, {-1, 1, 9, false, Float}, {1, -1, 100_001, false, Float},
		{negZero, 0, 3, false, Float}, {3, 3, 1, false, Float}, {0, 1, 2, false, Float},
		{10, 1000, 7, false, Int}, {1, 3, 5, false, Int}, {10, 1000, 5, true, Int}, {1, 1e6, 99_999, true, Int},
	} {
		sh := linear
		if tc.log {
			sh = geometric
		}
		g := generator{shape: sh, first: tc.a, last: tc.b, num: tc.k, kind: tc.kind}
		for i, want := range materialised(tc.a, tc.b, tc.k, tc.log, tc.kind) {
			if got := g.at(i); got.Canonical() != want.Canonical() {
				t.Fatalf("%s value %d = %s, materialised %s", g, i, got.Canonical(), want.Canonical())
			}
		}
	}
	for _, kind := range []Kind{Int, Float} {
		g := generator{shape: counting, num: 1000, kind: kind}
		for i := range g.num {
			if v := g.at(i); v.Kind != kind || v.Num() != float64(i) {
				t.Fatalf("range value %d = %v (%v), want %d as a %v", i, v, v.Kind, i, kind)
			}
		}
	}
}

// TestHashPinned: the spec hashes of the examples and of specs with generated, integer and
// zipped axes, printed by Spec.Hash at the commit before axes were generated on demand
// (d1639a6). A spec's hash is its sweep's workflow id: it must not change.
func TestHashPinned(t *testing.T) {
	want := map[string]string{
		"deep.yaml":                           "79b047e9965a49157310e8261c27d4a45da8a487accdf3c5af47599dc4a70020",
		"flow.yaml":                           "a3361eb723a69c6e3b1a5483a7f7f5eddbdc144d71137526eedaaac00f6544d8",
		"label_noise.yaml":                    "5cf295b3945b31785212e8650eb9195df6ed59432441fbb2ea413f900cf0f0fe",
		"momentum.yaml":                       "b5e48d1b6c74688608ee16aa3a34ed65db4f114f74b52f38ca1927853f0487ec",
		"multitask.yaml":                      "354b40c6ef0f3dc9f2cf49a38e82a5f9226995766e1d046e126940bba6915721",
		"own_data.yaml":                       "bd10b1d53a448c3489a8077f47b385cf567096a07da2e9bfab5a5fab26beca4f",
		"papers/even2023-eos/quick.yaml":      "6929e06562d1a27dd3d0a439b76bf31ab55de0232ebec07d936fe6f3f006f6d8",
		"papers/even2023-eos/spec.yaml":       "59d0899c06dac1ff193e58ea5761a8855f71f6f28a411c4cffbea7f714ef69f6",
		"papers/even2023-stepsize/quick.yaml": "87050870c40aefed74703bfc75e10fb7427adb7a3e7b15140162d516e0938eb2",
		"papers/even2023-stepsize/spec.yaml":  "235da7fc4d1a27ac5c37dfb726693b755f4985d0b399982831db1bfe9dcfac04",
		"papers/haochen2021/quick.yaml":       "8a0d1cc2cc0a5cdb2e6c4528aa68741ee6e4d954a61c6f2b623e925589b10774",
		"papers/haochen2021/spec.yaml":        "66d08eb098082a09be91e73c18eec0694642790b07dd0427f2d6c16b5cdbd187",
		"papers/lippl2024/quick.yaml":         "c101eadc3203037a25f3d60959987c9d41427995ebc105b1be0615c17e0a8770",
		"papers/lippl2024/spec.yaml":          "19ddc153ab77274f300b0cedf9c69ecab432c454199b08d0e86eaebc747497c0",
		"papers/lippl2024-rescale/quick.yaml": "d1c9653fecc5e8d666842f6148a19c86d2fd57516d347952528c64b0cf53bc10",
		"papers/lippl2024-rescale/spec.yaml":  "e125d9bb8774b66e018eb70f62c263f1000482a7283e861844a83e4cc2a188c4",
		"papers/momentum/quick.yaml":          "bd977150bd57b333ba596c48b34de8b38c915b839f84318e4d34641b01f45243",
		"papers/momentum/spec.yaml":           "430f5534d75656f1efd4e6b45d71c6e40cb2756afb9be70b8b49d365120c3ecb",
		"papers/pesme2021/quick.yaml":         "787523dae3182a3be4f3664a168c0695716152256952e08d9ef9018f1055e0f2",
		"papers/pesme2021/spec.yaml":          "2976fe6258550664687958fa1b904779c3b32a1ea4393f0dda3997d803369d0d",
		"papers/pesme2023-saddle/quick.yaml":  "833401d5fb565e534fde5148f55d6763258c1c0b41f556cd7823b3d09c1c1a63",
		"papers/pesme2023-saddle/spec.yaml":   "b73bac6f7c0ed27a17da0c33a2d91a31adcd8e499dafb0808e2d95197ca010cd",
		"quickstart.yaml":                     "9a2f8c25078a26e8b8f9da0084424467fafefa9688026308b708d59112e8a080",
		"saddle.yaml":                         "0c943a7a3538ac0a066fab7658d764dcc4732620db015c70b8a36907e4717791",
		"sam.yaml":                            "5b90d35ee2ec1d1de2837792c8ff023a84791d6fd628f459cb5835354f20a4b7",
		"sgf.yaml":                            "cfbd7c935cd9b2f6a1ad105eaf9dbb2317e3c82013da82d9b7ba15a739d807b7",
		"name: a\ngrid:\n  stepsize: {linspace: [0.001, 2.5], num: 37}\n  steps: {linspace: [10, 1000], num: 7}\n":                             "f213ad75effc26a7cd03359bb1fbd2b4c7ae41ea3f9199cb24a51709c54dd88e",
		"name: b\ngrid:\n  zip:\n    stepsize: {logspace: [1e-4, 3], num: 50}\n    init: {logspace: [2, 0.01], num: 50}\n  seed: {range: 5}\n": "9ddc13276f4051769774025f96943c059abc7009152cfb806d90d73bc7b9e9a6",
		"name: c\ngrid:\n  stepsize: {range: 4}\n  init: {linspace: [-1, 1], num: 9}\n  n: {logspace: [10, 1000], num: 5}\n":                   "b06ba5dc2b0326bb982aab51edf28196cd6b898bbdd50dac81a9ba0ebc3c3dd6",
	}
	got := map[string]string{}
	root := filepath.Join("..", "..", "examples")
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, "recipe.yaml") {
			return err
		}
		s, err := Load(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		got[filepath.ToSlash(rel)] = s.Hash()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for src, h := range want {
		if strings.HasSuffix(src, ".yaml") {
			if got[src] != h {
				t.Errorf("%s: hash %s, pinned %s", src, got[src], h)
			}
			continue
		}
		if s := mustParse(t, src); s.Hash() != h {
			t.Errorf("%q: hash %s, pinned %s", src, s.Hash(), h)
		}
	}
}

// TestFirstRepeat checks the constant-memory search for repeated positions (monotoneRepeat)
// against the map of every position (mapRepeat) on generated columns with and without
// repeats, signed zeros and zips, and that it gives up on values that are not monotone.
func TestFirstRepeat(t *testing.T) {
	gen := func(sh shape, a, b float64, k int, kind Kind) column {
		return column{gen: generator{shape: sh, first: a, last: b, num: k, kind: kind}}
	}
	cases := [][]column{
		{gen(linear, 1, 3, 5, Int)},         // 1, 2, 2, 3, 3: position 2 repeats 1
		{gen(linear, 1, 10, 10, Int)},       // 1..10: distinct
		{gen(linear, 1, 2, 5, Int)},         // 1, 1, 2, 2, 2 (1.5 and 1.75 round up): 1 repeats 0
		{gen(linear, 10, 1, 30, Int)},       // decreasing with repeats
		{gen(linear, negZero, 0, 3, Float)}, // -0, +0, +0: 2 repeats 1, not 0
		{gen(linear, negZero, 0, 2, Float)}, // -0, +0: distinct bits
		{gen(linear, 0, negZero, 4, Float)}, // +0, +0, +0, -0 (0 + -0 = +0): 1 repeats 0
		{gen(linear, 5, 5, 4, Float)},       // all equal
		{gen(geometric, 1, 1e6, 1000, Int)}, // many repeats at the start
		{gen(geometric, 0.01, 1, 5, Float)},
		{gen(linear, 1, 3, 5, Int), gen(linear, 10, 1, 5, Int)},       // zip: positions distinct
		{gen(linear, 1, 3, 5, Int), gen(linear, 1, 2, 5, Int)},        // zip: 1,2,2,3,3 with 1,1,2,2,2: 4 repeats 3
		{gen(linear, 1, 1e-300, 3, Float), gen(linear, 2, 2, 3, Int)}, // zip of a constant
	}
	for _, cols := range cases {
		name := fmt.Sprint(cols)
		n := cols[0].len()
		wj, wi := mapRepeat(cols, n)
		j, i, ok := monotoneRepeat(cols, n)
		if !ok || j != wj || i != wi {
			t.Errorf("%s: monotoneRepeat = %d, %d (ok %t); by map %d, %d", name, j, i, ok, wj, wi)
		}
		if j, i := firstRepeat(cols, n); j != wj || i != wi {
			t.Errorf("%s: firstRepeat = %d, %d; by map %d, %d", name, j, i, wj, wi)
		}
	}
	// Random monotone lists (with runs of equal values) and the same shuffled.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 2 + rng.IntN(30)
		vals := make([]Value, n)
		x := int64(0)
		for k := range vals {
			x += int64(rng.IntN(3)) // steps of 0 make runs of repeats
			vals[k] = IntValue(x)
		}
		vals[0], vals[n-1] = IntValue(int64(rng.IntN(3))), IntValue(x-int64(rng.IntN(2))) // endpoints anywhere
		cols := []column{{list: vals}}
		wj, wi := mapRepeat(cols, n)
		if j, i, ok := monotoneRepeat(cols, n); ok && (j != wj || i != wi) {
			t.Fatalf("%v: monotoneRepeat = %d, %d; by map %d, %d", vals, j, i, wj, wi)
		}
	}
	// 5, 0, 1, 0, 1, 7: position 3 repeats 1, not adjacent; the interior moves up then down.
	wiggle := []column{{list: ints(5, 0, 1, 0, 1, 7)}}
	if _, _, ok := monotoneRepeat(wiggle, 6); ok {
		t.Errorf("monotoneRepeat accepted a sequence that moves up and down")
	}
	if j, i := firstRepeat(wiggle, 6); j != 3 || i != 1 {
		t.Errorf("firstRepeat(5, 0, 1, 0, 1, 7) = %d, %d, want 3, 1", j, i)
	}
}

// negZero is -0 (the literal -0.0 is +0 in Go).
var negZero = math.Copysign(0, -1)
