package dist

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// BernoulliDist is the Bernoulli distribution on {0, 1}, parameterized by
// the probability of 1 or by its log-odds.
type BernoulliDist struct {
	base
	probs  *tensor.Tensor // nil when built from logits
	logits *tensor.Tensor // nil when built from probs
}

// BernoulliProbs returns the Bernoulli distribution that gives 1 with
// probability probs, which must lie in [0, 1].
func BernoulliProbs(probs *tensor.Tensor) *BernoulliDist {
	d := &BernoulliDist{probs: probs}
	d.setup(d, "Bernoulli", d.broadcastParams([]string{"probs"}, probs), nil, false)
	if d.err == nil {
		d.checkParam("probs", probs, "in [0, 1]", tensor.UnitInterval)
	}
	return d
}

// BernoulliLogits returns the Bernoulli distribution that gives 1 with
// probability sigmoid(logits).
func BernoulliLogits(logits *tensor.Tensor) *BernoulliDist {
	d := &BernoulliDist{logits: logits}
	d.setup(d, "Bernoulli", d.broadcastParams([]string{"logits"}, logits), nil, false)
	if d.err == nil {
		d.checkReal("logits", logits)
	}
	return d
}

// Probs returns the probability of 1: the parameter itself, or
// sigmoid(logits).
func (d *BernoulliDist) Probs() *tensor.Tensor { return probsOf(d.probs, d.logits) }

// Logits returns the log-odds: the parameter itself, or log p - log(1-p)
// with p clamped to [ε, 1-ε] (ε the float64 machine epsilon) so that it
// stays finite, as PyTorch does.
func (d *BernoulliDist) Logits() *tensor.Tensor { return logitsOf(d.probs, d.logits) }

// probsOf returns the success probability of a binary family built from
// probs or (when probs is nil) logits: probs itself, or sigmoid(logits).
func probsOf(probs, logits *tensor.Tensor) *tensor.Tensor {
	if probs != nil {
		return probs
	}
	return logits.Sigmoid()
}

// logitsOf returns the log-odds of a binary family built from logits or
// (when logits is nil) probs: logits itself, or log p - log(1-p) with p
// clamped to [ε, 1-ε] so that it stays finite.
func logitsOf(probs, logits *tensor.Tensor) *tensor.Tensor {
	if logits != nil {
		return logits
	}
	p := probs.Clamp(machEps, 1-machEps)
	return p.Log().Sub(p.Neg().Log1p())
}

// IsLogits reports whether the distribution was built from logits.
func (d *BernoulliDist) IsLogits() bool { return d.logits != nil }

// machEps is the float64 machine epsilon, PyTorch's finfo(float64).eps.
const machEps = 0x1p-52

// Expand returns a copy with batch shape batchShape.
func (d *BernoulliDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws 1 with probability p and 0 otherwise.
func (d *BernoulliDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	pt := d.Probs()
	if !slices.Equal(pt.Shape(), d.batch) {
		pt = pt.Detach().Expand(d.batch...)
	}
	p := pt.Data()
	res, out := tensor.Make(d.shapeOf(sampleShape)...)
	// One uniform per value in order, a batch's worth at a time; the
	// comparison becomes 0 or 1 without a branch, which random outcomes
	// would mispredict half the time.
	for lo := 0; lo < len(out); lo += len(p) {
		batch := out[lo : lo+len(p)]
		for i := range batch {
			batch[i] = float64(b2i(rng.Float64() < p[i]))
		}
	}
	return res
}

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RSample panics: the Bernoulli distribution has no reparameterized sampler.
func (d *BernoulliDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	panic("dist: Bernoulli: no reparameterized sampler (HasRSample is false)")
}

// bernoulliLogitsKernel is x·l - softplus(l), written as
// -x·softplus(-l) - (1-x)·softplus(l) so that it stays exact (not NaN) for
// infinite logits.
func bernoulliLogitsKernel() pointwise {
	return pointwise{
		name:   "BernoulliLogitsLogProb",
		f:      func(x, l, _ float64) float64 { return -binarySoftplus(x, 1-x, l) },
		values: tensor.Boolean,
		both:   bernoulliLogitsBoth,
		vector: bernoulliLogitsVector,
	}
}

// bernoulliLogitsVector is bernoulliLogitsBoth over whole slices, e^−|l|
// and log(1 + e^−|l|) from the vectorized kernels: the log-density of
// binary values x under logits l into res, and x − σ(l) into partials when
// partials is not nil. It declines values other than 0 and 1, and infinite
// or NaN logits, whose exact limits the per-element path takes.
func bernoulliLogitsVector(res, partials, x, l []float64) bool {
	if !allBinary(x) {
		return false
	}
	l = l[:len(x)]
	res = res[:len(x)]
	for i, v := range l {
		if math.IsInf(v, 0) || v != v {
			return false
		}
		res[i] = -math.Abs(v)
	}
	vecmath.Exp(res, res) // e^−|l|
	if partials != nil {
		partials = partials[:len(x)]
		for i, e := range res {
			sig := 1 / (1 + e)
			if l[i] < 0 {
				sig = e / (1 + e)
			}
			partials[i] = x[i] - sig
		}
	}
	vecmath.Log1p(res, res)
	for i, sp := range res {
		v := l[i]
		res[i] = x[i]*v - max(v, 0) - sp
	}
	return true
}

// bernoulliProbsKernel is xlogy(x, p) + xlog1py(1-x, -p): exact at p = 0
// and p = 1, where one of the outcomes has log-probability -Inf.
func bernoulliProbsKernel() pointwise {
	return pointwise{
		name: "BernoulliProbsLogProb",
		f: func(x, p, _ float64) float64 {
			return xlogyF(x, p) + xlog1pyF(1-x, -p)
		},
		values: tensor.Boolean,
		both:   bernoulliProbsBoth,
		vector: bernoulliProbsVector,
	}
}

// bernoulliProbsVector is the Bernoulli(probs) log-density of binary values
// x over whole slices: log p and log(1−p) come from the vectorized
// logarithms, and each element picks its outcome's term without a branch.
// The derivative in p is 1/p for a success and −1/(1−p) for a failure. It
// declines values other than 0 and 1.
func bernoulliProbsVector(res, partials, x, p []float64) bool {
	if !allBinary(x) {
		return false
	}
	log0 := partials // log(1−p), computed in place of the partials
	if log0 == nil {
		log0 = make([]float64, len(p))
	}
	for i, v := range p {
		log0[i] = -v
	}
	vecmath.Log1p(log0, log0)
	vecmath.Log(res, p)
	for i, xv := range x {
		l, q := log0[i], 1-p[i]
		if xv == 1 {
			l, q = res[i], p[i]
		}
		res[i] = l
		if partials != nil {
			partials[i] = (2*xv - 1) / q
		}
	}
	return true
}

// bernoulliProbsBoth returns the log-probability of x under probability p
// and its derivative in p, computing only the logarithm an outcome of 0 or
// 1 needs.
func bernoulliProbsBoth(x, p, _ float64) (float64, float64) {
	switch x {
	case 1:
		return math.Log(p), 1 / p
	case 0:
		return math.Log1p(-p), -1 / (1 - p)
	}
	return xlogyF(x, p) + xlog1pyF(1-x, -p), xdivyF(x, p) - xdivyF(1-x, 1-p)
}

// LogProb returns log p where value is 1 and log(1-p) where it is 0, in
// one fused pass: x·l - softplus(l) from logits, xlogy forms from probs.
// A value other than 0 or 1 is an error when validation is on.
func (d *BernoulliDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	if d.probs != nil && d.probs.Len() == 1 && !d.probs.RequiresGrad() {
		if p := d.probs.Data()[0]; p > 0 && p < 1 {
			shape, err := d.checkLogProb(value)
			if err != nil {
				return nil, err
			}
			lp, bad, v := bernoulliConstProb(value, p, d.validating())
			if bad {
				return nil, d.supportError(value, "0 or 1", v)
			}
			return lp.Expand(shape...), nil
		}
	}
	if d.logits != nil {
		return d.pointwiseLogProb(bernoulliLogitsKernel(), value, d.logits, nil, "0 or 1")
	}
	return d.pointwiseLogProb(bernoulliProbsKernel(), value, d.probs, nil, "0 or 1")
}

// bernoulliConstProb is the log-density of value under one constant
// probability p in (0, 1): the two log-probabilities are computed once, so
// a prior such as Bernoulli(0.5) over a plate costs no logarithm per
// element. It records a gradient only for a value that requires one.
func bernoulliConstProb(value *tensor.Tensor, p float64, check bool) (*tensor.Tensor, bool, float64) {
	l1, l0 := math.Log(p), math.Log1p(-p)
	vd := value.Data()
	lp, out := tensor.Make(value.Shape()...)
	for i, x := range vd {
		if check && x != 0 && x != 1 {
			return nil, true, x
		}
		out[i] = x*l1 + (1-x)*l0 // exactly l1 or l0 for x in {0, 1}
	}
	if !value.RequiresGrad() {
		return lp, false, 0
	}
	return tensor.FusedInto("BernoulliConstProbLogProb", lp, []*tensor.Tensor{value}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		gin[0] = tensor.Handoff(g.MulScalar(l1 - l0))
	}), false, 0
}

// Mean returns p.
func (d *BernoulliDist) Mean() *tensor.Tensor { return d.Probs().Expand(d.batch...) }

// Variance returns p(1-p).
func (d *BernoulliDist) Variance() *tensor.Tensor {
	p := d.Probs()
	return p.Mul(p.Neg().AddScalar(1)).Expand(d.batch...)
}

// Entropy returns -p log p - (1-p) log(1-p): softplus(l) - l·sigmoid(l)
// from logits.
func (d *BernoulliDist) Entropy() *tensor.Tensor {
	if d.logits != nil {
		l := d.logits
		return l.Softplus().Sub(l.Mul(l.Sigmoid())).Expand(d.batch...)
	}
	p := d.probs
	q := p.Neg().AddScalar(1)
	return p.Xlogy(p).Add(q.Xlogy(q)).Neg().Expand(d.batch...)
}

// Support is {0, 1}.
func (d *BernoulliDist) Support() constraint.Constraint { return constraint.Boolean }

// logProbs returns log p and log(1-p), from logits through log-sigmoid.
func (d *BernoulliDist) logProbs() (logP, log1mP *tensor.Tensor) {
	if d.logits != nil {
		return d.logits.LogSigmoid(), d.logits.Neg().LogSigmoid()
	}
	return maskSafeLog(d.probs), maskSafeLog1m(d.probs)
}

// binarySoftplus returns a·softplus(-l) + b·softplus(l), each term 0 when
// its weight is 0: minus the log-probability of a successes and b failures
// with log-odds l.
func binarySoftplus(a, b, l float64) float64 {
	v := 0.0
	if a != 0 {
		v += a * tensor.SoftplusFloat(-l)
	}
	if b != 0 {
		v += b * tensor.SoftplusFloat(l)
	}
	return v
}

// bernoulliLogitsBoth returns x·l - softplus(l) and its derivative
// x - sigmoid(l) from a single exponential e^-|l|.
func bernoulliLogitsBoth(x, l, _ float64) (float64, float64) {
	if math.IsInf(l, 0) || l != l {
		return -binarySoftplus(x, 1-x, l), x - tensor.SigmoidFloat(l)
	}
	e := math.Exp(-math.Abs(l))
	sig := 1 / (1 + e)
	if l < 0 {
		sig = e / (1 + e)
	}
	return x*l - math.Max(l, 0) - math.Log1p(e), x - sig
}
