package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expCases covers the reduction's edges, the overflow and underflow
// thresholds, the subnormal range and random arguments on several scales.
func expCases() []float64 {
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 1e-10, 0.5, -0.5, 1, -1,
		math.Ln2 / 2, -math.Ln2 / 2, math.Ln2, 10, -10, 100, -100,
		709, 709.78, 709.782712893384, 709.7827128933841, 709.79, 710, 711, 1e10, math.MaxFloat64,
		-700, -708, -708.4, -709, -720, -740, -744.4, -745, -745.13, -745.14, -746, -800, -1e10, -math.MaxFloat64,
		math.Inf(1), math.Inf(-1), math.NaN()}
	r := rand.New(rand.NewPCG(11, 12))
	for _, s := range []float64{1e-8, 1, 10, 300} {
		for range 500 {
			xs = append(xs, r.NormFloat64()*s)
		}
	}
	for range 500 {
		xs = append(xs, -708-37*r.Float64()) // results in the subnormal range
	}
	return xs
}

// closeULPs reports whether got is within k ulps of want, or within one
// ulp of the smallest subnormal, with NaN, infinities and zero exact.
func closeULPs(got, want float64, k float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0) || want == 0:
		return got == want || math.Abs(got-want) <= 5e-324
	}
	return math.Abs(got-want) <= k*0x1p-52*math.Abs(want)+5e-324
}

// refExp is e^x as 2^k·e^r with r = x − k·ln2 (ln2 in two parts), exact
// scaling by Ldexp and math.Exp only on |r| ≤ ln2/2, where it is accurate;
// on amd64 math.Exp itself overflows slightly early.
func refExp(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 800 {
		return math.Exp(x)
	}
	k := math.Round(x / math.Ln2)
	r := (x - k*ln2Hi) - k*ln2Lo
	return math.Ldexp(math.Exp(r), int(k))
}

func TestExp(t *testing.T) {
	xs := expCases()
	for len(xs)%4 != 3 { // a scalar tail too
		xs = append(xs, 0.25)
	}
	got := make([]float64, len(xs))
	Exp(got, xs)
	for i, x := range xs {
		want := refExp(x)
		if !closeULPs(got[i], want, 2) {
			t.Errorf("Exp(%v) = %v, want %v", x, got[i], want)
		}
		if g := expGo(x); !closeULPs(g, want, 2) {
			t.Errorf("expGo(%v) = %v, want %v", x, g, want)
		}
	}
	in := append([]float64(nil), xs...)
	Exp(in, in) // in place
	for i := range in {
		if math.Float64bits(in[i]) != math.Float64bits(got[i]) && !math.IsNaN(got[i]) {
			t.Fatalf("in-place Exp differs at %d", i)
		}
	}
}

func TestSigmoid(t *testing.T) {
	xs := append(expCases(), 36, 37, -36, -37, 1000, -1000)
	for len(xs)%4 != 1 {
		xs = append(xs, -0.25)
	}
	got := make([]float64, len(xs))
	Sigmoid(got, xs)
	g := make([]float64, len(xs))
	for i := range g {
		g[i] = 1 + float64(i%3)
	}
	grad := make([]float64, len(xs))
	SigmoidGrad(grad, g, xs)
	for i, x := range xs {
		// references from the math package
		e := math.Exp(-math.Abs(x))
		want := 1 / (1 + e)
		if x <= 0 {
			want = e / (1 + e)
		}
		if math.IsNaN(x) {
			want = math.NaN()
		}
		if !closeULPs(got[i], want, 4) {
			t.Errorf("Sigmoid(%v) = %v, want %v", x, got[i], want)
		}
		d := 1 + e
		wantGrad := g[i] * e / (d * d)
		if math.IsNaN(x) {
			wantGrad = math.NaN()
		}
		if !closeULPs(grad[i], wantGrad, 4) {
			t.Errorf("SigmoidGrad(%v) = %v, want %v", x, grad[i], wantGrad)
		}
	}
}

func BenchmarkExp(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x, dst := make([]float64, 1000), make([]float64, 1000)
	for i := range x {
		x[i] = r.NormFloat64() * 5
	}
	b.Run("vecmath", func(b *testing.B) {
		for b.Loop() {
			Exp(dst, x)
		}
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = math.Exp(v)
			}
		}
	})
}
