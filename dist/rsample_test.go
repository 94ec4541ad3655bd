package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mathext"

	"github.com/vigo-ppl/vigo/tensor"
)

// paramSpec is one parameter of a gradient test: its values and shape.
type paramSpec struct {
	vals  []float64
	shape []int
}

// leaves makes parameter leaves from flat values laid out as specs.
func leaves(specs []paramSpec, flat []float64, grad bool) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(specs))
	off := 0
	for i, s := range specs {
		n := len(s.vals)
		out[i] = tensor.New(flat[off:off+n], s.shape...)
		if grad {
			out[i].SetRequiresGrad(true)
		}
		off += n
	}
	return out
}

func flatten(specs []paramSpec) []float64 {
	var f []float64
	for _, s := range specs {
		f = append(f, s.vals...)
	}
	return f
}

// checkGrad compares the autograd gradient of obj at the specs' values with
// gonum's central finite differences.
func checkGrad(t *testing.T, specs []paramSpec, obj func(ps []*tensor.Tensor) *tensor.Tensor, tol float64) {
	t.Helper()
	x0 := flatten(specs)
	ps := leaves(specs, x0, true)
	obj(ps).Backward()
	var got []float64
	for _, p := range ps {
		if p.Grad() == nil {
			got = append(got, make([]float64, p.Len())...)
			continue
		}
		got = append(got, p.Grad().Data()...)
	}
	f := func(x []float64) float64 { return obj(leaves(specs, x, false)).Item() }
	want := fd.Gradient(nil, f, x0, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Errorf("d/dθ[%d] = %.10g, finite differences %.10g", i, got[i], want[i])
		}
	}
}

// weights returns fixed pseudo-random weights so that a weighted sum
// exercises every element's gradient differently.
func weights(n int) *tensor.Tensor {
	rng := rand.New(rand.NewPCG(99, 1))
	return tensor.RandN(rng, n)
}

// TestRSampleGradFiniteDifferences checks pathwise gradients of
// Σ w·RSample against central finite differences with common random
// numbers (the same seed in every evaluation).
func TestRSampleGradFiniteDifferences(t *testing.T) {
	sc := func(v ...float64) paramSpec { return paramSpec{v, []int{len(v)}} }
	cases := []struct {
		name  string
		specs []paramSpec
		make  func(p []*tensor.Tensor) Distribution
	}{
		{"Normal", []paramSpec{sc(-1, 2), sc(0.5, 1.5)}, func(p []*tensor.Tensor) Distribution { return Normal(p[0], p[1]) }},
		{"LogNormal", []paramSpec{sc(-1, 0.2), sc(0.5, 0.7)}, func(p []*tensor.Tensor) Distribution { return LogNormal(p[0], p[1]) }},
		{"HalfNormal", []paramSpec{sc(0.5, 1.5)}, func(p []*tensor.Tensor) Distribution { return HalfNormal(p[0]) }},
		{"Cauchy", []paramSpec{sc(-1, 2), sc(0.5, 1.5)}, func(p []*tensor.Tensor) Distribution { return Cauchy(p[0], p[1]) }},
		{"HalfCauchy", []paramSpec{sc(0.5, 1.5)}, func(p []*tensor.Tensor) Distribution { return HalfCauchy(p[0]) }},
		{"Laplace", []paramSpec{sc(-1, 2), sc(0.5, 1.5)}, func(p []*tensor.Tensor) Distribution { return Laplace(p[0], p[1]) }},
		{"Uniform", []paramSpec{sc(-1, 2), sc(0.5, 4)}, func(p []*tensor.Tensor) Distribution { return Uniform(p[0], p[1]) }},
		{"Exponential", []paramSpec{sc(0.5, 3)}, func(p []*tensor.Tensor) Distribution { return Exponential(p[0]) }},
		{"StudentT", []paramSpec{sc(-1, 2), sc(0.5, 1.5)}, func(p []*tensor.Tensor) Distribution {
			return StudentT(tensor.Vector(3, 7), p[0], p[1])
		}},
		{"GammaRate", []paramSpec{sc(0.5, 3)}, func(p []*tensor.Tensor) Distribution { return Gamma(tensor.Vector(2, 0.4), p[0]) }},
		{"Delta", []paramSpec{sc(-1, 2)}, func(p []*tensor.Tensor) Distribution { return Delta(p[0], nil, 0) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := weights(5 * 2)
			checkGrad(t, c.specs, func(ps []*tensor.Tensor) *tensor.Tensor {
				rng := rand.New(rand.NewPCG(5, 5))
				x := c.make(ps).RSample(rng, 5)
				return x.Reshape(-1).Mul(w).Sum()
			}, 1e-6) // central differences with step 1e-6: error ~1e-8 relative
		})
	}
}

// TestLogProbGradFiniteDifferences checks the gradients of Σ w·LogProb in
// the parameters and in the value, which for Normal and LogNormal come from
// the fused kernels' hand-written backward passes.
func TestLogProbGradFiniteDifferences(t *testing.T) {
	p := func(shape []int, v ...float64) paramSpec { return paramSpec{v, shape} }
	cases := []struct {
		name  string
		specs []paramSpec // parameters, then the value last
		make  func(p []*tensor.Tensor) Distribution
	}{
		{"Normal", []paramSpec{p([]int{3}, -1, 0, 2), p([]int{2, 1}, 0.5, 1.5), p([]int{2, 3}, 0.3, -1, 2, 1, 0.1, -0.4)},
			func(p []*tensor.Tensor) Distribution { return Normal(p[0], p[1]) }},
		{"NormalScalarParams", []paramSpec{p([]int{}, 0.4), p([]int{}, 1.3), p([]int{4}, 0.3, -1, 2, 1)},
			func(p []*tensor.Tensor) Distribution { return Normal(p[0], p[1]) }},
		{"NormalFullParams", []paramSpec{p([]int{3}, 0.4, 0, 1), p([]int{3}, 1.3, 0.2, 2), p([]int{3}, 0.3, -1, 2)},
			func(p []*tensor.Tensor) Distribution { return Normal(p[0], p[1]) }},
		{"LogNormal", []paramSpec{p([]int{3}, -1, 0, 2), p([]int{2, 1}, 0.5, 1.5), p([]int{2, 3}, 0.3, 1, 2, 1, 0.1, 4)},
			func(p []*tensor.Tensor) Distribution { return LogNormal(p[0], p[1]) }},
		{"LogNormalScalarParams", []paramSpec{p([]int{}, 0.4), p([]int{}, 1.3), p([]int{4}, 0.3, 1, 2, 1)},
			func(p []*tensor.Tensor) Distribution { return LogNormal(p[0], p[1]) }},
		{"HalfNormal", []paramSpec{p([]int{2}, 0.5, 1.5), p([]int{2}, 0.3, 2)},
			func(p []*tensor.Tensor) Distribution { return HalfNormal(p[0]) }},
		{"Cauchy", []paramSpec{p([]int{2}, -1, 2), p([]int{2}, 0.5, 1.5), p([]int{2}, 0.3, -2)},
			func(p []*tensor.Tensor) Distribution { return Cauchy(p[0], p[1]) }},
		{"HalfCauchy", []paramSpec{p([]int{2}, 0.5, 1.5), p([]int{2}, 0.3, 2)},
			func(p []*tensor.Tensor) Distribution { return HalfCauchy(p[0]) }},
		{"StudentT", []paramSpec{p([]int{2}, 2.5, 9), p([]int{2}, -1, 2), p([]int{2}, 0.5, 1.5), p([]int{2}, 0.3, -2)},
			func(p []*tensor.Tensor) Distribution { return StudentT(p[0], p[1], p[2]) }},
		{"Laplace", []paramSpec{p([]int{2}, -1, 2), p([]int{2}, 0.5, 1.5), p([]int{2}, 0.3, -2)},
			func(p []*tensor.Tensor) Distribution { return Laplace(p[0], p[1]) }},
		{"Uniform", []paramSpec{p([]int{2}, -1, 2), p([]int{2}, 0.5, 4.5), p([]int{2}, 0.3, 3)},
			func(p []*tensor.Tensor) Distribution { return Uniform(p[0], p[1]) }},
		{"Exponential", []paramSpec{p([]int{2}, 0.5, 3), p([]int{2}, 0.3, 2)},
			func(p []*tensor.Tensor) Distribution { return Exponential(p[0]) }},
		{"Gamma", []paramSpec{p([]int{2}, 0.5, 3), p([]int{2}, 1.5, 0.7), p([]int{2}, 0.3, 2)},
			func(p []*tensor.Tensor) Distribution { return Gamma(p[0], p[1]) }},
		{"GammaConcentrationOne", []paramSpec{p([]int{2}, 1, 1), p([]int{2}, 1.5, 0.7), p([]int{2}, 0.3, 2)},
			func(p []*tensor.Tensor) Distribution { return Gamma(p[0], p[1]) }},
		{"Beta", []paramSpec{p([]int{2}, 0.5, 3), p([]int{2}, 1.5, 0.7), p([]int{2}, 0.3, 0.8)},
			func(p []*tensor.Tensor) Distribution { return Beta(p[0], p[1]) }},
		{"Dirichlet", []paramSpec{p([]int{2, 3}, 0.5, 3, 1, 2, 0.2, 4), p([]int{3}, 0.2, 0.3, 0.5)},
			func(p []*tensor.Tensor) Distribution { return Dirichlet(p[0]) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkGrad(t, c.specs, func(ps []*tensor.Tensor) *tensor.Tensor {
				d := c.make(ps)
				if c.name == "Dirichlet" {
					// keep the finite-difference steps on the simplex check's good side
					d = WithValidation(d, false)
				}
				lp, err := d.LogProb(ps[len(ps)-1])
				if err != nil {
					t.Fatal(err)
				}
				return lp.Reshape(-1).Mul(weights(lp.Len())).Sum()
			}, 1e-6) // central differences with step 1e-6
		})
	}
}

// TestStandardGammaGradMatchesIncompleteGamma checks dz/dα = -(∂F/∂α)/p at
// quantiles of Gamma(α, 1) for α from 0.1 to 1000, with ∂F/∂α from a
// central difference of gonum's regularized incomplete gamma function.
func TestStandardGammaGradMatchesIncompleteGamma(t *testing.T) {
	for _, a := range []float64{0.1, 0.25, 0.5, 1, 2.5, 10, 100, 1000} {
		for _, q := range []float64{0.01, 0.1, 0.5, 0.9, 0.999} {
			z := mathext.GammaIncRegInv(a, q)
			h := 1e-5 * a
			dF := (mathext.GammaIncReg(a+h, z) - mathext.GammaIncReg(a-h, z)) / (2 * h)
			p := math.Exp((a-1)*math.Log(z) - z - lgam(a))
			want := -dF / p
			got := StandardGammaGrad(z, a)
			// the central difference of F is good to ~1e-8 relative here
			if !(math.Abs(got-want) <= 1e-6*math.Abs(want)) {
				t.Errorf("alpha %g z %g (q %g): dz/dα = %.12g, finite differences %.12g", a, z, q, got, want)
			}
		}
	}
}

// meanGrad draws n values from mk(param) with param a leaf of n copies of
// the given values (so that each draw's gradient lands in its own slot),
// backpropagates Σ w·x and returns the per-slot gradients.
func perDrawGrads(n int, vals []float64, rng *rand.Rand, mk func(p *tensor.Tensor) *tensor.Tensor) []float64 {
	k := len(vals)
	flat := make([]float64, n*k)
	for i := 0; i < n; i++ {
		copy(flat[i*k:], vals)
	}
	p := tensor.Param(flat, n, k)
	mk(p).Sum().Backward()
	return p.Grad().Data()
}

// TestImplicitGradMeanGamma checks E[∂z/∂α] = d/dα E[z] = 1/β for
// Gamma(α, β) draws (closed form) within 5 Monte Carlo standard errors,
// and E[∂z/∂β] = -α/β².
func TestImplicitGradMeanGamma(t *testing.T) {
	const n = nDraws
	for i, a := range []float64{0.1, 0.3, 1, 3, 10, 100, 1000} {
		t.Run(fmt.Sprint(a), func(t *testing.T) {
			rate := 2.0
			rng := rand.New(rand.NewPCG(uint64(i), 21))
			g := perDrawGrads(n, []float64{a}, rng, func(p *tensor.Tensor) *tensor.Tensor {
				return Gamma(p, tensor.Scalar(rate)).RSample(rng)
			})
			checkMean(t, "dz/dα", g, 1, 0, 1/rate)
			gr := perDrawGrads(n, []float64{rate}, rng, func(p *tensor.Tensor) *tensor.Tensor {
				return Gamma(tensor.Scalar(a), p).RSample(rng)
			})
			checkMean(t, "dz/dβ", gr, 1, 0, -a/(rate*rate))
		})
	}
}

// checkMean checks that column j of n×k per-draw values has mean want
// within 5 standard errors.
func checkMean(t *testing.T, what string, g []float64, k, j int, want float64) {
	t.Helper()
	n := len(g) / k
	var s, s2 float64
	for i := 0; i < n; i++ {
		v := g[i*k+j]
		s += v
		s2 += v * v
	}
	m := s / float64(n)
	se := math.Sqrt((s2/float64(n) - m*m) / float64(n))
	if math.IsNaN(m) || math.Abs(m-want) > 5*se {
		t.Errorf("%s[%d]: mean %g, want %g ± 5·%g", what, j, m, want, se)
	}
}

// TestImplicitGradMeanBeta checks E[∂x/∂a] = b/(a+b)² and E[∂x/∂b] =
// -a/(a+b)² for Beta(a, b) draws (derivatives of the closed-form mean).
func TestImplicitGradMeanBeta(t *testing.T) {
	pairs := [][2]float64{{0.1, 0.1}, {0.1, 2}, {0.5, 0.5}, {1, 1}, {3, 0.7}, {20, 30}, {1000, 300}}
	for i, ab := range pairs {
		a, b := ab[0], ab[1]
		t.Run(fmt.Sprint(a, b), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 31))
			s := (a + b) * (a + b)
			ga := perDrawGrads(nDraws, []float64{a}, rng, func(p *tensor.Tensor) *tensor.Tensor {
				return Beta(p, tensor.Scalar(b)).RSample(rng)
			})
			checkMean(t, "dx/da", ga, 1, 0, b/s)
			gb := perDrawGrads(nDraws, []float64{b}, rng, func(p *tensor.Tensor) *tensor.Tensor {
				return Beta(tensor.Scalar(a), p).RSample(rng)
			})
			checkMean(t, "dx/db", gb, 1, 0, -a/s)
		})
	}
}

// TestImplicitGradMeanDirichlet checks E[∂(w·x)/∂α_j] against the
// derivative of w·α/α₀ (closed form) for Dirichlet draws.
func TestImplicitGradMeanDirichlet(t *testing.T) {
	w := []float64{1, -2, 0.5}
	for i, alpha := range [][]float64{{0.1, 0.2, 0.3}, {1, 2, 3}, {50, 10, 1000}} {
		t.Run(fmt.Sprint(alpha), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 41))
			wt := tensor.Vector(w...)
			g := perDrawGrads(nDraws, alpha, rng, func(p *tensor.Tensor) *tensor.Tensor {
				return Dirichlet(p).RSample(rng).Mul(wt)
			})
			a0 := alpha[0] + alpha[1] + alpha[2]
			wm := 0.0
			for k := range w {
				wm += w[k] * alpha[k] / a0
			}
			for j := range alpha {
				// d/dα_j Σ_k w_k α_k/α₀ = (w_j - Σ_k w_k α_k/α₀)/α₀
				checkMean(t, "d(w·x)/dα", g, 3, j, (w[j]-wm)/a0)
			}
		})
	}
}
