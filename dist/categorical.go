package dist

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// CategoricalDist is the categorical distribution over the indices
// 0, …, K-1 of the last dim of its parameter, which is the category dim.
// Values are float tensors holding integer indices.
type CategoricalDist struct {
	base
	probs *tensor.Tensor // normalized probabilities; nil when built from logits
	raw   *tensor.Tensor // the logits as given; nil when built from probs
	norm  *lazyTensor    // the normalized log-probabilities, made from raw on first use
	k     int            // number of categories
}

// lazyTensor is a tensor computed on first use, shared by the copies of a
// distribution (Expand copies the pointer).
type lazyTensor struct {
	once sync.Once
	t    *tensor.Tensor
}

// logits returns the normalized log-probabilities of a distribution built
// from logits (nil otherwise): their log-softmax, computed once. An
// observation site summed by SumLogProb never needs them.
func (d *CategoricalDist) logits() *tensor.Tensor {
	if d.raw == nil {
		return nil
	}
	d.norm.once.Do(func() { d.norm.t = d.raw.LogSoftmax(-1) })
	return d.norm.t
}

// CategoricalProbs returns the categorical distribution with probabilities
// proportional to probs along its last dim: probs is divided by its sum, as
// PyTorch does, so its entries need only be nonnegative with a positive sum.
// The batch shape is probs' shape less the last dim.
func CategoricalProbs(probs *tensor.Tensor) *CategoricalDist {
	return newCategoricalProbs("Categorical", probs)
}

// newCategoricalProbs is CategoricalProbs for a family named name.
func newCategoricalProbs(name string, probs *tensor.Tensor) *CategoricalDist {
	d := &CategoricalDist{}
	d.init(name, "probs", probs)
	if d.err == nil {
		d.k = probs.Shape()[probs.Dim()-1]
		d.checkParam("probs", probs, "nonnegative and finite", tensor.NonNegative, tensor.Finite)
		sum := probs.SumDims(true, -1)
		d.probs = probs.Div(sum)
		if d.err == nil {
			// The check reports the sums in the batch shape, without the
			// kept category dim.
			d.checkParam("probs", sum.Detach().Reshape(d.batch...), "normalizable (a positive sum along the last dim)", tensor.Positive)
		}
	}
	return d
}

// CategoricalLogits returns the categorical distribution with probabilities
// proportional to exp(logits) along the last dim; logits are normalized by
// subtracting their log-sum-exp. Entries may be -Inf (a category of
// probability 0) but not NaN.
func CategoricalLogits(logits *tensor.Tensor) *CategoricalDist {
	d := &CategoricalDist{}
	d.init("Categorical", "logits", logits)
	if d.err == nil {
		d.k = logits.Shape()[logits.Dim()-1]
		for _, v := range logits.Data() { // a tight loop: logits can be large
			if v != v || v > math.MaxFloat64 {
				d.fail("logits must be real and not +Inf, got shape %v containing %g", logits.Shape(), v)
				break
			}
		}
		d.raw, d.norm = logits, &lazyTensor{}
	}
	return d
}

// init sets up d with the batch shape of the category parameter p (its
// shape less the last dim), recording an error when p is nil, a scalar or
// has no category.
func (d *CategoricalDist) init(name, arg string, p *tensor.Tensor) {
	d.setup(d, name, nil, nil, false)
	switch {
	case p == nil:
		d.fail("%s is nil", arg)
	case p.Dim() == 0:
		d.fail("%s must have at least one dim (the category dim), got shape %v", arg, p.Shape())
	case p.Shape()[p.Dim()-1] == 0:
		d.fail("%s must have at least one category, got shape %v", arg, p.Shape())
	default:
		d.batch = append([]int{}, p.Shape()[:p.Dim()-1]...)
	}
}

// NumCategories returns K, the size of the category dim.
func (d *CategoricalDist) NumCategories() int { return d.k }

// Probs returns the normalized probabilities, of the parameter's shape.
func (d *CategoricalDist) Probs() *tensor.Tensor {
	if d.probs != nil {
		return d.probs
	}
	return d.logits().Softmax(-1)
}

// Logits returns the normalized log-probabilities, of the parameter's
// shape. Built from probs, they are log p with p clamped to [ε, 1-ε] (ε
// the float64 machine epsilon) so that they stay finite, as PyTorch does.
func (d *CategoricalDist) Logits() *tensor.Tensor {
	if d.raw != nil {
		return d.logits()
	}
	return d.probs.Clamp(machEps, 1-machEps).Log()
}

// IsLogits reports whether the distribution was built from logits.
func (d *CategoricalDist) IsLogits() bool { return d.raw != nil }

// Expand returns a copy with batch shape batchShape.
func (d *CategoricalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws category indices by inverting the cumulative probabilities.
func (d *CategoricalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return tensor.FromData(sampleCategories(rng, d.weights(), d.batch, d.k, numel(sampleShape)), d.shapeOf(sampleShape)...)
}

// weights returns the categories' probabilities up to a factor per row,
// which is all sampling needs: the probabilities, or from logits e^(l − max
// of the row), without normalizing them.
func (d *CategoricalDist) weights() *tensor.Tensor {
	if d.raw == nil || d.k == 0 {
		return d.Probs()
	}
	l, k := d.raw.Data(), d.k
	w := make([]float64, len(l))
	for r := 0; r < len(l)/k; r++ {
		row := l[r*k : (r+1)*k]
		m := row[0]
		for _, v := range row[1:] {
			m = max(m, v)
		}
		for j, v := range row {
			w[r*k+j] = v - m
		}
	}
	vecmath.Exp(w, w)
	return tensor.FromData(w, d.raw.Shape()...)
}

// sampleCategories draws ns index arrays of the batch shape batch from the
// probabilities p, or weights proportional to them along the last dim
// (shape broadcasting to batch + (k)), sample-major.
func sampleCategories(rng *rand.Rand, p *tensor.Tensor, batch []int, k, ns int) []float64 {
	pd := p.Detach().Expand(append(append([]int{}, batch...), k)...).Data()
	cum := make([]float64, len(pd))
	nb := len(cum) / max(k, 1)
	for b := 0; b < nb; b++ {
		row, src := cum[b*k:(b+1)*k], pd[b*k:(b+1)*k]
		acc := 0.0
		for j, v := range src {
			acc += v
			row[j] = acc
		}
	}
	out := make([]float64, ns*nb)
	for s := range ns {
		for b := range nb {
			row := cum[b*k : (b+1)*k]
			u := rng.Float64() * row[k-1]
			// The first category whose cumulative probability exceeds u (one
			// of probability 0 never does), the last if rounding leaves none.
			out[s*nb+b] = float64(firstAbove(row, u))
		}
	}
	return out
}

// firstAbove returns the first index j with row[j] > u in the nondecreasing
// row, or its last index when there is none: a scan for the few categories
// of most models, a binary search for many.
func firstAbove(row []float64, u float64) int {
	k := len(row)
	if k > 16 {
		return min(k-1, sort.Search(k, func(j int) bool { return row[j] > u }))
	}
	for j, c := range row[:k-1] {
		if c > u {
			return j
		}
	}
	return k - 1
}

// RSample panics: the categorical distribution has no reparameterized sampler.
func (d *CategoricalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	panic("dist: Categorical: no reparameterized sampler (HasRSample is false)")
}

// LogProb returns the normalized log-probability of each index in value by
// gathering it from the log-softmax of the logits, or gathering the
// normalized probabilities and taking their log. A value that is not an integer in [0, K) is an
// error when validation is on.
func (d *CategoricalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	k := float64(d.k)
	if err := d.checkValues(value, "an integer in [0, K)", func(v float64) bool { return v >= 0 && v < k && isInteger(v) }); err != nil {
		return nil, err
	}
	return d.logProbAt(value, shape), nil
}

// logProbAt returns the log-probability of the category indices idx,
// broadcast to shape. Built from probs, it gathers the probabilities before
// taking their log, so an impossible category gives exactly -Inf and the
// categories not drawn get no gradient (not the NaN of 0·(1/0)).
func (d *CategoricalDist) logProbAt(idx *tensor.Tensor, shape []int) *tensor.Tensor {
	if d.raw != nil {
		return gatherLast(d.logits(), idx, shape)
	}
	return maskSafeLog(gatherLast(d.probs, idx, shape))
}

// maskSafeLog returns log t with the gradient g/t, except that a zero
// incoming gradient (a masked element) stays zero where t is 0 instead of
// becoming 0·Inf = NaN.
func maskSafeLog(t *tensor.Tensor) *tensor.Tensor { return safeLog(t, false) }

// maskSafeLog1m returns log(1-t) (through log1p) with the gradient
// -g/(1-t), a zero incoming gradient staying zero where t is 1.
func maskSafeLog1m(t *tensor.Tensor) *tensor.Tensor { return safeLog(t, true) }

// safeLog implements maskSafeLog and, with oneMinus, maskSafeLog1m.
func safeLog(t *tensor.Tensor, oneMinus bool) *tensor.Tensor {
	td := t.Data()
	out := make([]float64, len(td))
	for i, v := range td {
		if oneMinus {
			out[i] = math.Log1p(-v)
		} else {
			out[i] = math.Log(v)
		}
	}
	res := tensor.FromData(out, t.Shape()...)
	if !t.RequiresGrad() {
		return res
	}
	return tensor.Fused("Log", res, []*tensor.Tensor{t}, func(g *tensor.Tensor) []*tensor.Tensor {
		gd := g.Data()
		dx := make([]float64, len(td))
		for i, v := range td {
			switch {
			case gd[i] == 0:
			case oneMinus:
				dx[i] = -gd[i] / (1 - v)
			default:
				dx[i] = gd[i] / v
			}
		}
		return []*tensor.Tensor{tensor.FromData(dx, t.Shape()...)}
	})
}

// gatherLast returns, for each element i of the index tensor idx broadcast
// to shape, the entry idx[i] of the last dim of t, whose other dims
// broadcast to shape: PyTorch's gather along the last dim without
// materializing t at the full shape. The gradient flows to t.
func gatherLast(t, idx *tensor.Tensor, shape []int) *tensor.Tensor {
	ts := t.Shape()
	k := ts[len(ts)-1]
	pb := ts[:len(ts)-1]
	nb := numel(pb)
	n := numel(shape)
	rows := tensor.Arange(0, float64(nb), 1).Reshape(pb...).Expand(shape...).Data()
	id := idx.Detach().Expand(shape...).Data()
	flat := make([]float64, n)
	for i := range flat {
		flat[i] = rows[i]*float64(k) + id[i]
	}
	return t.Reshape(nb*k).IndexSelect(0, tensor.FromData(flat, n)).Reshape(shape...)
}

// Mean is NaN: the indices are labels, not numbers.
func (d *CategoricalDist) Mean() *tensor.Tensor { return tensor.Full(math.NaN(), d.batch...) }

// Variance is NaN, as the mean.
func (d *CategoricalDist) Variance() *tensor.Tensor { return tensor.Full(math.NaN(), d.batch...) }

// Entropy returns -Σ p log p over the categories.
func (d *CategoricalDist) Entropy() *tensor.Tensor {
	return categoricalEntropy(d.Probs(), d.Logits()).Expand(d.batch...)
}

// categoricalEntropy is -Σ p·logits over the last dim, with -Inf logits
// clamped to the lowest finite float so that a category of probability 0
// adds 0.
func categoricalEntropy(p, logits *tensor.Tensor) *tensor.Tensor {
	return p.Mul(logits.ClampMin(-math.MaxFloat64)).SumDims(false, -1).Neg()
}

// Support is the integers 0, …, K-1.
func (d *CategoricalDist) Support() constraint.Constraint {
	return constraint.IntegerInterval(0, float64(d.k-1))
}
