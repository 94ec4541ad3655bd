package dist

import (
	"fmt"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// OneHotCategoricalDist is the categorical distribution with each draw
// written as a one-hot vector of length K: its event shape is (K).
type OneHotCategoricalDist struct {
	base
	cat *CategoricalDist
}

// OneHotCategoricalProbs returns the one-hot categorical distribution with
// probabilities proportional to probs along its last dim (see
// [CategoricalProbs]).
func OneHotCategoricalProbs(probs *tensor.Tensor) *OneHotCategoricalDist {
	return newOneHot(CategoricalProbs(probs))
}

// OneHotCategoricalLogits returns the one-hot categorical distribution with
// probabilities proportional to exp(logits) along its last dim (see
// [CategoricalLogits]).
func OneHotCategoricalLogits(logits *tensor.Tensor) *OneHotCategoricalDist {
	return newOneHot(CategoricalLogits(logits))
}

func newOneHot(cat *CategoricalDist) *OneHotCategoricalDist {
	d := &OneHotCategoricalDist{cat: cat}
	d.setup(d, "OneHotCategorical", cat.batch, []int{cat.k}, false)
	if cat.err != nil {
		d.fail("%s", cat.msg)
	}
	return d
}

// Categorical returns the distribution of the index of the 1.
func (d *OneHotCategoricalDist) Categorical() *CategoricalDist {
	return d.cat.Expand(d.batch...).(*CategoricalDist)
}

// Probs returns the normalized probabilities, of the parameter's shape.
func (d *OneHotCategoricalDist) Probs() *tensor.Tensor { return d.cat.Probs() }

// Logits returns the normalized log-probabilities, of the parameter's shape.
func (d *OneHotCategoricalDist) Logits() *tensor.Tensor { return d.cat.Logits() }

// Expand returns a copy with batch shape batchShape.
func (d *OneHotCategoricalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws one-hot vectors.
func (d *OneHotCategoricalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	idx := sampleCategories(rng, d.cat.weights(), d.batch, d.cat.k, numel(sampleShape))
	bs := d.shapeOf(sampleShape)
	return tensor.OneHot(tensor.FromData(idx, bs[:len(bs)-1]...), d.cat.k)
}

// RSample panics: the one-hot categorical distribution has no
// reparameterized sampler.
func (d *OneHotCategoricalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	panic("dist: OneHotCategorical: no reparameterized sampler (HasRSample is false)")
}

// LogProb returns the log-probability of the category each one-hot vector
// of value marks. A vector that is not one-hot is an error when validation
// is on.
func (d *OneHotCategoricalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if d.validating() {
		vd, k := value.Data(), d.cat.k
		for i := 0; i < len(vd); i += k {
			ones := 0
			for _, v := range vd[i : i+k] {
				switch v {
				case 1:
					ones++
				case 0:
				default:
					ones = 2
				}
			}
			if ones != 1 {
				return nil, fmt.Errorf("dist: %s: value of shape %v is outside the support (one-hot vectors): found %v", d.name, value.Shape(), vd[i:i+k])
			}
		}
	}
	return d.cat.logProbAt(value.Detach().ArgMax(-1), shape), nil
}

// Mean returns the probabilities, of shape BatchShape + (K).
func (d *OneHotCategoricalDist) Mean() *tensor.Tensor {
	return d.cat.Probs().Expand(d.shapeOf(nil)...)
}

// Variance returns p(1-p) for each category.
func (d *OneHotCategoricalDist) Variance() *tensor.Tensor {
	p := d.cat.Probs()
	return p.Mul(p.Neg().AddScalar(1)).Expand(d.shapeOf(nil)...)
}

// Entropy returns -Σ p log p over the categories.
func (d *OneHotCategoricalDist) Entropy() *tensor.Tensor {
	return categoricalEntropy(d.cat.Probs(), d.cat.Logits()).Expand(d.batch...)
}

// Support is the set of one-hot vectors.
func (d *OneHotCategoricalDist) Support() constraint.Constraint { return constraint.OneHot }
