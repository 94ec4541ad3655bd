package dist_test

import (
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestDiscreteMVNShapes checks batch, event, LogProb, sample, mean,
// variance and entropy shapes of the discrete and multivariate normal
// families, bare and under Expand, ToEvent and Mask, against PyTorch's
// shape rules.
func TestDiscreteMVNShapes(t *testing.T) {
	s, z, o := tensor.Scalar, tensor.Zeros, tensor.Ones
	half := func(shape ...int) *tensor.Tensor { return tensor.Full(0.5, shape...) }
	eye := tensor.Eye(3)
	mvn := dist.MultivariateNormalTril(z(2, 1, 3), eye)
	lowrank := dist.LowRankMultivariateNormal(z(3), o(4, 3, 2), o(3))
	cases := []struct {
		name         string
		d            dist.Distribution
		batch, event []int
		value        *tensor.Tensor
		lpShape      []int
	}{
		{"bernoulli scalar", dist.BernoulliProbs(s(0.3)), nil, nil, z(4), []int{4}},
		{"bernoulli batch", dist.BernoulliLogits(z(3, 1)), []int{3, 1}, nil, z(2), []int{3, 2}},
		{"bernoulli expand", dist.BernoulliProbs(half(3)).Expand(2, 3), []int{2, 3}, nil, z(3), []int{2, 3}},
		{"bernoulli to_event", dist.BernoulliProbs(half(2, 3)).ToEvent(1), []int{2}, []int{3}, z(5, 1, 3), []int{5, 2}},
		{"bernoulli mask", dist.BernoulliProbs(half(3)).Mask(o(2, 1)), []int{2, 3}, nil, z(3), []int{2, 3}},
		{"categorical", dist.CategoricalProbs(o(2, 4)), []int{2}, nil, z(5, 1), []int{5, 2}},
		{"categorical vector", dist.CategoricalLogits(z(4)), nil, nil, z(6), []int{6}},
		{"categorical expand", dist.CategoricalLogits(z(4)).Expand(3, 2), []int{3, 2}, nil, z(2), []int{3, 2}},
		{"categorical to_event", dist.CategoricalProbs(o(2, 3, 4)).ToEvent(1), []int{2}, []int{3}, z(3), []int{2}},
		{"categorical mask", dist.CategoricalProbs(o(3, 4)).Mask(tensor.Vector(1, 0, 1)), []int{3}, nil, z(3), []int{3}},
		{"onehot", dist.OneHotCategoricalProbs(o(2, 4)), []int{2}, []int{4}, tensor.OneHot(z(5, 1), 4), []int{5, 2}},
		{"onehot expand", dist.OneHotCategoricalLogits(z(4)).Expand(3), []int{3}, []int{4}, tensor.OneHot(z(1), 4), []int{3}},
		{"onehot to_event", dist.OneHotCategoricalLogits(z(2, 4)).ToEvent(1), nil, []int{2, 4}, tensor.OneHot(z(2), 4), []int{}},
		{"binomial", dist.Binomial(tensor.Vector(1, 2, 3), half(2, 1)), []int{2, 3}, nil, z(3), []int{2, 3}},
		{"binomial expand", dist.BinomialLogits(s(5), s(0)).Expand(4), []int{4}, nil, z(2, 1), []int{2, 4}},
		{"binomial mask", dist.Binomial(s(5), half(3)).Mask(s(0)), []int{3}, nil, z(3), []int{3}},
		{"poisson", dist.Poisson(o(3)), []int{3}, nil, z(2, 3), []int{2, 3}},
		{"poisson to_event", dist.Poisson(o(2, 3)).ToEvent(2), nil, []int{2, 3}, z(4, 2, 3), []int{4}},
		{"geometric expand", dist.Geometric(half(3)).Expand(2, 3), []int{2, 3}, nil, z(3), []int{2, 3}},
		{"geometric mask", dist.Geometric(half(3)).Mask(o(2, 1)), []int{2, 3}, nil, z(3), []int{2, 3}},
		{"mvn", mvn, []int{2, 1}, []int{3}, z(3), []int{2, 1}},
		{"mvn batched matrix", dist.MultivariateNormalCov(z(3), eye.Expand(4, 3, 3)), []int{4}, []int{3}, z(5, 1, 3), []int{5, 4}},
		{"mvn expand", mvn.Expand(2, 5), []int{2, 5}, []int{3}, z(3), []int{2, 5}},
		{"mvn to_event", mvn.Expand(2, 5).ToEvent(1), []int{2}, []int{5, 3}, z(5, 3), []int{2}},
		{"mvn mask", dist.MultivariateNormalPrecision(z(3), eye).Mask(o(4)), []int{4}, []int{3}, z(3), []int{4}},
		{"lowrank", lowrank, []int{4}, []int{3}, z(3), []int{4}},
		{"lowrank value batch", lowrank, []int{4}, []int{3}, z(6, 1, 3), []int{6, 4}},
		{"lowrank expand", lowrank.Expand(2, 4), []int{2, 4}, []int{3}, z(3), []int{2, 4}},
		{"lowrank to_event", lowrank.ToEvent(1), nil, []int{4, 3}, z(4, 3), []int{}},
		{"lowrank mask", lowrank.Mask(o(2, 1)), []int{2, 4}, []int{3}, z(3), []int{2, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.d.Validate(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.d.BatchShape(), c.batch) || !slices.Equal(c.d.EventShape(), c.event) {
				t.Fatalf("batch %v event %v, want %v %v", c.d.BatchShape(), c.d.EventShape(), c.batch, c.event)
			}
			lp, err := c.d.LogProb(c.value)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lp.Shape(), c.lpShape) {
				t.Errorf("LogProb shape %v, want %v", lp.Shape(), c.lpShape)
			}
			full := slices.Concat(c.batch, c.event)
			x := c.d.Sample(newRNG(1), 5, 1)
			if want := slices.Concat([]int{5, 1}, full); !slices.Equal(x.Shape(), want) {
				t.Errorf("Sample shape %v, want %v", x.Shape(), want)
			}
			if !c.d.Support().Check(x).All() {
				t.Errorf("a draw is outside the support %s", c.d.Support().Name())
			}
			if _, err := c.d.LogProb(x); err != nil {
				t.Errorf("LogProb of draws: %v", err)
			}
			if m := c.d.Mean(); !slices.Equal(m.Shape(), full) {
				t.Errorf("Mean shape %v, want %v", m.Shape(), full)
			}
			if v := c.d.Variance(); !slices.Equal(v.Shape(), full) {
				t.Errorf("Variance shape %v, want %v", v.Shape(), full)
			}
			if e, ok := c.d.(dist.Entropier); ok && hasEntropy(c.d) {
				if h := e.Entropy(); !slices.Equal(h.Shape(), c.batch) {
					t.Errorf("Entropy shape %v, want %v", h.Shape(), c.batch)
				}
			}
			if c.d.HasRSample() {
				if r := c.d.RSample(newRNG(2), 2); !slices.Equal(r.Shape(), slices.Concat([]int{2}, full)) {
					t.Errorf("RSample shape %v", r.Shape())
				}
			}
		})
	}
}

// TestDiscreteScorePartsAndRSample checks that the discrete families are
// not reparameterized (score-function parts, RSample panics) and the
// Gaussian ones are (entropy-term parts, RSample draws).
func TestDiscreteScorePartsAndRSample(t *testing.T) {
	v := tensor.Scalar(1)
	for _, d := range []dist.Distribution{
		dist.BernoulliProbs(tensor.Scalar(0.5)),
		dist.CategoricalProbs(tensor.Ones(3)),
		dist.Binomial(tensor.Scalar(3), tensor.Scalar(0.5)),
		dist.Poisson(tensor.Scalar(1)),
		dist.Geometric(tensor.Scalar(0.5)),
	} {
		if d.HasRSample() {
			t.Errorf("%T: HasRSample true", d)
		}
		p, err := d.ScoreParts(v)
		if err != nil || p.ScoreFunction == nil || p.EntropyTerm != nil {
			t.Errorf("%T: score parts %+v, %v", d, p, err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%T: RSample did not panic", d)
				}
			}()
			d.RSample(newRNG(1))
		}()
	}
	oh := dist.OneHotCategoricalProbs(tensor.Ones(3))
	if oh.HasRSample() {
		t.Error("OneHotCategorical: HasRSample true")
	}
	for _, d := range []dist.Distribution{
		dist.MultivariateNormalTril(tensor.Zeros(2), tensor.Eye(2)),
		dist.LowRankMultivariateNormal(tensor.Zeros(2), tensor.Ones(2, 1), tensor.Ones(2)),
	} {
		if !d.HasRSample() {
			t.Errorf("%T: HasRSample false", d)
		}
		p, err := d.ScoreParts(tensor.Zeros(2))
		if err != nil || p.ScoreFunction != nil || p.EntropyTerm == nil {
			t.Errorf("%T: score parts %+v, %v", d, p, err)
		}
	}
}

// hasEntropy reports whether d, under any Independent wrappers, has a
// closed-form entropy.
func hasEntropy(d dist.Distribution) bool {
	for {
		in, ok := d.(*dist.IndependentDist)
		if !ok {
			_, ok := d.(dist.Entropier)
			return ok
		}
		d = in.Base()
	}
}
