package dist

import (
	"fmt"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// UniformDist is the continuous uniform distribution on [Low, High).
type UniformDist struct {
	base
	low, high *tensor.Tensor
}

// Uniform returns the uniform distribution on [low, high); low < high is
// required elementwise.
func Uniform(low, high *tensor.Tensor) *UniformDist {
	d := &UniformDist{low: low, high: high}
	d.setup(d, "Uniform", d.broadcastParams([]string{"low", "high"}, low, high), nil, true)
	if d.err == nil {
		d.checkParam("low", low, "finite", tensor.Finite)
		d.checkParam("high", high, "finite", tensor.Finite)
	}
	if d.err == nil && !low.Lt(high).All() {
		d.fail("low must be less than high, got shapes %v and %v", low.Shape(), high.Shape())
	}
	return d
}

// Low returns the lower bound.
func (d *UniformDist) Low() *tensor.Tensor { return d.low }

// High returns the upper bound.
func (d *UniformDist) High() *tensor.Tensor { return d.high }

// Expand returns a copy with batch shape batchShape.
func (d *UniformDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *UniformDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws low + u·(high - low) with u uniform on [0, 1).
func (d *UniformDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	u := tensor.RandU(rng, d.shapeOf(sampleShape)...)
	return locScale(d.low, d.high.Sub(d.low), u)
}

// LogProb returns -log(high - low) on [low, high) and -Inf elsewhere. A
// value outside [low, high] is an error when validation is on (PyTorch's
// support is the closed interval, while the density at high is 0).
func (d *UniformDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	inside := tensor.LogicalAnd(d.low.Le(value), d.high.Gt(value))
	if d.validating() {
		closed := tensor.LogicalAnd(d.low.Le(value), d.high.Ge(value))
		if !closed.All() {
			return nil, fmt.Errorf("dist: Uniform: value of shape %v is outside the support [low, high]", value.Shape())
		}
	}
	lp := inside.Log().Sub(d.high.Sub(d.low).Log())
	return lp.Expand(shape...), nil
}

// Mean returns (low + high)/2.
func (d *UniformDist) Mean() *tensor.Tensor {
	return d.low.Add(d.high).MulScalar(0.5).Expand(d.batch...)
}

// Variance returns (high - low)²/12.
func (d *UniformDist) Variance() *tensor.Tensor {
	return d.high.Sub(d.low).Square().MulScalar(1.0 / 12).Expand(d.batch...)
}

// Entropy returns log(high - low).
func (d *UniformDist) Entropy() *tensor.Tensor {
	return d.high.Sub(d.low).Log().Expand(d.batch...)
}

// Support is the closed interval [low, high]: constraint.Interval for
// single-element bounds, else a constraint that checks against the bound
// tensors.
func (d *UniformDist) Support() constraint.Constraint {
	if d.low.Len() == 1 && d.high.Len() == 1 && d.err == nil {
		return constraint.Interval(d.low.Item(), d.high.Item())
	}
	return tensorInterval{low: d.low.Detach(), high: d.high.Detach()}
}

// tensorInterval is the closed interval between two bound tensors that
// broadcast with the checked value.
type tensorInterval struct{ low, high *tensor.Tensor }

// Name returns "interval".
func (c tensorInterval) Name() string { return "interval" }

// EventDim is 0: each element is checked on its own.
func (c tensorInterval) EventDim() int { return 0 }

// IsDiscrete is false.
func (c tensorInterval) IsDiscrete() bool { return false }

// Check marks the elements of v with low ≤ v ≤ high.
func (c tensorInterval) Check(v *tensor.Tensor) *tensor.Tensor {
	return tensor.LogicalAnd(c.low.Le(v), v.Le(c.high))
}
