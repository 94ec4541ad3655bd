package transform

import (
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// matrixEvents holds the event-dim and shape methods of transforms between
// square matrices of one size.
type matrixEvents struct{ name string }

func (matrixEvents) DomainEventDim() int   { return 2 }
func (matrixEvents) CodomainEventDim() int { return 2 }
func (m matrixEvents) ForwardShape(shape []int) []int {
	needSquare(m.name, shape)
	return cloneShape(shape)
}
func (m matrixEvents) InverseShape(shape []int) []int {
	needSquare(m.name, shape)
	return cloneShape(shape)
}

// diagMap is a transform that keeps the strictly lower triangle of a square
// matrix, maps its diagonal elementwise and zeroes the upper triangle.
type diagMap struct {
	matrixEvents
	diag     Transform // elementwise map of the diagonal, nil for ones
	codomain constraint.Constraint
}

// LowerCholesky maps square matrices onto lower-triangular matrices with a
// positive diagonal (Cholesky factors): the strictly lower triangle is kept
// as is, the diagonal goes through exp and the upper triangle is dropped.
// It is bijective only on lower-triangular inputs, so Bijective is false
// (as in PyTorch); LogAbsDetJacobian is that of the bijection between the
// lower triangles, Σ_i x_ii, which PyTorch leaves undefined.
var LowerCholesky Transform = &diagMap{matrixEvents{"LowerCholesky"}, Exp, constraint.LowerCholesky}

// SoftplusLowerCholesky is [LowerCholesky] with softplus instead of exp on
// the diagonal; its log-det Jacobian on the lower triangle is
// Σ_i -softplus(-x_ii).
var SoftplusLowerCholesky Transform = &diagMap{matrixEvents{"SoftplusLowerCholesky"}, Softplus, constraint.LowerCholesky}

// UnitLowerCholesky maps square matrices onto lower-triangular matrices
// with ones on the diagonal, keeping the strictly lower triangle. As in
// Pyro its inverse returns y unchanged. Its log-det Jacobian, on the
// strictly lower triangle where it is the identity, is 0.
var UnitLowerCholesky Transform = &diagMap{matrixEvents{"UnitLowerCholesky"}, nil, constraint.UnitLowerCholesky}

func (t *diagMap) Forward(x *tensor.Tensor) *tensor.Tensor {
	needSquare(t.name, x.Shape())
	if t.diag == nil {
		return x.Tril(-1).Add(tensor.Eye(x.Shape()[x.Dim()-1]))
	}
	return x.Tril(-1).Add(t.diag.Forward(x.Diagonal()).DiagEmbed())
}

func (t *diagMap) Inverse(y *tensor.Tensor) *tensor.Tensor {
	needSquare(t.name, y.Shape())
	if t.diag == nil {
		return y
	}
	return y.Tril(-1).Add(t.diag.Inverse(y.Diagonal()).DiagEmbed())
}

func (t *diagMap) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	if t.diag == nil {
		return tensor.Zeros(x.Shape()[:x.Dim()-2]...)
	}
	d := x.Diagonal()
	return t.diag.LogAbsDetJacobian(d, y.Diagonal()).SumDims(false, -1)
}
func (t *diagMap) Domain() constraint.Constraint   { return constraint.IndependentOf(constraint.Real, 2) }
func (t *diagMap) Codomain() constraint.Constraint { return t.codomain }
func (t *diagMap) Bijective() bool                 { return false }
func (t *diagMap) String() string                  { return t.name }

// outerT is L ↦ L·Lᵀ from Cholesky factors onto positive-definite
// matrices; corr restricts it to factors of correlation matrices.
type outerT struct {
	matrixEvents
	corr bool
}

// CholeskyOuter maps Cholesky factors L (lower-triangular, positive
// diagonal) one-to-one onto positive-definite matrices by L·Lᵀ; its inverse
// is the Cholesky factorization, which panics on a matrix that is not
// positive definite. The log-det Jacobian, taken between the lower
// triangles (diagonal included) of L and L·Lᵀ, is
// n·log 2 + Σ_i (n-i)·log L_ii for i = 0..n-1.
var CholeskyOuter Transform = &outerT{matrixEvents{"CholeskyOuter"}, false}

// CorrCholeskyOuter maps Cholesky factors of correlation matrices (rows of
// unit norm) one-to-one onto correlation matrices by L·Lᵀ. The log-det
// Jacobian, taken between the strictly lower triangles (the free
// coordinates of both sides), is Σ_i (n-1-i)·log L_ii for i = 0..n-1.
var CorrCholeskyOuter Transform = &outerT{matrixEvents{"CorrCholeskyOuter"}, true}

func (t *outerT) Forward(x *tensor.Tensor) *tensor.Tensor {
	needSquare(t.name, x.Shape())
	return x.MatMul(x.MT())
}

func (t *outerT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	needSquare(t.name, y.Shape())
	return y.Cholesky()
}

func (t *outerT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	n := x.Shape()[x.Dim()-1]
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(n - i)
		if t.corr {
			w[i]--
		}
	}
	s := x.Diagonal().Log().Mul(tensor.FromData(w, n)).SumDims(false, -1)
	if t.corr {
		return s
	}
	return s.AddScalar(float64(n) * math.Ln2)
}
func (t *outerT) Domain() constraint.Constraint {
	if t.corr {
		return constraint.CorrCholesky
	}
	return constraint.LowerCholesky
}
func (t *outerT) Codomain() constraint.Constraint {
	if t.corr {
		return constraint.CorrMatrix
	}
	return constraint.PositiveDefinite
}
func (t *outerT) Bijective() bool { return true }
func (t *outerT) String() string  { return t.name }

// PositiveDefinite maps square matrices onto positive-definite matrices:
// [LowerCholesky] then [CholeskyOuter]. Like LowerCholesky it is one-to-one
// only on lower-triangular inputs; its log-det Jacobian is taken between
// lower triangles.
var PositiveDefinite Transform = Compose(LowerCholesky, CholeskyOuter)

type corrCholeskyT struct{}

// CorrCholesky maps real vectors of length n(n-1)/2 one-to-one onto the
// Cholesky factors of n×n correlation matrices, as PyTorch's
// CorrCholeskyTransform: the vector fills the strictly lower triangle row
// by row, goes through tanh (clamped to ±(1-eps)) to partial correlations,
// and each row is then scaled by a signed stick-breaking so that it has
// unit norm and a positive diagonal entry. The log-det Jacobian is taken
// between x and the strictly lower triangle of y.
var CorrCholesky Transform = corrCholeskyT{}

// trilIndex returns the flat indices (row-major, in an n×n matrix) of the
// entries (i, j) with j <= i + k.
func trilIndex(n, k int) *tensor.Tensor {
	idx := []float64{} // not nil: a nil slice would read as the scalar 0
	for i := 0; i < n; i++ {
		for j := 0; j < n && j <= i+k; j++ {
			idx = append(idx, float64(i*n+j))
		}
	}
	return tensor.FromData(idx, len(idx))
}

// trilToVec gathers the entries (i, j) with j <= i + k of the square
// matrices in y into vectors, row by row.
func trilToVec(y *tensor.Tensor, k int) *tensor.Tensor {
	shape := y.Shape()
	n := shape[len(shape)-1]
	flat := append(cloneShape(shape[:len(shape)-2]), n*n)
	return y.Reshape(flat...).IndexSelect(-1, trilIndex(n, k))
}

// vecToStrictTril places the vectors of x, of length n(n-1)/2, row by row
// in the strictly lower triangle of n×n zero matrices.
func vecToStrictTril(x *tensor.Tensor, n int) *tensor.Tensor {
	shape := x.Shape()
	batch := cloneShape(shape[:len(shape)-1])
	// Slot 0 of the padded vector holds the zero that fills the rest.
	padded := padLast(x, 1, 0, 0)
	idx := make([]float64, n*n)
	k := 1
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			idx[i*n+j] = float64(k)
			k++
		}
	}
	return padded.IndexSelect(-1, tensor.FromData(idx, n*n)).Reshape(append(batch, n, n)...)
}

// corrSize returns n with n(n-1)/2 = m, panicking if there is none.
func corrSize(shape []int) int {
	needDims("CorrCholesky", shape, 1)
	m := shape[len(shape)-1]
	n := int(math.Round(math.Sqrt(0.25+2*float64(m)) + 0.5))
	if n*(n-1)/2 != m {
		panic(fmt.Sprintf("transform: CorrCholesky: last dim of shape %v is not n(n-1)/2 for any n", shape))
	}
	return n
}

func (corrCholeskyT) Forward(x *tensor.Tensor) *tensor.Tensor {
	n := corrSize(x.Shape())
	r := vecToStrictTril(x.Tanh().Clamp(-1+eps, 1-eps), n)
	// Row i of y is r_i scaled by the stick left before each entry,
	// sqrt(Π_{k<j} (1 - r_ik²)); the diagonal takes the whole rest.
	left := r.Square().Neg().AddScalar(1).Sqrt().Cumprod(-1)
	left = padLast(left.Narrow(-1, 0, n-1), 1, 0, 1)
	return r.Add(tensor.Eye(n)).Mul(left)
}

func (corrCholeskyT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	needSquare("CorrCholesky", y.Shape())
	n := y.Shape()[y.Dim()-1]
	left := y.Square().Cumsum(-1).Neg().AddScalar(1)
	left = padLast(left.Narrow(-1, 0, n-1), 1, 0, 1)
	t := trilToVec(y, -1).Div(trilToVec(left, -1).Sqrt())
	return atanh(t)
}

// LogAbsDetJacobian adds the tanh part, Σ log(1 - tanh² x), and the
// stick-breaking part, ½ Σ_{j<i-1} log(1 - Σ_{k≤j} y_ik²).
func (corrCholeskyT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	left := y.Square().Cumsum(-1).Neg().AddScalar(1)
	stick := trilToVec(left, -2).Log().SumDims(false, -1).MulScalar(0.5)
	return stick.Add(Tanh.LogAbsDetJacobian(x, nil).SumDims(false, -1))
}
func (corrCholeskyT) DomainEventDim() int   { return 1 }
func (corrCholeskyT) CodomainEventDim() int { return 2 }
func (corrCholeskyT) ForwardShape(shape []int) []int {
	n := corrSize(shape)
	return append(cloneShape(shape[:len(shape)-1]), n, n)
}
func (corrCholeskyT) InverseShape(shape []int) []int {
	needSquare("CorrCholesky", shape)
	n := shape[len(shape)-1]
	return append(cloneShape(shape[:len(shape)-2]), n*(n-1)/2)
}
func (corrCholeskyT) Domain() constraint.Constraint   { return constraint.RealVector }
func (corrCholeskyT) Codomain() constraint.Constraint { return constraint.CorrCholesky }
func (corrCholeskyT) Bijective() bool                 { return true }
func (corrCholeskyT) String() string                  { return "CorrCholesky" }
