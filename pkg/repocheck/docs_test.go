package repocheck

import (
	"bufio"
	"bytes"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is the first line of the repository's go.mod.
const module = "module github.com/phasesweep/phasesweep"

// repoRoot finds the repository root: the nearest directory above the working directory whose
// go.mod declares the module.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			sc := bufio.NewScanner(f)
			first := sc.Scan() && strings.TrimSpace(sc.Text()) == module
			f.Close()
			if first {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod with %q above the working directory", module)
		}
		dir = parent
	}
}

// checkedExt are the extensions of the text files the checks read.
var checkedExt = map[string]bool{".go": true, ".md": true, ".sh": true, ".yaml": true, ".yml": true, ".py": true, ".s": true}

// checkedName reports whether the file at p (slash-separated, from the root) is read by the
// checks.
func checkedName(p string) bool {
	base := path.Base(p)
	return checkedExt[path.Ext(p)] || base == "Dockerfile" || base == "Makefile" || p == ".ci/run"
}

// textFiles returns the checked files of the repository (slash-separated paths from root) and
// their contents: the files git tracks, or, where git cannot list them, every file below root
// outside dot-directories and the outputs that .gitignore leaves out (runs/, .sweep/).
func textFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	var paths []string
	if out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output(); err == nil {
		for _, p := range strings.Split(string(out), "\x00") {
			if p != "" {
				paths = append(paths, p)
			}
		}
	} else {
		t.Logf("git ls-files failed (%v): walking %s instead", err, root)
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if e.IsDir() && rel != "." && rel != ".ci" && (strings.HasPrefix(e.Name(), ".") || rel == "runs") {
				return filepath.SkipDir
			}
			if !e.IsDir() {
				paths = append(paths, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{}
	for _, p := range paths {
		if !checkedName(p) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if os.IsNotExist(err) {
			continue // tracked but deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary
		}
		files[p] = string(b)
	}
	// A sanity floor: an empty listing would pass every check below.
	if len(files) < 100 {
		t.Fatalf("only %d text files found under %s: the listing is broken", len(files), root)
	}
	return files
}

// TestRepositoryStandsAlone: no tracked text file points at a path outside the repository
// (the shared directory beside it, the development machine's absolute paths), at the
// documents those paths held under their old names, or at issues of a tracker that a clone
// does not have.
func TestRepositoryStandsAlone(t *testing.T) {
	files := textFiles(t, repoRoot(t))
	for _, p := range slices.Sorted(maps.Keys(files)) {
		for _, f := range scanOutside(p, files[p]) {
			t.Error(f)
		}
	}
}

// TestDocCitationsResolve: every citation of docs/<name>.md names an existing file, and its
// section numbers, headings and quoted passages exist there; every relative Markdown link
// names a file or directory of the repository.
func TestDocCitationsResolve(t *testing.T) {
	root := repoRoot(t)
	files := textFiles(t, root)
	docs := map[string]*docFile{}
	for p, text := range files {
		if path.Dir(p) == "docs" && path.Ext(p) == ".md" {
			docs[p] = parseDoc(text)
		}
	}
	for _, want := range []string{"docs/science.md", "docs/design.md"} {
		if docs[want] == nil {
			t.Fatalf("%s is missing", want)
		}
	}
	exists := func(p string) bool {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
		return err == nil
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		for _, f := range scanCitations(p, files[p], docs) {
			t.Error(f)
		}
		if path.Ext(p) == ".md" {
			for _, f := range scanLinks(p, files[p], exists) {
				t.Error(f)
			}
		}
	}
}
