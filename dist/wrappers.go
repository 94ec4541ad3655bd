package dist

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// IndependentDist reinterprets the rightmost batch dims of a distribution
// as event dims (PyTorch's Independent, Pyro's to_event): its log-density
// sums the inner log-density over those dims.
type IndependentDist struct {
	base
	inner Distribution
	n     int
}

// Independent returns d with its n rightmost batch dims moved into the
// event shape. Independent(d, 0) returns d; applied to an IndependentDist
// the counts add up. A negative total or n larger than d's batch rank gives
// a distribution whose Validate (and LogProb) reports the error.
func Independent(d Distribution, n int) Distribution {
	if in, ok := d.(*IndependentDist); ok {
		n += in.n
		d = in.inner
	}
	if n == 0 {
		return d
	}
	r := &IndependentDist{inner: d, n: n}
	bs := d.BatchShape()
	if n < 0 || n > len(bs) {
		r.setup(r, "Independent", bs, d.EventShape(), d.HasRSample())
		r.inheritOverride(d)
		r.fail("cannot move %d batch dims of a batch shape %v into the event shape", n, bs)
		return r
	}
	k := len(bs) - n
	event := append(slices.Clone(bs[k:]), d.EventShape()...)
	r.setup(r, "Independent", bs[:k], event, d.HasRSample())
	r.inheritOverride(d)
	return r
}

// ToEventAll moves every batch dim of d into its event shape (Pyro's
// to_event() without an argument).
func ToEventAll(d Distribution) Distribution { return d.ToEvent(len(d.BatchShape())) }

// Base returns the wrapped distribution.
func (d *IndependentDist) Base() Distribution { return d.inner }

// ReinterpretedBatchDims returns how many batch dims of the base became event dims.
func (d *IndependentDist) ReinterpretedBatchDims() int { return d.n }

// HasRSample reports whether the base distribution is reparameterized.
func (d *IndependentDist) HasRSample() bool { return d.inner.HasRSample() }

// RSampleOverride reports the base's per-instance has_rsample setting.
func (d *IndependentDist) RSampleOverride() (on, set bool) { return innerOverride(d.inner) }

// innerOverride reports d's per-instance has_rsample setting, if it has one.
func innerOverride(d Distribution) (on, set bool) {
	if o, ok := d.(RSampleOverrider); ok {
		return o.RSampleOverride()
	}
	return false, false
}

// WithRSample returns the same reinterpretation of a base whose HasRSample reports on.
func (d *IndependentDist) WithRSample(on bool) Distribution {
	return Independent(d.inner.WithRSample(on), d.n)
}

func (d *IndependentDist) withValidation(on bool) Distribution {
	r := Independent(WithValidation(d.inner, on), d.n)
	if ri, ok := r.(*IndependentDist); ok {
		ri.noValidate = !on
	}
	return r
}

// Validate reports an invalid reinterpretation or an invalid base.
func (d *IndependentDist) Validate() error {
	if err := d.base.Validate(); err != nil {
		return err
	}
	return d.inner.Validate()
}

// Sample draws from the base distribution.
func (d *IndependentDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.inner.Sample(rng, sampleShape...)
}

// RSample draws differentiably from the base distribution.
func (d *IndependentDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.inner.RSample(rng, sampleShape...)
}

// LogProb sums the base log-density over the reinterpreted dims.
func (d *IndependentDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	if err := d.base.Validate(); err != nil {
		return nil, err
	}
	lp, err := d.inner.LogProb(value)
	if err != nil {
		return nil, err
	}
	return sumRightmost(lp, d.n), nil
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape: the base
// distribution's fused sum when it has one (summing over the reinterpreted
// dims first changes nothing in the total), else LogProb's sum.
func (d *IndependentDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	if err := d.base.Validate(); err != nil {
		return nil, nil, err
	}
	sl, ok := d.inner.(SumLogProber)
	if !ok {
		lp, err := d.LogProb(value)
		if err != nil {
			return nil, nil, err
		}
		return lp.Sum(), lp.Shape(), nil
	}
	s, shape, err := sl.SumLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	return s, shape[:len(shape)-d.n], nil
}

// sumRightmost sums t over its n rightmost dims.
func sumRightmost(t *tensor.Tensor, n int) *tensor.Tensor {
	if n <= 0 {
		return t
	}
	dims := make([]int, n)
	for i := range dims {
		dims[i] = -1 - i
	}
	return t.SumDims(false, dims...)
}

// Mean returns the base mean.
func (d *IndependentDist) Mean() *tensor.Tensor { return d.inner.Mean() }

// Variance returns the base variance.
func (d *IndependentDist) Variance() *tensor.Tensor { return d.inner.Variance() }

// Entropy sums the base entropy over the reinterpreted dims; it panics if
// the base has no closed-form entropy.
func (d *IndependentDist) Entropy() *tensor.Tensor {
	e, ok := d.inner.(Entropier)
	if !ok {
		panic(fmt.Sprintf("dist: Independent: base %T has no closed-form entropy", d.inner))
	}
	return sumRightmost(e.Entropy(), d.n)
}

// Support is the base support with the reinterpreted dims counted as event dims.
func (d *IndependentDist) Support() constraint.Constraint {
	if d.err != nil {
		return d.inner.Support()
	}
	return constraint.IndependentOf(d.inner.Support(), d.n)
}

// Expand expands the base to batchShape followed by the reinterpreted dims.
func (d *IndependentDist) Expand(batchShape ...int) Distribution {
	if d.err != nil {
		c := *d
		c.self = &c
		return &c
	}
	bs := d.inner.BatchShape()
	inner := d.inner.Expand(append(slices.Clone(batchShape), bs[len(bs)-d.n:]...)...)
	r := Independent(inner, d.n)
	if ri, ok := r.(*IndependentDist); ok {
		ri.noValidate = d.noValidate
	}
	return r
}

// MaskedDist zeroes the log-density of a distribution where a mask is 0
// (Pyro's MaskedDistribution).
type MaskedDist struct {
	base
	inner Distribution
	mask  *tensor.Tensor // nil for a constant mask
	keep  bool           // the constant mask when mask is nil
}

// Mask returns d with its log-density replaced by 0 where mask (a 0/1 tensor
// broadcastable to d's batch shape) is 0. The batch shape becomes
// broadcast(mask's shape, d's batch shape). A tensor mask, even a scalar
// one, masks the score parts as spec §3.2 says for tensors; for Pyro's
// constant True/False masks use [MaskAll].
func Mask(d Distribution, mask *tensor.Tensor) Distribution {
	r := &MaskedDist{inner: d, mask: mask}
	if mask == nil {
		r.setup(r, "Masked", d.BatchShape(), d.EventShape(), d.HasRSample())
		r.inheritOverride(d)
		r.fail("mask is nil")
		return r
	}
	bs, ok := tensor.BroadcastShapes(mask.Shape(), d.BatchShape())
	if !ok {
		r.setup(r, "Masked", d.BatchShape(), d.EventShape(), d.HasRSample())
		r.inheritOverride(d)
		r.fail("mask shape %v does not broadcast with batch shape %v", mask.Shape(), d.BatchShape())
		return r
	}
	if !slices.Equal(bs, d.BatchShape()) {
		r.inner = d.Expand(bs...)
	}
	r.mask = mask.Detach()
	r.setup(r, "Masked", bs, d.EventShape(), d.HasRSample())
	r.inheritOverride(d)
	return r
}

// MaskAll returns d masked by a constant: keep true leaves the log-density
// as it is, false makes it zero without evaluating it (Pyro's mask(True) and
// mask(False)). Score parts follow the default rule on the masked density.
func MaskAll(d Distribution, keep bool) Distribution {
	r := &MaskedDist{inner: d, keep: keep}
	r.setup(r, "Masked", d.BatchShape(), d.EventShape(), d.HasRSample())
	r.inheritOverride(d)
	return r
}

// Base returns the wrapped distribution.
func (d *MaskedDist) Base() Distribution { return d.inner }

// MaskTensor returns the mask tensor, or nil for a constant mask.
func (d *MaskedDist) MaskTensor() *tensor.Tensor { return d.mask }

// HasRSample reports whether the base distribution is reparameterized.
func (d *MaskedDist) HasRSample() bool { return d.inner.HasRSample() }

// RSampleOverride reports the base's per-instance has_rsample setting.
func (d *MaskedDist) RSampleOverride() (on, set bool) { return innerOverride(d.inner) }

// WithRSample masks a copy of the base whose HasRSample reports on.
func (d *MaskedDist) WithRSample(on bool) Distribution {
	c := *d
	c.inner = d.inner.WithRSample(on)
	c.override = &on
	c.self = &c
	return &c
}

func (d *MaskedDist) withValidation(on bool) Distribution {
	c := *d
	c.inner = WithValidation(d.inner, on)
	c.noValidate = !on
	c.self = &c
	return &c
}

// Validate reports an invalid mask or an invalid base.
func (d *MaskedDist) Validate() error {
	if err := d.base.Validate(); err != nil {
		return err
	}
	return d.inner.Validate()
}

// Sample draws from the base distribution.
func (d *MaskedDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.inner.Sample(rng, sampleShape...)
}

// RSample draws differentiably from the base distribution.
func (d *MaskedDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.inner.RSample(rng, sampleShape...)
}

// LogProb returns the base log-density where the mask is 1 and 0 elsewhere,
// of shape broadcast(mask, base log-density).
func (d *MaskedDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	if err := d.base.Validate(); err != nil {
		return nil, err
	}
	if d.mask == nil {
		if d.keep {
			return d.inner.LogProb(value)
		}
		s, err := d.logProbShape(value)
		if err != nil {
			return nil, err
		}
		return tensor.Zeros(s...), nil
	}
	lp, err := d.inner.LogProb(value)
	if err != nil {
		return nil, err
	}
	return applyMask(lp, d.mask), nil
}

// ScoreParts follows the default rule for a constant mask; for a tensor
// mask it masks the base parts' log-density and entropy term and leaves the
// score-function term alone (spec §3.3).
func (d *MaskedDist) ScoreParts(value *tensor.Tensor) (ScoreParts, error) {
	if d.mask == nil {
		return d.base.ScoreParts(value)
	}
	if err := d.base.Validate(); err != nil {
		return ScoreParts{}, err
	}
	p, err := d.inner.ScoreParts(value)
	if err != nil {
		return ScoreParts{}, err
	}
	return p.ScaleAndMask(nil, d.mask), nil
}

// ScaleAndMask multiplies LogProb and EntropyTerm by scale and zeroes them
// where mask is 0 (spec §3.3); ScoreFunction is left alone. A nil scale means
// 1 and a nil mask keeps everything; nil (identically zero) terms stay nil.
func (p ScoreParts) ScaleAndMask(scale, mask *tensor.Tensor) ScoreParts {
	f := func(t *tensor.Tensor) *tensor.Tensor {
		if t == nil {
			return nil
		}
		if scale != nil {
			t = t.Mul(scale)
		}
		if mask != nil {
			t = applyMask(t, mask)
		}
		return t
	}
	return ScoreParts{LogProb: f(p.LogProb), ScoreFunction: p.ScoreFunction, EntropyTerm: f(p.EntropyTerm)}
}

// applyMask returns where(mask != 0, t, 0) with broadcasting; the gradient
// is zero where the mask is 0, even where t is not finite.
func applyMask(t, mask *tensor.Tensor) *tensor.Tensor {
	return tensor.Binary("Mask", t, mask, func(x, m float64) float64 {
		if m != 0 {
			return x
		}
		return 0
	}, func(x, m, z float64) float64 {
		if m != 0 {
			return 1
		}
		return 0
	}, nil)
}

// Mean returns the base mean.
func (d *MaskedDist) Mean() *tensor.Tensor { return d.inner.Mean() }

// Variance returns the base variance.
func (d *MaskedDist) Variance() *tensor.Tensor { return d.inner.Variance() }

// Support returns the base support.
func (d *MaskedDist) Support() constraint.Constraint { return d.inner.Support() }

// Expand expands the base (and the mask) to batchShape.
func (d *MaskedDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.inner = d.inner.Expand(batchShape...)
	c.self = &c
	c.expandTo(&c, batchShape)
	return &c
}
