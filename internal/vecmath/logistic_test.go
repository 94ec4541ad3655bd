package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// logisticRef is the reference term x·l − softplus(l) and derivative x − σ(l)
// from the math package, with the bound on the rounding of the term.
func logisticRef(l, x float64) (term, grad, scale float64) {
	e := math.Exp(-math.Abs(l))
	sp := max(l, 0) + math.Log1p(e)
	sig := e / (1 + e)
	if l > 0 {
		sig = 1 / (1 + e)
	}
	return x*l - sp, x - sig, math.Abs(x*l) + sp
}

// logisticCases covers the kernels' branches: zero and tiny logits, both
// sides of the log1p split at |l| = −ln(√2−1), the 708 cut-off, the largest
// finite logits, and random logits on several scales.
func logisticCases() []float64 {
	split := -math.Log(math.Sqrt2 - 1)
	ls := []float64{0, math.Copysign(0, -1), 5e-324, 1e-300, 1e-20, 1e-8, 1e-3, 0.5,
		split, math.Nextafter(split, 0), math.Nextafter(split, 2), 1, 2, 10, 30, 36, 37, 40,
		100, 700, 707.9, 708, math.Nextafter(708, 709), 709, 709.8, 745, 746, 800, 1e10, math.MaxFloat64}
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []float64{1e-6, 0.1, 1, 3, 30, 300} {
		for range 200 {
			ls = append(ls, r.NormFloat64()*s)
		}
	}
	out := make([]float64, 0, 2*len(ls))
	for _, l := range ls {
		out = append(out, l, -l)
	}
	return out
}

// kernels are the implementations this machine can run.
func kernels() map[string]func(l, x, grad []float64) float64 {
	k := map[string]func(l, x, grad []float64) float64{"go": bernoulliLogitsGo}
	if haveAVX2FMA {
		k["avx2"] = func(l, x, grad []float64) float64 {
			var g *float64
			if grad != nil {
				g = &grad[0]
			}
			return bernoulliLogitsAVX2(&l[0], &x[0], g, len(l))
		}
	}
	return k
}

func TestBernoulliLogitsElementwise(t *testing.T) {
	// Four ulps, plus two of the smallest subnormal for results that underflow.
	const ulps, tiny = 4 * 0x1p-52, 2 * 5e-324
	for name, kernel := range kernels() {
		for _, l := range logisticCases() {
			for _, x := range []float64{0, 1, 0.3} {
				for lane := range 4 {
					// The other lanes hold terms that are exactly zero.
					ls := []float64{-800, -800, -800, -800}
					xs := make([]float64, 4)
					ls[lane], xs[lane] = l, x
					grad := make([]float64, 4)
					got := kernel(ls, xs, grad)
					term, g, scale := logisticRef(l, x)
					if !(math.Abs(got-term) <= ulps*scale+tiny) {
						t.Fatalf("%s lane %d: term(l=%v, x=%v) = %v, want %v", name, lane, l, x, got, term)
					}
					if !(math.Abs(grad[lane]-g) <= ulps*max(math.Abs(x), math.Abs(g))+tiny) {
						t.Fatalf("%s lane %d: grad(l=%v, x=%v) = %v, want %v", name, lane, l, x, grad[lane], g)
					}
					for j, gj := range grad {
						if j != lane && gj != 0 {
							t.Fatalf("%s lane %d: grad[%d] = %v, want 0", name, lane, j, gj)
						}
					}
				}
			}
		}
	}
}

func TestBernoulliLogitsSums(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 1000, 1003} {
		l, x := make([]float64, n), make([]float64, n)
		want, bound := 0.0, 0.0
		wantGrad := make([]float64, n)
		for i := range l {
			l[i] = r.NormFloat64() * 4
			x[i] = float64(r.IntN(2))
			term, g, scale := logisticRef(l[i], x[i])
			want += term
			bound += scale
			wantGrad[i] = g
		}
		grad := make([]float64, n)
		got := BernoulliLogits(l, x, grad)
		if !(math.Abs(got-want) <= 1e-14*bound) {
			t.Errorf("n=%d: sum %v, want %v", n, got, want)
		}
		for i := range grad {
			if !(math.Abs(grad[i]-wantGrad[i]) <= 1e-15) {
				t.Errorf("n=%d: grad[%d] = %v, want %v", n, i, grad[i], wantGrad[i])
			}
		}
		if noGrad := BernoulliLogits(l, x, nil); noGrad != got {
			t.Errorf("n=%d: sum without gradient %v, with %v", n, noGrad, got)
		}
	}
}

func TestBernoulliLogitsInfiniteIsNotFinite(t *testing.T) {
	for name, kernel := range kernels() {
		for _, l := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
			ls := []float64{1, l, 2, 3}
			if got := kernel(ls, []float64{1, 0, 0, 1}, nil); !math.IsNaN(got) && !math.IsInf(got, 0) {
				t.Errorf("%s: sum with logit %v = %v, want a non-finite sum so callers take the exact path", name, l, got)
			}
		}
	}
}

func BenchmarkBernoulliLogits(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 1000
	l, x, grad := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range l {
		l[i], x[i] = r.NormFloat64()*3, float64(r.IntN(2))
	}
	for name, kernel := range kernels() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				kernel(l, x, grad)
			}
		})
	}
}

// TestSoftplus compares Softplus with max(x,0) + math.Log1p(math.Exp(−|x|))
// on random arguments of several scales and the special values.
func TestSoftplus(t *testing.T) {
	ref := func(x float64) float64 { return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 1e-10, -1e-10, 0.5, -0.5,
		math.Ln2, -math.Ln2, 0.8813735870195430, -0.8813735870195430, 1, -1, 10, -10, 36, -36, 40, -40,
		100, -100, 700, -700, -708, -720, -740, -744, -745.1, -746, -800, 800, 1e10, -1e10,
		math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1)}
	r := rand.New(rand.NewPCG(21, 22))
	for _, s := range []float64{1e-8, 1, 10, 300} {
		for range 2000 {
			xs = append(xs, r.NormFloat64()*s)
		}
	}
	for _, x := range xs {
		if got, want := Softplus(x), ref(x); !closeULPs(got, want, 4) {
			t.Errorf("Softplus(%v) = %v, want %v", x, got, want)
		}
	}
	if got := Softplus(math.NaN()); !math.IsNaN(got) {
		t.Errorf("Softplus(NaN) = %v, want NaN", got)
	}
}

// TestExpScalar checks ExpScalar against the reference e^x.
func TestExpScalar(t *testing.T) {
	for _, x := range expCases() {
		if got, want := ExpScalar(x), refExp(x); !closeULPs(got, want, 2) {
			t.Errorf("ExpScalar(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestLog1pExpNegAbs compares Log1pExpNegAbs with math.Log1p(math.Exp(−|x|))
// to a few ulps, also written in place.
func TestLog1pExpNegAbs(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-10, 0.5, -0.5, 1, -1, 10, -10, 36, -40, 700, -745, 800,
		math.Inf(1), math.Inf(-1)}
	r := rand.New(rand.NewPCG(2, 7))
	for range 200 {
		xs = append(xs, r.NormFloat64()*5)
	}
	got := make([]float64, len(xs))
	Log1pExpNegAbs(got, xs)
	inPlace := append([]float64(nil), xs...)
	Log1pExpNegAbs(inPlace, inPlace)
	for i, x := range xs {
		want := math.Log1p(math.Exp(-math.Abs(x)))
		if !(math.Abs(got[i]-want) <= 4*0x1p-52*want+2*5e-324) {
			t.Errorf("Log1pExpNegAbs(%v) = %v, want %v", x, got[i], want)
		}
		if inPlace[i] != got[i] {
			t.Errorf("in place, x = %v: %v, not %v", x, inPlace[i], got[i])
		}
	}
}
