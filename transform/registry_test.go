package transform

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// registryCase is a continuous constraint, the shape of a batch of
// constrained values, and the transforms the registries must return
// (written with their String form; "" for an error).
type registryCase struct {
	c        constraint.Constraint
	shape    []int
	to, bij  string
	extremes bool // also try inputs of ±40, where sigmoid saturates
}

func registryCases() []registryCase {
	const (
		expAffine = "Compose(Exp, Affine(%g, %g, 0))"
		sigAffine = "Compose(Sigmoid, Affine(%g, %g, 0))"
	)
	both := func(c constraint.Constraint, shape []int, name string) registryCase {
		return registryCase{c: c, shape: shape, to: name, bij: name}
	}
	bounded := func(c constraint.Constraint, name string) registryCase {
		r := both(c, []int{5, 3}, name)
		r.extremes = true
		return r
	}
	return []registryCase{
		both(constraint.Real, []int{5, 3}, "Identity"),
		both(constraint.Positive, []int{5, 3}, "Exp"),
		both(constraint.GreaterThan(0), []int{5}, "Exp"),
		both(constraint.Nonnegative, []int{5, 3}, "Exp"),
		both(constraint.GreaterThan(2.5), []int{5, 3}, fmt.Sprintf(expAffine, 2.5, 1.0)),
		both(constraint.GreaterThanEq(-1), []int{5, 3}, fmt.Sprintf(expAffine, -1.0, 1.0)),
		both(constraint.LessThan(3), []int{5, 3}, fmt.Sprintf(expAffine, 3.0, -1.0)),
		bounded(constraint.UnitInterval, "Sigmoid"),
		bounded(constraint.HalfOpenInterval(0, 1), "Sigmoid"),
		bounded(constraint.Interval(-1, 3), fmt.Sprintf(sigAffine, -1.0, 4.0)),
		bounded(constraint.Interval(0.5, 1), fmt.Sprintf(sigAffine, 0.5, 0.5)),
		bounded(constraint.HalfOpenInterval(-2, 5), fmt.Sprintf(sigAffine, -2.0, 7.0)),
		both(constraint.SoftplusPositive, []int{5, 3}, "Softplus"),
		{c: constraint.Simplex, shape: []int{5, 4}, to: "Softmax", bij: "StickBreaking"},
		both(constraint.OrderedVector, []int{5, 4}, "Ordered"),
		both(constraint.PositiveOrderedVector, []int{5, 4}, "Compose(Ordered, Exp)"),
		{c: constraint.Sphere, shape: []int{5, 3}, to: "Normalize"},
		{c: constraint.LowerCholesky, shape: []int{5, 3, 3}, to: "LowerCholesky"},
		{c: constraint.SoftplusLowerCholesky, shape: []int{5, 3, 3}, to: "SoftplusLowerCholesky"},
		{c: constraint.UnitLowerCholesky, shape: []int{5, 3, 3}, to: "UnitLowerCholesky"},
		{c: constraint.PositiveDefinite, shape: []int{5, 3, 3}, to: "Compose(LowerCholesky, CholeskyOuter)"},
		both(constraint.CorrCholesky, []int{5, 4, 4}, "CorrCholesky"),
		both(constraint.CorrMatrix, []int{5, 3, 3}, "Compose(CorrCholesky, CorrCholeskyOuter)"),
		both(constraint.RealVector, []int{5, 3}, "Independent(Identity, 1)"),
		both(constraint.IndependentOf(constraint.Positive, 2), []int{5, 2, 3}, "Independent(Exp, 2)"),
		{c: constraint.IndependentOf(constraint.Simplex, 1), shape: []int{5, 2, 3},
			to: "Independent(Softmax, 1)", bij: "Independent(StickBreaking, 1)"},
		{c: constraint.IndependentOf(constraint.LowerCholesky, 1), shape: []int{5, 2, 2, 2},
			to: "Independent(LowerCholesky, 1)"},
		// Constraints no transform reaches.
		{c: constraint.LowerTriangular, shape: []int{5, 3, 3}},
		{c: constraint.Boolean}, {c: constraint.Integer}, {c: constraint.NonnegativeInteger},
		{c: constraint.PositiveInteger}, {c: constraint.IntegerInterval(0, 4)}, {c: constraint.OneHot},
		{c: constraint.Multinomial(5)}, {c: constraint.IndependentOf(constraint.Boolean, 1)},
	}
}

func TestRegistries(t *testing.T) {
	for i, rc := range registryCases() {
		for _, reg := range []struct {
			name string
			fn   func(constraint.Constraint) (Transform, error)
			want string
		}{{"TransformTo", TransformTo, rc.to}, {"BijectTo", BijectTo, rc.bij}} {
			t.Run(reg.name+"/"+rc.c.Name(), func(t *testing.T) {
				tr, err := reg.fn(rc.c)
				if reg.want == "" {
					if !errors.Is(err, ErrNoTransform) {
						t.Fatalf("got (%v, %v), want an error wrapping ErrNoTransform", tr, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprint(tr); got != reg.want {
					t.Errorf("got %s, want %s", got, reg.want)
				}
				if reg.name == "BijectTo" && !tr.Bijective() {
					t.Errorf("%v is not bijective", tr)
				}
				xShape := tr.InverseShape(rc.shape)
				rng := newRNG(uint64(300 + i))
				inputs := []*tensor.Tensor{randN(rng, 2, xShape...)}
				if rc.extremes {
					inputs = append(inputs, tensor.Full(40, xShape...), tensor.Full(-40, xShape...))
				}
				for _, x := range inputs {
					y := tr.Forward(x)
					if !slices.Equal(y.Shape(), rc.shape) {
						t.Fatalf("Forward gives shape %v, want %v", y.Shape(), rc.shape)
					}
					ok := rc.c.Check(y)
					if ok.Sum().Item() != float64(ok.Len()) {
						t.Errorf("outputs outside %s: Check = %v for inputs %v", rc.c.Name(), ok, x)
					}
					// The transform reads constrained values back: the
					// parameter store keeps Inverse(value) and reads
					// Forward of it.
					again := tr.Forward(tr.Inverse(y))
					for k, v := range y.Data() {
						// Rounding through log/exp, logit/sigmoid or the
						// Cholesky factorization: 1e-9 relative.
						if !(math.Abs(again.Data()[k]-v) <= 1e-9*math.Max(1, math.Abs(v))) {
							t.Fatalf("Forward(Inverse(y))[%d] = %.17g, want %.17g", k, again.Data()[k], v)
						}
					}
				}
			})
		}
	}
}

func TestRegistryErrorsNameConstraint(t *testing.T) {
	_, err := BijectTo(constraint.LowerCholesky)
	if err == nil || !errors.Is(err, ErrNoTransform) {
		t.Fatalf("BijectTo(lower_cholesky) error = %v", err)
	}
	if want := "transform: BijectTo: constraint lower_cholesky: no transform for constraint"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := TransformTo(nil); !errors.Is(err, ErrNoTransform) {
		t.Errorf("TransformTo(nil) error = %v", err)
	}
}
