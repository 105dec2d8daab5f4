// Package dynamics simulates the training dynamics of diagonal linear networks on sparse
// linear regression: data generation, models, optimisers, per-run metrics and the exact
// identities of the theory (see docs/science.md; sources are cited by their short
// names there, e.g. Even2023, Pesme2021).
//
// It is pure numerics on plain []float64 slices (row-major matrices) and imports neither
// Temporal nor Arrow. A run is a pure function of its Config: [Run] is safe for concurrent use
// and, for a given GOARCH, bit-for-bit reproducible across Go versions (see [GenerateData] for
// the random streams). Floating-point products inside sums are written as float64(a*b) so that
// the compiler never fuses them into FMA instructions (the Go spec allows fusion; gc does it
// for GOAMD64=v3 and on arm64), which would otherwise change results between builds.
//
// Extension points: models are looked up by name in modelTable (model.go) and optimisers in
// optimizerTable (optimizer.go). A new model (e.g. "deep", multi-task) implements the model
// interface on a flat parameter vector; a new optimiser (e.g. "hb", "nag", "sam", "sgf",
// "label_noise", "flow") implements the optimizer interface and may keep its own buffers.
package dynamics

// Version identifies the numerical behaviour of this package. Bump it whenever a Config
// would produce a different Result (it is part of result cache keys). TestGoldenResult fails
// when the numbers change, as a reminder.
const Version = "dynamics/2"
