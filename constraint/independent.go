package constraint

import (
	"fmt"
	"strconv"

	"github.com/vigo-ppl/vigo/tensor"
)

// Independent is a constraint that treats dims rightmost batch dims of its
// base constraint as part of the event: an event is inside only if every
// base event in it is. Make one with [IndependentOf]. Independent values are
// comparable: IndependentOf(Real, 1) == RealVector.
type Independent struct {
	base Constraint
	dims int
}

// RealVector is the set of real vectors (no NaN entry); it equals
// IndependentOf(Real, 1).
var RealVector Constraint = Independent{base: Real, dims: 1}

// IndependentOf reinterprets the n rightmost batch dims of c as event dims.
// It panics if c is nil or n is negative.
func IndependentOf(c Constraint, n int) Constraint {
	if c == nil {
		panic("constraint: IndependentOf: nil base constraint")
	}
	if n < 0 {
		panic(fmt.Sprintf("constraint: IndependentOf(%s, %d): negative dims", c.Name(), n))
	}
	return Independent{base: c, dims: n}
}

// Base returns the constraint that each inner event must satisfy.
func (c Independent) Base() Constraint { return c.base }

// ReinterpretedDims returns the number of batch dims moved into the event.
func (c Independent) ReinterpretedDims() int { return c.dims }

// Name returns "real_vector" for RealVector and
// "independent(<base name>, <dims>)" otherwise.
func (c Independent) Name() string {
	if c.base == Real && c.dims == 1 {
		return "real_vector"
	}
	return "independent(" + c.base.Name() + ", " + strconv.Itoa(c.dims) + ")"
}

// String returns Name.
func (c Independent) String() string { return c.Name() }

// EventDim is the base's event dim plus the reinterpreted dims.
func (c Independent) EventDim() int { return c.base.EventDim() + c.dims }

// IsDiscrete reports whether the base constraint is discrete.
func (c Independent) IsDiscrete() bool { return c.base.IsDiscrete() }

// Check checks value against the base constraint and marks an event inside
// when every base result in its reinterpreted dims is 1.
func (c Independent) Check(value *tensor.Tensor) *tensor.Tensor {
	if value.Dim() < c.EventDim() {
		panic(fmt.Sprintf("constraint: %s: value of shape %v has fewer than %d dims", c.Name(), value.Shape(), c.EventDim()))
	}
	return mapEvents(c.base.Check(value), c.dims, allOnes)
}
