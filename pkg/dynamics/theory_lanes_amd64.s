//go:build amd64

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

// THEORY_MATH: from x in Y0 (every lane |x| < 1/16) and the constants at R9, the gain term
// q = GainQ(x) = -log1p(-x^2) in Y10 and the skew term skewSmall(x) in Y5; Y1 holds t = x^2.
// It uses Y1-Y10. The steps, in order (each rounded on its own):
//   t = x*x; f = -t; hfsq = 0.5*f*f; s = f/(2+f); z = s*s;
//   R = z*(Lp1 + z*(Lp2 + z*(Lp3 + z*(Lp4 + z*(Lp5 + z*(Lp6 + z*Lp7))))));
//   l = f - (hfsq - s*(hfsq + R)), or f - f*f*0.5 where t < 2^-29, or f where t < 2^-54;
//   q = -l (math.log1p's branches for 0 <= -f < 2^-8, k = 0);
//   t2 = t*t; t4 = t2*t2; p_ab = c_a + c_b*t;
//   p = (p01 + t2*p23) + t4*(p45 + t2*p67); skew term = ((2*x)*t)*p (skewSmall).
#define THEORY_MATH \
	VMULPD  Y0, Y0, Y1; \
	VXORPD  K_SIGN(R9), Y1, Y2; \
	VMULPD  K_HALF(R9), Y2, Y3; \
	VMULPD  Y2, Y3, Y3; \
	VADDPD  K_TWO(R9), Y2, Y4; \
	VDIVPD  Y4, Y2, Y4; \
	VMULPD  Y4, Y4, Y5; \
	VMULPD  K_LP7(R9), Y5, Y6; \
	VADDPD  K_LP6(R9), Y6, Y6; \
	VMULPD  Y6, Y5, Y6; \
	VADDPD  K_LP5(R9), Y6, Y6; \
	VMULPD  Y6, Y5, Y6; \
	VADDPD  K_LP4(R9), Y6, Y6; \
	VMULPD  Y6, Y5, Y6; \
	VADDPD  K_LP3(R9), Y6, Y6; \
	VMULPD  Y6, Y5, Y6; \
	VADDPD  K_LP2(R9), Y6, Y6; \
	VMULPD  Y6, Y5, Y6; \
	VADDPD  K_LP1(R9), Y6, Y6; \
	VMULPD  Y6, Y5, Y6; \
	VADDPD  Y6, Y3, Y7; \
	VMULPD  Y7, Y4, Y7; \
	VSUBPD  Y7, Y3, Y7; \
	VSUBPD  Y7, Y2, Y7; \
	VMULPD  Y2, Y2, Y8; \
	VMULPD  K_HALF(R9), Y8, Y8; \
	VSUBPD  Y8, Y2, Y8; \
	VCMPPD  $1, K_SMALL(R9), Y1, Y9; \
	VBLENDVPD Y9, Y8, Y7, Y7; \
	VCMPPD  $1, K_TINY(R9), Y1, Y9; \
	VBLENDVPD Y9, Y2, Y7, Y7; \
	VXORPD  K_SIGN(R9), Y7, Y10; \
	VMULPD  Y1, Y1, Y2; \
	VMULPD  Y2, Y2, Y3; \
	VMULPD  K_C1(R9), Y1, Y4; \
	VADDPD  K_C0(R9), Y4, Y4; \
	VMULPD  K_C3(R9), Y1, Y5; \
	VADDPD  K_C2(R9), Y5, Y5; \
	VMULPD  K_C5(R9), Y1, Y6; \
	VADDPD  K_C4(R9), Y6, Y6; \
	VMULPD  K_C7(R9), Y1, Y7; \
	VADDPD  K_C6(R9), Y7, Y7; \
	VMULPD  Y5, Y2, Y5; \
	VADDPD  Y5, Y4, Y4; \
	VMULPD  Y7, Y2, Y7; \
	VADDPD  Y7, Y6, Y6; \
	VMULPD  Y6, Y3, Y6; \
	VADDPD  Y6, Y4, Y4; \
	VMULPD  K_TWO(R9), Y0, Y5; \
	VMULPD  Y1, Y5, Y5; \
	VMULPD  Y4, Y5, Y5

// func theoryRun(grad, gain, skew *float64, n int, gamma float64, maxp *float64, k *[theoryKLen][4]uint64) int
//
// For lanes i = 0, 4, 8, ... < n (n a multiple of 4), while every lane of x = gamma*g[i:i+4]
// has |x| < 1/16: gain += GainQ(x), skew += skewSmall(x), *maxp = max(*maxp, |x|), with the
// operations of the scalar code (theory.go, theory_implicit.go, math.log1p's branches
// |x^2| < 2^-54, < 2^-29 and k = 0). Returns the first lane not done (n when all are).
TEXT ·theoryRun(SB), NOSPLIT, $0-64
	MOVQ grad+0(FP), SI
	MOVQ gain+8(FP), DI
	MOVQ skew+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD gamma+32(FP), Y14
	MOVQ maxp+40(FP), R8
	VBROADCASTSD (R8), Y15
	MOVQ k+48(FP), R9
	XORQ AX, AX

theoryloop:
	CMPQ AX, CX
	JGE  theorydone
	VMOVUPD (SI)(AX*8), Y0
	VMULPD  Y0, Y14, Y0          // x = gamma*g
	VANDPD  K_ABS(R9), Y0, Y1    // a = |x|
	VCMPPD  $1, K_LIM(R9), Y1, Y2 // a < 1/16 (false for NaN)
	VMOVMSKPD Y2, BX
	CMPQ BX, $15
	JNE  theorydone
	VMAXPD  Y15, Y1, Y15         // m = a > m ? a : m

	THEORY_MATH
	VMOVUPD (DI)(AX*8), Y8
	VADDPD  Y10, Y8, Y8          // gain += q
	VMOVUPD Y8, (DI)(AX*8)
	VMOVUPD (DX)(AX*8), Y8
	VADDPD  Y5, Y8, Y8           // skew += skewSmall(x)
	VMOVUPD Y8, (DX)(AX*8)
	ADDQ $4, AX
	JMP  theoryloop

theorydone:
	VEXTRACTF128 $1, Y15, X1
	VMAXPD  X1, X15, X15
	VPERMILPD $1, X15, X1
	VMAXPD  X1, X15, X15
	VMOVSD  X15, (R8)
	MOVQ AX, ret+56(FP)
	VZEROUPPER
	RET

// func theoryLanes(grad, gamma, gain, skew, maxv *float64, n int, k *[theoryKLen][4]uint64) int
//
// theoryRun with a stepsize and a running maximum per lane (the columns of a batched block):
// x_i = gamma_i*grad_i, maxv_i = max(maxv_i, |x_i|).
TEXT ·theoryLanes(SB), NOSPLIT, $0-64
	MOVQ grad+0(FP), SI
	MOVQ gamma+8(FP), R10
	MOVQ gain+16(FP), DI
	MOVQ skew+24(FP), DX
	MOVQ maxv+32(FP), R8
	MOVQ n+40(FP), CX
	MOVQ k+48(FP), R9
	XORQ AX, AX

laneloop:
	CMPQ AX, CX
	JGE  lanedone
	VMOVUPD (R10)(AX*8), Y0
	VMULPD  (SI)(AX*8), Y0, Y0   // x = gamma*g
	VANDPD  K_ABS(R9), Y0, Y1    // a = |x|
	VCMPPD  $1, K_LIM(R9), Y1, Y2 // a < 1/16 (false for NaN)
	VMOVMSKPD Y2, BX
	CMPQ BX, $15
	JNE  lanedone
	VMOVUPD (R8)(AX*8), Y2
	VMAXPD  Y2, Y1, Y2           // m = a > m ? a : m
	VMOVUPD Y2, (R8)(AX*8)
	THEORY_MATH
	VMOVUPD (DI)(AX*8), Y8
	VADDPD  Y10, Y8, Y8
	VMOVUPD Y8, (DI)(AX*8)
	VMOVUPD (DX)(AX*8), Y8
	VADDPD  Y5, Y8, Y8
	VMOVUPD Y8, (DX)(AX*8)
	ADDQ $4, AX
	JMP  laneloop

lanedone:
	MOVQ AX, ret+56(FP)
	VZEROUPPER
	RET
