package transform

import (
	"fmt"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// vectorEvents holds the event-dim and shape methods of transforms between
// vectors of one length; name is the transform's name in shape panics.
type vectorEvents struct{ name string }

func (vectorEvents) DomainEventDim() int   { return 1 }
func (vectorEvents) CodomainEventDim() int { return 1 }
func (v vectorEvents) ForwardShape(shape []int) []int {
	needDims(v.name, shape, 1)
	return cloneShape(shape)
}
func (v vectorEvents) InverseShape(shape []int) []int {
	needDims(v.name, shape, 1)
	return cloneShape(shape)
}

type softmaxT struct{ vectorEvents }

// Softmax maps real vectors onto the simplex by y = exp(x)/Σexp(x) along
// the last dim. It is not bijective (adding a constant to x changes
// nothing); its inverse is log(y), one preimage among many. This is the
// transform that [TransformTo] uses for the simplex, as PyTorch does: it
// acts almost coordinate by coordinate, which suits optimizers like Adam.
var Softmax Transform = softmaxT{vectorEvents{"Softmax"}}

func (softmaxT) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Softmax(-1) }
func (softmaxT) Inverse(y *tensor.Tensor) *tensor.Tensor { return y.Log() }

// LogAbsDetJacobian panics: a map that is not one-to-one has no Jacobian
// determinant (PyTorch raises NotImplementedError here). Use
// [StickBreaking] where a density must be carried onto the simplex.
func (softmaxT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	panic("transform: Softmax is not bijective and has no log-det Jacobian; use StickBreaking")
}
func (softmaxT) Domain() constraint.Constraint   { return constraint.RealVector }
func (softmaxT) Codomain() constraint.Constraint { return constraint.Simplex }
func (softmaxT) Bijective() bool                 { return false }
func (softmaxT) String() string                  { return "Softmax" }

// stickBreakingT takes its event dims from vectorEvents but has its own
// shape methods, since the simplex is one entry longer than its preimage.
type stickBreakingT struct{ vectorEvents }

// StickBreaking maps real vectors of length K-1 one-to-one onto the simplex
// of length K by breaking a unit stick: piece i takes the fraction
// z_i = σ(x_i - log(K-1-i)) of what remains, and the last piece the rest.
// The shift by log(K-1-i) sends x = 0 to the simplex's centre. Fractions
// are clamped to [tiny, 1-eps] as in [Sigmoid].
var StickBreaking Transform = stickBreakingT{vectorEvents{"StickBreaking"}}

func (stickBreakingT) Forward(x *tensor.Tensor) *tensor.Tensor {
	needDims("StickBreaking", x.Shape(), 1)
	n := x.Shape()[x.Dim()-1]
	z := x.Sub(logOffsets(n)).ClampedSigmoid(tiny, 1-eps)
	rest := z.Neg().AddScalar(1).Cumprod(-1)
	return padLast(z, 0, 1, 1).Mul(padLast(rest, 1, 0, 1))
}

func (stickBreakingT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	needDims("StickBreaking", y.Shape(), 1)
	n := y.Shape()[y.Dim()-1] - 1
	pieces := y.Narrow(-1, 0, n)
	rest := pieces.Cumsum(-1).Neg().AddScalar(1).ClampMin(tiny)
	return pieces.Log().Sub(rest.Log()).Add(logOffsets(n))
}

// LogAbsDetJacobian is Σ_i log(z_i (1-z_i) r_i) where r_i is the stick left
// before piece i; with y_i = z_i r_i and 1-σ(u) = e^{-u} σ(u) that is
// Σ_i (-u_i + log σ(u_i) + log y_i) for the shifted inputs u.
func (stickBreakingT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	n := x.Shape()[x.Dim()-1]
	u := x.Sub(logOffsets(n))
	return u.LogSigmoid().Sub(u).Add(y.Narrow(-1, 0, n).Log()).SumDims(false, -1)
}
func (t stickBreakingT) ForwardShape(shape []int) []int {
	needDims(t.name, shape, 1)
	s := cloneShape(shape)
	s[len(s)-1]++
	return s
}
func (t stickBreakingT) InverseShape(shape []int) []int {
	needDims(t.name, shape, 1)
	if shape[len(shape)-1] < 1 {
		panic(fmt.Sprintf("transform: StickBreaking: simplex shape %v has an empty last dim", shape))
	}
	s := cloneShape(shape)
	s[len(s)-1]--
	return s
}
func (stickBreakingT) Domain() constraint.Constraint   { return constraint.RealVector }
func (stickBreakingT) Codomain() constraint.Constraint { return constraint.Simplex }
func (stickBreakingT) Bijective() bool                 { return true }
func (stickBreakingT) String() string                  { return "StickBreaking" }

type orderedT struct{ vectorEvents }

// Ordered maps real vectors one-to-one onto strictly increasing vectors:
// y_0 = x_0 and y_i = y_{i-1} + exp(x_i).
var Ordered Transform = orderedT{vectorEvents{"Ordered"}}

func (orderedT) Forward(x *tensor.Tensor) *tensor.Tensor {
	needDims("Ordered", x.Shape(), 1)
	n := x.Shape()[x.Dim()-1]
	if n <= 1 {
		return x
	}
	steps := tensor.Cat(-1, x.Narrow(-1, 0, 1), x.Narrow(-1, 1, n-1).Exp())
	return steps.Cumsum(-1)
}

func (orderedT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	needDims("Ordered", y.Shape(), 1)
	n := y.Shape()[y.Dim()-1]
	if n <= 1 {
		return y
	}
	gaps := y.Narrow(-1, 1, n-1).Sub(y.Narrow(-1, 0, n-1)).Log()
	return tensor.Cat(-1, y.Narrow(-1, 0, 1), gaps)
}

// LogAbsDetJacobian is Σ_{i≥1} x_i: the Jacobian is triangular with
// diagonal 1, exp(x_1), exp(x_2), ...
func (orderedT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	n := x.Shape()[x.Dim()-1]
	if n <= 1 {
		return tensor.Zeros(x.Shape()[:x.Dim()-1]...)
	}
	return x.Narrow(-1, 1, n-1).SumDims(false, -1)
}
func (orderedT) Domain() constraint.Constraint   { return constraint.RealVector }
func (orderedT) Codomain() constraint.Constraint { return constraint.OrderedVector }
func (orderedT) Bijective() bool                 { return true }
func (orderedT) String() string                  { return "Ordered" }

type normalizeT struct{ vectorEvents }

// Normalize maps nonzero vectors onto the unit sphere, y = x/‖x‖ (the norm
// clamped below by the smallest normal float64). It is not bijective; its
// inverse returns y itself.
var Normalize Transform = normalizeT{vectorEvents{"Normalize"}}

func (normalizeT) Forward(x *tensor.Tensor) *tensor.Tensor {
	needDims("Normalize", x.Shape(), 1)
	norm := x.Square().SumDims(true, -1).Sqrt().ClampMin(tiny)
	return x.Div(norm)
}
func (normalizeT) Inverse(y *tensor.Tensor) *tensor.Tensor { return y }

// LogAbsDetJacobian panics: projecting onto the sphere is not one-to-one.
func (normalizeT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	panic("transform: Normalize is not bijective and has no log-det Jacobian")
}
func (normalizeT) Domain() constraint.Constraint   { return constraint.RealVector }
func (normalizeT) Codomain() constraint.Constraint { return constraint.Sphere }
func (normalizeT) Bijective() bool                 { return false }
func (normalizeT) String() string                  { return "Normalize" }
