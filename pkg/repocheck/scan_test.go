package repocheck

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// finding is one problem found in one file.
type finding struct {
	file string
	line int
	msg  string
}

func (f finding) String() string { return fmt.Sprintf("%s:%d: %s", f.file, f.line, f.msg) }

// lineAt is the 1-based line of byte offset off in text.
func lineAt(text string, off int) int { return 1 + strings.Count(text[:off], "\n") }

// outsideRule is a pattern no file of a stand-alone repository contains, and why.
type outsideRule struct {
	re  *regexp.Regexp
	why string
}

// outsideRules are the references to things a clone of the repository does not have. The
// patterns are built so that this file does not match them itself.
var outsideRules = []outsideRule{
	{regexp.MustCompile(`\.\./shared\b`), "points at the shared directory beside the repository, outside it"},
	{regexp.MustCompile(regexp.QuoteMeta("/" + "work" + "/")), "points at an absolute path of the development machine, outside the repository"},
	{regexp.MustCompile(`\b(?:REFERENCE|DESIGN)\.md\b`), "cites a document that is not in the repository (the science is docs/science.md, the design docs/design.md)"},
	{regexp.MustCompile(`(?i)\bissues?(?:\s+(?://|#)?\s*|#)\d+`), "cites an issue of a tracker that does not come with the repository (name the behaviour, or drop it)"},
}

// scanOutside returns the references of text (the content of file) to things outside the
// repository.
func scanOutside(file, text string) []finding {
	var out []finding
	for _, r := range outsideRules {
		for _, m := range r.re.FindAllStringIndex(text, -1) {
			out = append(out, finding{file, lineAt(text, m[0]), fmt.Sprintf("%q %s", text[m[0]:m[1]], r.why)})
		}
	}
	return out
}

// heading is one Markdown heading of a documentation file.
type heading struct {
	level int    // number of #
	text  string // without the #s
}

// docFile is a documentation file under docs/ as the citation checks see it.
type docFile struct {
	text     string
	headings []heading
	numbers  map[int]bool // N of every heading "N. Title"
}

var (
	headingLine   = regexp.MustCompile(`^(#{1,6})[ \t]+(.+?)[ \t#]*$`)
	numberedTitle = regexp.MustCompile(`^(\d+)\.[ \t]`)
)

// parseDoc reads the headings of a Markdown file, leaving out lines inside fenced code.
func parseDoc(text string) *docFile {
	d := &docFile{text: text, numbers: map[int]bool{}}
	fenced := false
	for _, ln := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(ln), "```") {
			fenced = !fenced
			continue
		}
		m := headingLine.FindStringSubmatch(ln)
		if fenced || m == nil {
			continue
		}
		d.headings = append(d.headings, heading{len(m[1]), m[2]})
		if n := numberedTitle.FindStringSubmatch(m[2]); n != nil {
			k, _ := strconv.Atoi(n[1])
			d.numbers[k] = true
		}
	}
	return d
}

// hasHeadingPath reports whether cite names a heading: its exact text (a numbered heading
// also without its "N. "), or "A: B: ..." for a heading B below a heading A.
func (d *docFile) hasHeadingPath(cite string) bool {
	if d.headingAt(cite, 0, 0) >= 0 {
		return true
	}
	at, level := 0, 0
	for _, part := range strings.Split(cite, ": ") {
		k := d.headingAt(part, at, level)
		if k < 0 {
			return false
		}
		at, level = k+1, d.headings[k].level
	}
	return true
}

// headingAt returns the index of the first heading from index from whose text is name and
// whose level is deeper than parent, before the parent's section ends (parent 0: anywhere);
// -1 if there is none.
func (d *docFile) headingAt(name string, from, parent int) int {
	for k := from; k < len(d.headings); k++ {
		h := d.headings[k]
		if parent > 0 && h.level <= parent {
			return -1
		}
		if h.text == name || numberedTitle.ReplaceAllString(h.text, "") == name {
			return k
		}
	}
	return -1
}

// commentGap matches what may stand between the parts of a citation wrapped onto the next
// line of a comment: spaces, newlines and comment markers.
const commentGap = `[\s/#*]*`

var (
	docRef      = regexp.MustCompile(`\bdocs/([A-Za-z0-9_-]+)\.md\b`)
	sectionTail = regexp.MustCompile(`^` + commentGap + `sections?` + commentGap + `(\d+(?:` + commentGap + `(?:,|-|–|and|to|&)` + commentGap + `\d+)*)`)
	headingTail = regexp.MustCompile(`^ \(?"([^"\n]+)"`)
	quoteTail   = regexp.MustCompile(`^:[ \t]*"([^"]+)"`)
	listToken   = regexp.MustCompile(`\d+|-|–|to`)
	gapMarkers  = regexp.MustCompile(`\n[ \t]*(?://|#)?`)
	spaces      = regexp.MustCompile(`\s+`)
)

// sectionNumbers expands a list such as "1-3, 7" or "6 and 7" into its numbers.
func sectionNumbers(list string) []int {
	var nums []int
	tokens := listToken.FindAllString(list, -1)
	for k := 0; k < len(tokens); k++ {
		n, err := strconv.Atoi(tokens[k])
		if err != nil {
			continue
		}
		if k+2 < len(tokens) && (tokens[k+1] == "-" || tokens[k+1] == "–" || tokens[k+1] == "to") {
			if m, err := strconv.Atoi(tokens[k+2]); err == nil && m >= n && m-n < 100 {
				for i := n; i <= m; i++ {
					nums = append(nums, i)
				}
				k += 2
				continue
			}
		}
		nums = append(nums, n)
	}
	return nums
}

// normalised is s with comment markers at line starts dropped, runs of white space made one
// space, and in lower case: the form in which a quoted passage is looked up.
func normalised(s string) string {
	return strings.ToLower(strings.TrimSpace(spaces.ReplaceAllString(gapMarkers.ReplaceAllString(s, " "), " ")))
}

// scanCitations checks every citation of docs/<name>.md in text (the content of file): the
// file must be one of docs (keyed "docs/<name>.md"), each cited section number a numbered
// heading of it, each cited heading one of its headings, each quoted passage in its text.
func scanCitations(file, text string, docs map[string]*docFile) []finding {
	var out []finding
	for _, m := range docRef.FindAllStringIndex(text, -1) {
		name, line := text[m[0]:m[1]], lineAt(text, m[0])
		bad := func(format string, args ...any) {
			out = append(out, finding{file, line, name + ": " + fmt.Sprintf(format, args...)})
		}
		d, ok := docs[name]
		if !ok {
			bad("no such file in the repository")
			continue
		}
		rest := text[m[1]:]
		switch {
		case sectionTail.MatchString(rest):
			list := sectionTail.FindStringSubmatch(rest)[1]
			for _, n := range sectionNumbers(list) {
				if !d.numbers[n] {
					bad("section %d does not exist (no heading %q)", n, strconv.Itoa(n)+". ...")
				}
			}
		case quoteTail.MatchString(rest):
			q := quoteTail.FindStringSubmatch(rest)[1]
			if !strings.Contains(normalised(d.text), normalised(q)) {
				bad("the quoted passage %q is not in it", q)
			}
		case headingTail.MatchString(rest):
			h := headingTail.FindStringSubmatch(rest)[1]
			if !d.hasHeadingPath(h) {
				bad("no heading %q", h)
			}
		}
	}
	return out
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// scanLinks checks the relative links of a Markdown file (its path file, slash-separated from
// the repository root): each must name a file or directory of the repository, as exists
// reports. Links with a scheme and pure #anchors are left alone.
func scanLinks(file, text string, exists func(string) bool) []finding {
	var out []finding
	for _, m := range mdLink.FindAllStringSubmatchIndex(text, -1) {
		target := text[m[2]:m[3]]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		target, _, _ = strings.Cut(target, "#")
		p := path.Clean(path.Join(path.Dir(file), target))
		switch {
		case path.IsAbs(target) || p == ".." || strings.HasPrefix(p, "../"):
			out = append(out, finding{file, lineAt(text, m[0]), fmt.Sprintf("link %q leaves the repository", target)})
		case !exists(p):
			out = append(out, finding{file, lineAt(text, m[0]), fmt.Sprintf("link %q names %s, which does not exist", target, p)})
		}
	}
	return out
}
