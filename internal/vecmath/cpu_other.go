//go:build !amd64 || purego

package vecmath

// haveAVX2FMA is false where vigo has no assembly kernels.
const haveAVX2FMA = false

// bernoulliLogitsAVX2 is never called without AVX2; it exists so the
// dispatching code compiles everywhere.
func bernoulliLogitsAVX2(l, x, grad *float64, n int) float64 {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func axpyAVX2(alpha float64, x, y *float64, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func dotAVX2(x, y *float64, n int) float64 {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func sigmoidAVX2(dst, x *float64, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func sigmoidGradAVX2(dst, gr, x *float64, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func expAVX2(dst, x *float64, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func axpyRowsAVX2(dst, a, b *float64, k, stride, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func axpyRows16AVX2(dst, a, b *float64, k, stride int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func axpyRows4AVX2(dst, a, b *float64, k, stride int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func gemm4x12AVX2(c *float64, ldc int, a *float64, lda int, b *float64, ldb, k int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func dot4AVX2(a, b *float64, stride, n int, dst *[4]float64) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

func dotRowsShortAVX2(dst, a, b *float64, stride, n, m int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}
