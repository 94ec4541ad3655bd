//go:build amd64 && !purego

#include "textflag.h"
#include "lanes_amd64.h"

// The natural logarithm and ln(1+x), four values per instruction. The
// formulas are those of the Go twins logGo and log1pGo in log.go.
//
// Constants, each repeated in all four lanes so that it can be a 256-bit
// memory operand.

// added to the bits of x: the exponent field becomes k+1023, m ∈ [√½, √2)
LANES4(logOffset<>, $0x00095f619980c433)

// the mantissa field
LANES4(logMant<>, $0x000fffffffffffff)

// the bits of √½, the smallest m
LANES4(logSqrtHalf<>, $0x3fe6a09e667f3bcd)

// 2^52: its low mantissa bits hold an integer
LANES4(logTwo52<>, $0x4330000000000000)

// 2^52 + 1023
LANES4(logBias<>, $0x43300000000003ff)

// 2^-1022: below it x is subnormal
LANES4(logMinNormal<>, $0x0010000000000000)

// 2^54, scaling the subnormals into the normal range
LANES4(logTwo54<>, $0x4350000000000000)

// 54, the exponent of that scaling
LANES4(log54<>, $0x404b000000000000)

// 1023: 2^-k is taken as 0 for k ≥ 1023
LANES4(logKMax<>, $0x408ff80000000000)

// 1
LANES4(logOne<>, $0x3ff0000000000000)

// -1
LANES4(logMinusOne<>, $0xbff0000000000000)

// 2
LANES4(logTwo<>, $0x4000000000000000)

// 0.5
LANES4(logHalf<>, $0x3fe0000000000000)

// ln2, high part (Cody-Waite): k·ln2Hi is exact
LANES4(logLn2Hi<>, $0x3fe62e42fee00000)

// ln2, low part
LANES4(logLn2Lo<>, $0x3dea39ef35793c76)

// coefficients of R(z) = z·(c1 + c2·z + … + c7·z^6)
LANES4(logC1<>, $0x3fe5555555555592)

LANES4(logC2<>, $0x3fd999999997fd7b)

LANES4(logC3<>, $0x3fd24924941f4bb6)

LANES4(logC4<>, $0x3fcc71c52063fc6a)

LANES4(logC5<>, $0x3fc74663f95f888b)

LANES4(logC6<>, $0x3fc39a1a8435234f)

LANES4(logC7<>, $0x3fc2f0626c715bf4)

// +Inf
LANES4(logInf<>, $0x7ff0000000000000)

// -Inf
LANES4(logNegInf<>, $0xfff0000000000000)

// or-ed into x: a quiet NaN for negative x, the NaN itself for NaN
LANES4(logQNaN<>, $0x7ff8000000000000)

// LOG_REDUCE splits the four positive values in Y2 as 2^k·m, m in [√½, √2):
// it sets Y3 to m and Y4 to k.
#define LOG_REDUCE \
	VPADDQ logOffset<>(SB), Y2, Y3; \
	VPSRLQ $52, Y3, Y4; \
	VPAND  logMant<>(SB), Y3, Y3; \
	VPADDQ logSqrtHalf<>(SB), Y3, Y3; \
	VPOR   logTwo52<>(SB), Y4, Y4; \
	VSUBPD logBias<>(SB), Y4, Y4

// LOG_POLY sets Y3 to k·ln2 + ln(1+f) + c from f in Y3, k in Y4, s = f/(2+f)
// in Y5 and k·ln2Lo + c in Y10, as k·ln2Hi + (f − (f²/2 − (s·(f²/2 + R(s²))
// + k·ln2Lo + c))), with R(z) = z·P(z) and P by Estrin's scheme:
// P = (c1 + c2·z) + z²·(c3 + c4·z) + z⁴·((c5 + c6·z) + z²·c7). It uses
// Y6–Y10.
#define LOG_POLY \
	VMULPD      Y5, Y5, Y6; \
	VMULPD      Y6, Y6, Y7; \
	VMOVUPD     logC2<>(SB), Y8; \
	VFMADD213PD logC1<>(SB), Y6, Y8; \
	VMOVUPD     logC4<>(SB), Y9; \
	VFMADD213PD logC3<>(SB), Y6, Y9; \
	VFMADD231PD Y9, Y7, Y8; \
	VMOVUPD     logC6<>(SB), Y9; \
	VFMADD213PD logC5<>(SB), Y6, Y9; \
	VFMADD231PD logC7<>(SB), Y7, Y9; \
	VMULPD      Y7, Y7, Y7; \
	VFMADD231PD Y9, Y7, Y8; \
	VMULPD      logHalf<>(SB), Y3, Y9; \
	VMULPD      Y3, Y9, Y9; \
	VFMADD213PD Y9, Y6, Y8; \
	VFMADD231PD Y8, Y5, Y10; \
	VSUBPD      Y10, Y9, Y9; \
	VSUBPD      Y9, Y3, Y3; \
	VFMADD231PD logLn2Hi<>(SB), Y4, Y3

// func logAVX2(dst, x *float64, n int)
//
// dst[i] = ln x[i]: subnormals are scaled by 2^54, x = 2^k·m, f = m−1,
// s = f/(2+f), and the special values are blended in at the end: −Inf for
// ±0, +Inf for +Inf, NaN for negative x and NaN. n is a multiple of 4.
TEXT ·logAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JZ   logDone

logLoop:
	VMOVUPD   (SI), Y0
	VCMPPD    $0x11, logMinNormal<>(SB), Y0, Y1 // x < 2^-1022
	VMULPD    logTwo54<>(SB), Y0, Y2
	VBLENDVPD Y1, Y2, Y0, Y2
	VANDPD    log54<>(SB), Y1, Y1
	LOG_REDUCE
	VSUBPD    Y1, Y4, Y4                        // k, less 54 for subnormals
	VSUBPD    logOne<>(SB), Y3, Y3              // f = m − 1, exact
	VADDPD    logTwo<>(SB), Y3, Y5
	VDIVPD    Y5, Y3, Y5                        // s = f/(2+f)
	VMULPD    logLn2Lo<>(SB), Y4, Y10
	LOG_POLY

	VXORPD    Y11, Y11, Y11
	VCMPPD    $0x00, Y11, Y0, Y12               // x == ±0
	VBLENDVPD Y12, logNegInf<>(SB), Y3, Y3
	VCMPPD    $0x00, logInf<>(SB), Y0, Y12      // x == +Inf
	VBLENDVPD Y12, Y0, Y3, Y3
	VCMPPD    $0x19, Y11, Y0, Y12               // not x ≥ 0: negative or NaN
	VORPD     logQNaN<>(SB), Y0, Y13
	VBLENDVPD Y12, Y13, Y3, Y3
	VMOVUPD   Y3, (DX)
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       logLoop

logDone:
	VZEROUPPER
	RET

// func log1pAVX2(dst, x *float64, n int)
//
// dst[i] = ln(1+x[i]): u = 1+x with its rounding error e = min(x,1) −
// (u − max(x,1)) (exact), u = 2^k·m, f = m−1, r = 1/(m·(2+f)), s = f·(m·r),
// c = e·2^−k/m from c0 = e·2^−k·(2+f)·r and one remainder step, and the
// special values blended in at the end: ±0 and +Inf kept, −Inf for −1, NaN
// below −1 and for NaN. n is a multiple of 4.
TEXT ·log1pAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JZ   log1pDone

log1pLoop:
	VMOVUPD     (SI), Y0
	VADDPD      logOne<>(SB), Y0, Y2      // u = 1 + x
	VMAXPD      logOne<>(SB), Y0, Y10
	VMINPD      logOne<>(SB), Y0, Y11
	VSUBPD      Y10, Y2, Y10
	VSUBPD      Y10, Y11, Y11             // e = min(x,1) − (u − max(x,1))
	LOG_REDUCE
	VMINPD      logKMax<>(SB), Y4, Y12
	VMOVUPD     logBias<>(SB), Y13
	VSUBPD      Y12, Y13, Y13
	VPSLLQ      $52, Y13, Y13             // 2^−min(k, 1023)
	VMULPD      Y13, Y11, Y11             // e·2^−k
	VSUBPD      logOne<>(SB), Y3, Y1      // f = m − 1, exact
	VADDPD      logTwo<>(SB), Y1, Y5      // 2 + f
	VMULPD      Y5, Y3, Y6
	VMOVUPD     logOne<>(SB), Y7
	VDIVPD      Y6, Y7, Y7                // r = 1/(m·(2+f))
	VMULPD      Y7, Y5, Y5                // (2+f)·r ≈ 1/m
	VMULPD      Y7, Y3, Y7                // m·r ≈ 1/(2+f)
	VMULPD      Y5, Y11, Y10              // c0
	VFNMADD231PD Y10, Y3, Y11             // e·2^−k − m·c0
	VFMADD231PD Y11, Y5, Y10              // c
	VFMADD231PD logLn2Lo<>(SB), Y4, Y10   // k·ln2Lo + c
	VMULPD      Y7, Y1, Y5                // s
	VMOVAPD     Y1, Y3
	LOG_POLY

	VXORPD    Y11, Y11, Y11
	VCMPPD    $0x00, Y11, Y0, Y12               // x == ±0
	VCMPPD    $0x00, logInf<>(SB), Y0, Y13      // x == +Inf
	VORPD     Y13, Y12, Y12
	VBLENDVPD Y12, Y0, Y3, Y3
	VCMPPD    $0x00, logMinusOne<>(SB), Y0, Y12 // x == −1
	VBLENDVPD Y12, logNegInf<>(SB), Y3, Y3
	VCMPPD    $0x19, logMinusOne<>(SB), Y0, Y12 // not x ≥ −1: below −1 or NaN
	VORPD     logQNaN<>(SB), Y0, Y13
	VBLENDVPD Y12, Y13, Y3, Y3
	VMOVUPD   Y3, (DX)
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       log1pLoop

log1pDone:
	VZEROUPPER
	RET
