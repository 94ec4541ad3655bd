package dist

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// DeltaDist is the point mass at V (Pyro's Delta): the log-density is
// LogDensity at V and -Inf elsewhere. Its RSample returns V itself, so
// gradients flow to V.
type DeltaDist struct {
	base
	v, logDensity *tensor.Tensor
	eventDim      int
}

// Delta returns the point mass at v whose eventDim rightmost dims form one
// event. logDensity (nil for 0) is added to the log-density; it has the
// batch shape (v's shape less its event dims) or is a single element.
func Delta(v, logDensity *tensor.Tensor, eventDim int) *DeltaDist {
	d := &DeltaDist{v: v, logDensity: logDensity, eventDim: eventDim}
	if v == nil || eventDim < 0 || eventDim > v.Dim() {
		d.setup(d, "Delta", nil, nil, true)
		if v == nil {
			d.fail("v is nil")
		} else {
			d.fail("event dim %d must be between 0 and the dims of v, shape %v", eventDim, v.Shape())
		}
		d.v = tensor.Scalar(math.NaN())
		d.eventDim = 0
		return d
	}
	s := v.Shape()
	k := len(s) - eventDim
	d.setup(d, "Delta", s[:k], s[k:], true)
	if logDensity == nil {
		d.logDensity = tensor.Scalar(0)
	} else if logDensity.Len() != 1 && !slices.Equal(logDensity.Shape(), s[:k]) {
		d.fail("log density shape %v must be the batch shape %v", logDensity.Shape(), s[:k])
	} else {
		d.checkReal("log density", logDensity)
	}
	return d
}

// V returns the location of the point mass.
func (d *DeltaDist) V() *tensor.Tensor { return d.v }

// LogDensity returns the log-density added at V.
func (d *DeltaDist) LogDensity() *tensor.Tensor { return d.logDensity }

// Expand returns a copy with batch shape batchShape.
func (d *DeltaDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample returns V broadcast to the sample shape, without gradient.
func (d *DeltaDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample returns V broadcast to sampleShape + BatchShape + EventShape; it
// draws nothing from rng.
func (d *DeltaDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.v.Expand(d.shapeOf(sampleShape)...)
}

// LogProb returns LogDensity where value equals V on the whole event and
// -Inf elsewhere; it carries gradient to LogDensity only.
func (d *DeltaDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkRealValues(value, "real"); err != nil {
		return nil, err
	}
	lp := sumRightmost(value.Eq(d.v.Detach()).Log(), d.eventDim).Add(d.logDensity)
	return lp.Expand(shape...), nil
}

// Mean returns V.
func (d *DeltaDist) Mean() *tensor.Tensor { return d.v.Expand(d.shapeOf(nil)...) }

// Variance returns zeros.
func (d *DeltaDist) Variance() *tensor.Tensor { return tensor.Zeros(d.shapeOf(nil)...) }

// Support is the real numbers, with the event dims as one event.
func (d *DeltaDist) Support() constraint.Constraint {
	return constraint.IndependentOf(constraint.Real, d.eventDim)
}

// UnitDist is the trivial distribution behind a factor statement (Pyro's
// Unit): its values are empty (event shape (0,)) and its log-density is
// LogFactor whatever the value.
type UnitDist struct {
	base
	logFactor *tensor.Tensor
}

// Unit returns the distribution whose log-density is logFactor, with batch
// shape logFactor's shape and event shape (0,). It is not reparameterized
// unless WithRSample says so.
func Unit(logFactor *tensor.Tensor) *UnitDist {
	d := &UnitDist{logFactor: logFactor}
	if logFactor == nil {
		d.setup(d, "Unit", nil, []int{0}, false)
		d.fail("log factor is nil")
		d.logFactor = tensor.Scalar(0)
		return d
	}
	d.setup(d, "Unit", logFactor.Shape(), []int{0}, false)
	d.checkReal("log factor", logFactor)
	return d
}

// LogFactor returns the log-density.
func (d *UnitDist) LogFactor() *tensor.Tensor { return d.logFactor }

// Expand returns a copy with batch shape batchShape.
func (d *UnitDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample returns an empty tensor of shape sampleShape + BatchShape + (0,).
func (d *UnitDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return tensor.Zeros(d.shapeOf(sampleShape)...)
}

// RSample returns the same empty tensor as Sample.
func (d *UnitDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.Sample(rng, sampleShape...)
}

// LogProb returns LogFactor broadcast to broadcast(BatchShape, value's
// shape less its last dim).
func (d *UnitDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	return d.logFactor.Expand(shape...), nil
}

// Mean returns an empty tensor of shape BatchShape + (0,).
func (d *UnitDist) Mean() *tensor.Tensor { return tensor.Zeros(d.shapeOf(nil)...) }

// Variance returns an empty tensor of shape BatchShape + (0,).
func (d *UnitDist) Variance() *tensor.Tensor { return tensor.Zeros(d.shapeOf(nil)...) }

// Support is the real numbers (vacuous for empty values).
func (d *UnitDist) Support() constraint.Constraint { return constraint.Real }
