# The phasesweep worker image: a static, pure-Go binary on a distroless base, run as a non-root
# user. docker-compose.yml builds it for its `worker` service; docs/cluster.md shows how to run
# it elsewhere (SLURM, Kubernetes). The build command below is also run by pkg/deploy's test.

# --- build stage: the Go toolchain the project pins (go.mod: go 1.26.8) ---
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Modules first, so that editing the source does not re-download them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/worker ./worker

# --- run stage: no shell, no package manager, uid 65532 ---
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /usr/local/bin/worker
USER 65532:65532
# Connection settings come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
# PHASESWEEP_TASK_QUEUE, TEMPORAL_TLS_*, TEMPORAL_API_KEY, PHASESWEEP_WORKER_CONCURRENCY) or
# from flags appended to `docker run ... IMAGE`.
ENTRYPOINT ["/usr/local/bin/worker"]
