//go:build amd64 && !noasm

#include "textflag.h"

// Offsets of the constant vectors in theoryK (theory_lanes.go): 32 bytes each.
#define K_ABS 0
#define K_SIGN 32
#define K_SMALL 64
#define K_TINY 96
#define K_LIM 128
#define K_HALF 160
#define K_TWO 192
#define K_LP1 224
#define K_LP2 256
#define K_LP3 288
#define K_LP4 320
#define K_LP5 352
#define K_LP6 384
#define K_LP7 416
#define K_C0 448
#define K_C1 480
#define K_C2 512
#define K_C3 544
#define K_C4 576
#define K_C5 608
#define K_C6 640
#define K_C7 672

// THEORY_PAIR and THEORY_ONE: from x in Y0 (and Y8 for the pair; every lane |x| < 1/16) and the
// constants at R9, add the gain term q = GainQ(x) = -log1p(-x^2) to gain (DI) and the skew
// term skewSmall(x) to skew (DX) at lanes AX (and AX+4), in the operations and order of the
// scalar code, each rounded on its own:
//   t = x*x; f = -t; hfsq = 0.5*f*f; s = f/(2+f); z = s*s;
//   R = z*(Lp1 + z*(Lp2 + z*(Lp3 + z*(Lp4 + z*(Lp5 + z*(Lp6 + z*Lp7))))));
//   l = f - (hfsq - s*(hfsq + R)), or f - f*f*0.5 where t < 2^-29, or f where t < 2^-54;
//   q = -l (math.log1p's branches for 0 <= -f < 2^-8, k = 0); gain += q;
//   t2 = t*t; t4 = t2*t2; p_ab = c_a + c_b*t;
//   p = (p01 + t2*p23) + t4*(p45 + t2*p67); skew += ((2*x)*t)*p (skewSmall).
// The pair interleaves two vectors (Y0-Y7 and Y8-Y15) step by step, so that the two
// dependency chains overlap.
#define THEORY_PAIR \
	VMULPD Y0, Y0, Y1; \
	VMULPD Y8, Y8, Y9; \
	VXORPD K_SIGN(R9), Y1, Y2; \
	VXORPD K_SIGN(R9), Y9, Y10; \
	VMULPD K_HALF(R9), Y2, Y3; \
	VMULPD K_HALF(R9), Y10, Y11; \
	VMULPD Y2, Y3, Y3; \
	VMULPD Y10, Y11, Y11; \
	VADDPD K_TWO(R9), Y2, Y4; \
	VADDPD K_TWO(R9), Y10, Y12; \
	VDIVPD Y4, Y2, Y4; \
	VDIVPD Y12, Y10, Y12; \
	VMULPD Y4, Y4, Y5; \
	VMULPD Y12, Y12, Y13; \
	VMULPD K_LP7(R9), Y5, Y6; \
	VMULPD K_LP7(R9), Y13, Y14; \
	VADDPD K_LP6(R9), Y6, Y6; \
	VADDPD K_LP6(R9), Y14, Y14; \
	VMULPD Y6, Y5, Y6; \
	VMULPD Y14, Y13, Y14; \
	VADDPD K_LP5(R9), Y6, Y6; \
	VADDPD K_LP5(R9), Y14, Y14; \
	VMULPD Y6, Y5, Y6; \
	VMULPD Y14, Y13, Y14; \
	VADDPD K_LP4(R9), Y6, Y6; \
	VADDPD K_LP4(R9), Y14, Y14; \
	VMULPD Y6, Y5, Y6; \
	VMULPD Y14, Y13, Y14; \
	VADDPD K_LP3(R9), Y6, Y6; \
	VADDPD K_LP3(R9), Y14, Y14; \
	VMULPD Y6, Y5, Y6; \
	VMULPD Y14, Y13, Y14; \
	VADDPD K_LP2(R9), Y6, Y6; \
	VADDPD K_LP2(R9), Y14, Y14; \
	VMULPD Y6, Y5, Y6; \
	VMULPD Y14, Y13, Y14; \
	VADDPD K_LP1(R9), Y6, Y6; \
	VADDPD K_LP1(R9), Y14, Y14; \
	VMULPD Y6, Y5, Y6; \
	VMULPD Y14, Y13, Y14; \
	VADDPD Y6, Y3, Y6; \
	VADDPD Y14, Y11, Y14; \
	VMULPD Y6, Y4, Y6; \
	VMULPD Y14, Y12, Y14; \
	VSUBPD Y6, Y3, Y6; \
	VSUBPD Y14, Y11, Y14; \
	VSUBPD Y6, Y2, Y6; \
	VSUBPD Y14, Y10, Y14; \
	VMULPD Y2, Y2, Y5; \
	VMULPD Y10, Y10, Y13; \
	VMULPD K_HALF(R9), Y5, Y5; \
	VMULPD K_HALF(R9), Y13, Y13; \
	VSUBPD Y5, Y2, Y5; \
	VSUBPD Y13, Y10, Y13; \
	VCMPPD $1, K_SMALL(R9), Y1, Y7; \
	VCMPPD $1, K_SMALL(R9), Y9, Y15; \
	VBLENDVPD Y7, Y5, Y6, Y6; \
	VBLENDVPD Y15, Y13, Y14, Y14; \
	VCMPPD $1, K_TINY(R9), Y1, Y7; \
	VCMPPD $1, K_TINY(R9), Y9, Y15; \
	VBLENDVPD Y7, Y2, Y6, Y6; \
	VBLENDVPD Y15, Y10, Y14, Y14; \
	VXORPD K_SIGN(R9), Y6, Y6; \
	VXORPD K_SIGN(R9), Y14, Y14; \
	VMOVUPD 0(DI)(AX*8), Y5; \
	VMOVUPD 32(DI)(AX*8), Y13; \
	VADDPD Y6, Y5, Y5; \
	VADDPD Y14, Y13, Y13; \
	VMOVUPD Y5, 0(DI)(AX*8); \
	VMOVUPD Y13, 32(DI)(AX*8); \
	VMULPD Y1, Y1, Y2; \
	VMULPD Y9, Y9, Y10; \
	VMULPD Y2, Y2, Y3; \
	VMULPD Y10, Y10, Y11; \
	VMULPD K_C1(R9), Y1, Y4; \
	VMULPD K_C1(R9), Y9, Y12; \
	VADDPD K_C0(R9), Y4, Y4; \
	VADDPD K_C0(R9), Y12, Y12; \
	VMULPD K_C3(R9), Y1, Y5; \
	VMULPD K_C3(R9), Y9, Y13; \
	VADDPD K_C2(R9), Y5, Y5; \
	VADDPD K_C2(R9), Y13, Y13; \
	VMULPD K_C5(R9), Y1, Y6; \
	VMULPD K_C5(R9), Y9, Y14; \
	VADDPD K_C4(R9), Y6, Y6; \
	VADDPD K_C4(R9), Y14, Y14; \
	VMULPD K_C7(R9), Y1, Y7; \
	VMULPD K_C7(R9), Y9, Y15; \
	VADDPD K_C6(R9), Y7, Y7; \
	VADDPD K_C6(R9), Y15, Y15; \
	VMULPD Y5, Y2, Y5; \
	VMULPD Y13, Y10, Y13; \
	VADDPD Y5, Y4, Y4; \
	VADDPD Y13, Y12, Y12; \
	VMULPD Y7, Y2, Y7; \
	VMULPD Y15, Y10, Y15; \
	VADDPD Y7, Y6, Y6; \
	VADDPD Y15, Y14, Y14; \
	VMULPD Y6, Y3, Y6; \
	VMULPD Y14, Y11, Y14; \
	VADDPD Y6, Y4, Y4; \
	VADDPD Y14, Y12, Y12; \
	VMULPD K_TWO(R9), Y0, Y5; \
	VMULPD K_TWO(R9), Y8, Y13; \
	VMULPD Y1, Y5, Y5; \
	VMULPD Y9, Y13, Y13; \
	VMULPD Y4, Y5, Y5; \
	VMULPD Y12, Y13, Y13; \
	VMOVUPD 0(DX)(AX*8), Y6; \
	VMOVUPD 32(DX)(AX*8), Y14; \
	VADDPD Y5, Y6, Y6; \
	VADDPD Y13, Y14, Y14; \
	VMOVUPD Y6, 0(DX)(AX*8); \
	VMOVUPD Y14, 32(DX)(AX*8)

#define THEORY_ONE \
	VMULPD Y0, Y0, Y1; \
	VXORPD K_SIGN(R9), Y1, Y2; \
	VMULPD K_HALF(R9), Y2, Y3; \
	VMULPD Y2, Y3, Y3; \
	VADDPD K_TWO(R9), Y2, Y4; \
	VDIVPD Y4, Y2, Y4; \
	VMULPD Y4, Y4, Y5; \
	VMULPD K_LP7(R9), Y5, Y6; \
	VADDPD K_LP6(R9), Y6, Y6; \
	VMULPD Y6, Y5, Y6; \
	VADDPD K_LP5(R9), Y6, Y6; \
	VMULPD Y6, Y5, Y6; \
	VADDPD K_LP4(R9), Y6, Y6; \
	VMULPD Y6, Y5, Y6; \
	VADDPD K_LP3(R9), Y6, Y6; \
	VMULPD Y6, Y5, Y6; \
	VADDPD K_LP2(R9), Y6, Y6; \
	VMULPD Y6, Y5, Y6; \
	VADDPD K_LP1(R9), Y6, Y6; \
	VMULPD Y6, Y5, Y6; \
	VADDPD Y6, Y3, Y6; \
	VMULPD Y6, Y4, Y6; \
	VSUBPD Y6, Y3, Y6; \
	VSUBPD Y6, Y2, Y6; \
	VMULPD Y2, Y2, Y5; \
	VMULPD K_HALF(R9), Y5, Y5; \
	VSUBPD Y5, Y2, Y5; \
	VCMPPD $1, K_SMALL(R9), Y1, Y7; \
	VBLENDVPD Y7, Y5, Y6, Y6; \
	VCMPPD $1, K_TINY(R9), Y1, Y7; \
	VBLENDVPD Y7, Y2, Y6, Y6; \
	VXORPD K_SIGN(R9), Y6, Y6; \
	VMOVUPD 0(DI)(AX*8), Y5; \
	VADDPD Y6, Y5, Y5; \
	VMOVUPD Y5, 0(DI)(AX*8); \
	VMULPD Y1, Y1, Y2; \
	VMULPD Y2, Y2, Y3; \
	VMULPD K_C1(R9), Y1, Y4; \
	VADDPD K_C0(R9), Y4, Y4; \
	VMULPD K_C3(R9), Y1, Y5; \
	VADDPD K_C2(R9), Y5, Y5; \
	VMULPD K_C5(R9), Y1, Y6; \
	VADDPD K_C4(R9), Y6, Y6; \
	VMULPD K_C7(R9), Y1, Y7; \
	VADDPD K_C6(R9), Y7, Y7; \
	VMULPD Y5, Y2, Y5; \
	VADDPD Y5, Y4, Y4; \
	VMULPD Y7, Y2, Y7; \
	VADDPD Y7, Y6, Y6; \
	VMULPD Y6, Y3, Y6; \
	VADDPD Y6, Y4, Y4; \
	VMULPD K_TWO(R9), Y0, Y5; \
	VMULPD Y1, Y5, Y5; \
	VMULPD Y4, Y5, Y5; \
	VMOVUPD 0(DX)(AX*8), Y6; \
	VADDPD Y5, Y6, Y6; \
	VMOVUPD Y6, 0(DX)(AX*8)


// func theoryVec(grad, gamma, gain, skew, maxv *float64, n, gstep, mstep int, k *[theoryKLen][4]uint64) int
//
// For the vectors of lanes i = 0, 4, 8, ... < n (n a multiple of 4), while every lane of
// x = gamma*grad[i:i+4] has |x| < 1/16: gain += GainQ(x), skew += skewSmall(x) and
// maxv = max(maxv, |x|) (a NaN lane fails the test). gamma and maxv point at 4 lanes that
// advance by gstep and mstep bytes per vector (0: the same 4 lanes for every vector). Returns
// the first lane not done (n when all are).
TEXT ·theoryVec(SB), NOSPLIT, $0-80
	MOVQ grad+0(FP), SI
	MOVQ gamma+8(FP), R10
	MOVQ gain+16(FP), DI
	MOVQ skew+24(FP), DX
	MOVQ maxv+32(FP), R8
	MOVQ n+40(FP), CX
	MOVQ gstep+48(FP), R11
	MOVQ mstep+56(FP), R12
	MOVQ k+64(FP), R9
	XORQ AX, AX

pairloop:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  oneloop
	VMOVUPD (R10), Y0
	VMULPD  (SI)(AX*8), Y0, Y0      // x = gamma*g
	VMOVUPD (R10)(R11*1), Y8
	VMULPD  32(SI)(AX*8), Y8, Y8
	VANDPD  K_ABS(R9), Y0, Y1       // |x|
	VANDPD  K_ABS(R9), Y8, Y9
	VCMPPD  $1, K_LIM(R9), Y1, Y2   // |x| < 1/16 (false for NaN)
	VCMPPD  $1, K_LIM(R9), Y9, Y10
	VANDPD  Y2, Y10, Y10
	VMOVMSKPD Y10, BX
	CMPQ BX, $15
	JNE  oneloop
	VMOVUPD (R8), Y2
	VMAXPD  Y2, Y1, Y2              // m = |x| > m ? |x| : m
	VMOVUPD Y2, (R8)
	VMOVUPD (R8)(R12*1), Y10
	VMAXPD  Y10, Y9, Y10
	VMOVUPD Y10, (R8)(R12*1)
	THEORY_PAIR
	ADDQ $8, AX
	LEAQ (R10)(R11*2), R10
	LEAQ (R8)(R12*2), R8
	JMP  pairloop

oneloop:
	CMPQ AX, CX
	JGE  vecdone
	VMOVUPD (R10), Y0
	VMULPD  (SI)(AX*8), Y0, Y0
	VANDPD  K_ABS(R9), Y0, Y1
	VCMPPD  $1, K_LIM(R9), Y1, Y2
	VMOVMSKPD Y2, BX
	CMPQ BX, $15
	JNE  vecdone
	VMOVUPD (R8), Y2
	VMAXPD  Y2, Y1, Y2
	VMOVUPD Y2, (R8)
	THEORY_ONE
	ADDQ $4, AX
	ADDQ R11, R10
	ADDQ R12, R8
	JMP  oneloop

vecdone:
	MOVQ AX, ret+72(FP)
	VZEROUPPER
	RET
