// Package dynamics simulates the training dynamics of diagonal linear networks on sparse
// linear regression: data generation, models, optimisers, per-run metrics and the exact
// identities of the theory. Sources are cited by short names: Even2023 (Even, Pesme,
// Gunasekar, Flammarion, NeurIPS 2023, arXiv 2302.08982), Pesme2021 (arXiv 2106.09524),
// Pesme2023 (arXiv 2304.00488), Lippl2024 (arXiv 2310.02396), Lyu2025 (Lyu et al.,
// "Heavy-Ball Momentum Method in Continuous Time and Discretization Error Analysis", arXiv
// 2506.14806), Papazov2024 (AISTATS 2024, arXiv 2403.05293), Woodworth2020 ("Kernel and
// rich regimes in overparametrized models").
//
// It is pure numerics on plain []float64 slices (row-major matrices) and imports neither
// Temporal nor Arrow. A run is a pure function of its Config: [Run] is safe for concurrent use
// and, for a given GOARCH, bit-for-bit reproducible across Go versions (see [GenerateData] for
// the random streams). Floating-point products inside sums are written as float64(a*b) so that
// the compiler never fuses them into FMA instructions (the Go spec allows fusion; gc does it
// for GOAMD64=v3 and on arm64), which would otherwise change results between builds. The
// linear-algebra kernels of the training loops are in internal/kernel: Go code and, on amd64
// with AVX2, assembly that gives its bits (PHASESWEEP_NO_ASM=1 or the noasm build tag turns
// the assembly off).
//
// Extension points: models are looked up by name in modelTable (model.go) and optimisers in
// optimizerTable (optimizer.go). A new model (e.g. "deep", multi-task) implements the model
// interface on a flat parameter vector; a new optimiser (e.g. "hb", "nag", "sam", "sgf",
// "label_noise", "flow", "hb_flow") implements the optimizer interface and may keep its own buffers.
package dynamics

// Version identifies the numerical behaviour of this package. Bump it whenever a Config
// would produce a different Result (it is part of result cache keys). TestGoldenResult fails
// when the numbers change, as a reminder.
const Version = "dynamics/3"
