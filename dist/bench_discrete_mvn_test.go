package dist_test

import (
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// BenchmarkBernoulliLogitsLogProb times the fused Bernoulli-logits kernel
// and its backward pass on 100000 observations with one logit each, the
// shape of a logistic-regression likelihood.
func BenchmarkBernoulliLogitsLogProb(b *testing.B) {
	rng := newRNG(1)
	l := tensor.Param(tensor.RandN(rng, 100000).Data(), 100000)
	x := tensor.RandU(rng, 100000).Lt(tensor.Scalar(0.5))
	b.ReportAllocs()
	for b.Loop() {
		lp, err := dist.BernoulliLogits(l).LogProb(x)
		if err != nil {
			b.Fatal(err)
		}
		lp.Sum().Backward()
	}
}

// BenchmarkCategoricalLogProb times the gather of log-probabilities for
// 100000 observations of one 10-category distribution, with gradient.
func BenchmarkCategoricalLogProb(b *testing.B) {
	rng := newRNG(2)
	logits := tensor.Param(tensor.RandN(rng, 10).Data(), 10)
	x := dist.CategoricalLogits(logits.Detach()).Sample(rng, 100000)
	b.ReportAllocs()
	for b.Loop() {
		lp, err := dist.CategoricalLogits(logits).LogProb(x)
		if err != nil {
			b.Fatal(err)
		}
		lp.Sum().Backward()
	}
}

// BenchmarkMVNLogProb times 10000 five-dimensional observations of one
// multivariate normal built from its covariance, with gradient.
func BenchmarkMVNLogProb(b *testing.B) {
	const d = 5
	cov := tensor.Param(randSPD(3, 1, d), d, d)
	x := tensor.RandN(newRNG(4), 10000, d)
	b.ReportAllocs()
	for b.Loop() {
		lp, err := dist.MultivariateNormalCov(tensor.Zeros(d), cov).LogProb(x)
		if err != nil {
			b.Fatal(err)
		}
		lp.Sum().Backward()
	}
}

// BenchmarkLowRankMVNLogProb times 1000 observations of a 200-dimensional
// low-rank-plus-diagonal normal of rank 4, with gradient.
func BenchmarkLowRankMVNLogProb(b *testing.B) {
	const d, r = 200, 4
	rng := newRNG(5)
	w := tensor.Param(tensor.RandN(rng, d*r).Data(), d, r)
	dg := tensor.Param(tensor.Ones(d).Data(), d)
	x := tensor.RandN(rng, 1000, d)
	b.ReportAllocs()
	for b.Loop() {
		lp, err := dist.LowRankMultivariateNormal(tensor.Zeros(d), w, dg).LogProb(x)
		if err != nil {
			b.Fatal(err)
		}
		lp.Sum().Backward()
	}
}
