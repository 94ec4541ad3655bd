package dist

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// BinomialDist is the binomial distribution: the number of successes in
// TotalCount independent trials that each succeed with probability p.
type BinomialDist struct {
	base
	n      *tensor.Tensor // total count
	probs  *tensor.Tensor // nil when built from logits
	logits *tensor.Tensor // nil when built from probs
}

// Binomial returns the binomial distribution of totalCount trials (a
// nonnegative integer) with success probability probs in [0, 1].
func Binomial(totalCount, probs *tensor.Tensor) *BinomialDist {
	d := &BinomialDist{n: totalCount, probs: probs}
	d.setup(d, "Binomial", d.broadcastParams([]string{"total_count", "probs"}, totalCount, probs), nil, false)
	if d.err == nil {
		d.checkParam("total_count", totalCount, "a nonnegative integer", tensor.NonNegativeIntegers)
		d.checkParam("probs", probs, "in [0, 1]", tensor.UnitInterval)
	}
	return d
}

// BinomialLogits returns the binomial distribution of totalCount trials (a
// nonnegative integer) with success probability sigmoid(logits).
func BinomialLogits(totalCount, logits *tensor.Tensor) *BinomialDist {
	d := &BinomialDist{n: totalCount, logits: logits}
	d.setup(d, "Binomial", d.broadcastParams([]string{"total_count", "logits"}, totalCount, logits), nil, false)
	if d.err == nil {
		d.checkParam("total_count", totalCount, "a nonnegative integer", tensor.NonNegativeIntegers)
		d.checkReal("logits", logits)
	}
	return d
}

// TotalCount returns the number of trials.
func (d *BinomialDist) TotalCount() *tensor.Tensor { return d.n }

// Probs returns the success probability: the parameter itself, or
// sigmoid(logits).
func (d *BinomialDist) Probs() *tensor.Tensor { return probsOf(d.probs, d.logits) }

// Logits returns the log-odds of success: the parameter itself, or
// log p - log(1-p) with p clamped to [ε, 1-ε] as [BernoulliDist.Logits].
func (d *BinomialDist) Logits() *tensor.Tensor { return logitsOf(d.probs, d.logits) }

// IsLogits reports whether the distribution was built from logits.
func (d *BinomialDist) IsLogits() bool { return d.logits != nil }

// Expand returns a copy with batch shape batchShape.
func (d *BinomialDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws success counts.
func (d *BinomialDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	n := d.n.Detach().Expand(d.batch...).Data()
	p := d.Probs().Detach().Expand(d.batch...).Data()
	res, out := tensor.Make(d.shapeOf(sampleShape)...)
	nb := len(p)
	for i := range out {
		ni, pi := n[i%nb], p[i%nb]
		switch {
		case ni == 0 || pi == 0:
		case pi == 1:
			out[i] = ni
		default:
			out[i] = distuv.Binomial{N: ni, P: pi, Src: rng}.Rand()
		}
	}
	return res
}

// RSample panics: the binomial distribution has no reparameterized sampler.
func (d *BinomialDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	panic("dist: Binomial: no reparameterized sampler (HasRSample is false)")
}

// logChoose returns log(n choose k).
func logChoose(n, k float64) float64 {
	return logFactorial(n) - logFactorial(k) - logFactorial(n-k)
}

// inCount reports whether k is an integer in [0, n].
func inCount(k, _, n float64) bool { return k >= 0 && k <= n && isInteger(k) }

// binomialProbsKernel is log C(n,k) + xlogy(k, p) + xlog1py(n-k, -p), exact at
// p = 0 and p = 1.
func binomialProbsKernel() pointwise {
	return pointwise{
		name: "BinomialProbsLogProb",
		f: func(k, p, n float64) float64 {
			return logChoose(n, k) + xlogyF(k, p) + xlog1pyF(n-k, -p)
		},
		da: func(k, p, n float64) float64 { return xdivyF(k, p) - xdivyF(n-k, 1-p) },
		ok: inCount,
	}
}

// binomialLogitsKernel is log C(n,k) + k·l - n·softplus(l), written as
// log C(n,k) - k·softplus(-l) - (n-k)·softplus(l) to stay exact for
// infinite logits.
func binomialLogitsKernel() pointwise {
	return pointwise{
		name: "BinomialLogitsLogProb",
		f:    func(k, l, n float64) float64 { return logChoose(n, k) - binarySoftplus(k, n-k, l) },
		da:   func(k, l, n float64) float64 { return k - n*tensor.SigmoidFloat(l) },
		ok:   inCount,
	}
}

// LogProb returns log C(n,k) + k log p + (n-k) log(1-p), in one fused
// pass. A value that is not an integer in [0, n] is an error when
// validation is on.
func (d *BinomialDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	const what = "an integer in [0, total_count]"
	if d.logits != nil {
		return d.pointwiseLogProb(binomialLogitsKernel(), value, d.logits, d.n, what)
	}
	return d.pointwiseLogProb(binomialProbsKernel(), value, d.probs, d.n, what)
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *BinomialDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	const what = "an integer in [0, total_count]"
	if d.logits != nil {
		return d.pointwiseSumLogProb(binomialLogitsKernel(), value, d.logits, d.n, what)
	}
	return d.pointwiseSumLogProb(binomialProbsKernel(), value, d.probs, d.n, what)
}

// Mean returns n·p.
func (d *BinomialDist) Mean() *tensor.Tensor { return d.n.Mul(d.Probs()).Expand(d.batch...) }

// Variance returns n·p·(1-p).
func (d *BinomialDist) Variance() *tensor.Tensor {
	p := d.Probs()
	return d.n.Mul(p).Mul(p.Neg().AddScalar(1)).Expand(d.batch...)
}

// Support is the integers 0, …, n when the total count is a single number;
// for a tensor of counts it is the nonnegative integers, and LogProb checks
// each value against its own count.
func (d *BinomialDist) Support() constraint.Constraint {
	if d.n != nil && d.n.Len() == 1 && tensor.NonNegativeIntegers.Contains(d.n.Data()[0]) {
		return constraint.IntegerInterval(0, d.n.Data()[0])
	}
	return constraint.NonnegativeInteger
}
