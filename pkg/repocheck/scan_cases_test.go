package repocheck

import (
	"slices"
	"strings"
	"testing"
)

// The inputs below are spelled in pieces ("docs/" + "science.md") so that this file does not
// itself contain the citations and references it feeds the scanners.

// fixtureDocs is a small documentation tree for the scanner tests.
func fixtureDocs() map[string]*docFile {
	return map[string]*docFile{
		"docs/" + "science.md": parseDoc("# Science\n\n## 1. Data\n\n## 2. Models\n\n## 3. Optimisers\n\n" +
			"```sh\n## 9. not a heading (inside a fence)\n```\n\n## 7. Metrics\n"),
		"docs/" + "design.md": parseDoc("# Design\n\n## Contracts\n\n### Spec\n\nA diverged run is a\n" +
			"result row, not an error.\n\n### Results\n\n## Temporal limits\n\n### Points\n"),
	}
}

// TestScanCitations: each line of a case is a citation the scanner must accept (want "")
// or reject with a message containing want.
func TestScanCitations(t *testing.T) {
	sci, des := "docs/"+"science.md", "docs/"+"design.md"
	cases := []struct{ text, want string }{
		{"// see " + sci + " section 2", ""},
		{"// see " + sci + " sections 1-3, 7", ""},
		{"// (" + sci + "\n// section 7)", ""},
		{"# " + sci + " sections 2 and\n# 3", ""},
		{"text, " + sci + " sections 1, 2, 3", ""},
		{"// the sources of " + sci, ""},
		{"// " + des + " \"Temporal limits\"", ""},
		{"// " + des + " (\"Contracts: Spec\")", ""},
		{"// " + des + " \"Points\"", ""},
		{"// (" + des + ": \"a diverged run is a result\n// row, not an error\")", ""},
		{"// " + sci + " section 4", "section 4 does not exist"},
		{"// " + sci + " sections 6\n// and 7", "section 6 does not exist"},
		{"// " + sci + " sections 1-5", "section 4 does not exist"},
		{"// " + sci + " section 9", "section 9 does not exist"}, // only inside a code fence
		{"// " + des + " \"Temporal\"", `no heading "Temporal"`},
		{"// " + des + " \"Results: Spec\"", `no heading "Results: Spec"`},
		{"// " + des + " \"Temporal limits: Spec\"", `no heading "Temporal limits: Spec"`},
		{"// " + des + ": \"a diverged run is an error\"", "is not in it"},
		{"// docs/" + "history.md section 1", "no such file"},
	}
	docs := fixtureDocs()
	for _, c := range cases {
		got := scanCitations("x.go", c.text, docs)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%q: want no finding, got %v", c.text, got)
		case c.want != "" && !slices.ContainsFunc(got, func(f finding) bool { return strings.Contains(f.msg, c.want) }):
			t.Errorf("%q: want a finding with %q, got %v", c.text, c.want, got)
		}
	}
}

// TestScanOutside: the references to things outside the repository are found, with their
// line; ordinary text is not.
func TestScanOutside(t *testing.T) {
	cases := []struct {
		text string
		line int // 0: no finding
	}{
		{"see `../" + "shared/REFER" + "ENCE.md`", 1},
		{"// line one\n// (see /" + "work/shared/x)", 2},
		{"// REFER" + "ENCE.md section 4", 1},
		{"// DESI" + "GN.md \"Contracts\"", 1},
		{"// the test of iss" + "ue 4", 1},
		{"# fixes Iss" + "ue #12", 1},
		{"// as the tests of iss" + "ue\n// 6 ask", 1},
		{"// see https://github.com/temporalio/sdk-go/iss" + "ues/1234", 0},
		{"// docs/" + "science.md section 4; shared/ and works/ are fine", 0},
		{"// an issue with 2 workers", 0},
	}
	for _, c := range cases {
		got := scanOutside("x.go", c.text)
		switch {
		case c.line == 0 && len(got) > 0:
			t.Errorf("%q: want no finding, got %v", c.text, got)
		case c.line > 0 && (len(got) == 0 || got[0].line != c.line):
			t.Errorf("%q: want a finding on line %d, got %v", c.text, c.line, got)
		}
	}
}

// TestScanLinks: relative Markdown links must name an existing path inside the repository.
func TestScanLinks(t *testing.T) {
	have := map[string]bool{"docs/" + "cluster.md": true, "examples/papers/momentum": true, "README.md": true}
	exists := func(p string) bool { return have[p] }
	cases := []struct {
		file, text, want string
	}{
		{"README.md", "[cluster](docs/cluster.md#tls) and [web](https://temporal.io) and [top](#layout)", ""},
		{"examples/papers/pesme2021/README.md", "[momentum](../momentum/)", ""},
		{"docs/" + "design.md", "[readme](../README.md)", ""},
		{"README.md", "[gone](docs/" + "missing.md)", "does not exist"},
		{"README.md", "[out](../" + "shared/x.md)", "leaves the repository"},
		{"README.md", "[abs](/etc/passwd)", "leaves the repository"},
	}
	for _, c := range cases {
		got := scanLinks(c.file, c.text, exists)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s %q: want no finding, got %v", c.file, c.text, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0].msg, c.want)):
			t.Errorf("%s %q: want one finding with %q, got %v", c.file, c.text, c.want, got)
		}
	}
}

// TestSectionNumbers: lists and ranges of section numbers expand as written.
func TestSectionNumbers(t *testing.T) {
	cases := map[string][]int{
		"4": {4}, "1-3": {1, 2, 3}, "2, 6, 8": {2, 6, 8}, "6\n// and 7": {6, 7}, "1-3, 7": {1, 2, 3, 7}, "5 to 6": {5, 6},
	}
	for in, want := range cases {
		if got := sectionNumbers(in); !slices.Equal(got, want) {
			t.Errorf("sectionNumbers(%q) = %v, want %v", in, got, want)
		}
	}
}
