//go:build amd64 && !purego

#include "textflag.h"
#include "lanes_amd64.h"

// Kernels built on e^x: the Bernoulli-logits likelihood, the logistic
// function and its derivative, and e^x itself.
//
// Constants, each repeated in all four lanes so that it can be a 256-bit
// memory operand. The formulas are those of the Go twins in this package.

// clears the sign bit
LANES4(absMask<>, $0x7fffffffffffffff)

// the sign bit
LANES4(signMask<>, $0x8000000000000000)

// 746: e^-746 already rounds to zero
LANES4(expLimit<>, $0x4087500000000000)

// log2(e)
LANES4(log2e<>, $0x3ff71547652b82fe)

// -ln2, high part (Cody-Waite)
LANES4(negLn2Hi<>, $0xbfe62e42fee00000)

// -ln2, low part
LANES4(negLn2Lo<>, $0xbdea39ef35793c76)

// 2^52 + 1023 + 100: adding it to k leaves the biased exponent of 2^(k+100) in the low mantissa bits
LANES4(expBias<>, $0x4330000000000463)

// 2^-100, undoing the shift in expBias with a single rounding
LANES4(expUnshift<>, $0x39b0000000000000)

// 1/2!
LANES4(exp2<>, $0x3fe0000000000000)

// 1/3!
LANES4(exp3<>, $0x3fc5555555555555)

// 1/4!
LANES4(exp4<>, $0x3fa5555555555555)

// 1/5!
LANES4(exp5<>, $0x3f81111111111111)

// 1/6!
LANES4(exp6<>, $0x3f56c16c16c16c17)

// 1/7!
LANES4(exp7<>, $0x3f2a01a01a01a01a)

// 1/8!
LANES4(exp8<>, $0x3efa01a01a01a01a)

// 1/9!
LANES4(exp9<>, $0x3ec71de3a556c734)

// 1/10!
LANES4(exp10<>, $0x3e927e4fb7789f5c)

// 1/11!
LANES4(exp11<>, $0x3e5ae64567f544e4)

// 1/12!
LANES4(exp12<>, $0x3e21eed8eff8d898)

// 1/13!
LANES4(exp13<>, $0x3de6124613a86d09)

// √2-1: above it 1+t is reduced by 2
LANES4(log1pSplit<>, $0x3fda827999fcef32)

// 1
LANES4(one<>, $0x3ff0000000000000)

// 2
LANES4(two<>, $0x4000000000000000)

// ln 2
LANES4(ln2<>, $0x3fe62e42fefa39ef)

// 1/3
LANES4(atanh3<>, $0x3fd5555555555555)

// 1/5
LANES4(atanh5<>, $0x3fc999999999999a)

// 1/7
LANES4(atanh7<>, $0x3fc2492492492492)

// 1/9
LANES4(atanh9<>, $0x3fbc71c71c71c71c)

// 1/11
LANES4(atanh11<>, $0x3fb745d1745d1746)

// 1/13
LANES4(atanh13<>, $0x3fb3b13b13b13b14)

// 1/15
LANES4(atanh15<>, $0x3fb1111111111111)

// 1/17
LANES4(atanh17<>, $0x3fae1e1e1e1e1e1e)

// 1/19
LANES4(atanh19<>, $0x3faaf286bca1af28)

// 1/21
LANES4(atanh21<>, $0x3fa8618618618618)

// 1/23
LANES4(atanh23<>, $0x3fa642c8590b2164)

// -746: e^x rounds to zero below it
LANES4(expLo<>, $0xc087500000000000)

// 710: e^x overflows above it
LANES4(expHi<>, $0x4086300000000000)

// 0.5
LANES4(half<>, $0x3fe0000000000000)

// 2^52 + 1023: added to an integer-valued k it leaves the biased exponent of 2^k in the low mantissa bits
LANES4(expBias0<>, $0x43300000000003ff)

// EXP_POLY sets Y6 to e^r for the four reduced arguments |r| ≤ ln2/2 in Y3,
// as E(r²) + r·O(r²) with the Taylor coefficients 1/n!, n ≤ 13; it uses Y5
// and Y7.
#define EXP_POLY \
	VMULPD      Y3, Y3, Y5; \
	VMOVUPD     exp12<>(SB), Y6; \
	VFMADD213PD exp10<>(SB), Y5, Y6; \
	VFMADD213PD exp8<>(SB), Y5, Y6; \
	VFMADD213PD exp6<>(SB), Y5, Y6; \
	VFMADD213PD exp4<>(SB), Y5, Y6; \
	VFMADD213PD exp2<>(SB), Y5, Y6; \
	VFMADD213PD one<>(SB), Y5, Y6; \
	VMOVUPD     exp13<>(SB), Y7; \
	VFMADD213PD exp11<>(SB), Y5, Y7; \
	VFMADD213PD exp9<>(SB), Y5, Y7; \
	VFMADD213PD exp7<>(SB), Y5, Y7; \
	VFMADD213PD exp5<>(SB), Y5, Y7; \
	VFMADD213PD exp3<>(SB), Y5, Y7; \
	VFMADD213PD one<>(SB), Y5, Y7; \
	VFMADD231PD Y7, Y3, Y6

// EXP_NEG_ABS sets Y6 to t = e^−a for the four values in Y0, a = min(|Y0|, 746):
// −a = k·ln2 + r, e^−a = 2^k·(E(r²) + r·O(r²)). It leaves |Y0| in Y2 and uses
// Y3–Y7. For NaN input t is 0.
#define EXP_NEG_ABS \
	VANDPD      absMask<>(SB), Y0, Y2; \
	VMINPD      expLimit<>(SB), Y2, Y3; \
	VXORPD      signMask<>(SB), Y3, Y3; \
	VMULPD      log2e<>(SB), Y3, Y4; \
	VROUNDPD    $0, Y4, Y4; \
	VFMADD231PD negLn2Hi<>(SB), Y4, Y3; \
	VFMADD231PD negLn2Lo<>(SB), Y4, Y3; \
	EXP_POLY; \
	VADDPD      expBias<>(SB), Y4, Y4; \
	VPSLLQ      $52, Y4, Y4; \
	VMULPD      Y4, Y6, Y6; \
	VMULPD      expUnshift<>(SB), Y6, Y6

// func bernoulliLogitsAVX2(l, x, grad *float64, n int) float64
//
// The logits are taken in blocks of up to 32: a first loop stores
// t = e^−|l| for the block on the stack, a second one finishes each
// element from l, x and t. Each loop's chain of dependent instructions is
// half the length of a single loop's, so more iterations run at once.
//
// Registers: SI l, DI x, DX grad (0 for none), CX groups of four left,
// BX groups in this block, R8 stack offset. First loop: Y0 l, Y2 |l|,
// Y3 reduced argument r, Y4 k then 2^k, Y5 r², Y6 e^r then t, Y7 odd part
// of e^r. Second loop: Y0 l, Y1 x, Y6 t, Y8 m, Y9 s then log1p(t),
// Y10–Y13 scratch, Y15 the four partial sums.
TEXT ·bernoulliLogitsAVX2(SB), NOSPLIT, $256-40
	MOVQ l+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPD Y15, Y15, Y15
	SHRQ $2, CX
	JZ   done

block:
	MOVQ CX, BX
	CMPQ BX, $8
	JLE  expLoopStart
	MOVQ $8, BX

expLoopStart:
	MOVQ BX, R9
	XORQ R8, R8
	MOVQ SI, R10

expLoop:
	VMOVUPD (R10), Y0
	EXP_NEG_ABS
	VMOVUPD Y6, (SP)(R8*1)
	ADDQ    $32, R10
	ADDQ    $32, R8
	DECQ    R9
	JNZ     expLoop

	XORQ R8, R8

termLoop:
	VMOVUPD (SI), Y0
	VMOVUPD (DI), Y1
	VMOVUPD (SP)(R8*1), Y6

	// log1p(t) = m·ln2 + 2s·Q(s²), s = (t−m)/(t+2+m), m = [t > √2−1].
	VCMPPD      $0x1e, log1pSplit<>(SB), Y6, Y8
	VANDPD      one<>(SB), Y8, Y8
	VSUBPD      Y8, Y6, Y9
	VADDPD      two<>(SB), Y6, Y10
	VADDPD      Y8, Y10, Y10
	VDIVPD      Y10, Y9, Y9
	VMULPD      Y9, Y9, Y10
	VMULPD      Y10, Y10, Y11
	VMOVUPD     atanh21<>(SB), Y12
	VFMADD213PD atanh17<>(SB), Y11, Y12
	VFMADD213PD atanh13<>(SB), Y11, Y12
	VFMADD213PD atanh9<>(SB), Y11, Y12
	VFMADD213PD atanh5<>(SB), Y11, Y12
	VFMADD213PD one<>(SB), Y11, Y12
	VMOVUPD     atanh23<>(SB), Y13
	VFMADD213PD atanh19<>(SB), Y11, Y13
	VFMADD213PD atanh15<>(SB), Y11, Y13
	VFMADD213PD atanh11<>(SB), Y11, Y13
	VFMADD213PD atanh7<>(SB), Y11, Y13
	VFMADD213PD atanh3<>(SB), Y11, Y13
	VFMADD231PD Y13, Y10, Y12
	VADDPD      Y9, Y9, Y9
	VMULPD      Y12, Y9, Y9
	VFMADD231PD ln2<>(SB), Y8, Y9

	// term = x·l − (max(l, 0) + log1p(t)).
	VXORPD      Y10, Y10, Y10
	VMAXPD      Y10, Y0, Y10
	VADDPD      Y9, Y10, Y10
	VFMSUB231PD Y0, Y1, Y10
	VADDPD      Y10, Y15, Y15

	// grad = x − σ(l), σ(l) = 1/(1+t) for l > 0 and t/(1+t) otherwise.
	TESTQ     DX, DX
	JZ        next
	VADDPD    one<>(SB), Y6, Y11
	VMOVUPD   one<>(SB), Y12
	VDIVPD    Y11, Y12, Y12
	VMULPD    Y6, Y12, Y13
	VXORPD    Y11, Y11, Y11
	VCMPPD    $0x1e, Y11, Y0, Y11
	VBLENDVPD Y11, Y12, Y13, Y13
	VSUBPD    Y13, Y1, Y13
	VMOVUPD   Y13, (DX)
	ADDQ      $32, DX

next:
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	DECQ BX
	JNZ  termLoop

	MOVQ R8, R9
	SHRQ $5, R9
	SUBQ R9, CX
	JNZ  block

done:
	VEXTRACTF128 $1, Y15, X14
	VADDPD       X14, X15, X15
	VHADDPD      X15, X15, X15
	VZEROUPPER
	MOVSD        X15, ret+32(FP)
	RET

// func sigmoidAVX2(dst, x *float64, n int)
//
// dst[i] = σ(x[i]) = 1/(1+t) for x > 0 and t/(1+t) otherwise, t = e^−|x|;
// NaN stays NaN. n is a multiple of 4.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JZ   sigDone

sigLoop:
	VMOVUPD (SI), Y0
	EXP_NEG_ABS
	VADDPD    one<>(SB), Y6, Y11
	VMOVUPD   one<>(SB), Y12
	VDIVPD    Y11, Y12, Y12
	VMULPD    Y6, Y12, Y13
	VXORPD    Y11, Y11, Y11
	VCMPPD    $0x1e, Y11, Y0, Y11
	VBLENDVPD Y11, Y12, Y13, Y13
	VCMPPD    $3, Y0, Y0, Y11     // x is NaN
	VBLENDVPD Y11, Y0, Y13, Y13
	VMOVUPD   Y13, (DX)
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       sigLoop

sigDone:
	VZEROUPPER
	RET

// func sigmoidGradAVX2(dst, gr, x *float64, n int)
//
// dst[i] = gr[i]·σ'(x[i]) = gr[i]·t/(1+t)², t = e^−|x|; NaN stays NaN. n is a
// multiple of 4.
TEXT ·sigmoidGradAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ gr+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	JZ   sgDone

sgLoop:
	VMOVUPD (SI), Y0
	EXP_NEG_ABS
	VADDPD    one<>(SB), Y6, Y11
	VMULPD    Y11, Y11, Y11
	VDIVPD    Y11, Y6, Y12
	VMULPD    (DI), Y12, Y12
	VCMPPD    $3, Y0, Y0, Y11
	VBLENDVPD Y11, Y0, Y12, Y12
	VMOVUPD   Y12, (DX)
	ADDQ      $32, SI
	ADDQ      $32, DI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       sgLoop

sgDone:
	VZEROUPPER
	RET

// func expAVX2(dst, x *float64, n int)
//
// dst[i] = e^x[i] over the whole range: x is clamped to [−746, 710] (NaN
// kept), reduced as x = k·ln2 + r, and 2^k applied as 2^k1·2^k2 with
// k1 = ⌊k/2⌋, so that overflow gives +Inf and subnormal results are rounded
// once. n is a multiple of 4.
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JZ   expDone

expLoop:
	VMOVUPD     (SI), Y0
	VMOVUPD     expLo<>(SB), Y3
	VMAXPD      Y0, Y3, Y3 // a NaN in x is kept: max returns its second source
	VMOVUPD     expHi<>(SB), Y4
	VMINPD      Y3, Y4, Y3
	VMULPD      log2e<>(SB), Y3, Y4
	VROUNDPD    $0, Y4, Y4
	VFMADD231PD negLn2Hi<>(SB), Y4, Y3
	VFMADD231PD negLn2Lo<>(SB), Y4, Y3
	EXP_POLY
	VMULPD      half<>(SB), Y4, Y8
	VROUNDPD    $1, Y8, Y8 // k1 = ⌊k/2⌋
	VSUBPD      Y8, Y4, Y9 // k2 = k − k1
	VADDPD      expBias0<>(SB), Y8, Y8
	VPSLLQ      $52, Y8, Y8
	VADDPD      expBias0<>(SB), Y9, Y9
	VPSLLQ      $52, Y9, Y9
	VMULPD      Y8, Y6, Y6
	VMULPD      Y9, Y6, Y6
	VMOVUPD     Y6, (DX)
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         expLoop

expDone:
	VZEROUPPER
	RET
