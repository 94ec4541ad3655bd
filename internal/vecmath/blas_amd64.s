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
// dst[j] += Σ_{p<k} a[p]·b[p·stride+j] for j < 4, k ≥ 1, in one register.
TEXT ·axpyRows4AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), R8
	MOVQ b+16(FP), SI
	MOVQ k+24(FP), R9
	MOVQ stride+32(FP), R10
	SHLQ $3, R10
	VMOVUPD (DI), Y0

rows4Loop:
	VBROADCASTSD (R8), Y4
	VFMADD231PD  (SI), Y4, Y0
	ADDQ         $8, R8
	ADDQ         R10, SI
	DECQ         R9
	JNZ          rows4Loop

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
