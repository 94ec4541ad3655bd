package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance between a and b in units in the last place of b.
func ulps(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Abs(math.Nextafter(b, math.Inf(1))-b)
}

// TestLog1pFloat compares Log1pFloat with math.Log1p (the reference).
func TestLog1pFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	worst := 0.0
	check := func(x float64) {
		got, want := Log1pFloat(x), math.Log1p(x)
		if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 {
			if !(math.IsNaN(want) && math.IsNaN(got)) && got != want {
				t.Fatalf("Log1pFloat(%v) = %v, math.Log1p %v", x, got, want)
			}
			return
		}
		worst = math.Max(worst, ulps(got, want))
	}
	for i := 0; i < 200000; i++ {
		check(rng.Float64())                      // softplus range [0, 1)
		check(rng.Float64()*2 - 1)                // (-1, 1)
		check(math.Exp(rng.Float64()*1400 - 700)) // wide positive range
		check(-math.Exp(-rng.Float64() * 40))     // close to -1
		check((rng.Float64()*2 - 1) * 1e-6)       // near 0
	}
	for _, x := range []float64{0, math.Copysign(0, -1), -1, -2, 1, math.Inf(1), math.NaN(), 1e-300, 1e300, math.MaxFloat64, 0x1p53, 0x1p-1074} {
		check(x)
	}
	if worst > 4 {
		t.Errorf("Log1pFloat: worst error %.2f ulps, want ≤ 4", worst)
	}
}

func BenchmarkLog1pFloat(b *testing.B) {
	ys := Linspace(0, 1, 1000).Data()
	b.Run("Log1pFloat", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			for _, x := range ys {
				s += Log1pFloat(x)
			}
		}
		_ = s
	})
	b.Run("math.Log1p", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			for _, x := range ys {
				s += math.Log1p(x)
			}
		}
		_ = s
	})
}

// TestExpFloat compares ExpFloat with math.Exp (the reference) over the
// whole finite range, the subnormal range and the special values.
func TestExpFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	worst := 0.0
	check := func(x float64) {
		got, want := ExpFloat(x), math.Exp(x)
		if math.IsInf(want, 1) && x < 709.782712893384 && got > 1e307 && !math.IsInf(got, 0) {
			return // the assembly math.Exp overflows a little early on amd64; e^x is finite here
		}
		if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 {
			if !(math.IsNaN(want) && math.IsNaN(got)) && got != want {
				t.Fatalf("ExpFloat(%v) = %v, math.Exp %v", x, got, want)
			}
			return
		}
		if want > 0x1p-1022 {
			worst = math.Max(worst, ulps(got, want))
		} else if math.Abs(got-want) > 2*0x1p-1074 { // subnormals: absolute
			t.Errorf("ExpFloat(%v) = %v, math.Exp %v (subnormal)", x, got, want)
		}
	}
	for i := 0; i < 200000; i++ {
		check((rng.Float64()*2 - 1) * 745)
		check((rng.Float64()*2 - 1) * 2)
		check((rng.Float64()*2 - 1) * 1e-8)
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 709.78, 709.79, -708.3, -744.4, -745.2, -1000, 1000,
		math.Inf(1), math.Inf(-1), math.NaN(), 1e-300, -1e-300} {
		check(x)
	}
	if worst > 4 {
		t.Errorf("ExpFloat: worst error %.2f ulps, want ≤ 4", worst)
	}
}
