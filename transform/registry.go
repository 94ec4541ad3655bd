package transform

import (
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// TransformTo returns a transform from unconstrained reals onto c, as
// PyTorch's transform_to (with Pyro's additions). It need not be
// bijective: it is what constrained parameters are optimized through, so
// it favours maps that act coordinate by coordinate.
//
//	real                                    Identity
//	positive, nonnegative                   Exp
//	greater_than(a), greater_than_eq(a)     Exp then Affine(a, 1)
//	less_than(b)                            Exp then Affine(b, -1)
//	unit_interval, interval(0, 1), half_open_interval(0, 1)
//	                                        Sigmoid
//	interval(a, b), half_open_interval(a, b)
//	                                        Sigmoid then Affine(a, b-a)
//	softplus_positive                       Softplus
//	simplex                                 Softmax
//	ordered_vector                          Ordered
//	positive_ordered_vector                 Ordered then Exp
//	sphere                                  Normalize
//	lower_cholesky                          LowerCholesky
//	softplus_lower_cholesky                 SoftplusLowerCholesky
//	unit_lower_cholesky                     UnitLowerCholesky
//	positive_definite                       LowerCholesky then CholeskyOuter
//	corr_cholesky                           CorrCholesky
//	corr_matrix                             CorrCholesky then CorrCholeskyOuter
//	independent(c, n)                       Independent(TransformTo(c), n)
//
// Discrete constraints and the others (lower_triangular, ...) give an error
// wrapping [ErrNoTransform].
func TransformTo(c constraint.Constraint) (Transform, error) {
	return lookup("TransformTo", c, false)
}

// BijectTo returns a bijective transform from unconstrained reals onto c,
// as PyTorch's biject_to (with Pyro's additions). It differs from
// [TransformTo] for the simplex, reached by StickBreaking from vectors one
// shorter, and has no entry for lower_cholesky, softplus_lower_cholesky,
// unit_lower_cholesky, positive_definite and sphere, whose transforms are
// not one-to-one; for those, and for discrete constraints, it returns an
// error wrapping [ErrNoTransform].
func BijectTo(c constraint.Constraint) (Transform, error) {
	return lookup("BijectTo", c, true)
}

func lookup(fn string, c constraint.Constraint, bijective bool) (Transform, error) {
	if c == nil {
		return nil, fmt.Errorf("transform: %s: nil constraint: %w", fn, ErrNoTransform)
	}
	if t := find(c, bijective); t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("transform: %s: constraint %s: %w", fn, c.Name(), ErrNoTransform)
}

// find returns the registered transform for c, or nil.
func find(c constraint.Constraint, bijective bool) Transform {
	if c.IsDiscrete() {
		return nil
	}
	switch c {
	case constraint.SoftplusPositive:
		return Softplus
	case constraint.Simplex:
		if bijective {
			return StickBreaking
		}
		return Softmax
	case constraint.OrderedVector:
		return Ordered
	case constraint.PositiveOrderedVector:
		return Compose(Ordered, Exp)
	case constraint.CorrCholesky:
		return CorrCholesky
	case constraint.CorrMatrix:
		return Compose(CorrCholesky, CorrCholeskyOuter)
	}
	if !bijective {
		switch c {
		case constraint.LowerCholesky:
			return LowerCholesky
		case constraint.SoftplusLowerCholesky:
			return SoftplusLowerCholesky
		case constraint.UnitLowerCholesky:
			return UnitLowerCholesky
		case constraint.PositiveDefinite:
			return PositiveDefinite
		case constraint.Sphere:
			return Normalize
		}
	}
	if ind, ok := c.(constraint.Independent); ok {
		base := find(ind.Base(), bijective)
		if base == nil {
			return nil
		}
		return Independent(base, ind.ReinterpretedDims())
	}
	if b, ok := c.(constraint.Bounded); ok && c.EventDim() == 0 {
		return toInterval(b.Bounds())
	}
	return nil
}

// toInterval returns the transform from the real line onto the interval
// with ends lo and hi (either may be infinite).
func toInterval(lo, hi float64) Transform {
	loInf, hiInf := math.IsInf(lo, -1), math.IsInf(hi, 1)
	switch {
	case loInf && hiInf:
		return Identity
	case hiInf:
		if lo == 0 {
			return Exp
		}
		return Compose(Exp, Affine(tensor.Scalar(lo), tensor.Scalar(1), 0))
	case loInf:
		return Compose(Exp, Affine(tensor.Scalar(hi), tensor.Scalar(-1), 0))
	case lo == 0 && hi == 1:
		return Sigmoid
	}
	return Compose(Sigmoid, Affine(tensor.Scalar(lo), tensor.Scalar(hi-lo), 0))
}
