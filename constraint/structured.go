package constraint

import (
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

// eps is the spacing of float64 numbers at 1, used in the tolerances of
// constraints that are only reached up to rounding (unit-norm rows).
const eps = 0x1p-52

// shapeKind names a constraint on whole vectors or matrices.
type shapeKind uint8

const (
	kindSimplex shapeKind = iota
	kindOrderedVector
	kindPositiveOrderedVector
	kindOneHot
	kindSphere
	kindLowerTriangular
	kindLowerCholesky
	kindSoftplusLowerCholesky
	kindUnitLowerCholesky
	kindCorrCholesky
	kindPositiveDefinite
	kindCorrMatrix
)

// shaped is a parameterless constraint on vectors (event dim 1) or matrices
// (event dim 2).
type shaped struct{ kind shapeKind }

// Simplex is the set of vectors with nonnegative entries summing to 1 (to
// within 1e-6).
var Simplex Constraint = shaped{kindSimplex}

// OrderedVector is the set of strictly increasing vectors.
var OrderedVector Constraint = shaped{kindOrderedVector}

// PositiveOrderedVector is the set of strictly increasing vectors with
// positive entries.
var PositiveOrderedVector Constraint = shaped{kindPositiveOrderedVector}

// OneHot is the set of vectors holding a single 1 and zeros elsewhere.
var OneHot Constraint = shaped{kindOneHot}

// Sphere is the set of vectors of unit Euclidean norm (to within rounding).
var Sphere Constraint = shaped{kindSphere}

// LowerTriangular is the set of matrices whose entries above the diagonal
// are zero.
var LowerTriangular Constraint = shaped{kindLowerTriangular}

// LowerCholesky is the set of lower-triangular matrices with a positive
// diagonal: the Cholesky factors of positive-definite matrices.
var LowerCholesky Constraint = shaped{kindLowerCholesky}

// SoftplusLowerCholesky is the same set as [LowerCholesky], but parameters
// under it are reached through softplus on the diagonal rather than exp.
var SoftplusLowerCholesky Constraint = shaped{kindSoftplusLowerCholesky}

// UnitLowerCholesky is the set of lower-triangular matrices with ones on the
// diagonal.
var UnitLowerCholesky Constraint = shaped{kindUnitLowerCholesky}

// CorrCholesky is the set of lower-triangular matrices with a positive
// diagonal and rows of unit Euclidean norm: the Cholesky factors of
// correlation matrices.
var CorrCholesky Constraint = shaped{kindCorrCholesky}

// PositiveDefinite is the set of symmetric (to within an absolute 1e-6 and
// relative 1e-5) matrices whose Cholesky factorization succeeds.
var PositiveDefinite Constraint = shaped{kindPositiveDefinite}

// CorrMatrix is the set of positive-definite matrices with ones (to within
// 1e-6) on the diagonal.
var CorrMatrix Constraint = shaped{kindCorrMatrix}

// numShapeKinds is the number of shaped constraint kinds.
const numShapeKinds = int(kindCorrMatrix) + 1

func (c shaped) Name() string {
	switch c.kind {
	case kindSimplex:
		return "simplex"
	case kindOrderedVector:
		return "ordered_vector"
	case kindPositiveOrderedVector:
		return "positive_ordered_vector"
	case kindOneHot:
		return "one_hot"
	case kindSphere:
		return "sphere"
	case kindLowerTriangular:
		return "lower_triangular"
	case kindLowerCholesky:
		return "lower_cholesky"
	case kindSoftplusLowerCholesky:
		return "softplus_lower_cholesky"
	case kindUnitLowerCholesky:
		return "unit_lower_cholesky"
	case kindCorrCholesky:
		return "corr_cholesky"
	case kindPositiveDefinite:
		return "positive_definite"
	case kindCorrMatrix:
		return "corr_matrix"
	}
	panic("constraint: invalid shaped constraint")
}

// String returns Name.
func (c shaped) String() string { return c.Name() }

func (c shaped) EventDim() int {
	if c.kind < kindLowerTriangular {
		return 1
	}
	return 2
}

func (c shaped) IsDiscrete() bool { return c.kind == kindOneHot }

func (c shaped) Check(value *tensor.Tensor) *tensor.Tensor {
	var in func(ev []float64, shape []int) bool
	switch c.kind {
	case kindSimplex:
		in = isSimplex
	case kindOrderedVector:
		in = func(v []float64, _ []int) bool { return isOrdered(v, false) }
	case kindPositiveOrderedVector:
		in = func(v []float64, _ []int) bool { return isOrdered(v, true) }
	case kindOneHot:
		in = isOneHot
	case kindSphere:
		in = func(v []float64, _ []int) bool {
			return math.Abs(norm(v)-1) < 10*eps*math.Sqrt(float64(len(v)))
		}
	case kindLowerTriangular:
		in = isLowerTriangular
	case kindLowerCholesky, kindSoftplusLowerCholesky:
		in = func(v []float64, s []int) bool {
			return isLowerTriangular(v, s) && diagonalAll(v, s, func(d float64) bool { return d > 0 })
		}
	case kindUnitLowerCholesky:
		in = func(v []float64, s []int) bool {
			return isLowerTriangular(v, s) && diagonalAll(v, s, func(d float64) bool { return d == 1 })
		}
	case kindCorrCholesky:
		in = isCorrCholesky
	case kindPositiveDefinite:
		var pd cholScratch
		in = pd.isPositiveDefinite
	case kindCorrMatrix:
		var pd cholScratch
		in = func(v []float64, s []int) bool {
			return pd.isPositiveDefinite(v, s) && diagonalAll(v, s, func(d float64) bool { return math.Abs(d-1) < 1e-6 })
		}
	}
	return checkEvents(c, value, in)
}

func isSimplex(v []float64, _ []int) bool {
	sum := 0.0
	for _, x := range v {
		if !(x >= 0) {
			return false
		}
		sum += x
	}
	return math.Abs(sum-1) < 1e-6
}

func isOrdered(v []float64, positive bool) bool {
	for i, x := range v {
		if positive && !(x > 0) {
			return false
		}
		if i > 0 && !(x > v[i-1]) {
			return false
		}
	}
	return true
}

func isOneHot(v []float64, _ []int) bool {
	sum := 0.0
	for _, x := range v {
		if x != 0 && x != 1 {
			return false
		}
		sum += x
	}
	return sum == 1
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// isLowerTriangular reports whether the r×c matrix m is zero above its
// diagonal and not NaN on or below it.
func isLowerTriangular(m []float64, shape []int) bool {
	r, c := shape[0], shape[1]
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x := m[i*c+j]
			if j > i && x != 0 || j <= i && x != x {
				return false
			}
		}
	}
	return true
}

func diagonalAll(m []float64, shape []int, ok func(float64) bool) bool {
	r, c := shape[0], shape[1]
	for i := 0; i < min(r, c); i++ {
		if !ok(m[i*c+i]) {
			return false
		}
	}
	return true
}

func isCorrCholesky(m []float64, shape []int) bool {
	if !isLowerTriangular(m, shape) || !diagonalAll(m, shape, func(d float64) bool { return d > 0 }) {
		return false
	}
	c := shape[1]
	tol := eps * float64(c) * 10
	for i := 0; i < shape[0]; i++ {
		if !(math.Abs(norm(m[i*c:(i+1)*c])-1) <= tol) {
			return false
		}
	}
	return true
}

// cholScratch holds the Cholesky factor that isPositiveDefinite computes,
// so one Check allocates it once for all its events.
type cholScratch struct{ l []float64 }

// isClose is PyTorch's isclose(a, b) with its default tolerances (absolute
// 1e-6, relative 1e-5 of |b|); it is false when either is NaN, and for two
// equal infinities.
func isClose(a, b float64) bool { return math.Abs(a-b) <= 1e-6+1e-5*math.Abs(b) }

// isPositiveDefinite reports whether m is square, symmetric to within the
// tolerance of PyTorch's isclose defaults (absolute 1e-6, relative 1e-5)
// and has a Cholesky factorization with positive pivots.
func (pd *cholScratch) isPositiveDefinite(m []float64, shape []int) bool {
	n := shape[0]
	if shape[1] != n {
		return false
	}
	// isclose scales its tolerance by the second argument, so each pair is
	// tested both ways; the diagonal is tested too, which rejects infinite
	// and NaN entries there.
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			a, b := m[i*n+j], m[j*n+i]
			if !isClose(a, b) || !isClose(b, a) {
				return false
			}
		}
	}
	// Cholesky of the lower triangle, stopping at the first pivot that is
	// not positive (NaN included). Every entry of l read below was written
	// earlier for this m, so l needs no clearing between events.
	if cap(pd.l) < n*n {
		pd.l = make([]float64, n*n)
	}
	l := pd.l[:n*n]
	for j := 0; j < n; j++ {
		d := m[j*n+j]
		for k := 0; k < j; k++ {
			d -= l[j*n+k] * l[j*n+k]
		}
		if !(d > 0) {
			return false
		}
		d = math.Sqrt(d)
		l[j*n+j] = d
		for i := j + 1; i < n; i++ {
			s := m[i*n+j]
			for k := 0; k < j; k++ {
				s -= l[i*n+k] * l[j*n+k]
			}
			l[i*n+j] = s / d
		}
	}
	return true
}

// multinomialSet is the set of nonnegative vectors whose sum is at most
// upper, the check PyTorch applies to multinomial counts.
type multinomialSet struct{ upper float64 }

// Multinomial returns the set of count vectors with nonnegative entries
// summing to at most upper. It is discrete. It panics if upper is NaN.
func Multinomial(upper float64) Constraint {
	checkBound("Multinomial", upper)
	return multinomialSet{upper}
}

func (c multinomialSet) Name() string { return "multinomial(" + fmtFloat(c.upper) + ")" }

// String returns Name.
func (c multinomialSet) String() string { return c.Name() }

func (multinomialSet) EventDim() int { return 1 }

func (multinomialSet) IsDiscrete() bool { return true }

func (c multinomialSet) Check(value *tensor.Tensor) *tensor.Tensor {
	return checkEvents(c, value, func(v []float64, _ []int) bool {
		sum := 0.0
		for _, x := range v {
			if !(x >= 0) {
				return false
			}
			sum += x
		}
		return sum <= c.upper
	})
}
