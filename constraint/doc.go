// Package constraint describes the regions that random values and
// parameters live in: the supports of distributions and the domains of
// constrained parameters, as PyTorch's torch.distributions.constraints does.
//
// # Constraints
//
// A [Constraint] has a stable [Constraint.Name], an event dim (how many
// rightmost dims make one event), a [Constraint.Check] that returns a 0/1
// tensor with one entry per event, and [Constraint.IsDiscrete].
//
// Parameterless constraints are package values ([Real], [Positive],
// [UnitInterval], [Simplex], [LowerCholesky], [Boolean], ...); the others
// are made by constructors ([GreaterThan], [Interval], [IntegerInterval],
// [IndependentOf], ...). Constraints are small comparable values, so
// constraints built from the same arguments are equal under ==, and a named
// value equals the constructor call it stands for:
// Positive == GreaterThan(0), UnitInterval == Interval(0, 1),
// RealVector == IndependentOf(Real, 1).
//
// # Names
//
// Names are what parameter files store. [Parse] rebuilds a constraint from
// its name, with float arguments written so that they come back bit for bit
// (strconv's shortest 'g' form), so Parse(c.Name()) == c for every
// constraint c of this package.
//
// # Transforms
//
// The transform package maps unconstrained reals onto each continuous
// constraint (transform.TransformTo, transform.BijectTo). It reads the ends
// of scalar constraints through [Bounded] and the structure of
// [Independent] constraints through their accessors.
package constraint
