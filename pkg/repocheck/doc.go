// Package repocheck holds checks of the repository as a whole rather than of one package: its
// tests read every tracked text file (Go, Markdown, shell, YAML, Python, assembly, Dockerfile,
// Makefile, .ci/run) and check that the repository stands alone, i.e. that no file points at
// a path outside it or at an issue tracker that does not come with a clone, and that every
// citation of the documentation under docs/ names a file, a section or a quoted passage that
// exists there.
//
// The forms of citation it understands, as they appear in comments and prose (a citation may
// wrap onto the next comment line):
//
//	docs/science.md section 4          a numbered heading "## 4. ..." of docs/science.md
//	docs/science.md sections 1-3, 7    each number of the list, ranges expanded
//	docs/design.md "Temporal limits"   a heading of that text
//	docs/design.md "Contracts: Spec"   the heading "Spec" under the heading "Contracts"
//	docs/design.md: "a diverged run is a result row, not an error"
//	                                   a passage of the file (case and spacing ignored)
//
// The package has no code besides its tests.
package repocheck
