//go:build noasm

package dynamics

// noasmBuild reports whether the build has the noasm tag (internal/kernel and gonum run their
// Go code).
const noasmBuild = true
