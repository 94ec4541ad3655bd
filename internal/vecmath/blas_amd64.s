//go:build amd64 && !purego

#include "textflag.h"

// func axpyAVX2(alpha float64, x, y *float64, n int)
// y[i] += alpha·x[i] for n elements, n a multiple of 16.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVQ         n+24(FP), CX
	SHRQ         $4, CX
	JZ           axpyDone

axpyLoop:
	VMOVUPD     (DI), Y1
	VMOVUPD     32(DI), Y2
	VMOVUPD     64(DI), Y3
	VMOVUPD     96(DI), Y4
	VFMADD231PD (SI), Y0, Y1
	VFMADD231PD 32(SI), Y0, Y2
	VFMADD231PD 64(SI), Y0, Y3
	VFMADD231PD 96(SI), Y0, Y4
	VMOVUPD     Y1, (DI)
	VMOVUPD     Y2, 32(DI)
	VMOVUPD     Y3, 64(DI)
	VMOVUPD     Y4, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	DECQ        CX
	JNZ         axpyLoop

axpyDone:
	VZEROUPPER
	RET

// func dotAVX2(x, y *float64, n int) float64
// Σ x[i]·y[i] over n elements, n a multiple of 16, in four accumulators.
TEXT ·dotAVX2(SB), NOSPLIT, $0-32
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DI
	MOVQ   n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	SHRQ   $4, CX
	JZ     dotDone

dotLoop:
	VMOVUPD     (SI), Y4
	VMOVUPD     32(SI), Y5
	VMOVUPD     64(SI), Y6
	VMOVUPD     96(SI), Y7
	VFMADD231PD (DI), Y4, Y0
	VFMADD231PD 32(DI), Y5, Y1
	VFMADD231PD 64(DI), Y6, Y2
	VFMADD231PD 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	DECQ        CX
	JNZ         dotLoop

dotDone:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0
	VZEROUPPER
	MOVSD        X0, ret+24(FP)
	RET

// func axpyRowsAVX2(dst, a, b *float64, k, stride, n int)
// dst[j] += Σ_{p<k} a[p]·b[p·stride+j] for j < n, n a multiple of 32 and
// k ≥ 1: each block of 32 columns stays in eight registers while the k
// rows of b stream past, so dst is read and written once.
TEXT ·axpyRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), R8
	MOVQ b+16(FP), SI
	MOVQ k+24(FP), R9
	MOVQ stride+32(FP), R10
	SHLQ $3, R10
	MOVQ n+40(FP), CX
	SHRQ $5, CX
	JZ   rowsDone

colLoop:
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	VMOVUPD 128(DI), Y5
	VMOVUPD 160(DI), Y6
	VMOVUPD 192(DI), Y7
	VMOVUPD 224(DI), Y8
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    R9, R13

rowLoop:
	VBROADCASTSD (R12), Y4
	VFMADD231PD  (R11), Y4, Y0
	VFMADD231PD  32(R11), Y4, Y1
	VFMADD231PD  64(R11), Y4, Y2
	VFMADD231PD  96(R11), Y4, Y3
	VFMADD231PD  128(R11), Y4, Y5
	VFMADD231PD  160(R11), Y4, Y6
	VFMADD231PD  192(R11), Y4, Y7
	VFMADD231PD  224(R11), Y4, Y8
	ADDQ         $8, R12
	ADDQ         R10, R11
	DECQ         R13
	JNZ          rowLoop

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y5, 128(DI)
	VMOVUPD Y6, 160(DI)
	VMOVUPD Y7, 192(DI)
	VMOVUPD Y8, 224(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	DECQ    CX
	JNZ     colLoop

rowsDone:
	VZEROUPPER
	RET

// func dot4AVX2(a, b *float64, stride, n int, dst *[4]float64)
// dst[r] = Σ_{p<n} a[p]·b[r·stride+p] for r < 4, n a multiple of 8: four
// dot products against one vector, which is loaded once for all four, each
// in two accumulators.
TEXT ·dot4AVX2(SB), NOSPLIT, $0-40
	MOVQ   a+0(FP), SI
	MOVQ   b+8(FP), R8
	MOVQ   stride+16(FP), DX
	SHLQ   $3, DX
	LEAQ   (R8)(DX*1), R9
	LEAQ   (R9)(DX*1), R10
	LEAQ   (R10)(DX*1), R11
	MOVQ   n+24(FP), CX
	MOVQ   dst+32(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   AX, AX
	SHRQ   $3, CX
	JZ     dot4Done

dot4Loop:
	VMOVUPD     (SI)(AX*1), Y8
	VMOVUPD     32(SI)(AX*1), Y9
	VFMADD231PD (R8)(AX*1), Y8, Y0
	VFMADD231PD 32(R8)(AX*1), Y9, Y1
	VFMADD231PD (R9)(AX*1), Y8, Y2
	VFMADD231PD 32(R9)(AX*1), Y9, Y3
	VFMADD231PD (R10)(AX*1), Y8, Y4
	VFMADD231PD 32(R10)(AX*1), Y9, Y5
	VFMADD231PD (R11)(AX*1), Y8, Y6
	VFMADD231PD 32(R11)(AX*1), Y9, Y7
	ADDQ        $64, AX
	DECQ        CX
	JNZ         dot4Loop

dot4Done:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y5, Y4, Y4
	VADDPD       Y7, Y6, Y6
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0
	MOVSD        X0, (DI)
	VEXTRACTF128 $1, Y2, X3
	VADDPD       X3, X2, X2
	VHADDPD      X2, X2, X2
	MOVSD        X2, 8(DI)
	VEXTRACTF128 $1, Y4, X5
	VADDPD       X5, X4, X4
	VHADDPD      X4, X4, X4
	MOVSD        X4, 16(DI)
	VEXTRACTF128 $1, Y6, X7
	VADDPD       X7, X6, X6
	VHADDPD      X6, X6, X6
	MOVSD        X6, 24(DI)
	VZEROUPPER
	RET

// func axpyRows16AVX2(dst, a, b *float64, k, stride int)
// dst[j] += Σ_{p<k} a[p]·b[p·stride+j] for j < 16, k ≥ 1: the columns stay
// in four registers, one chain of sums each, while the k rows stream past.
TEXT ·axpyRows16AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), R8
	MOVQ b+16(FP), SI
	MOVQ k+24(FP), R9
	MOVQ stride+32(FP), R10
	SHLQ $3, R10
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3

rows16Loop:
	VBROADCASTSD (R8), Y4
	VFMADD231PD  (SI), Y4, Y0
	VFMADD231PD  32(SI), Y4, Y1
	VFMADD231PD  64(SI), Y4, Y2
	VFMADD231PD  96(SI), Y4, Y3
	ADDQ         $8, R8
	ADDQ         R10, SI
	DECQ         R9
	JNZ          rows16Loop

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func axpyRows4AVX2(dst, a, b *float64, k, stride int)
// dst[j] += Σ_{p<k} a[p]·b[p·stride+j] for j < 4, k ≥ 1. The rows go to
// four registers by p mod 4 (the first also holding dst, then the last k
// mod 4 rows), added as (s0+s1)+(s2+s3) at the end, so that a long k runs
// four chains of additions at once instead of waiting on one.
TEXT ·axpyRows4AVX2(SB), NOSPLIT, $0-40
	MOVQ    dst+0(FP), DI
	MOVQ    a+8(FP), R8
	MOVQ    b+16(FP), SI
	MOVQ    k+24(FP), R9
	MOVQ    stride+32(FP), R10
	SHLQ    $3, R10
	LEAQ    (R10)(R10*2), R11 // 3·stride
	VMOVUPD (DI), Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y2, Y2, Y2
	VXORPD  Y3, Y3, Y3
	MOVQ    R9, CX
	SHRQ    $2, CX
	JZ      rows4Rest

rows4Loop:
	VBROADCASTSD (R8), Y4
	VFMADD231PD  (SI), Y4, Y0
	VBROADCASTSD 8(R8), Y5
	VFMADD231PD  (SI)(R10*1), Y5, Y1
	VBROADCASTSD 16(R8), Y6
	VFMADD231PD  (SI)(R10*2), Y6, Y2
	VBROADCASTSD 24(R8), Y7
	VFMADD231PD  (SI)(R11*1), Y7, Y3
	ADDQ         $32, R8
	LEAQ         (SI)(R10*4), SI
	DECQ         CX
	JNZ          rows4Loop

rows4Rest:
	ANDQ $3, R9
	JZ   rows4Sum

rows4RestLoop:
	VBROADCASTSD (R8), Y4
	VFMADD231PD  (SI), Y4, Y0
	ADDQ         $8, R8
	ADDQ         R10, SI
	DECQ         R9
	JNZ          rows4RestLoop

rows4Sum:
	VADDPD  Y1, Y0, Y0
	VADDPD  Y3, Y2, Y2
	VADDPD  Y2, Y0, Y0
	VMOVUPD Y0, (DI)
	VZEROUPPER
	RET

// func gemm4x12AVX2(c *float64, ldc int, a *float64, lda int, b *float64, ldb, k int)
// c[r·ldc+j] += Σ_{p<k} a[r·lda+p]·b[p·ldb+j] for r < 4, j < 12, k ≥ 1: a
// block of four rows by twelve columns of C kept in twelve registers while
// the k rows of B (three registers each) and the four rows of A (one
// broadcast at a time) stream past, so each load of B serves four rows.
// Each element's sum runs over p in order, as in axpyRowsAVX2.
TEXT ·gemm4x12AVX2(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), R9
	SHLQ $3, R9
	MOVQ b+32(FP), DX
	MOVQ ldb+40(FP), R10
	SHLQ $3, R10
	MOVQ k+48(FP), CX
	LEAQ (R9)(R9*2), R11 // 3·lda
	LEAQ (R8)(R8*2), R12 // 3·ldc

	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD (DI)(R8*1), Y3
	VMOVUPD 32(DI)(R8*1), Y4
	VMOVUPD 64(DI)(R8*1), Y5
	VMOVUPD (DI)(R8*2), Y6
	VMOVUPD 32(DI)(R8*2), Y7
	VMOVUPD 64(DI)(R8*2), Y8
	VMOVUPD (DI)(R12*1), Y9
	VMOVUPD 32(DI)(R12*1), Y10
	VMOVUPD 64(DI)(R12*1), Y11

gemmLoop:
	VMOVUPD      (DX), Y12
	VMOVUPD      32(DX), Y13
	VMOVUPD      64(DX), Y14
	VBROADCASTSD (SI), Y15
	VFMADD231PD  Y12, Y15, Y0
	VFMADD231PD  Y13, Y15, Y1
	VFMADD231PD  Y14, Y15, Y2
	VBROADCASTSD (SI)(R9*1), Y15
	VFMADD231PD  Y12, Y15, Y3
	VFMADD231PD  Y13, Y15, Y4
	VFMADD231PD  Y14, Y15, Y5
	VBROADCASTSD (SI)(R9*2), Y15
	VFMADD231PD  Y12, Y15, Y6
	VFMADD231PD  Y13, Y15, Y7
	VFMADD231PD  Y14, Y15, Y8
	VBROADCASTSD (SI)(R11*1), Y15
	VFMADD231PD  Y12, Y15, Y9
	VFMADD231PD  Y13, Y15, Y10
	VFMADD231PD  Y14, Y15, Y11
	ADDQ         $8, SI
	ADDQ         R10, DX
	DECQ         CX
	JNZ          gemmLoop

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, (DI)(R8*1)
	VMOVUPD Y4, 32(DI)(R8*1)
	VMOVUPD Y5, 64(DI)(R8*1)
	VMOVUPD Y6, (DI)(R8*2)
	VMOVUPD Y7, 32(DI)(R8*2)
	VMOVUPD Y8, 64(DI)(R8*2)
	VMOVUPD Y9, (DI)(R12*1)
	VMOVUPD Y10, 32(DI)(R12*1)
	VMOVUPD Y11, 64(DI)(R12*1)
	VZEROUPPER
	RET

// the lanes below 1, 2 and 3 of four: masks for a row's last n mod 4 values
DATA tailMask<>+0(SB)/8, $-1
DATA tailMask<>+8(SB)/8, $0
DATA tailMask<>+16(SB)/8, $0
DATA tailMask<>+24(SB)/8, $0
DATA tailMask<>+32(SB)/8, $-1
DATA tailMask<>+40(SB)/8, $-1
DATA tailMask<>+48(SB)/8, $0
DATA tailMask<>+56(SB)/8, $0
DATA tailMask<>+64(SB)/8, $-1
DATA tailMask<>+72(SB)/8, $-1
DATA tailMask<>+80(SB)/8, $-1
DATA tailMask<>+88(SB)/8, $0
GLOBL tailMask<>(SB), RODATA|NOPTR, $96

// func dotRowsShortAVX2(dst, a, b *float64, stride, n, m int)
// dst[j] = Σ_{p<n} a[p]·b[j·stride+p] for j < m, m a multiple of 4 and
// n ≥ 1: rows four at a time, one register of sums each, a row's last
// n mod 4 values read through a mask; the four sums are reduced together
// and stored at once. Made for short rows, where dot4AVX2's loop would
// run once or not at all.
TEXT ·dotRowsShortAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ stride+24(FP), DX
	SHLQ $3, DX
	MOVQ n+32(FP), BX
	MOVQ m+40(FP), CX
	SHRQ $2, CX
	JZ   shortDone
	MOVQ BX, R12
	ANDQ $3, R12           // values in the masked tail
	SHRQ $2, BX            // full groups of four values
	MOVQ BX, R13
	SHLQ $5, R13           // byte offset of the tail
	TESTQ R12, R12
	JZ    rowsStart
	LEAQ  tailMask<>(SB), AX
	MOVQ  R12, R14
	DECQ  R14
	SHLQ  $5, R14
	VMOVUPD    (AX)(R14*1), Y15
	VMASKMOVPD (SI)(R13*1), Y15, Y14

rowsStart:
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	LEAQ (R10)(DX*1), R11
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   BX, R14
	TESTQ  R14, R14
	JZ     shortTail

shortLoop:
	VMOVUPD     (SI)(AX*1), Y8
	VFMADD231PD (R8)(AX*1), Y8, Y0
	VFMADD231PD (R9)(AX*1), Y8, Y1
	VFMADD231PD (R10)(AX*1), Y8, Y2
	VFMADD231PD (R11)(AX*1), Y8, Y3
	ADDQ        $32, AX
	DECQ        R14
	JNZ         shortLoop

shortTail:
	TESTQ       R12, R12
	JZ          shortSum
	VMASKMOVPD  (R8)(AX*1), Y15, Y9
	VFMADD231PD Y9, Y14, Y0
	VMASKMOVPD  (R9)(AX*1), Y15, Y9
	VFMADD231PD Y9, Y14, Y1
	VMASKMOVPD  (R10)(AX*1), Y15, Y9
	VFMADD231PD Y9, Y14, Y2
	VMASKMOVPD  (R11)(AX*1), Y15, Y9
	VFMADD231PD Y9, Y14, Y3

shortSum:
	// [Σ row 0, Σ row 1, Σ row 2, Σ row 3] from the four registers
	VHADDPD    Y1, Y0, Y4
	VHADDPD    Y3, Y2, Y5
	VPERM2F128 $0x21, Y5, Y4, Y6
	VBLENDPD   $0x0c, Y5, Y4, Y7
	VADDPD     Y6, Y7, Y7
	VMOVUPD    Y7, (DI)
	ADDQ       $32, DI
	LEAQ       (R11)(DX*1), R8
	DECQ       CX
	JNZ        rowsStart

shortDone:
	VZEROUPPER
	RET
