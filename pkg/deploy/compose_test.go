package deploy

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// repoRoot is the top of the repository, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// loadCompose loads docker-compose.yml the way `docker compose` does (interpolation,
// normalisation, consistency checks), with PWD set to the repository as when compose is run
// from there.
func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	root := repoRoot(t)
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithEnv([]string{"PWD=" + root}),
		cli.WithName("phasesweep"),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// pinnedServer is the go.temporal.io/server version go.mod requires: the compose file's
// Temporal images must match it, so that the schema the embedded server and the tests use is
// the one the cluster runs.
func pinnedServer(t *testing.T) string {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*go\.temporal\.io/server v(\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require go.temporal.io/server")
	}
	return string(m[1])
}

func TestComposeServices(t *testing.T) {
	p := loadCompose(t)
	want := []string{"postgresql", "schema-setup", "temporal", "namespace-setup", "temporal-ui", "worker"}
	for _, name := range want {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("service %q missing (have %v)", name, p.ServiceNames())
		}
	}
	if len(p.Services) != len(want) {
		t.Errorf("services %v, want exactly %v", p.ServiceNames(), want)
	}

	version := pinnedServer(t)
	for name, image := range map[string]string{
		"temporal":        "temporalio/server:" + version,
		"schema-setup":    "temporalio/admin-tools:" + version,
		"namespace-setup": "temporalio/admin-tools:" + version,
	} {
		if got := p.Services[name].Image; got != image {
			t.Errorf("%s: image %q, want %q (go.mod pins server v%s)", name, got, image, version)
		}
	}
	if img := p.Services["postgresql"].Image; !strings.HasPrefix(img, "postgres:") {
		t.Errorf("postgresql: image %q, want the official postgres image", img)
	}
	if img := p.Services["temporal-ui"].Image; !strings.HasPrefix(img, "temporalio/ui:") {
		t.Errorf("temporal-ui: image %q, want temporalio/ui", img)
	}
	// The server and the schema tool agree on the persistence plugin and database host.
	for _, name := range []string{"temporal", "schema-setup"} {
		env := p.Services[name].Environment
		if v := env["DB"]; v == nil || *v != "postgres12" {
			t.Errorf("%s: DB=%v, want postgres12", name, deref(v))
		}
		if v := env["POSTGRES_SEEDS"]; v == nil || *v != "postgresql" {
			t.Errorf("%s: POSTGRES_SEEDS=%v, want the postgresql service", name, deref(v))
		}
	}
}

// TestComposeStartOrder checks the depends_on graph: each service starts only when what it
// needs is healthy (a long-running service) or has completed (a setup job).
func TestComposeStartOrder(t *testing.T) {
	p := loadCompose(t)
	want := map[string]map[string]string{
		"schema-setup":    {"postgresql": types.ServiceConditionHealthy},
		"temporal":        {"schema-setup": types.ServiceConditionCompletedSuccessfully},
		"namespace-setup": {"temporal": types.ServiceConditionHealthy},
		"temporal-ui":     {"temporal": types.ServiceConditionHealthy},
		"worker":          {"namespace-setup": types.ServiceConditionCompletedSuccessfully},
	}
	for svc, deps := range want {
		got := p.Services[svc].DependsOn
		for dep, cond := range deps {
			if d, ok := got[dep]; !ok || d.Condition != cond {
				t.Errorf("%s depends_on %s: %+v, want condition %s", svc, dep, d, cond)
			}
		}
		if len(got) != len(deps) {
			t.Errorf("%s depends on %d services, want %d", svc, len(got), len(deps))
		}
	}
	// Whatever another service waits on to be healthy has a health check.
	for svc, deps := range want {
		for dep, cond := range deps {
			if cond == types.ServiceConditionHealthy {
				if hc := p.Services[dep].HealthCheck; hc == nil || len(hc.Test) == 0 || hc.Disable {
					t.Errorf("%s waits for %s to be healthy, but %s has no health check", svc, dep, dep)
				}
			}
		}
	}
}

// TestComposeWorker checks what `docker compose up --scale worker=N` relies on.
func TestComposeWorker(t *testing.T) {
	p := loadCompose(t)
	root := repoRoot(t)
	w := p.Services["worker"]
	if w.Build == nil {
		t.Fatal("worker: no build section; it must be built from the repository's Dockerfile")
	}
	if ctx := filepath.Clean(w.Build.Context); ctx != root {
		t.Errorf("worker: build context %q, want the repository %q", ctx, root)
	}
	if w.Build.Dockerfile != "Dockerfile" {
		t.Errorf("worker: dockerfile %q, want Dockerfile", w.Build.Dockerfile)
	}
	// Replicas need distinct container names and no fixed host port.
	if w.ContainerName != "" {
		t.Errorf("worker: container_name %q prevents --scale", w.ContainerName)
	}
	if len(w.Ports) != 0 {
		t.Errorf("worker: publishes ports %v, which prevents --scale", w.Ports)
	}
	if u := w.User; u == "" || u == "0" || strings.HasPrefix(u, "0:") || u == "root" {
		t.Errorf("worker: user %q, want a non-root user", u)
	}
	env := w.Environment
	if v := env["TEMPORAL_ADDRESS"]; v == nil || *v != "temporal:7233" {
		t.Errorf("worker: TEMPORAL_ADDRESS=%v, want temporal:7233", deref(v))
	}
	// The shared results location: the project directory at the same absolute path, so the
	// absolute --out that `sweep run` resolves on the host is valid inside every worker.
	var shared bool
	for _, v := range w.Volumes {
		if v.Type == types.VolumeTypeBind && v.Source == root && v.Target == root {
			shared = true
		}
	}
	if !shared {
		t.Errorf("worker: volumes %+v, want %s bound at the same path", w.Volumes, root)
	}
}

// workerEnv is the worker service's environment in docker-compose.yml.
func workerEnv(t *testing.T) types.MappingWithEquals {
	return loadCompose(t).Services["worker"].Environment
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}
