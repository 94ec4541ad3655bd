package dist_test

import (
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestDiscreteLogProbGrad checks the hand-written backward passes of the
// fused discrete kernels (and the gathers of the categorical families)
// against central finite differences of Σ w·LogProb, with batched
// parameters broadcast against the values and random weights w so that
// each element's gradient counts.
func TestDiscreteLogProbGrad(t *testing.T) {
	cases := []struct {
		name  string
		ps    []param
		value *tensor.Tensor
		make  func(ts []*tensor.Tensor) dist.Distribution
	}{
		{
			"BernoulliProbs",
			[]param{{[]float64{0.1, 0.45, 0.8}, []int{3, 1}}},
			tensor.New([]float64{0, 1, 1, 0, 1, 0, 0, 1}, 2, 1, 4),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.BernoulliProbs(ts[0]) },
		},
		{
			"BernoulliLogits",
			[]param{{[]float64{-2, 0.3, 4}, []int{3}}},
			tensor.New([]float64{0, 1, 1, 1, 0, 0}, 2, 3),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.BernoulliLogits(ts[0]) },
		},
		{
			"CategoricalProbs",
			[]param{{[]float64{0.2, 0.5, 1.3, 0.7, 0.1, 0.4}, []int{2, 3}}},
			tensor.New([]float64{0, 2, 1, 1, 2, 0, 2, 2}, 4, 2),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.CategoricalProbs(ts[0]) },
		},
		{
			"CategoricalLogits",
			[]param{{[]float64{0.2, -1.5, 1.3, 0.7}, []int{4}}},
			tensor.New([]float64{0, 3, 1, 1, 2}, 5),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.CategoricalLogits(ts[0]) },
		},
		{
			"OneHotCategoricalLogits",
			[]param{{[]float64{0.2, -1.5, 1.3, 0.7, 0.1, 0.4}, []int{2, 3}}},
			tensor.OneHot(tensor.New([]float64{0, 2, 1, 1, 2, 2}, 3, 2), 3),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.OneHotCategoricalLogits(ts[0]) },
		},
		{
			"BinomialProbs",
			[]param{{[]float64{0.2, 0.55, 0.9}, []int{3}}},
			tensor.New([]float64{0, 3, 10, 2, 6, 7}, 2, 3),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.Binomial(tensor.Scalar(10), ts[0]) },
		},
		{
			"BinomialLogits",
			[]param{{[]float64{-1, 0.5}, []int{2, 1}}},
			tensor.New([]float64{0, 2, 5, 1, 4, 3}, 2, 3),
			func(ts []*tensor.Tensor) dist.Distribution {
				return dist.BinomialLogits(tensor.Vector(5, 4, 7), ts[0])
			},
		},
		{
			"Poisson",
			[]param{{[]float64{0.3, 2, 17}, []int{3}}},
			tensor.New([]float64{0, 1, 20, 3, 0, 12}, 2, 3),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.Poisson(ts[0]) },
		},
		{
			"Geometric",
			[]param{{[]float64{0.2, 0.7}, []int{2, 1}}},
			tensor.New([]float64{0, 3, 9}, 3),
			func(ts []*tensor.Tensor) dist.Distribution { return dist.Geometric(ts[0]) },
		},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w *tensor.Tensor
			checkGrad(t, c.name, c.ps, func(ts []*tensor.Tensor) *tensor.Tensor {
				lp, err := c.make(ts).LogProb(c.value)
				if err != nil {
					t.Fatal(err)
				}
				if w == nil {
					w = weightsFor(uint64(i), lp.Shape()...)
				}
				return lp.Mul(w).Sum()
			})
		})
	}
}

// TestDiscreteMomentGrad checks gradients of the closed-form moments and
// entropies that go through ordinary tensor ops (a smoke test that they
// are connected to the parameters).
func TestDiscreteMomentGrad(t *testing.T) {
	ps := []param{{[]float64{0.2, 0.5, 1.3}, []int{3}}}
	checkGrad(t, "Categorical entropy", ps, func(ts []*tensor.Tensor) *tensor.Tensor {
		return dist.CategoricalProbs(ts[0]).Entropy()
	})
	checkGrad(t, "Bernoulli logits entropy", ps, func(ts []*tensor.Tensor) *tensor.Tensor {
		return dist.BernoulliLogits(ts[0]).Entropy().Sum()
	})
	checkGrad(t, "Geometric variance", []param{{[]float64{0.2, 0.5, 0.9}, []int{3}}}, func(ts []*tensor.Tensor) *tensor.Tensor {
		return dist.Geometric(ts[0]).Variance().Sum()
	})
}

// TestDiscreteMaskedImpossibleValueGrad checks that an impossible value
// (log-probability -Inf, infinite partial) that is masked out leaves the
// parameter's gradient finite: the mask's zero gradient is not multiplied
// into an infinity.
func TestDiscreteMaskedImpossibleValueGrad(t *testing.T) {
	p := tensor.Param([]float64{1, 0.5}, 2)
	d := dist.Geometric(p).Mask(tensor.Vector(0, 1))
	lp, err := d.LogProb(tensor.Vector(3, 2)) // P(3) = 0 under p = 1
	if err != nil {
		t.Fatal(err)
	}
	lp.Sum().Backward()
	// d/dp [2 log(1-p) + log p] at p = 0.5 is -4 + 2 = -2 (closed form).
	checkSlice(t, "gradient", p.Grad().Data(), []float64{0, -2}, 1e-12)

	probs := tensor.Param([]float64{0, 1, 1, 2}, 4)
	c := dist.CategoricalProbs(probs).Mask(tensor.Vector(0, 1))
	lp, err = c.LogProb(tensor.Vector(0, 3)) // category 0 has probability 0
	if err != nil {
		t.Fatal(err)
	}
	lp.Sum().Backward()
	// d/dp_j log(p_3/Σp) = [j=3]/p_3 - 1/Σp with Σp = 4 (closed form).
	checkSlice(t, "categorical gradient", probs.Grad().Data(), []float64{-0.25, -0.25, -0.25, 0.25}, 1e-12)
}

// TestDiscreteRepeatedBackward walks the same graph twice: the first pass
// of a fused discrete kernel hands on its forward-pass partials scaled in
// place, so the second must recompute them and give the same gradient.
func TestDiscreteRepeatedBackward(t *testing.T) {
	cases := []struct {
		name  string
		par   []float64
		shape []int
		value *tensor.Tensor
		make  func(p *tensor.Tensor) dist.Distribution
	}{
		{"BernoulliLogits", []float64{-2, 0.3, 4}, []int{3}, tensor.New([]float64{0, 1, 1, 1, 0, 0}, 2, 3),
			func(p *tensor.Tensor) dist.Distribution { return dist.BernoulliLogits(p) }},
		{"BernoulliProbs", []float64{0.1, 0.45, 0.8, 0.3, 0.6, 0.9}, []int{2, 3}, tensor.New([]float64{0, 1, 1, 1, 0, 0}, 2, 3),
			func(p *tensor.Tensor) dist.Distribution { return dist.BernoulliProbs(p) }},
		{"Poisson", []float64{0.5, 2, 7}, []int{3}, tensor.New([]float64{0, 1, 4, 3, 0, 9}, 2, 3),
			func(p *tensor.Tensor) dist.Distribution { return dist.Poisson(p) }},
	}
	w := tensor.New([]float64{0.5, -1, 2, 0, 3, 1.5}, 2, 3)
	for _, c := range cases {
		p := tensor.Param(c.par, c.shape...)
		lp, err := c.make(p).LogProb(c.value)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		y := lp.Mul(w).Sum()
		first := tensor.Gradients(y, p)[0].Data()
		second := tensor.Gradients(y, p)[0].Data()
		checkSlice(t, c.name+" second pass", second, first, 0)
	}
}
