package vecmath

import (
	"math"
	"testing"
)

// FuzzKernels checks the vector kernels on four arbitrary lanes against the
// math package: e^x, σ(x), σ'(x), ln x and ln(1+x) (the two logarithms also
// by their Go twins) and the Bernoulli-logits term and derivative (for
// finite logits).
func FuzzKernels(f *testing.F) {
	f.Add(0.0, 1.0, -1.0, 709.5, 0.0)
	f.Add(-745.1, 1e-300, math.Inf(1), math.NaN(), 1.0)
	f.Fuzz(func(t *testing.T, a, b, c, d, x float64) {
		xs := []float64{a, b, c, d}
		got := make([]float64, 4)
		Exp(got, xs)
		for i, v := range xs {
			if want := refExp(v); !closeULPs(got[i], want, 2) {
				t.Fatalf("Exp(%v) = %v, want %v", v, got[i], want)
			}
		}
		Sigmoid(got, xs)
		for i, v := range xs {
			e := math.Exp(-math.Abs(v))
			want := e / (1 + e)
			if v > 0 {
				want = 1 / (1 + e)
			}
			if math.IsNaN(v) {
				want = v
			}
			if !closeULPs(got[i], want, 4) {
				t.Fatalf("Sigmoid(%v) = %v, want %v", v, got[i], want)
			}
		}
		for _, k := range logKernels {
			k.vec(got, xs)
			for i, v := range xs {
				want := k.ref(v)
				if ulps(got[i], want) > 2 || ulps(k.twin(v), want) > 2 {
					t.Fatalf("%s(%v) = %v, Go twin %v, want %v", k.name, v, got[i], k.twin(v), want)
				}
			}
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e6 {
			return
		}
		for lane, l := range xs {
			if math.IsNaN(l) || math.IsInf(l, 0) {
				continue
			}
			ls := []float64{-800, -800, -800, -800}
			xv := make([]float64, 4)
			ls[lane], xv[lane] = l, x
			grad := make([]float64, 4)
			sum := BernoulliLogits(ls, xv, grad)
			term, g, scale := logisticRef(l, x)
			if !(math.Abs(sum-term) <= 4*0x1p-52*scale+1e-323) {
				t.Fatalf("term(l=%v, x=%v) = %v, want %v", l, x, sum, term)
			}
			if !(math.Abs(grad[lane]-g) <= 4*0x1p-52*max(math.Abs(x), math.Abs(g))+1e-323) {
				t.Fatalf("grad(l=%v, x=%v) = %v, want %v", l, x, grad[lane], g)
			}
		}
	})
}
