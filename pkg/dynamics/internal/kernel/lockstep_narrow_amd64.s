//go:build !noasm

#include "textflag.h"

// The AVX2 kernels on one column vector (4 columns) for blocks narrower than the 16 columns
// of residStrip4 and gradStrip4, and the gd update. Same rules as lockstep_kernel_amd64.s:
// VMULPD then VADDPD/VSUBPD (no FMA), each lane one column in its single-run order.

// func residStrip1(x, y, beta, r, ss *float64, n, d, s int)
//
// residStrip4 on columns 0..3: the four partial sums of dot over j mod 4 in Y0..Y3 at once.
TEXT ·residStrip1(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ beta+16(FP), DI
	MOVQ r+24(FP), R12
	MOVQ y+8(FP), R13
	MOVQ s+56(FP), DX
	SHLQ $3, DX                   // DX: bytes per row of beta and r
	LEAQ (DX)(DX*2), R11          // R11: 3 rows
	LEAQ (DX)(DX*1), R10
	SHLQ $1, R10                  // R10: 4 rows
	VXORPD Y15, Y15, Y15          // Y15: ss
	MOVQ n+40(FP), AX

r1row:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, R8
	MOVQ DI, BX
	MOVQ d+48(FP), CX
	SHRQ $2, CX
	JEQ r1comb

r1quad:
	VBROADCASTSD (R8), Y4
	VMULPD (BX), Y4, Y4
	VADDPD Y4, Y0, Y0
	VBROADCASTSD 8(R8), Y5
	VMULPD (BX)(DX*1), Y5, Y5
	VADDPD Y5, Y1, Y1
	VBROADCASTSD 16(R8), Y6
	VMULPD (BX)(DX*2), Y6, Y6
	VADDPD Y6, Y2, Y2
	VBROADCASTSD 24(R8), Y7
	VMULPD (BX)(R11*1), Y7, Y7
	VADDPD Y7, Y3, Y3
	ADDQ $32, R8
	ADDQ R10, BX
	DECQ CX
	JNZ r1quad

r1comb:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0             // (s0 + s1) + (s2 + s3)
	MOVQ d+48(FP), CX
	ANDQ $3, CX
	JEQ r1y

r1rem:
	VBROADCASTSD (R8), Y4
	VMULPD (BX), Y4, Y4
	VADDPD Y4, Y0, Y0
	ADDQ $8, R8
	ADDQ DX, BX
	DECQ CX
	JNZ r1rem

r1y:
	VBROADCASTSD (R13), Y4
	VSUBPD Y4, Y0, Y0
	VMOVUPD Y0, (R12)
	VMULPD Y0, Y0, Y0
	VADDPD Y0, Y15, Y15
	ADDQ $8, R13
	ADDQ DX, R12
	MOVQ d+48(FP), CX
	LEAQ (SI)(CX*8), SI
	DECQ AX
	JNZ r1row

	MOVQ ss+32(FP), BX
	VMOVUPD Y15, (BX)
	VZEROUPPER
	RET

// func gradStrip1(xt, r, gr *float64, n, d, s int, m float64)
//
// gradStrip4 on columns 0..3: four rows j of X^T at a time (4 independent sums), then the
// last d mod 4 rows one by one.
TEXT ·gradStrip1(SB), NOSPLIT, $0-56
	MOVQ xt+0(FP), SI
	MOVQ gr+16(FP), DI
	MOVQ s+40(FP), DX
	SHLQ $3, DX                   // DX: bytes per row of r and g
	LEAQ (DX)(DX*2), R12          // R12: 3 rows of g
	MOVQ n+24(FP), R9
	SHLQ $3, R9                   // R9: bytes per row of x^T
	LEAQ (R9)(R9*2), R11          // R11: 3 rows of x^T
	VBROADCASTSD m+48(FP), Y15
	MOVQ d+32(FP), AX

g1quad:
	CMPQ AX, $4
	JLT g1single
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, R8
	MOVQ r+8(FP), BX
	MOVQ n+24(FP), CX

g1qinner:
	VMOVUPD (BX), Y4
	VBROADCASTSD (R8), Y5
	VMULPD Y4, Y5, Y5
	VADDPD Y5, Y0, Y0
	VBROADCASTSD (R8)(R9*1), Y6
	VMULPD Y4, Y6, Y6
	VADDPD Y6, Y1, Y1
	VBROADCASTSD (R8)(R9*2), Y7
	VMULPD Y4, Y7, Y7
	VADDPD Y7, Y2, Y2
	VBROADCASTSD (R8)(R11*1), Y8
	VMULPD Y4, Y8, Y8
	VADDPD Y8, Y3, Y3
	ADDQ $8, R8
	ADDQ DX, BX
	DECQ CX
	JNZ g1qinner

	VDIVPD Y15, Y0, Y0
	VDIVPD Y15, Y1, Y1
	VDIVPD Y15, Y2, Y2
	VDIVPD Y15, Y3, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(DX*1)
	VMOVUPD Y2, (DI)(DX*2)
	VMOVUPD Y3, (DI)(R12*1)
	LEAQ (DI)(DX*4), DI
	LEAQ (SI)(R9*4), SI
	SUBQ $4, AX
	JMP g1quad

g1single:
	TESTQ AX, AX
	JEQ g1done
	VXORPD Y0, Y0, Y0
	MOVQ SI, R8
	MOVQ r+8(FP), BX
	MOVQ n+24(FP), CX

g1sinner:
	VBROADCASTSD (R8), Y5
	VMULPD (BX), Y5, Y5
	VADDPD Y5, Y0, Y0
	ADDQ $8, R8
	ADDQ DX, BX
	DECQ CX
	JNZ g1sinner

	VDIVPD Y15, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ DX, DI
	ADDQ R9, SI
	DECQ AX
	JMP g1single

g1done:
	VZEROUPPER
	RET

// func gdRows(u, v, gr, gamma, beta, betaSum *float64, d, s, w int)
//
// gdUpdateGo on w columns (a multiple of 4) row by row, so that each array streams through
// the caches in order: nu = u - gm (v g), nv = v - gm (u g), beta = nu nv, betaSum += beta
// (gamma and betaSum stay in L1; the rows of one column add in index order j).
TEXT ·gdRows(SB), NOSPLIT, $0-72
	MOVQ u+0(FP), R8
	MOVQ v+8(FP), R9
	MOVQ gr+16(FP), R10
	MOVQ beta+32(FP), R11
	MOVQ gamma+24(FP), R12
	MOVQ betaSum+40(FP), R13
	MOVQ s+56(FP), DX
	SHLQ $3, DX                   // DX: bytes per row
	MOVQ w+64(FP), DI
	SHLQ $3, DI                   // DI: bytes of w columns
	MOVQ d+48(FP), CX

gdrow:
	XORQ AX, AX                   // AX: byte offset of the column vector in the row

gdvec:
	VMOVUPD (R8)(AX*1), Y0        // u
	VMOVUPD (R9)(AX*1), Y1        // v
	VMOVUPD (R10)(AX*1), Y2       // g
	VMOVUPD (R12)(AX*1), Y6       // gamma
	VMULPD Y2, Y1, Y3
	VMULPD Y3, Y6, Y3
	VSUBPD Y3, Y0, Y3             // nu = u - gm (v g)
	VMULPD Y2, Y0, Y4
	VMULPD Y4, Y6, Y4
	VSUBPD Y4, Y1, Y4             // nv = v - gm (u g)
	VMOVUPD Y3, (R8)(AX*1)
	VMOVUPD Y4, (R9)(AX*1)
	VMULPD Y4, Y3, Y5
	VMOVUPD Y5, (R11)(AX*1)       // beta = nu nv
	VADDPD (R13)(AX*1), Y5, Y5
	VMOVUPD Y5, (R13)(AX*1)       // betaSum += beta
	ADDQ $32, AX
	CMPQ AX, DI
	JNE gdvec

	ADDQ DX, R8
	ADDQ DX, R9
	ADDQ DX, R10
	ADDQ DX, R11
	DECQ CX
	JNZ gdrow

	VZEROUPPER
	RET
