package dist

import (
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
