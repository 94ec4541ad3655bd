package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

// TransformedDist is the distribution of y = f_n(…f_1(x)) for x drawn from
// a base distribution (PyTorch's TransformedDistribution). Its log-density
// is the base log-density of x minus the log-absolute-determinant
// Jacobians.
type TransformedDist struct {
	base
	inner      Distribution // the base, expanded and reinterpreted as needed
	transforms []transform.Transform
}

// TransformedDistribution returns the distribution of the base's draws
// pushed through transforms, applied in order. Its shapes follow PyTorch:
// base batch dims that a transform treats as event dims become event dims.
func TransformedDistribution(baseDist Distribution, transforms ...transform.Transform) *TransformedDist {
	d := &TransformedDist{inner: baseDist, transforms: slices.Clone(transforms)}
	bs := append(slices.Clone(baseDist.BatchShape()), baseDist.EventShape()...)
	baseEvent := len(baseDist.EventShape())
	dom, cod := composedEventDims(transforms)
	if len(bs) < dom {
		d.setup(d, "TransformedDistribution", baseDist.BatchShape(), baseDist.EventShape(), baseDist.HasRSample())
		d.fail("base shape %v has fewer dims than the transforms' event dim %d", bs, dom)
		return d
	}
	fwd := slices.Clone(bs)
	for _, t := range transforms {
		fwd = t.ForwardShape(fwd)
	}
	back := slices.Clone(fwd)
	for i := len(transforms) - 1; i >= 0; i-- {
		back = transforms[i].InverseShape(back)
	}
	inner := baseDist
	if !slices.Equal(back, bs) {
		inner = inner.Expand(back[:len(back)-baseEvent]...)
	}
	if r := dom - baseEvent; r > 0 {
		inner = Independent(inner, r)
	}
	d.inner = inner
	eventDim := cod + max(baseEvent-dom, 0)
	cut := len(fwd) - eventDim
	d.setup(d, "TransformedDistribution", fwd[:cut], fwd[cut:], inner.HasRSample())
	d.inheritOverride(baseDist)
	return d
}

// composedEventDims returns the domain and codomain event dims of the
// composition of ts, as PyTorch's ComposeTransform computes them.
func composedEventDims(ts []transform.Transform) (dom, cod int) {
	if len(ts) == 0 {
		return 0, 0
	}
	dom = ts[len(ts)-1].CodomainEventDim()
	for i := len(ts) - 1; i >= 0; i-- {
		dom += ts[i].DomainEventDim() - ts[i].CodomainEventDim()
		dom = max(dom, ts[i].DomainEventDim())
	}
	cod = ts[0].DomainEventDim()
	for _, t := range ts {
		cod += t.CodomainEventDim() - t.DomainEventDim()
		cod = max(cod, t.CodomainEventDim())
	}
	return dom, cod
}

// Base returns the base distribution (expanded and reinterpreted to match
// the transforms' event dims).
func (d *TransformedDist) Base() Distribution { return d.inner }

// Transforms returns the transforms, in the order they are applied.
func (d *TransformedDist) Transforms() []transform.Transform { return d.transforms }

// HasRSample reports whether the base is reparameterized, unless
// WithRSample said otherwise.
func (d *TransformedDist) HasRSample() bool {
	if d.override != nil {
		return *d.override
	}
	return d.inner.HasRSample()
}

// Validate reports an invalid shape or an invalid base.
func (d *TransformedDist) Validate() error {
	if err := d.base.Validate(); err != nil {
		return err
	}
	return d.inner.Validate()
}

func (d *TransformedDist) withValidation(on bool) Distribution {
	c := *d
	c.inner = WithValidation(d.inner, on)
	c.noValidate = !on
	c.self = &c
	return &c
}

// Expand returns a copy with batch shape batchShape.
func (d *TransformedDist) Expand(batchShape ...int) Distribution {
	c := *d
	shape := append(slices.Clone(batchShape), d.event...)
	for i := len(d.transforms) - 1; i >= 0; i-- {
		shape = d.transforms[i].InverseShape(shape)
	}
	c.inner = d.inner.Expand(shape[:len(shape)-len(d.inner.EventShape())]...)
	c.expandTo(&c, batchShape)
	return &c
}

// Sample pushes a base draw through the transforms, without gradient.
func (d *TransformedDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	x := d.inner.Sample(rng, sampleShape...)
	for _, t := range d.transforms {
		x = t.Forward(x)
	}
	return x.Detach()
}

// RSample pushes a reparameterized base draw through the transforms.
func (d *TransformedDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	x := d.inner.RSample(rng, sampleShape...)
	for _, t := range d.transforms {
		x = t.Forward(x)
	}
	return x
}

// LogProb inverts the transforms and returns the base log-density minus the
// log-absolute-determinant Jacobians, each summed over the dims that are
// event dims at that stage.
func (d *TransformedDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.base.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.inner.Validate(); err != nil {
		return nil, err
	}
	if d.validating() && !d.Support().Check(value).All() {
		return nil, fmt.Errorf("dist: TransformedDistribution: value of shape %v is outside the support (%s)", value.Shape(), d.Support().Name())
	}
	eventDim := len(d.event)
	var lp *tensor.Tensor
	y := value
	for i := len(d.transforms) - 1; i >= 0; i-- {
		t := d.transforms[i]
		x := t.Inverse(y)
		eventDim += t.DomainEventDim() - t.CodomainEventDim()
		j := sumRightmost(t.LogAbsDetJacobian(x, y), eventDim-t.DomainEventDim()).Neg()
		if lp == nil {
			lp = j
		} else {
			lp = lp.Add(j)
		}
		y = x
	}
	blp, err := d.inner.LogProb(y)
	if err != nil {
		return nil, err
	}
	blp = sumRightmost(blp, eventDim-len(d.inner.EventShape()))
	if lp == nil {
		lp = blp
	} else {
		lp = lp.Add(blp)
	}
	return lp.Expand(shape...), nil
}

// Mean has no closed form in general: NaN.
func (d *TransformedDist) Mean() *tensor.Tensor { return tensor.Full(math.NaN(), d.shapeOf(nil)...) }

// Variance has no closed form in general: NaN.
func (d *TransformedDist) Variance() *tensor.Tensor {
	return tensor.Full(math.NaN(), d.shapeOf(nil)...)
}

// Support is the last transform's codomain, with extra event dims counted
// as one event (the base support when there are no transforms).
func (d *TransformedDist) Support() constraint.Constraint {
	if len(d.transforms) == 0 {
		return d.inner.Support()
	}
	s := d.transforms[len(d.transforms)-1].Codomain()
	if n := len(d.event) - s.EventDim(); n > 0 {
		s = constraint.IndependentOf(s, n)
	}
	return s
}
