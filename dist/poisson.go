package dist

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// PoissonDist is the Poisson distribution of counts with mean Rate.
type PoissonDist struct {
	base
	rate *tensor.Tensor
}

// Poisson returns the Poisson distribution with the given nonnegative rate
// (a rate of 0 puts all its mass on 0, as in PyTorch).
func Poisson(rate *tensor.Tensor) *PoissonDist {
	d := &PoissonDist{rate: rate}
	d.setup(d, "Poisson", d.broadcastParams([]string{"rate"}, rate), nil, false)
	if d.err == nil {
		d.checkParam("rate", rate, "nonnegative and finite", tensor.NonNegative, tensor.Finite)
	}
	return d
}

// Rate returns the mean number of events λ.
func (d *PoissonDist) Rate() *tensor.Tensor { return d.rate }

// Expand returns a copy with batch shape batchShape.
func (d *PoissonDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws counts.
func (d *PoissonDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	shape := d.shapeOf(sampleShape)
	r := d.rate.Detach().Expand(d.batch...).Data()
	out := make([]float64, numel(shape))
	nb := len(r)
	for i := range out {
		if l := r[i%nb]; l > 0 {
			out[i] = distuv.Poisson{Lambda: l, Src: rng}.Rand()
		}
	}
	return tensor.FromData(out, shape...)
}

// RSample panics: the Poisson distribution has no reparameterized sampler.
func (d *PoissonDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	panic("dist: Poisson: no reparameterized sampler (HasRSample is false)")
}

// poissonKernel is xlogy(k, λ) - λ - log k!.
func poissonKernel() pointwise {
	return pointwise{
		name: "PoissonLogProb",
		f:    func(k, l, _ float64) float64 { return xlogyF(k, l) - l - logFactorial(k) },
		da:   func(k, l, _ float64) float64 { return xdivyF(k, l) - 1 },
		both: func(k, l, _ float64) (float64, float64) {
			return xlogyF(k, l) - l - logFactorial(k), xdivyF(k, l) - 1
		},
		values: tensor.NonNegativeIntegers,
		vector: poissonVector,
	}
}

// poissonVector is the Poisson log-density of counts k over whole slices,
// and its derivative k/λ − 1 in partials when partials is not nil: log λ
// comes from the vectorized logarithm and log k! from the table for small
// counts. It declines values that are not nonnegative integers.
func poissonVector(res, partials, k, rate []float64) bool {
	for _, v := range k {
		if !tensor.NonNegativeIntegers.Contains(v) {
			return false
		}
	}
	vecmath.Log(res, rate)
	table := logFactorials()
	rate = rate[:len(k)]
	res = res[:len(k)]
	for i, kv := range k {
		l := rate[i]
		t := kv * res[i]
		if kv == 0 && l == l {
			t = 0 // xlogy(0, λ) is 0, even where log λ is infinite
		}
		lf := 0.0
		if kv < logFactorialTableLen {
			lf = table[int(kv)]
		} else {
			lf = tensor.LgammaFloat(kv + 1)
		}
		res[i] = t - l - lf
	}
	if partials != nil {
		partials = partials[:len(k)]
		for i, kv := range k {
			partials[i] = xdivyF(kv, rate[i]) - 1
		}
	}
	return true
}

// LogProb returns k log λ - λ - log k!, in one fused pass. A value that is
// not a nonnegative integer is an error when validation is on.
func (d *PoissonDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	return d.pointwiseLogProb(poissonKernel(), value, d.rate, nil, "a nonnegative integer")
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *PoissonDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.pointwiseSumLogProb(poissonKernel(), value, d.rate, nil, "a nonnegative integer")
}

// Mean returns λ.
func (d *PoissonDist) Mean() *tensor.Tensor { return d.rate.Expand(d.batch...) }

// Variance returns λ.
func (d *PoissonDist) Variance() *tensor.Tensor { return d.rate.Expand(d.batch...) }

// Support is the nonnegative integers.
func (d *PoissonDist) Support() constraint.Constraint { return constraint.NonnegativeInteger }
