package dist

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

const nDraws = 20000

// columnStats returns, for each of the k columns of the n×k values, the
// sample mean, the sample variance and the standard errors of both (the
// variance's from the sample fourth central moment).
func columnStats(v []float64, n, k int) (mean, vr, seMean, seVar []float64) {
	mean, vr = make([]float64, k), make([]float64, k)
	seMean, seVar = make([]float64, k), make([]float64, k)
	for j := 0; j < k; j++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += v[i*k+j]
		}
		m := s / float64(n)
		var m2, m4 float64
		for i := 0; i < n; i++ {
			d := v[i*k+j] - m
			m2 += d * d
			m4 += d * d * d * d
		}
		m2 /= float64(n)
		m4 /= float64(n)
		mean[j], vr[j] = m, m2*float64(n)/float64(n-1)
		seMean[j] = math.Sqrt(m2 / float64(n))
		seVar[j] = math.Sqrt((m4 - m2*m2) / float64(n))
	}
	return
}

// TestSampleMoments draws 20000 values from batched families and checks
// the sample mean and variance against Mean and Variance (closed forms)
// within 5 Monte Carlo standard errors.
func TestSampleMoments(t *testing.T) {
	v := tensor.Vector
	cases := []struct {
		name    string
		d       Distribution
		skipVar bool
	}{
		{"Normal", Normal(v(-1, 3), v(0.5, 2)), false},
		{"LogNormal", LogNormal(v(-1, 0.3), v(0.5, 0.4)), false},
		{"HalfNormal", HalfNormal(v(0.5, 2)), false},
		{"StudentT", StudentT(v(12, 30), v(-1, 3), v(0.5, 2)), false},
		{"StudentT-heavy", StudentT(v(2.5, 3.5), v(-1, 3), v(0.5, 2)), true}, // infinite 4th moment
		{"Laplace", Laplace(v(-1, 3), v(0.5, 2)), false},
		{"Uniform", Uniform(v(-1, 3), v(0.5, 7)), false},
		{"Exponential", Exponential(v(0.5, 4)), false},
		{"Gamma", Gamma(v(0.1, 0.7, 3, 1000), v(1, 2, 0.5, 3)), false},
		{"Beta", Beta(v(0.1, 0.5, 2, 300), v(0.3, 1, 5, 200)), false},
		{"Dirichlet", Dirichlet(tensor.New([]float64{0.1, 0.2, 0.7, 3, 5, 1}, 2, 3)), false},
		{"Delta", Delta(v(1, -2), nil, 0), false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			x := c.d.Sample(rng, nDraws)
			want := append([]int{nDraws}, c.d.BatchShape()...)
			want = append(want, c.d.EventShape()...)
			if !slices.Equal(x.Shape(), want) {
				t.Fatalf("sample shape %v, want %v", x.Shape(), want)
			}
			k := x.Len() / nDraws
			mean, vr, seM, seV := columnStats(x.Data(), nDraws, k)
			wm, wv := c.d.Mean().Data(), c.d.Variance().Data()
			for j := 0; j < k; j++ {
				if !(math.Abs(mean[j]-wm[j]) <= 5*seM[j]+1e-12) {
					t.Errorf("column %d: mean %g, want %g ± 5·%g", j, mean[j], wm[j], seM[j])
				}
				if !c.skipVar && math.Abs(vr[j]-wv[j]) > 5*seV[j]+1e-12 {
					t.Errorf("column %d: variance %g, want %g ± 5·%g", j, vr[j], wv[j], seV[j])
				}
			}
		})
	}
}

// TestSampleCauchyQuantiles checks heavy-tailed families through their
// quartiles: the fraction of draws below each quartile is binomial, so 5
// standard errors are 5·√(q(1-q)/n).
func TestSampleCauchyQuantiles(t *testing.T) {
	cases := []struct {
		name string
		d    Distribution
		// quartiles per batch element: Cauchy loc ∓ scale, loc, loc ± scale;
		// HalfCauchy scale·tan(πq/2)
		q func(j int, p float64) float64
	}{
		{"Cauchy", Cauchy(tensor.Vector(-1, 3), tensor.Vector(0.5, 2)), func(j int, p float64) float64 {
			loc, s := []float64{-1, 3}[j], []float64{0.5, 2}[j]
			return loc + s*math.Tan(math.Pi*(p-0.5))
		}},
		{"HalfCauchy", HalfCauchy(tensor.Vector(0.5, 2)), func(j int, p float64) float64 {
			return []float64{0.5, 2}[j] * math.Tan(math.Pi*p/2)
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			x := c.d.Sample(rng, nDraws).Data()
			for j := 0; j < 2; j++ {
				for _, p := range []float64{0.25, 0.5, 0.75} {
					qv := c.q(j, p)
					below := 0
					for r := 0; r < nDraws; r++ {
						if x[r*2+j] < qv {
							below++
						}
					}
					frac := float64(below) / nDraws
					if se := math.Sqrt(p * (1 - p) / nDraws); !(math.Abs(frac-p) <= 5*se) {
						t.Errorf("column %d: fraction below the %g quantile is %g", j, p, frac)
					}
				}
			}
		})
	}
}

// TestSampleStandardGammaSmallAlpha checks the boosted sampler for α < 1
// through E[log z] = ψ(α) (closed form), which is sensitive to the lower
// tail that the boost produces.
func TestSampleStandardGammaSmallAlpha(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, a := range []float64{0.1, 0.3, 0.9} {
		var s, s2 float64
		for i := 0; i < nDraws; i++ {
			l := math.Log(sampleStandardGamma(rng, a))
			s += l
			s2 += l * l
		}
		m := s / nDraws
		se := math.Sqrt((s2/nDraws - m*m) / nDraws)
		if want := tensor.DigammaFloat(a); !(math.Abs(m-want) <= 5*se) {
			t.Errorf("alpha %g: E[log z] = %g, want %g ± 5·%g", a, m, want, se)
		}
	}
}
