package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAxpyDot(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 3, 15, 16, 17, 31, 32, 100, 1000, 1023} {
		x, y := make([]float64, n), make([]float64, n+3)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		for i := range y {
			y[i] = r.NormFloat64()
		}
		// Dot against a compensated reference sum.
		want, bound := 0.0, 0.0
		for i := range x {
			want += x[i] * y[i]
			bound += math.Abs(x[i] * y[i])
		}
		if got := Dot(x, y); !(math.Abs(got-want) <= 1e-15*float64(n)*bound) {
			t.Errorf("n=%d: Dot = %v, want %v", n, got, want)
		}
		// Axpy is elementwise: each result is one fused multiply-add or a
		// multiply and an add, within one ulp of the exact value.
		const alpha = -0.7
		orig := append([]float64(nil), y...)
		Axpy(alpha, x, y)
		for i := range y {
			want, scale := orig[i], 0.0
			if i < n {
				want, scale = math.FMA(alpha, x[i], orig[i]), math.Abs(alpha*x[i])
			}
			if !(math.Abs(y[i]-want) <= 2e-16*(math.Abs(want)+scale)) {
				t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, y[i], want)
			}
		}
	}
}

func TestAxpyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct{ k, n, stride int }{{1, 32, 32}, {10, 1000, 1000}, {3, 70, 75}, {7, 31, 40}, {2, 0, 5}, {0, 8, 8}, {5, 96, 100},
		{2000, 20, 20}, {9, 4, 7}, {6, 52, 60}, {3, 23, 25}, {5, 7, 9}, {1, 16, 16}, {1000, 10, 10}, {4, 2, 3}} {
		a := make([]float64, c.k)
		for i := range a {
			a[i] = r.NormFloat64()
		}
		b := make([]float64, max(0, (c.k-1)*c.stride+c.n))
		for i := range b {
			b[i] = r.NormFloat64()
		}
		dst := make([]float64, c.n)
		for i := range dst {
			dst[i] = r.NormFloat64()
		}
		want := append([]float64(nil), dst...)
		bound := make([]float64, c.n)
		for p := range a {
			for j := range want {
				want[j] += a[p] * b[p*c.stride+j]
				bound[j] += math.Abs(a[p] * b[p*c.stride+j])
			}
		}
		AxpyRows(dst, a, b, c.stride)
		for j := range dst {
			if !(math.Abs(dst[j]-want[j]) <= 1e-15*float64(c.k+1)*(bound[j]+math.Abs(want[j]))) {
				t.Fatalf("k=%d n=%d: dst[%d] = %v, want %v", c.k, c.n, j, dst[j], want[j])
			}
		}
	}
}

func TestDotRows(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, c := range []struct{ m, n, stride int }{{10, 1000, 1000}, {4, 16, 16}, {7, 23, 30}, {3, 100, 100}, {9, 8, 8}, {1000, 10, 10}, {6, 15, 15}, {8, 3, 5}, {5, 1, 1}, {12, 5, 7}, {4, 4, 4}, {0, 50, 50}, {5, 0, 0}} {
		a := make([]float64, c.n)
		for i := range a {
			a[i] = r.NormFloat64()
		}
		b := make([]float64, max(0, (c.m-1)*c.stride+c.n))
		for i := range b {
			b[i] = r.NormFloat64()
		}
		dst := make([]float64, c.m)
		DotRows(dst, a, b, c.stride)
		for j := range dst {
			want, bound := 0.0, 0.0
			for p := range a {
				want += a[p] * b[j*c.stride+p]
				bound += math.Abs(a[p] * b[j*c.stride+p])
			}
			if !(math.Abs(dst[j]-want) <= 1e-15*float64(c.n)*bound) {
				t.Fatalf("m=%d n=%d: dst[%d] = %v, want %v", c.m, c.n, j, dst[j], want)
			}
		}
	}
}

// TestGemm4x12 checks the register-blocked product against a triple loop,
// with leading dimensions wider than the block and values already in C.
func TestGemm4x12(t *testing.T) {
	if !Vectorized() {
		t.Skip("no AVX2 kernels here")
	}
	r := rand.New(rand.NewPCG(17, 18))
	for _, k := range []int{1, 7, 64, 301} {
		const ldc, lda, ldb = 15, 311, 13
		c := make([]float64, 4*ldc)
		a := make([]float64, 4*lda)
		b := make([]float64, k*ldb)
		for _, s := range [][]float64{c, a, b} {
			for i := range s {
				s[i] = r.NormFloat64()
			}
		}
		want := append([]float64(nil), c...)
		for i := range 4 {
			for j := range 12 {
				for p := range k {
					want[i*ldc+j] = math.FMA(a[i*lda+p], b[p*ldb+j], want[i*ldc+j])
				}
			}
		}
		if !Gemm4x12(c, ldc, a, lda, b, ldb, k) {
			t.Fatal("Gemm4x12 did nothing")
		}
		for i := range c {
			if c[i] != want[i] {
				t.Fatalf("k=%d: c[%d] = %v, want %v (terms in order, fused)", k, i, c[i], want[i])
			}
		}
	}
}
