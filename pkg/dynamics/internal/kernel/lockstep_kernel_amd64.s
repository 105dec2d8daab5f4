//go:build !noasm

#include "textflag.h"

// AVX2 kernels of the lockstep loop (lockstep_asm_amd64.go documents the contracts). A YMM
// register holds 4 columns (4 runs); every lane does the scalar operation of the portable
// kernel of lockstep_kernel.go, VMULPD then VADDPD (two roundings, never a fused multiply-add),
// so each column keeps its single-run order of operations. Strides: s*8 bytes between rows of
// beta, r, g, u, v; d*8 (x) or n*8 (x^T) between rows of X. Registers R14 and R15 are not
// used (the ABI wrapper restores R14 and X15 after an ABI0 call).

// MADD24 adds the products of one step of the sum over k for 2 rows x 4 column vectors:
// Y0..Y3 += X[0] * B[0..3], Y4..Y7 += X[XD] * B[0..3], where X = (XP) (broadcast scalars
// at XP and XP+XD) and B = (BP) (4 vectors). Clobbers Y8..Y15.
#define MADD24(XP, XD, BP) \
	VBROADCASTSD (XP), Y12; \
	VBROADCASTSD (XP)(XD*1), Y13; \
	VMULPD (BP), Y12, Y14; \
	VADDPD Y14, Y0, Y0; \
	VMULPD 32(BP), Y12, Y15; \
	VADDPD Y15, Y1, Y1; \
	VMULPD 64(BP), Y12, Y14; \
	VADDPD Y14, Y2, Y2; \
	VMULPD 96(BP), Y12, Y15; \
	VADDPD Y15, Y3, Y3; \
	VMULPD (BP), Y13, Y14; \
	VADDPD Y14, Y4, Y4; \
	VMULPD 32(BP), Y13, Y15; \
	VADDPD Y15, Y5, Y5; \
	VMULPD 64(BP), Y13, Y14; \
	VADDPD Y14, Y6, Y6; \
	VMULPD 96(BP), Y13, Y15; \
	VADDPD Y15, Y7, Y7

#define ZERO8 \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	VXORPD Y2, Y2, Y2; \
	VXORPD Y3, Y3, Y3; \
	VXORPD Y4, Y4, Y4; \
	VXORPD Y5, Y5, Y5; \
	VXORPD Y6, Y6, Y6; \
	VXORPD Y7, Y7, Y7

#define STORE4(P, OFF, A, B, C, D) \
	VMOVUPD A, OFF(P); \
	VMOVUPD B, (OFF+32)(P); \
	VMOVUPD C, (OFF+64)(P); \
	VMOVUPD D, (OFF+96)(P)

#define LOAD4(P, A, B, C, D) \
	VMOVUPD (P), A; \
	VMOVUPD 32(P), B; \
	VMOVUPD 64(P), C; \
	VMOVUPD 96(P), D

// COMB sets Y = (p0 + p1) + (p2 + p3) for the partial sums p_q at OFF(P) + q*DX (DX one row,
// R11 three rows of the scratch), the combination of kernel.go's dot.
#define COMB(P, OFF, Y) \
	VMOVUPD OFF(P), Y8; \
	VADDPD OFF(P)(DX*1), Y8, Y8; \
	VMOVUPD OFF(P)(DX*2), Y9; \
	VADDPD OFF(P)(R11*1), Y9, Y9; \
	VADDPD Y9, Y8, Y

// SSADD adds A*A to the 4 floats at OFF(P) (the sum of squares of one column vector).
#define SSADD(P, OFF, A) \
	VMULPD A, A, Y14; \
	VADDPD OFF(P), Y14, Y14; \
	VMOVUPD Y14, OFF(P)

// func residPass4(x, beta, part *float64, n, d, s, jn, load int)
//
// The four partial sums of dot(x_i, beta_b) (kernel.go: p_q over j = q mod 4) for the 16
// columns from beta, over the jn rows (a multiple of 4) of beta from the pointers x (row 0 of
// X at the block's first j) and beta (the block's first row): p_q of row i is in row 4i + q of
// part (stride s), set from +0 (load = 0) or added to (load = 1, a later block of j). The
// partial sums are independent chains, so each takes its own pass over j = q, q+4, ... with 8
// accumulators (2 rows x 4 vectors). Rows go in pairs; a last odd row is computed twice (the
// second copy aliases the first, same bits).
TEXT ·residPass4(SB), NOSPLIT, $8-64
	MOVQ x+0(FP), SI
	MOVQ beta+8(FP), DI
	MOVQ part+16(FP), R13
	MOVQ s+40(FP), DX
	SHLQ $3, DX                   // DX: bytes per row of beta and part
	MOVQ DX, R10
	SHLQ $2, R10                  // R10: 4 rows
	MOVQ n+24(FP), AX
	MOVQ AX, rows-8(SP)           // rows left

ppair:
	MOVQ d+32(FP), R9
	SHLQ $3, R9                   // R9: bytes to row i+1 of x
	MOVQ R10, R12                 // R12: rows 4i+q to 4(i+1)+q of part
	CMPQ rows-8(SP), $1
	JNE ptwo
	XORQ R9, R9
	XORQ R12, R12

ptwo:
	MOVQ SI, R11                  // x + q*8
	XORQ AX, AX                   // AX: q rows

ppass:
	MOVQ R11, R8
	LEAQ (DI)(AX*1), BX
	CMPQ load+56(FP), $0
	JNE pload
	ZERO8
	JMP pgo

pload:
	LEAQ (R13)(AX*1), CX
	LOAD4(CX, Y0, Y1, Y2, Y3)
	ADDQ R12, CX
	LOAD4(CX, Y4, Y5, Y6, Y7)

pgo:
	MOVQ jn+48(FP), CX
	SHRQ $2, CX
	JEQ pstore

pinner:
	MADD24(R8, R9, BX)
	ADDQ $32, R8
	ADDQ R10, BX
	DECQ CX
	JNZ pinner

pstore:
	LEAQ (R13)(AX*1), CX
	STORE4(CX, 0, Y0, Y1, Y2, Y3)
	ADDQ R12, CX
	STORE4(CX, 0, Y4, Y5, Y6, Y7)
	ADDQ $8, R11
	ADDQ DX, AX
	CMPQ AX, R10
	JNE ppass

	TESTQ R9, R9
	JEQ pdone
	LEAQ (SI)(R9*2), SI
	LEAQ (R13)(R12*2), R13
	SUBQ $2, rows-8(SP)
	JNE ppair

pdone:
	VZEROUPPER
	RET

// func residFinish4(x, y, beta, r, ss, part *float64, n, d, s int)
//
// Ends residPass4's sums for the 16 columns from beta: r_ib = ((p0 + p1) + (p2 + p3)) + the
// products of the remainder j >= d &^ 3 in index order, - y_i; ss_b = sum_i r_ib^2 in row
// order (set, not added to).
TEXT ·residFinish4(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ part+40(FP), R13
	MOVQ s+64(FP), DX
	SHLQ $3, DX                   // DX: bytes per row of beta, r and part
	LEAQ (DX)(DX*2), R11          // R11: 3 rows
	MOVQ DX, R10
	SHLQ $2, R10                  // R10: 4 rows
	MOVQ d+56(FP), DI
	ANDQ $-4, DI
	LEAQ (SI)(DI*8), SI           // SI: x_i at j = d &^ 3
	IMULQ DX, DI
	ADDQ beta+16(FP), DI          // DI: beta row d &^ 3
	MOVQ ss+32(FP), BX
	VXORPD Y0, Y0, Y0
	STORE4(BX, 0, Y0, Y0, Y0, Y0)
	XORQ AX, AX                   // AX: row i

fpair:
	CMPQ AX, n+48(FP)
	JGE fdone
	MOVQ d+56(FP), R9
	SHLQ $3, R9                   // R9: bytes to row i+1 of x
	MOVQ R10, R12                 // R12: bytes to row i+1's partial sums
	MOVQ n+48(FP), CX
	SUBQ AX, CX
	CMPQ CX, $1
	JNE ftwo
	XORQ R9, R9                   // a last single row: row "i+1" is row i again
	XORQ R12, R12

ftwo:
	COMB(R13, 0, Y0)
	COMB(R13, 32, Y1)
	COMB(R13, 64, Y2)
	COMB(R13, 96, Y3)
	LEAQ (R13)(R12*1), CX
	COMB(CX, 0, Y4)
	COMB(CX, 32, Y5)
	COMB(CX, 64, Y6)
	COMB(CX, 96, Y7)

	// remainder j = d &^ 3 .. d-1, in index order
	MOVQ d+56(FP), CX
	ANDQ $3, CX
	JEQ fnorem
	MOVQ SI, R8
	MOVQ DI, BX

frem:
	MADD24(R8, R9, BX)
	ADDQ $8, R8
	ADDQ DX, BX
	DECQ CX
	JNZ frem

fnorem:
	// row i: r = sum - y_i, ss += r^2
	MOVQ y+8(FP), CX
	VBROADCASTSD (CX)(AX*8), Y12
	VSUBPD Y12, Y0, Y0
	VSUBPD Y12, Y1, Y1
	VSUBPD Y12, Y2, Y2
	VSUBPD Y12, Y3, Y3
	MOVQ AX, CX
	IMULQ DX, CX
	ADDQ r+24(FP), CX
	STORE4(CX, 0, Y0, Y1, Y2, Y3)
	MOVQ ss+32(FP), BX
	SSADD(BX, 0, Y0)
	SSADD(BX, 32, Y1)
	SSADD(BX, 64, Y2)
	SSADD(BX, 96, Y3)
	TESTQ R9, R9
	JEQ fdone

	// row i+1
	MOVQ y+8(FP), R8
	VBROADCASTSD 8(R8)(AX*8), Y13
	VSUBPD Y13, Y4, Y4
	VSUBPD Y13, Y5, Y5
	VSUBPD Y13, Y6, Y6
	VSUBPD Y13, Y7, Y7
	ADDQ DX, CX
	STORE4(CX, 0, Y4, Y5, Y6, Y7)
	SSADD(BX, 0, Y4)
	SSADD(BX, 32, Y5)
	SSADD(BX, 64, Y6)
	SSADD(BX, 96, Y7)
	ADDQ $2, AX
	LEAQ (SI)(R9*2), SI
	LEAQ (R13)(R12*2), R13
	JMP fpair

fdone:
	VZEROUPPER
	RET

// func gradStrip4(xt, r, gr *float64, n, d, s int, m float64)
//
// Columns 0..15 of r (4 vectors): g_jb = (sum_i x_ij r_ib, i in index order from +0) / m,
// for pairs of rows j of X^T (a last odd row is computed twice, stored once).
TEXT ·gradStrip4(SB), NOSPLIT, $0-56
	MOVQ xt+0(FP), SI
	MOVQ gr+16(FP), DI
	MOVQ s+40(FP), DX
	SHLQ $3, DX                   // DX: bytes per row of r and g
	MOVQ d+32(FP), AX             // AX: rows of g left

gpair:
	TESTQ AX, AX
	JEQ gdone
	MOVQ n+24(FP), R9
	SHLQ $3, R9                   // R9: bytes to row j+1 of x^T
	CMPQ AX, $1
	JNE gtwo
	XORQ R9, R9

gtwo:
	ZERO8
	MOVQ SI, R8
	MOVQ r+8(FP), BX
	MOVQ n+24(FP), CX

ginner:
	MADD24(R8, R9, BX)
	ADDQ $8, R8
	ADDQ DX, BX
	DECQ CX
	JNZ ginner

	VBROADCASTSD m+48(FP), Y12
	VDIVPD Y12, Y0, Y0
	VDIVPD Y12, Y1, Y1
	VDIVPD Y12, Y2, Y2
	VDIVPD Y12, Y3, Y3
	STORE4(DI, 0, Y0, Y1, Y2, Y3)
	TESTQ R9, R9
	JEQ gdone
	VDIVPD Y12, Y4, Y4
	VDIVPD Y12, Y5, Y5
	VDIVPD Y12, Y6, Y6
	VDIVPD Y12, Y7, Y7
	ADDQ DX, DI
	STORE4(DI, 0, Y4, Y5, Y6, Y7)
	ADDQ DX, DI
	LEAQ (SI)(R9*2), SI
	SUBQ $2, AX
	JMP gpair

gdone:
	VZEROUPPER
	RET
