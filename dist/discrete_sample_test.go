package dist_test

import (
	"math"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestDiscreteSampleMoments draws a vectorized sample of every discrete
// family (fixed seed) and compares the sample mean and variance of each
// batch element with Mean() and Variance() within 5 Monte Carlo standard
// errors. It also checks that every draw lies in the support.
func TestDiscreteSampleMoments(t *testing.T) {
	const n = 20000
	cases := []struct {
		name string
		d    dist.Distribution
	}{
		{"BernoulliProbs", dist.BernoulliProbs(tensor.Vector(0.02, 0.5, 0.9))},
		{"BernoulliLogits", dist.BernoulliLogits(tensor.Vector(-1, 2))},
		// counts below 25, with n·p < 1 and above: the three regimes of the sampler
		{"Binomial", dist.Binomial(tensor.Vector(5, 30, 100, 400), tensor.Vector(0.3, 0.02, 0.4, 0.85))},
		{"BinomialLogits", dist.BinomialLogits(tensor.Scalar(12), tensor.Vector(-0.5, 1.5))},
		{"Poisson", dist.Poisson(tensor.Vector(0.3, 4, 45))},
		{"Geometric", dist.Geometric(tensor.Vector(0.15, 0.6, 0.97))},
		{"Expanded", dist.Poisson(tensor.Scalar(2)).Expand(3)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.d.Sample(newRNG(uint64(100+i)), n/10, 10)
			bs := c.d.BatchShape()
			if !slices.Equal(s.Shape(), append([]int{n / 10, 10}, bs...)) {
				t.Fatalf("sample shape %v, want [%d 10]+%v", s.Shape(), n/10, bs)
			}
			ok := c.d.Support().Check(s)
			if !ok.All() {
				t.Fatalf("a draw is outside the support %s", c.d.Support().Name())
			}
			if _, err := c.d.LogProb(s); err != nil {
				t.Fatalf("LogProb of the draws: %v", err)
			}
			nb := max(1, s.Len()/n)
			checkMoments(t, c.name, s.Data(), nb, c.d.Mean().Data(), c.d.Variance().Data())
		})
	}
}

// TestCategoricalSampleFrequencies checks that each category is drawn with
// its probability, within 5 standard errors √(p(1-p)/n), for a batch of
// two distributions, one with a category of probability 0 that must never
// be drawn; the one-hot variant must agree.
func TestCategoricalSampleFrequencies(t *testing.T) {
	const n = 20000
	probs := tensor.New([]float64{
		0.1, 0.2, 0.3, 0.4,
		0.5, 0, 0.25, 0.25,
	}, 2, 4)
	for _, c := range []struct {
		name   string
		d      dist.Distribution
		onehot bool
	}{
		{"probs", dist.CategoricalProbs(probs.MulScalar(3)), false},
		{"logits", dist.CategoricalLogits(probs.Log()), false},
		{"onehot", dist.OneHotCategoricalProbs(probs), true},
	} {
		s := c.d.Sample(newRNG(7), n)
		counts := make([]float64, 8)
		if c.onehot {
			if !slices.Equal(s.Shape(), []int{n, 2, 4}) {
				t.Fatalf("%s: sample shape %v", c.name, s.Shape())
			}
			for i, v := range s.Data() {
				counts[i%8] += v
			}
			checkMoments(t, c.name+" one-hot columns", s.Data(), 8, c.d.Mean().Data(), c.d.Variance().Data())
		} else {
			if !slices.Equal(s.Shape(), []int{n, 2}) {
				t.Fatalf("%s: sample shape %v", c.name, s.Shape())
			}
			for i, v := range s.Data() {
				counts[(i%2)*4+int(v)]++
			}
		}
		for j, p := range probs.Data() {
			f := counts[j] / n
			se := math.Sqrt(p * (1 - p) / n)
			if !(math.Abs(f-p) <= 5*se) {
				t.Errorf("%s: category %d of batch %d drawn with frequency %.4f, want %.4f ± 5×%.4f", c.name, j%4, j/4, f, p, se)
			}
		}
		if counts[5] != 0 {
			t.Errorf("%s: category of probability 0 drawn %v times", c.name, counts[5])
		}
	}
}

// TestDiscreteEntropy checks the closed-form entropies against the sums
// -Σ P(k) log P(k) over the support, using LogProb.
func TestDiscreteEntropy(t *testing.T) {
	ent := func(d dist.Distribution, support []float64) float64 {
		lp, err := d.LogProb(tensor.New(support, len(support)))
		if err != nil {
			t.Fatal(err)
		}
		h := 0.0
		for _, v := range lp.Data() {
			if !math.IsInf(v, -1) {
				h -= math.Exp(v) * v
			}
		}
		return h
	}
	ks := make([]float64, 3000)
	for i := range ks {
		ks[i] = float64(i)
	}
	cases := []struct {
		name string
		d    interface {
			dist.Distribution
			Entropy() *tensor.Tensor
		}
		support []float64
	}{
		{"BernoulliProbs", dist.BernoulliProbs(tensor.Scalar(0.3)), []float64{0, 1}},
		{"BernoulliProbs p=0", dist.BernoulliProbs(tensor.Scalar(0)), []float64{0, 1}},
		{"BernoulliLogits", dist.BernoulliLogits(tensor.Scalar(-1.2)), []float64{0, 1}},
		{"CategoricalProbs", dist.CategoricalProbs(tensor.Vector(1, 0, 2, 5)), []float64{0, 1, 2, 3}},
		{"CategoricalLogits", dist.CategoricalLogits(tensor.Vector(0.3, math.Inf(-1), -2)), []float64{0, 1, 2}},
		{"Geometric", dist.Geometric(tensor.Scalar(0.05)), ks},
		{"Geometric p=1", dist.Geometric(tensor.Scalar(1)), ks},
	}
	for _, c := range cases {
		got := c.d.Entropy().Item()
		want := ent(c.d, c.support)
		// The sum over 3000 terms of the geometric series leaves a tail
		// below 0.95^3000; 1e-12 relative covers rounding.
		if !near(got, want, 1e-12) {
			t.Errorf("%s: Entropy %.15g, want %.15g", c.name, got, want)
		}
	}
	oh := dist.OneHotCategoricalProbs(tensor.Vector(1, 2, 3))
	cat := dist.CategoricalProbs(tensor.Vector(1, 2, 3))
	if oh.Entropy().Item() != cat.Entropy().Item() {
		t.Errorf("OneHotCategorical entropy %v, Categorical %v", oh.Entropy().Item(), cat.Entropy().Item())
	}
}
