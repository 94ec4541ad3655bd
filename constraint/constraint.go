package constraint

import "github.com/vigo-ppl/vigo/tensor"

// Constraint is a region of values: the support of a distribution or the
// domain a parameter lives in.
type Constraint interface {
	// Name identifies the constraint with its arguments, e.g. "positive" or
	// "interval(0, 2)"; it is stable and used when saving parameters.
	Name() string
	// EventDim is the number of rightmost dims that Check treats as one event.
	EventDim() int
	// Check returns a tensor of 1s and 0s, of value's shape less EventDim
	// rightmost dims, marking which events lie inside the constraint.
	Check(value *tensor.Tensor) *tensor.Tensor
	// IsDiscrete reports whether the constraint holds only discrete values.
	IsDiscrete() bool
}

// Bounded is implemented by the constraints on single numbers that are
// intervals of the real line ([Real], [Positive], [Interval], the integer
// constraints, ...). Code that builds a transform for a constraint, or a
// distribution that needs its support's ends, reads the bounds from it.
type Bounded interface {
	Constraint
	// Bounds returns the lower and upper ends of the interval, -Inf or
	// +Inf where it is unbounded. Whether an end is included is part of
	// the constraint's Check, not of Bounds.
	Bounds() (lower, upper float64)
}
