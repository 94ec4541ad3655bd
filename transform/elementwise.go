package transform

import (
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// elementwise holds the shape and event-dim methods shared by transforms
// that act on each number separately.
type elementwise struct{}

func (elementwise) DomainEventDim() int            { return 0 }
func (elementwise) CodomainEventDim() int          { return 0 }
func (elementwise) ForwardShape(shape []int) []int { return cloneShape(shape) }
func (elementwise) InverseShape(shape []int) []int { return cloneShape(shape) }
func (elementwise) Bijective() bool                { return true }

type identityT struct{ elementwise }

// Identity is the transform y = x on the real line.
var Identity Transform = identityT{}

func (identityT) Forward(x *tensor.Tensor) *tensor.Tensor { return x }
func (identityT) Inverse(y *tensor.Tensor) *tensor.Tensor { return y }
func (identityT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	return tensor.ZerosLike(x)
}
func (identityT) Domain() constraint.Constraint   { return constraint.Real }
func (identityT) Codomain() constraint.Constraint { return constraint.Real }
func (identityT) String() string                  { return "Identity" }

type expT struct{ elementwise }

// Exp is the transform y = exp(x) from the real line onto the positive
// half line; its inverse is log.
var Exp Transform = expT{}

func (expT) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Exp() }
func (expT) Inverse(y *tensor.Tensor) *tensor.Tensor { return y.Log() }

// LogAbsDetJacobian is x: d exp(x)/dx = exp(x).
func (expT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor { return x }
func (expT) Domain() constraint.Constraint                        { return constraint.Real }
func (expT) Codomain() constraint.Constraint                      { return constraint.Positive }
func (expT) String() string                                       { return "Exp" }

type sigmoidT struct{ elementwise }

// Sigmoid is the transform y = 1/(1+exp(-x)) onto the unit interval. As in
// PyTorch, y is clamped to [tiny, 1-eps] so that it never reaches 0 or 1,
// and the inverse (logit) clamps its input the same way.
var Sigmoid Transform = sigmoidT{}

func (sigmoidT) Forward(x *tensor.Tensor) *tensor.Tensor {
	return x.ClampedSigmoid(tiny, 1-eps)
}

func (sigmoidT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	y = y.Clamp(tiny, 1-eps)
	return y.Log().Sub(y.Neg().Log1p())
}

// LogAbsDetJacobian is log σ(x)(1-σ(x)) = -softplus(-x) - softplus(x).
func (sigmoidT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	return x.Neg().Softplus().Add(x.Softplus()).Neg()
}
func (sigmoidT) Domain() constraint.Constraint   { return constraint.Real }
func (sigmoidT) Codomain() constraint.Constraint { return constraint.UnitInterval }
func (sigmoidT) String() string                  { return "Sigmoid" }

type softplusT struct{ elementwise }

// Softplus is the transform y = log(1+exp(x)) onto the positive half line;
// its inverse is y + log(1-exp(-y)).
var Softplus Transform = softplusT{}

func (softplusT) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Softplus() }
func (softplusT) Inverse(y *tensor.Tensor) *tensor.Tensor { return softplusInv(y) }

// softplusInv computes log(e^y - 1) as y + log(1 - e^{-y}), with tensor's
// Log1mExp for the second term, accurate for small and large y.
func softplusInv(y *tensor.Tensor) *tensor.Tensor {
	return y.Add(y.Neg().Log1mExp())
}

// LogAbsDetJacobian is log σ(x) = -softplus(-x).
func (softplusT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	return x.Neg().Softplus().Neg()
}
func (softplusT) Domain() constraint.Constraint   { return constraint.Real }
func (softplusT) Codomain() constraint.Constraint { return constraint.Positive }
func (softplusT) String() string                  { return "Softplus" }

type tanhT struct{ elementwise }

// Tanh is the transform y = tanh(x) onto the interval [-1, 1]; its inverse
// is atanh(y) = (log1p(y) - log1p(-y))/2.
var Tanh Transform = tanhT{}

func (tanhT) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Tanh() }
func (tanhT) Inverse(y *tensor.Tensor) *tensor.Tensor { return atanh(y) }

func atanh(y *tensor.Tensor) *tensor.Tensor {
	return y.Log1p().Sub(y.Neg().Log1p()).MulScalar(0.5)
}

// LogAbsDetJacobian is log(1-tanh²x) = 2(log 2 - x - softplus(-2x)), stable
// for large |x|.
func (tanhT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	return x.MulScalar(-2).Softplus().Add(x).Neg().AddScalar(math.Ln2).MulScalar(2)
}
func (tanhT) Domain() constraint.Constraint   { return constraint.Real }
func (tanhT) Codomain() constraint.Constraint { return constraint.Interval(-1, 1) }
func (tanhT) String() string                  { return "Tanh" }

// powerT is y = x^exponent on the positive half line.
type powerT struct{ exponent *tensor.Tensor }

// Power returns the transform y = x^exponent on the positive half line,
// exponent broadcasting against x. A zero exponent is not invertible.
func Power(exponent *tensor.Tensor) Transform { return powerT{exponent} }

func (t powerT) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Pow(t.exponent) }
func (t powerT) Inverse(y *tensor.Tensor) *tensor.Tensor { return y.Pow(t.exponent.Reciprocal()) }

// LogAbsDetJacobian is log|exponent · y/x|.
func (t powerT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	return t.exponent.Mul(y).Div(x).Abs().Log()
}
func (t powerT) DomainEventDim() int   { return 0 }
func (t powerT) CodomainEventDim() int { return 0 }
func (t powerT) ForwardShape(shape []int) []int {
	return broadcast("Power", shape, t.exponent.Shape())
}
func (t powerT) InverseShape(shape []int) []int { return t.ForwardShape(shape) }
func (t powerT) Domain() constraint.Constraint  { return constraint.Positive }
func (t powerT) Codomain() constraint.Constraint {
	return constraint.Positive
}
func (t powerT) Bijective() bool { return true }
func (t powerT) String() string  { return fmt.Sprintf("Power(%v)", t.exponent) }

// broadcast returns the broadcast of shapes or panics naming the transform.
func broadcast(name string, shapes ...[]int) []int {
	s, ok := tensor.BroadcastShapes(shapes...)
	if !ok {
		panic(fmt.Sprintf("transform: %s: shapes %v do not broadcast", name, shapes))
	}
	return s
}

// affineT is y = loc + scale·x with eventDim rightmost dims per event.
type affineT struct {
	loc, scale *tensor.Tensor
	eventDim   int
}

// Affine returns the transform y = loc + scale·x, loc and scale
// broadcasting against x. Its log-det Jacobian sums log|scale| over the
// eventDim rightmost dims, which form one event. It panics if loc or scale
// is nil or eventDim is negative.
func Affine(loc, scale *tensor.Tensor, eventDim int) Transform {
	if loc == nil || scale == nil {
		panic("transform: Affine: nil loc or scale")
	}
	if eventDim < 0 {
		panic(fmt.Sprintf("transform: Affine: negative event dim %d", eventDim))
	}
	return affineT{loc, scale, eventDim}
}

func (t affineT) Forward(x *tensor.Tensor) *tensor.Tensor { return t.loc.Add(t.scale.Mul(x)) }
func (t affineT) Inverse(y *tensor.Tensor) *tensor.Tensor { return y.Sub(t.loc).Div(t.scale) }

// LogAbsDetJacobian is log|scale| broadcast to x's shape and summed over
// the event dims.
func (t affineT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	shape := broadcast("Affine", x.Shape(), t.scale.Shape())
	return sumRightmost(t.scale.Abs().Log().Expand(shape...), t.eventDim)
}
func (t affineT) DomainEventDim() int   { return t.eventDim }
func (t affineT) CodomainEventDim() int { return t.eventDim }
func (t affineT) ForwardShape(shape []int) []int {
	return broadcast("Affine", shape, t.loc.Shape(), t.scale.Shape())
}
func (t affineT) InverseShape(shape []int) []int { return t.ForwardShape(shape) }
func (t affineT) Domain() constraint.Constraint  { return realEvents(t.eventDim) }
func (t affineT) Codomain() constraint.Constraint {
	return realEvents(t.eventDim)
}
func (t affineT) Bijective() bool { return true }
func (t affineT) String() string {
	return fmt.Sprintf("Affine(%v, %v, %d)", t.loc, t.scale, t.eventDim)
}

// realEvents is the real constraint with n event dims.
func realEvents(n int) constraint.Constraint {
	if n == 0 {
		return constraint.Real
	}
	return constraint.IndependentOf(constraint.Real, n)
}
