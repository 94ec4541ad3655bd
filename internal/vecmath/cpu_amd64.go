//go:build amd64 && !purego

package vecmath

// haveAVX2FMA reports whether this CPU and OS run the AVX2+FMA kernels: the
// CPU has AVX, AVX2 and FMA, and the OS saves the YMM registers (OSXSAVE set
// and XCR0 enabling the SSE and AVX state).
var haveAVX2FMA = detectAVX2FMA()

func detectAVX2FMA() bool {
	const (
		fmaBit     = 1 << 12 // CPUID.1:ECX
		osxsaveBit = 1 << 27 // CPUID.1:ECX
		avxBit     = 1 << 28 // CPUID.1:ECX
		avx2Bit    = 1 << 5  // CPUID.(7,0):EBX
		xmmYmm     = 0b110   // XCR0 bits for SSE and AVX state
	)
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	if ecx1&(fmaBit|osxsaveBit|avxBit) != fmaBit|osxsaveBit|avxBit {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&xmmYmm != xmmYmm {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&avx2Bit != 0
}

// cpuid executes CPUID with the given leaf and subleaf.
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register 0.
func xgetbv() (eax, edx uint32)

// bernoulliLogitsAVX2 is BernoulliLogits over n elements, n a multiple of 4,
// four at a time; grad may be nil.
//
//go:noescape
func bernoulliLogitsAVX2(l, x, grad *float64, n int) float64

// axpyAVX2 adds alpha·x[i] to y[i] for n elements, n a multiple of 16.
//
//go:noescape
func axpyAVX2(alpha float64, x, y *float64, n int)

// dotAVX2 returns Σ x[i]·y[i] over n elements, n a multiple of 16.
//
//go:noescape
func dotAVX2(x, y *float64, n int) float64

// sigmoidAVX2 stores σ(x[i]) in dst[i] for n elements, n a multiple of 4.
//
//go:noescape
func sigmoidAVX2(dst, x *float64, n int)

// sigmoidGradAVX2 stores gr[i]·σ'(x[i]) in dst[i] for n elements, n a
// multiple of 4.
//
//go:noescape
func sigmoidGradAVX2(dst, gr, x *float64, n int)

// expAVX2 stores e^x[i] in dst[i] for n elements, n a multiple of 4.
//
//go:noescape
func expAVX2(dst, x *float64, n int)

// axpyRowsAVX2 adds Σ_{p<k} a[p]·b[p·stride+j] to dst[j] for j < n, n a
// multiple of 32, k ≥ 1.
//
//go:noescape
func axpyRowsAVX2(dst, a, b *float64, k, stride, n int)

// axpyRows16AVX2 adds Σ_{p<k} a[p]·b[p·stride+j] to dst[j] for j < 16,
// k ≥ 1.
//
//go:noescape
func axpyRows16AVX2(dst, a, b *float64, k, stride int)

// axpyRows4AVX2 adds Σ_{p<k} a[p]·b[p·stride+j] to dst[j] for j < 4, k ≥ 1.
//
//go:noescape
func axpyRows4AVX2(dst, a, b *float64, k, stride int)

// gemm4x12AVX2 adds Σ_{p<k} a[r·lda+p]·b[p·ldb+j] to c[r·ldc+j] for r < 4,
// j < 12, k ≥ 1.
//
//go:noescape
func gemm4x12AVX2(c *float64, ldc int, a *float64, lda int, b *float64, ldb, k int)

// dot4AVX2 stores Σ_{p<n} a[p]·b[r·stride+p] in dst[r] for r < 4, n a
// multiple of 8.
//
//go:noescape
func dot4AVX2(a, b *float64, stride, n int, dst *[4]float64)

// dotRowsShortAVX2 stores Σ_{p<n} a[p]·b[j·stride+p] in dst[j] for j < m,
// m a multiple of 4 and n ≥ 1: dot products with short rows.
//
//go:noescape
func dotRowsShortAVX2(dst, a, b *float64, stride, n, m int)
