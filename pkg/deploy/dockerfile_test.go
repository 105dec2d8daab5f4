package deploy

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines joined.
type instruction struct {
	op, args string
	line     int
}

// parseDockerfile reads the instructions of a Dockerfile (comments dropped, backslash
// continuations joined); enough of the format for the checks below.
func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		op, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{strings.ToUpper(op), strings.TrimSpace(args), start})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDockerfileStages checks the image layout: a Go build stage, then a minimal final stage
// that copies the binary out of it and runs as a non-root user.
func TestDockerfileStages(t *testing.T) {
	ins := parseDockerfile(t, filepath.Join(repoRoot(t), "Dockerfile"))
	var froms []instruction
	for _, in := range ins {
		if in.op == "FROM" {
			froms = append(froms, in)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a multi-stage build", len(froms))
	}
	if !strings.HasPrefix(froms[0].args, "golang:1.26.8") {
		t.Errorf("build stage %q, want golang:1.26.8 (go.mod's Go)", froms[0].args)
	}
	last := froms[len(froms)-1]
	if !strings.Contains(last.args, "distroless/static") {
		t.Errorf("final stage %q, want a static distroless base", last.args)
	}
	var user, copyBin, entry string
	for _, in := range ins {
		if in.line < last.line {
			continue
		}
		switch in.op {
		case "USER":
			user = in.args
		case "COPY":
			if strings.HasPrefix(in.args, "--from=build ") {
				copyBin = in.args
			}
		case "ENTRYPOINT":
			entry = in.args
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") {
		t.Errorf("final stage USER %q, want a non-root user", user)
	}
	if !strings.Contains(copyBin, "/out/worker") {
		t.Errorf("final stage COPY %q, want the worker built in the build stage", copyBin)
	}
	if !strings.Contains(entry, "worker") {
		t.Errorf("ENTRYPOINT %q, want the worker", entry)
	}
}

// TestDockerfileBuildsStaticWorker runs the Dockerfile's own `go build` command line (with its
// output redirected to a temporary directory), then checks that the binary is static (no
// program interpreter, no dynamic section: it runs on distroless/static) and that its --help
// documents every environment variable docker-compose.yml gives the worker service.
func TestDockerfileBuildsStaticWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the worker")
	}
	root := repoRoot(t)
	var build string
	for _, in := range parseDockerfile(t, filepath.Join(root, "Dockerfile")) {
		if in.op == "RUN" && strings.Contains(in.args, "go build") {
			build = in.args
		}
	}
	if build == "" {
		t.Fatal("Dockerfile has no RUN ... go build")
	}
	if !strings.Contains(build, "CGO_ENABLED=0") {
		t.Fatalf("build command %q does not set CGO_ENABLED=0", build)
	}
	out := t.TempDir()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(build, "/out/", out+"/"))
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, b)
	}
	bin := filepath.Join(out, "worker")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("worker binary has a %v program header: not static", p.Type)
		}
	}
	help, _ := exec.Command(bin, "--help").CombinedOutput()
	for name := range workerEnv(t) {
		if !strings.Contains(string(help), name) {
			t.Errorf("compose sets %s for the worker, but `worker --help` does not mention it:\n%s", name, help)
		}
	}
}
