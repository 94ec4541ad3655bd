package dist

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// BenchmarkNormalLogProb times the fused Normal log-density and its backward
// pass on 100000 observed values with scalar parameters that require grad,
// the shape of an observation site inside a data plate.
func BenchmarkNormalLogProb(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.RandN(rng, 100000)
	loc := tensor.Param([]float64{0.5})
	scale := tensor.Param([]float64{1.5})
	b.ReportAllocs()
	for b.Loop() {
		lp, err := Normal(loc.Reshape(), scale.Reshape()).LogProb(x)
		if err != nil {
			b.Fatal(err)
		}
		lp.Sum().Backward()
	}
}

// BenchmarkNormalLogProbObserved times the normal_n100000 benchmark's
// observation site: 100000 data against a scalar loc that requires grad
// and a constant scale.
func BenchmarkNormalLogProbObserved(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.RandN(rng, 100000)
	loc := tensor.Param([]float64{0.5})
	scale := tensor.Scalar(1)
	b.ReportAllocs()
	for b.Loop() {
		lp, err := Normal(loc.Reshape(), scale).Expand(100000).LogProb(x)
		if err != nil {
			b.Fatal(err)
		}
		lp.Sum().Backward()
	}
}

// BenchmarkGammaRSample times 10000 reparameterized Gamma draws and their
// implicit gradient.
func BenchmarkGammaRSample(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	alpha := tensor.Param([]float64{2.5})
	b.ReportAllocs()
	for b.Loop() {
		Gamma(alpha.Reshape(), tensor.Scalar(1)).RSample(rng, 10000).Sum().Backward()
	}
}

// BenchmarkSumLogProb times each family's fused sum over 100 000 observed
// values and its backward pass to single-element parameters that require a
// gradient (an observation site of a model with one set of parameters for
// all its data), a categorical site with five logits per value and a
// three-dimensional MultivariateNormal site.
func BenchmarkSumLogProb(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 100000
	unit := tensor.RandU(rng, n).MulScalar(0.9).AddScalar(0.05)
	counts := make([]float64, n)
	for i := range counts {
		counts[i] = float64(rng.IntN(6))
	}
	count := tensor.FromData(counts, n)
	binary := tensor.FromData(make([]float64, n), n)
	p := func(v float64) *tensor.Tensor { return tensor.Scalar(v).SetRequiresGrad(true) }
	cases := []struct {
		name  string
		d     Distribution
		value *tensor.Tensor
	}{
		{"Normal", Normal(p(0.5), p(1.5)), unit},
		{"LogNormal", LogNormal(p(0.5), p(1.5)), unit},
		{"StudentT", StudentT(p(3), p(0.5), p(1.5)), unit},
		{"Gamma", Gamma(p(2), p(3)), unit},
		{"Exponential", Exponential(p(2)), unit},
		{"Beta", Beta(p(2), p(3)), unit},
		{"Laplace", Laplace(p(0.5), p(1.5)), unit},
		{"HalfNormal", HalfNormal(p(1.5)), unit},
		{"Poisson", Poisson(p(2.5)), count},
		{"BernoulliProbs", BernoulliProbs(p(0.3)), binary},
		{"BernoulliLogits", BernoulliLogits(p(0.3)), binary},
	}
	labels := make([]float64, n)
	for i := range labels {
		labels[i] = float64(rng.IntN(5))
	}
	cases = append(cases, struct {
		name  string
		d     Distribution
		value *tensor.Tensor
	}{"Categorical5", CategoricalLogits(tensor.RandN(rng, n, 5).SetRequiresGrad(true)), tensor.FromData(labels, n)})
	cases = append(cases, struct {
		name  string
		d     Distribution
		value *tensor.Tensor
	}{"MultivariateNormal3", MultivariateNormalTril(tensor.Zeros(3).SetRequiresGrad(true), tensor.Eye(3).SetRequiresGrad(true)), tensor.RandN(rng, n, 3)})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := c.d.(SumLogProber).SumLogProb(c.value)
				if err != nil {
					b.Fatal(err)
				}
				s.Backward()
			}
		})
	}
}

// BenchmarkCategoricalSample times drawing one category for each of 100 000
// rows of three logits, the draw of a mixture model's assignment site.
func BenchmarkCategoricalSample(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	logits := tensor.RandN(rng, 100000, 3)
	b.ReportAllocs()
	for b.Loop() {
		CategoricalLogits(logits).Sample(rng)
	}
}

// BenchmarkBernoulliSample times drawing 100 and 100 000 Bernoulli values
// with as many different probabilities, a score-function guide's draw.
func BenchmarkBernoulliSample(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{100, 100000} {
		d := BernoulliProbs(tensor.RandU(rng, n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Sample(rng)
			}
		})
	}
}
