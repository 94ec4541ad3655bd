// Package transform provides differentiable maps between unconstrained
// reals and the constrained sets of the constraint package, with their
// log-absolute-determinant Jacobians, as PyTorch's
// torch.distributions.transforms does.
//
// # Transforms
//
// A [Transform] maps x to y = f(x) ([Transform.Forward]) and back
// ([Transform.Inverse]); all of its operations are tensor operations, so
// gradients flow through them. [Transform.LogAbsDetJacobian] gives
// log|det ∂y/∂x| per event, where the domain and codomain event dims say how
// many rightmost dims form one event.
//
// Elementwise: [Identity], [Exp], [Sigmoid], [Softplus], [Tanh], [Power],
// [Affine]. On vectors: [Softmax], [StickBreaking], [Ordered], [Normalize].
// On matrices: [LowerCholesky], [SoftplusLowerCholesky],
// [UnitLowerCholesky], [CholeskyOuter], [CorrCholeskyOuter],
// [PositiveDefinite], and [CorrCholesky] from vectors to matrices.
// Combinators: [Compose], [Inverse], [Independent].
//
// Where domain and codomain have different numbers of free coordinates
// (a simplex of length K has K-1, an n×n Cholesky factor of a correlation
// matrix n(n-1)/2), the log-det Jacobian is taken between the free
// coordinates; each transform's documentation says which.
//
// # Registries
//
// [TransformTo] and [BijectTo] return the transform from unconstrained
// reals onto a constraint, following PyTorch's transform_to and biject_to
// tables with Pyro's additions. Constrained parameters are stored
// unconstrained and read through TransformTo(c); BijectTo is for methods
// that need a true bijection with a density, such as HMC. The two differ
// for the simplex (Softmax versus StickBreaking) and for the matrix
// constraints that only TransformTo covers.
//
// # Errors
//
// Shape mismatches panic with a message starting "transform:", as in the
// tensor package. The registries return errors wrapping [ErrNoTransform].
package transform
