# The developer loops of phasesweep (see CONTRIBUTING.md). CI runs `bash .ci/run`, which is
# `make lint`'s gofmt and vet plus every test.
#
#   make test     the fast loop: unit tests and the workflow tests under the SDK's test suite,
#                 -short, every package but cli (whose tests build the binaries and start real
#                 Temporal servers)
#   make e2e      the rest: cli's end-to-end tests against real servers, and the long cases
#                 that -short skips elsewhere
#   make lint     gofmt, go vet, staticcheck, workflowcheck (the tools are installed at the
#                 pinned versions below when missing)
#   make race     the packages with goroutines, under the race detector
#   make bench    the kernels against numpy (bench/run.sh, 6-10 minutes)
#   make figures  the paper recipes' figures and wall times (examples/papers/regen.sh)

GO ?= go
MODULE := github.com/phasesweep/phasesweep

# Pinned tool versions (Go module proxy, checked 2026-12): staticcheck 2025.x is v0.8.2 of
# honnef.co/go/tools; workflowcheck is its own module in the Temporal SDK repository.
STATICCHECK_MODULE := honnef.co/go/tools
STATICCHECK_VERSION := v0.8.2
WORKFLOWCHECK_MODULE := go.temporal.io/sdk/contrib/tools/workflowcheck
WORKFLOWCHECK_VERSION := v0.6.0

GOBIN := $(shell $(GO) env GOBIN)
ifeq ($(GOBIN),)
GOBIN := $(shell $(GO) env GOPATH)/bin
endif
STATICCHECK := $(GOBIN)/staticcheck
WORKFLOWCHECK := $(GOBIN)/workflowcheck

# cli's tests build the sweep and worker binaries (TestMain) and start embedded servers even
# with -short; every other package's -short tests run in process.
E2E_PKGS := ./cli
TEST_PKGS = $(filter-out $(MODULE)/cli,$(shell $(GO) list ./...))
# Packages that start goroutines of their own (the 2-core split of lockstep blocks, heartbeats,
# the cache's index, the store's transfers) or run activities beside workflows (the SDK suite).
RACE_PKGS := ./pkg/dynamics ./pkg/dynamics/internal/kernel ./pkg/chunkrun ./activities ./workflows ./pkg/cache ./pkg/grid ./pkg/store ./pkg/results

.PHONY: test e2e lint fmt vet staticcheck workflowcheck race bench figures tools

test:
	$(GO) test -short -timeout 10m $(TEST_PKGS)

# Without -short: cli end to end, and the cases -short skips in the other packages (their fast
# tests run again; go test caches none of a -short run for a full one).
e2e:
	$(GO) test -timeout 30m $(E2E_PKGS)
	$(GO) test -timeout 20m ./activities ./workflows ./pkg/dynamics ./pkg/deploy

# Every check runs, even after one fails; the target fails if any did.
lint:
	@status=0; for t in fmt vet staticcheck workflowcheck; do $(MAKE) --no-print-directory $$t || status=1; done; exit $$status

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

# workflowcheck reports non-deterministic calls reachable from workflow functions.
workflowcheck: $(WORKFLOWCHECK)
	$(WORKFLOWCHECK) ./workflows/...

race:
	$(GO) test -race -short -timeout 20m $(RACE_PKGS)

bench:
	bash bench/run.sh

figures:
	bash examples/papers/regen.sh

tools: $(STATICCHECK) $(WORKFLOWCHECK)

# A tool is (re)installed when it is missing or was built from another version than the pin
# (go version -m reads the module version recorded in the binary).
$(STATICCHECK): FORCE
	@$(GO) version -m $@ 2>/dev/null | grep -q "mod	$(STATICCHECK_MODULE)	$(STATICCHECK_VERSION)" || \
	{ echo "installing staticcheck $(STATICCHECK_VERSION)"; $(GO) install $(STATICCHECK_MODULE)/cmd/staticcheck@$(STATICCHECK_VERSION); }

$(WORKFLOWCHECK): FORCE
	@$(GO) version -m $@ 2>/dev/null | grep -q "mod	$(WORKFLOWCHECK_MODULE)	$(WORKFLOWCHECK_VERSION)" || \
	{ echo "installing workflowcheck $(WORKFLOWCHECK_VERSION)"; $(GO) install $(WORKFLOWCHECK_MODULE)@$(WORKFLOWCHECK_VERSION); }

.PHONY: FORCE
FORCE:
