package transform

import (
	"errors"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// Transform is a differentiable bijection y = f(x) with a log-absolute-
// determinant Jacobian, as PyTorch's torch.distributions.Transform.
type Transform interface {
	// Forward returns f(x).
	Forward(x *tensor.Tensor) *tensor.Tensor
	// Inverse returns f⁻¹(y).
	Inverse(y *tensor.Tensor) *tensor.Tensor
	// LogAbsDetJacobian returns log|det ∂f(x)/∂x| for x and y = f(x),
	// with shape of x less DomainEventDim rightmost dims.
	LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor
	// DomainEventDim and CodomainEventDim are the event dims of x and y.
	DomainEventDim() int
	CodomainEventDim() int
	// ForwardShape and InverseShape map shapes through the transform.
	ForwardShape(shape []int) []int
	InverseShape(shape []int) []int

	// Domain and Codomain are the constraints that x and y satisfy; a
	// transformed distribution's support is its last transform's codomain.
	Domain() constraint.Constraint
	Codomain() constraint.Constraint
	// Bijective reports whether Inverse undoes Forward exactly on the
	// domain. Transforms that are not bijective (Softmax, LowerCholesky on
	// full matrices, ...) still satisfy f(f⁻¹(f(x))) = f(x).
	Bijective() bool
}

// ErrNoTransform is wrapped by the errors of [TransformTo] and [BijectTo]
// for constraints that no transform reaches.
var ErrNoTransform = errors.New("no transform for constraint")
