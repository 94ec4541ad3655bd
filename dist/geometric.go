package dist

import (
	"math"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// GeometricDist is the geometric distribution of the number of failures
// before the first success in independent trials that each succeed with
// probability p, as PyTorch's: P(k) = (1-p)^k p for k = 0, 1, 2, ….
type GeometricDist struct {
	base
	probs *tensor.Tensor
}

// Geometric returns the geometric distribution with success probability
// probs in (0, 1].
func Geometric(probs *tensor.Tensor) *GeometricDist {
	d := &GeometricDist{probs: probs}
	d.setup(d, "Geometric", d.broadcastParams([]string{"probs"}, probs), nil, false)
	if d.err == nil {
		d.checkParam("probs", probs, "in (0, 1]", tensor.Positive, tensor.UnitInterval)
	}
	return d
}

// Probs returns the success probability p.
func (d *GeometricDist) Probs() *tensor.Tensor { return d.probs }

// Expand returns a copy with batch shape batchShape.
func (d *GeometricDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws ⌊log u / log(1-p)⌋ with u uniform on (0, 1).
func (d *GeometricDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	p := d.probs.Detach().Expand(d.batch...).Data()
	res, out := tensor.Make(d.shapeOf(sampleShape)...)
	nb := len(p)
	for i := range out {
		u := rng.Float64()
		if u == 0 {
			u = math.SmallestNonzeroFloat64
		}
		// +0 turns the -0 of p = 1 into 0.
		out[i] = math.Floor(math.Log(u)/math.Log1p(-p[i%nb])) + 0
	}
	return res
}

// RSample panics: the geometric distribution has no reparameterized sampler.
func (d *GeometricDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	panic("dist: Geometric: no reparameterized sampler (HasRSample is false)")
}

// geometricKernel is xlog1py(k, -p) + log p; at p = 1 the value 0 has
// log-probability 0.
func geometricKernel() pointwise {
	return pointwise{
		name:   "GeometricLogProb",
		f:      func(k, p, _ float64) float64 { return xlog1pyF(k, -p) + math.Log(p) },
		da:     func(k, p, _ float64) float64 { return 1/p - xdivyF(k, 1-p) },
		values: tensor.NonNegativeIntegers,
	}
}

// LogProb returns k log(1-p) + log p, in one fused pass. A value that is
// not a nonnegative integer is an error when validation is on.
func (d *GeometricDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	return d.pointwiseLogProb(geometricKernel(), value, d.probs, nil, "a nonnegative integer")
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *GeometricDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.pointwiseSumLogProb(geometricKernel(), value, d.probs, nil, "a nonnegative integer")
}

// Mean returns (1-p)/p.
func (d *GeometricDist) Mean() *tensor.Tensor {
	return d.probs.Reciprocal().AddScalar(-1).Expand(d.batch...)
}

// Variance returns (1-p)/p².
func (d *GeometricDist) Variance() *tensor.Tensor {
	p := d.probs
	return p.Reciprocal().AddScalar(-1).Div(p).Expand(d.batch...)
}

// Entropy returns -(p log p + (1-p) log(1-p))/p.
func (d *GeometricDist) Entropy() *tensor.Tensor {
	p := d.probs
	q := p.Neg().AddScalar(1)
	return p.Xlogy(p).Add(q.Xlogy(q)).Div(p).Neg().Expand(d.batch...)
}

// Support is the nonnegative integers.
func (d *GeometricDist) Support() constraint.Constraint { return constraint.NonnegativeInteger }
