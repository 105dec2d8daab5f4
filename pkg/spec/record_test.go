package spec

import (
	"strings"
	"testing"
)

// TestRecordGammaMax: record.gamma_max is read as a bool, a non-bool is an error at its line,
// and leaving it false keeps the spec's hash (so sweeps started before the option existed are
// found again) while setting it changes the hash (the table gains values).
func TestRecordGammaMax(t *testing.T) {
	base := "name: x\nparams:\n  stepsize: 0.1\n"
	plain, err := Parse("r.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	off, err := Parse("r.yaml", []byte(base+"record:\n  gamma_max: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	on, err := Parse("r.yaml", []byte(base+"record:\n  gamma_max: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !on.Record.GammaMax || off.Record.GammaMax {
		t.Fatalf("gamma_max read as %t / %t", on.Record.GammaMax, off.Record.GammaMax)
	}
	if off.Hash() != plain.Hash() || on.Hash() == plain.Hash() {
		t.Errorf("hashes: plain %s, false %s, true %s", plain.Hash()[:8], off.Hash()[:8], on.Hash()[:8])
	}
	_, err = Parse("r.yaml", []byte(base+"record:\n  gamma_max: 3\n"))
	if err == nil || !strings.Contains(err.Error(), "r.yaml:5: record.gamma_max: must be true or false") {
		t.Errorf("bad gamma_max: %v", err)
	}
}

// TestChunk: the top-level chunk key sets points per activity, must be a positive integer, and
// leaves the hash unchanged (chunking changes no result, so the same sweep is found).
func TestChunk(t *testing.T) {
	base := "name: x\nparams:\n  stepsize: 0.1\n"
	plain, err := Parse("c.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("c.yaml", []byte(base+"chunk: 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Chunk != 50 || plain.Chunk != 0 || s.Hash() != plain.Hash() {
		t.Errorf("chunk %d/%d, hashes equal %t", s.Chunk, plain.Chunk, s.Hash() == plain.Hash())
	}
	for _, bad := range []string{"chunk: 0\n", "chunk: 2.5\n", "chunk: many\n"} {
		if _, err := Parse("c.yaml", []byte(base+bad)); err == nil || !strings.Contains(err.Error(), "c.yaml:4: chunk: must be") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestOut: the top-level out key names where results go, is a string (a directory or a URL of
// a supported scheme), and leaves the hash unchanged (where results are stored changes none).
func TestOut(t *testing.T) {
	base := "name: x\nparams:\n  stepsize: 0.1\n"
	plain, err := Parse("o.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"results/x", "s3://bucket/sweeps?region=us-east-1", "gs://b/p", "file:///abs/dir"} {
		s, err := Parse("o.yaml", []byte(base+"out: "+out+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if s.Out != out || s.OutLine != 4 || s.Hash() != plain.Hash() || plain.Out != "" {
			t.Errorf("out %q: got %q at line %d, hashes equal %t", out, s.Out, s.OutLine, s.Hash() == plain.Hash())
		}
	}
	for bad, msg := range map[string]string{
		"out: 3\n":            "o.yaml:4: out: must be a directory or a URL",
		"out: [a]\n":          "o.yaml:4: out: must be a directory or a URL",
		"out: ''\n":           "o.yaml:4: out: must be a directory or a URL",
		"out: azblob://c/p\n": `o.yaml:4: out: unsupported URL scheme "azblob"`,
	} {
		if _, err := Parse("o.yaml", []byte(base+bad)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", bad, err, msg)
		}
	}
}
