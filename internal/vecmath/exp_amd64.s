//go:build amd64 && !purego

#include "textflag.h"

// Kernels built on e^x: the Bernoulli-logits likelihood, the logistic
// function and its derivative, and e^x itself.
//
// Constants, each repeated in all four lanes so that it can be a 256-bit
// memory operand. The formulas are those of the Go twins in this package.

// clears the sign bit
DATA absMask<>+0(SB)/8, $0x7fffffffffffffff
DATA absMask<>+8(SB)/8, $0x7fffffffffffffff
DATA absMask<>+16(SB)/8, $0x7fffffffffffffff
DATA absMask<>+24(SB)/8, $0x7fffffffffffffff
GLOBL absMask<>(SB), RODATA|NOPTR, $32

// the sign bit
DATA signMask<>+0(SB)/8, $0x8000000000000000
DATA signMask<>+8(SB)/8, $0x8000000000000000
DATA signMask<>+16(SB)/8, $0x8000000000000000
DATA signMask<>+24(SB)/8, $0x8000000000000000
GLOBL signMask<>(SB), RODATA|NOPTR, $32

// 746: e^-746 already rounds to zero
DATA expLimit<>+0(SB)/8, $0x4087500000000000
DATA expLimit<>+8(SB)/8, $0x4087500000000000
DATA expLimit<>+16(SB)/8, $0x4087500000000000
DATA expLimit<>+24(SB)/8, $0x4087500000000000
GLOBL expLimit<>(SB), RODATA|NOPTR, $32

// log2(e)
DATA log2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA log2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA log2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA log2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL log2e<>(SB), RODATA|NOPTR, $32

// -ln2, high part (Cody-Waite)
DATA negLn2Hi<>+0(SB)/8, $0xbfe62e42fee00000
DATA negLn2Hi<>+8(SB)/8, $0xbfe62e42fee00000
DATA negLn2Hi<>+16(SB)/8, $0xbfe62e42fee00000
DATA negLn2Hi<>+24(SB)/8, $0xbfe62e42fee00000
GLOBL negLn2Hi<>(SB), RODATA|NOPTR, $32

// -ln2, low part
DATA negLn2Lo<>+0(SB)/8, $0xbdea39ef35793c76
DATA negLn2Lo<>+8(SB)/8, $0xbdea39ef35793c76
DATA negLn2Lo<>+16(SB)/8, $0xbdea39ef35793c76
DATA negLn2Lo<>+24(SB)/8, $0xbdea39ef35793c76
GLOBL negLn2Lo<>(SB), RODATA|NOPTR, $32

// 2^52 + 1023 + 100: adding it to k leaves the biased exponent of 2^(k+100) in the low mantissa bits
DATA expBias<>+0(SB)/8, $0x4330000000000463
DATA expBias<>+8(SB)/8, $0x4330000000000463
DATA expBias<>+16(SB)/8, $0x4330000000000463
DATA expBias<>+24(SB)/8, $0x4330000000000463
GLOBL expBias<>(SB), RODATA|NOPTR, $32

// 2^-100, undoing the shift in expBias with a single rounding
DATA expUnshift<>+0(SB)/8, $0x39b0000000000000
DATA expUnshift<>+8(SB)/8, $0x39b0000000000000
DATA expUnshift<>+16(SB)/8, $0x39b0000000000000
DATA expUnshift<>+24(SB)/8, $0x39b0000000000000
GLOBL expUnshift<>(SB), RODATA|NOPTR, $32

// 1/2!
DATA exp2<>+0(SB)/8, $0x3fe0000000000000
DATA exp2<>+8(SB)/8, $0x3fe0000000000000
DATA exp2<>+16(SB)/8, $0x3fe0000000000000
DATA exp2<>+24(SB)/8, $0x3fe0000000000000
GLOBL exp2<>(SB), RODATA|NOPTR, $32

// 1/3!
DATA exp3<>+0(SB)/8, $0x3fc5555555555555
DATA exp3<>+8(SB)/8, $0x3fc5555555555555
DATA exp3<>+16(SB)/8, $0x3fc5555555555555
DATA exp3<>+24(SB)/8, $0x3fc5555555555555
GLOBL exp3<>(SB), RODATA|NOPTR, $32

// 1/4!
DATA exp4<>+0(SB)/8, $0x3fa5555555555555
DATA exp4<>+8(SB)/8, $0x3fa5555555555555
DATA exp4<>+16(SB)/8, $0x3fa5555555555555
DATA exp4<>+24(SB)/8, $0x3fa5555555555555
GLOBL exp4<>(SB), RODATA|NOPTR, $32

// 1/5!
DATA exp5<>+0(SB)/8, $0x3f81111111111111
DATA exp5<>+8(SB)/8, $0x3f81111111111111
DATA exp5<>+16(SB)/8, $0x3f81111111111111
DATA exp5<>+24(SB)/8, $0x3f81111111111111
GLOBL exp5<>(SB), RODATA|NOPTR, $32

// 1/6!
DATA exp6<>+0(SB)/8, $0x3f56c16c16c16c17
DATA exp6<>+8(SB)/8, $0x3f56c16c16c16c17
DATA exp6<>+16(SB)/8, $0x3f56c16c16c16c17
DATA exp6<>+24(SB)/8, $0x3f56c16c16c16c17
GLOBL exp6<>(SB), RODATA|NOPTR, $32

// 1/7!
DATA exp7<>+0(SB)/8, $0x3f2a01a01a01a01a
DATA exp7<>+8(SB)/8, $0x3f2a01a01a01a01a
DATA exp7<>+16(SB)/8, $0x3f2a01a01a01a01a
DATA exp7<>+24(SB)/8, $0x3f2a01a01a01a01a
GLOBL exp7<>(SB), RODATA|NOPTR, $32

// 1/8!
DATA exp8<>+0(SB)/8, $0x3efa01a01a01a01a
DATA exp8<>+8(SB)/8, $0x3efa01a01a01a01a
DATA exp8<>+16(SB)/8, $0x3efa01a01a01a01a
DATA exp8<>+24(SB)/8, $0x3efa01a01a01a01a
GLOBL exp8<>(SB), RODATA|NOPTR, $32

// 1/9!
DATA exp9<>+0(SB)/8, $0x3ec71de3a556c734
DATA exp9<>+8(SB)/8, $0x3ec71de3a556c734
DATA exp9<>+16(SB)/8, $0x3ec71de3a556c734
DATA exp9<>+24(SB)/8, $0x3ec71de3a556c734
GLOBL exp9<>(SB), RODATA|NOPTR, $32

// 1/10!
DATA exp10<>+0(SB)/8, $0x3e927e4fb7789f5c
DATA exp10<>+8(SB)/8, $0x3e927e4fb7789f5c
DATA exp10<>+16(SB)/8, $0x3e927e4fb7789f5c
DATA exp10<>+24(SB)/8, $0x3e927e4fb7789f5c
GLOBL exp10<>(SB), RODATA|NOPTR, $32

// 1/11!
DATA exp11<>+0(SB)/8, $0x3e5ae64567f544e4
DATA exp11<>+8(SB)/8, $0x3e5ae64567f544e4
DATA exp11<>+16(SB)/8, $0x3e5ae64567f544e4
DATA exp11<>+24(SB)/8, $0x3e5ae64567f544e4
GLOBL exp11<>(SB), RODATA|NOPTR, $32

// 1/12!
DATA exp12<>+0(SB)/8, $0x3e21eed8eff8d898
DATA exp12<>+8(SB)/8, $0x3e21eed8eff8d898
DATA exp12<>+16(SB)/8, $0x3e21eed8eff8d898
DATA exp12<>+24(SB)/8, $0x3e21eed8eff8d898
GLOBL exp12<>(SB), RODATA|NOPTR, $32

// 1/13!
DATA exp13<>+0(SB)/8, $0x3de6124613a86d09
DATA exp13<>+8(SB)/8, $0x3de6124613a86d09
DATA exp13<>+16(SB)/8, $0x3de6124613a86d09
DATA exp13<>+24(SB)/8, $0x3de6124613a86d09
GLOBL exp13<>(SB), RODATA|NOPTR, $32

// √2-1: above it 1+t is reduced by 2
DATA log1pSplit<>+0(SB)/8, $0x3fda827999fcef32
DATA log1pSplit<>+8(SB)/8, $0x3fda827999fcef32
DATA log1pSplit<>+16(SB)/8, $0x3fda827999fcef32
DATA log1pSplit<>+24(SB)/8, $0x3fda827999fcef32
GLOBL log1pSplit<>(SB), RODATA|NOPTR, $32

// 1
DATA one<>+0(SB)/8, $0x3ff0000000000000
DATA one<>+8(SB)/8, $0x3ff0000000000000
DATA one<>+16(SB)/8, $0x3ff0000000000000
DATA one<>+24(SB)/8, $0x3ff0000000000000
GLOBL one<>(SB), RODATA|NOPTR, $32

// 2
DATA two<>+0(SB)/8, $0x4000000000000000
DATA two<>+8(SB)/8, $0x4000000000000000
DATA two<>+16(SB)/8, $0x4000000000000000
DATA two<>+24(SB)/8, $0x4000000000000000
GLOBL two<>(SB), RODATA|NOPTR, $32

// ln 2
DATA ln2<>+0(SB)/8, $0x3fe62e42fefa39ef
DATA ln2<>+8(SB)/8, $0x3fe62e42fefa39ef
DATA ln2<>+16(SB)/8, $0x3fe62e42fefa39ef
DATA ln2<>+24(SB)/8, $0x3fe62e42fefa39ef
GLOBL ln2<>(SB), RODATA|NOPTR, $32

// 1/3
DATA atanh3<>+0(SB)/8, $0x3fd5555555555555
DATA atanh3<>+8(SB)/8, $0x3fd5555555555555
DATA atanh3<>+16(SB)/8, $0x3fd5555555555555
DATA atanh3<>+24(SB)/8, $0x3fd5555555555555
GLOBL atanh3<>(SB), RODATA|NOPTR, $32

// 1/5
DATA atanh5<>+0(SB)/8, $0x3fc999999999999a
DATA atanh5<>+8(SB)/8, $0x3fc999999999999a
DATA atanh5<>+16(SB)/8, $0x3fc999999999999a
DATA atanh5<>+24(SB)/8, $0x3fc999999999999a
GLOBL atanh5<>(SB), RODATA|NOPTR, $32

// 1/7
DATA atanh7<>+0(SB)/8, $0x3fc2492492492492
DATA atanh7<>+8(SB)/8, $0x3fc2492492492492
DATA atanh7<>+16(SB)/8, $0x3fc2492492492492
DATA atanh7<>+24(SB)/8, $0x3fc2492492492492
GLOBL atanh7<>(SB), RODATA|NOPTR, $32

// 1/9
DATA atanh9<>+0(SB)/8, $0x3fbc71c71c71c71c
DATA atanh9<>+8(SB)/8, $0x3fbc71c71c71c71c
DATA atanh9<>+16(SB)/8, $0x3fbc71c71c71c71c
DATA atanh9<>+24(SB)/8, $0x3fbc71c71c71c71c
GLOBL atanh9<>(SB), RODATA|NOPTR, $32

// 1/11
DATA atanh11<>+0(SB)/8, $0x3fb745d1745d1746
DATA atanh11<>+8(SB)/8, $0x3fb745d1745d1746
DATA atanh11<>+16(SB)/8, $0x3fb745d1745d1746
DATA atanh11<>+24(SB)/8, $0x3fb745d1745d1746
GLOBL atanh11<>(SB), RODATA|NOPTR, $32

// 1/13
DATA atanh13<>+0(SB)/8, $0x3fb3b13b13b13b14
DATA atanh13<>+8(SB)/8, $0x3fb3b13b13b13b14
DATA atanh13<>+16(SB)/8, $0x3fb3b13b13b13b14
DATA atanh13<>+24(SB)/8, $0x3fb3b13b13b13b14
GLOBL atanh13<>(SB), RODATA|NOPTR, $32

// 1/15
DATA atanh15<>+0(SB)/8, $0x3fb1111111111111
DATA atanh15<>+8(SB)/8, $0x3fb1111111111111
DATA atanh15<>+16(SB)/8, $0x3fb1111111111111
DATA atanh15<>+24(SB)/8, $0x3fb1111111111111
GLOBL atanh15<>(SB), RODATA|NOPTR, $32

// 1/17
DATA atanh17<>+0(SB)/8, $0x3fae1e1e1e1e1e1e
DATA atanh17<>+8(SB)/8, $0x3fae1e1e1e1e1e1e
DATA atanh17<>+16(SB)/8, $0x3fae1e1e1e1e1e1e
DATA atanh17<>+24(SB)/8, $0x3fae1e1e1e1e1e1e
GLOBL atanh17<>(SB), RODATA|NOPTR, $32

// 1/19
DATA atanh19<>+0(SB)/8, $0x3faaf286bca1af28
DATA atanh19<>+8(SB)/8, $0x3faaf286bca1af28
DATA atanh19<>+16(SB)/8, $0x3faaf286bca1af28
DATA atanh19<>+24(SB)/8, $0x3faaf286bca1af28
GLOBL atanh19<>(SB), RODATA|NOPTR, $32

// 1/21
DATA atanh21<>+0(SB)/8, $0x3fa8618618618618
DATA atanh21<>+8(SB)/8, $0x3fa8618618618618
DATA atanh21<>+16(SB)/8, $0x3fa8618618618618
DATA atanh21<>+24(SB)/8, $0x3fa8618618618618
GLOBL atanh21<>(SB), RODATA|NOPTR, $32

// 1/23
DATA atanh23<>+0(SB)/8, $0x3fa642c8590b2164
DATA atanh23<>+8(SB)/8, $0x3fa642c8590b2164
DATA atanh23<>+16(SB)/8, $0x3fa642c8590b2164
DATA atanh23<>+24(SB)/8, $0x3fa642c8590b2164
GLOBL atanh23<>(SB), RODATA|NOPTR, $32

// -746: e^x rounds to zero below it
DATA expLo<>+0(SB)/8, $0xc087500000000000
DATA expLo<>+8(SB)/8, $0xc087500000000000
DATA expLo<>+16(SB)/8, $0xc087500000000000
DATA expLo<>+24(SB)/8, $0xc087500000000000
GLOBL expLo<>(SB), RODATA|NOPTR, $32

// 710: e^x overflows above it
DATA expHi<>+0(SB)/8, $0x4086300000000000
DATA expHi<>+8(SB)/8, $0x4086300000000000
DATA expHi<>+16(SB)/8, $0x4086300000000000
DATA expHi<>+24(SB)/8, $0x4086300000000000
GLOBL expHi<>(SB), RODATA|NOPTR, $32

// 0.5
DATA half<>+0(SB)/8, $0x3fe0000000000000
DATA half<>+8(SB)/8, $0x3fe0000000000000
DATA half<>+16(SB)/8, $0x3fe0000000000000
DATA half<>+24(SB)/8, $0x3fe0000000000000
GLOBL half<>(SB), RODATA|NOPTR, $32

// 2^52 + 1023: added to an integer-valued k it leaves the biased exponent of 2^k in the low mantissa bits
DATA expBias0<>+0(SB)/8, $0x43300000000003ff
DATA expBias0<>+8(SB)/8, $0x43300000000003ff
DATA expBias0<>+16(SB)/8, $0x43300000000003ff
DATA expBias0<>+24(SB)/8, $0x43300000000003ff
GLOBL expBias0<>(SB), RODATA|NOPTR, $32

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
