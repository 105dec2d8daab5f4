//go:build amd64 && !noasm

#include "textflag.h"

// AVX2 versions of the products of kernel.go, bit-identical to them: each lane carries one of
// the scalar code's partial sums, every product is rounded before it is added (VMULPD then
// VADDPD, never a fused multiply-add), and the operands keep the scalar code's order.
// See kernel_amd64.go for the contracts.

// func dot4(x *float64, d int, beta *float64, out *[4]float64)
TEXT ·dot4(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ d+8(FP), CX
	MOVQ beta+16(FP), DI
	MOVQ out+24(FP), DX
	MOVQ CX, R8
	SHLQ $3, R8            // bytes per row of x
	LEAQ (SI)(R8*1), R9    // row 1
	LEAQ (R9)(R8*1), R10   // row 2
	LEAQ (R10)(R8*1), R11  // row 3
	VXORPD Y0, Y0, Y0      // lanes k: s_k of row 0 (j = k mod 4)
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ CX, BX
	ANDQ $-4, BX
	SHLQ $3, BX            // bytes of the first 4*floor(d/4) columns
	XORQ AX, AX            // byte offset of column j
dotloop:
	CMPQ AX, BX
	JGE  dothsum
	VMOVUPD (DI)(AX*1), Y4
	VMULPD  (SI)(AX*1), Y4, Y5 // beta*x, the same product as x*beta
	VADDPD  Y5, Y0, Y0
	VMULPD  (R9)(AX*1), Y4, Y6
	VADDPD  Y6, Y1, Y1
	VMULPD  (R10)(AX*1), Y4, Y7
	VADDPD  Y7, Y2, Y2
	VMULPD  (R11)(AX*1), Y4, Y8
	VADDPD  Y8, Y3, Y3
	ADDQ $32, AX
	JMP  dotloop

dothsum:
	// ((s0 + s1) + (s2 + s3)) per row, into the low lanes of X10..X13.
	VEXTRACTF128 $1, Y0, X4
	VHADDPD X4, X0, X10
	VHADDPD X10, X10, X10
	VEXTRACTF128 $1, Y1, X5
	VHADDPD X5, X1, X11
	VHADDPD X11, X11, X11
	VEXTRACTF128 $1, Y2, X6
	VHADDPD X6, X2, X12
	VHADDPD X12, X12, X12
	VEXTRACTF128 $1, Y3, X7
	VHADDPD X7, X3, X13
	VHADDPD X13, X13, X13
	SHLQ $3, CX            // bytes of all d columns

dottail:
	CMPQ AX, CX
	JGE  dotdone
	VMOVSD (DI)(AX*1), X4
	VMOVSD (SI)(AX*1), X5
	VMULSD X4, X5, X5
	VADDSD X5, X10, X10
	VMOVSD (R9)(AX*1), X6
	VMULSD X4, X6, X6
	VADDSD X6, X11, X11
	VMOVSD (R10)(AX*1), X7
	VMULSD X4, X7, X7
	VADDSD X7, X12, X12
	VMOVSD (R11)(AX*1), X8
	VMULSD X4, X8, X8
	VADDSD X8, X13, X13
	ADDQ $8, AX
	JMP  dottail

dotdone:
	VMOVSD X10, 0(DX)
	VMOVSD X11, 8(DX)
	VMOVSD X12, 16(DX)
	VMOVSD X13, 24(DX)
	VZEROUPPER
	RET

// func gradCols(x *float64, n, d int, r *float64, grad *float64, cols int, m float64)
TEXT ·gradCols(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ d+16(FP), R8
	SHLQ $3, R8            // bytes per row of x
	MOVQ r+24(FP), DI
	MOVQ grad+32(FP), DX
	MOVQ cols+40(FP), BX
	SHLQ $3, BX            // bytes of the columns to compute
	VBROADCASTSD m+48(FP), Y15
	XORQ AX, AX            // byte offset of the first column of the block

grad8:
	LEAQ 256(AX), R9
	CMPQ R9, BX
	JGT  grad1
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	LEAQ (SI)(AX*1), R10   // x_i + block
	MOVQ DI, R11           // &r_i
	MOVQ CX, R12           // rows left
grad8row:
	VBROADCASTSD (R11), Y8
	VMULPD 0(R10), Y8, Y9   // r_i * x_ij
	VADDPD Y9, Y0, Y0
	VMULPD 32(R10), Y8, Y10
	VADDPD Y10, Y1, Y1
	VMULPD 64(R10), Y8, Y11
	VADDPD Y11, Y2, Y2
	VMULPD 96(R10), Y8, Y12
	VADDPD Y12, Y3, Y3
	VMULPD 128(R10), Y8, Y13
	VADDPD Y13, Y4, Y4
	VMULPD 160(R10), Y8, Y14
	VADDPD Y14, Y5, Y5
	VMULPD 192(R10), Y8, Y9
	VADDPD Y9, Y6, Y6
	VMULPD 224(R10), Y8, Y10
	VADDPD Y10, Y7, Y7
	ADDQ R8, R10
	ADDQ $8, R11
	DECQ R12
	JNZ  grad8row
	VDIVPD Y15, Y0, Y0
	VDIVPD Y15, Y1, Y1
	VDIVPD Y15, Y2, Y2
	VDIVPD Y15, Y3, Y3
	VDIVPD Y15, Y4, Y4
	VDIVPD Y15, Y5, Y5
	VDIVPD Y15, Y6, Y6
	VDIVPD Y15, Y7, Y7
	VMOVUPD Y0, 0(DX)(AX*1)
	VMOVUPD Y1, 32(DX)(AX*1)
	VMOVUPD Y2, 64(DX)(AX*1)
	VMOVUPD Y3, 96(DX)(AX*1)
	VMOVUPD Y4, 128(DX)(AX*1)
	VMOVUPD Y5, 160(DX)(AX*1)
	VMOVUPD Y6, 192(DX)(AX*1)
	VMOVUPD Y7, 224(DX)(AX*1)
	MOVQ R9, AX
	JMP  grad8

grad1:
	CMPQ AX, BX
	JGE  graddone
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1      // a second block of 4 columns when there is one
	LEAQ 64(AX), R9
	CMPQ R9, BX
	JGT  grad1single
	LEAQ (SI)(AX*1), R10
	MOVQ DI, R11
	MOVQ CX, R12
grad2row:
	VBROADCASTSD (R11), Y8
	VMULPD 0(R10), Y8, Y9
	VADDPD Y9, Y0, Y0
	VMULPD 32(R10), Y8, Y10
	VADDPD Y10, Y1, Y1
	ADDQ R8, R10
	ADDQ $8, R11
	DECQ R12
	JNZ  grad2row
	VDIVPD Y15, Y0, Y0
	VDIVPD Y15, Y1, Y1
	VMOVUPD Y0, 0(DX)(AX*1)
	VMOVUPD Y1, 32(DX)(AX*1)
	MOVQ R9, AX
	JMP  grad1

grad1single:
	LEAQ (SI)(AX*1), R10
	MOVQ DI, R11
	MOVQ CX, R12
grad1row:
	VBROADCASTSD (R11), Y8
	VMULPD 0(R10), Y8, Y9
	VADDPD Y9, Y0, Y0
	ADDQ R8, R10
	ADDQ $8, R11
	DECQ R12
	JNZ  grad1row
	VDIVPD Y15, Y0, Y0
	VMOVUPD Y0, 0(DX)(AX*1)
	ADDQ $32, AX
	JMP  grad1

graddone:
	VZEROUPPER
	RET

// func uvUpdate(u, v, grad, gu, gv *float64, n int, gamma float64)
TEXT ·uvUpdate(SB), NOSPLIT, $0-56
	MOVQ u+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ grad+16(FP), DX
	MOVQ gu+24(FP), R8
	MOVQ gv+32(FP), R9
	MOVQ n+40(FP), CX
	VBROADCASTSD gamma+48(FP), Y15
	XORQ AX, AX

uvloop:
	CMPQ AX, CX
	JGE  uvdone
	VMOVUPD (SI)(AX*8), Y0     // u
	VMOVUPD (DI)(AX*8), Y1     // v
	VMOVUPD (DX)(AX*8), Y2     // g
	VMULPD  Y2, Y1, Y3         // gu = v*g
	VMULPD  Y2, Y0, Y4         // gv = u*g
	VMOVUPD Y3, (R8)(AX*8)
	VMOVUPD Y4, (R9)(AX*8)
	VMULPD  Y3, Y15, Y3        // gamma*gu
	VMULPD  Y4, Y15, Y4        // gamma*gv
	VSUBPD  Y3, Y0, Y0         // u - gamma*gu
	VSUBPD  Y4, Y1, Y1         // v - gamma*gv
	VMOVUPD Y0, (SI)(AX*8)
	VMOVUPD Y1, (DI)(AX*8)
	ADDQ $4, AX
	JMP  uvloop

uvdone:
	VZEROUPPER
	RET

// func uvBeta(u, v, beta *float64, n int, sum float64) float64
TEXT ·uvBeta(SB), NOSPLIT, $0-48
	MOVQ u+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ beta+16(FP), DX
	MOVQ n+24(FP), CX
	VMOVSD sum+32(FP), X15
	XORQ AX, AX

betaloop:
	CMPQ AX, CX
	JGE  betadone
	VMOVUPD (SI)(AX*8), Y0
	VMULPD  (DI)(AX*8), Y0, Y0 // beta = u*v
	VMOVUPD Y0, (DX)(AX*8)
	VADDSD  X0, X15, X15       // sum += beta_i, in index order
	VPERMILPD $1, X0, X1
	VADDSD  X1, X15, X15
	VEXTRACTF128 $1, Y0, X2
	VADDSD  X2, X15, X15
	VPERMILPD $1, X2, X3
	VADDSD  X3, X15, X15
	ADDQ $4, AX
	JMP  betaloop

betadone:
	VMOVSD X15, ret+40(FP)
	VZEROUPPER
	RET
