package constraint

import (
	"fmt"
	"math"
	"strconv"

	"github.com/vigo-ppl/vigo/tensor"
)

// boundKind tells which ends of a real interval are present and included.
type boundKind uint8

const (
	kindReal             boundKind = iota // (-inf, inf), NaN excluded
	kindGreaterThan                       // (lo, inf]
	kindGreaterThanEq                     // [lo, inf]
	kindLessThan                          // [-inf, hi)
	kindInterval                          // [lo, hi]
	kindHalfOpenInterval                  // [lo, hi)
	kindSoftplusPositive                  // (0, inf], reached through softplus
)

// realSet is a continuous constraint on single numbers: an interval of the
// extended real line. It is a comparable value, so constraints built from
// the same arguments compare equal with ==.
type realSet struct {
	kind   boundKind
	lo, hi float64
}

// Real is the whole real line, infinities included and NaN excluded.
var Real Constraint = realSet{kind: kindReal, lo: math.Inf(-1), hi: math.Inf(1)}

// Positive is the half line x > 0; it equals GreaterThan(0).
var Positive Constraint = realSet{kind: kindGreaterThan, hi: math.Inf(1)}

// Nonnegative is the half line x ≥ 0; it equals GreaterThanEq(0).
var Nonnegative Constraint = realSet{kind: kindGreaterThanEq, hi: math.Inf(1)}

// UnitInterval is the closed interval [0, 1]; it equals Interval(0, 1).
var UnitInterval Constraint = realSet{kind: kindInterval, lo: 0, hi: 1}

// SoftplusPositive is the half line x > 0 like [Positive], but parameters
// under it are reached through softplus rather than exp (see the transform
// package).
var SoftplusPositive Constraint = realSet{kind: kindSoftplusPositive, hi: math.Inf(1)}

// GreaterThan returns the half line x > lower. It panics if lower is NaN.
func GreaterThan(lower float64) Constraint {
	checkBound("GreaterThan", lower)
	return realSet{kind: kindGreaterThan, lo: lower, hi: math.Inf(1)}
}

// GreaterThanEq returns the half line x ≥ lower. It panics if lower is NaN.
func GreaterThanEq(lower float64) Constraint {
	checkBound("GreaterThanEq", lower)
	return realSet{kind: kindGreaterThanEq, lo: lower, hi: math.Inf(1)}
}

// LessThan returns the half line x < upper. It panics if upper is NaN.
func LessThan(upper float64) Constraint {
	checkBound("LessThan", upper)
	return realSet{kind: kindLessThan, lo: math.Inf(-1), hi: upper}
}

// Interval returns the closed interval lower ≤ x ≤ upper. It panics if a
// bound is NaN.
func Interval(lower, upper float64) Constraint {
	checkBound("Interval", lower, upper)
	return realSet{kind: kindInterval, lo: lower, hi: upper}
}

// HalfOpenInterval returns the interval lower ≤ x < upper. It panics if a
// bound is NaN.
func HalfOpenInterval(lower, upper float64) Constraint {
	checkBound("HalfOpenInterval", lower, upper)
	return realSet{kind: kindHalfOpenInterval, lo: lower, hi: upper}
}

func checkBound(fn string, bounds ...float64) {
	for _, b := range bounds {
		if math.IsNaN(b) {
			panic(fmt.Sprintf("constraint: %s: bound is NaN", fn))
		}
	}
}

// isPosZero reports whether v is +0 (not -0), so that names never lose the
// sign of a zero bound.
func isPosZero(v float64) bool { return math.Float64bits(v) == 0 }

// fmtFloat writes v so that strconv.ParseFloat gives back the same bits.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (c realSet) Name() string {
	switch c.kind {
	case kindReal:
		return "real"
	case kindGreaterThan:
		if isPosZero(c.lo) {
			return "positive"
		}
		return "greater_than(" + fmtFloat(c.lo) + ")"
	case kindGreaterThanEq:
		if isPosZero(c.lo) {
			return "nonnegative"
		}
		return "greater_than_eq(" + fmtFloat(c.lo) + ")"
	case kindLessThan:
		return "less_than(" + fmtFloat(c.hi) + ")"
	case kindInterval:
		if isPosZero(c.lo) && c.hi == 1 {
			return "unit_interval"
		}
		return "interval(" + fmtFloat(c.lo) + ", " + fmtFloat(c.hi) + ")"
	case kindHalfOpenInterval:
		return "half_open_interval(" + fmtFloat(c.lo) + ", " + fmtFloat(c.hi) + ")"
	case kindSoftplusPositive:
		return "softplus_positive"
	}
	panic("constraint: invalid real constraint")
}

// String returns Name.
func (c realSet) String() string { return c.Name() }

func (c realSet) EventDim() int { return 0 }

func (c realSet) IsDiscrete() bool { return false }

func (c realSet) Bounds() (lower, upper float64) { return c.lo, c.hi }

func (c realSet) contains(v float64) bool {
	switch c.kind {
	case kindReal:
		return v == v
	case kindGreaterThan, kindSoftplusPositive:
		return c.lo < v
	case kindGreaterThanEq:
		return c.lo <= v
	case kindLessThan:
		return v < c.hi
	case kindInterval:
		return c.lo <= v && v <= c.hi
	case kindHalfOpenInterval:
		return c.lo <= v && v < c.hi
	}
	return false
}

func (c realSet) Check(value *tensor.Tensor) *tensor.Tensor {
	// One loop per kind keeps the per-element test inlined.
	src := value.Data()
	out := make([]float64, len(src))
	lo := c.lo
	switch c.kind {
	case kindReal:
		for i, v := range src {
			out[i] = b2f(v == v)
		}
	case kindGreaterThan, kindSoftplusPositive:
		for i, v := range src {
			out[i] = b2f(lo < v)
		}
	case kindGreaterThanEq:
		for i, v := range src {
			out[i] = b2f(lo <= v)
		}
	default:
		for i, v := range src {
			out[i] = b2f(c.contains(v))
		}
	}
	return tensor.FromData(out, value.Shape()...)
}

// integerSet is the set of integers in [lo, hi] (either end may be
// infinite).
type integerSet struct {
	lo, hi float64
}

// Integer is the set of all integers.
var Integer Constraint = integerSet{lo: math.Inf(-1), hi: math.Inf(1)}

// NonnegativeInteger is the set {0, 1, 2, ...}.
var NonnegativeInteger Constraint = integerSet{lo: 0, hi: math.Inf(1)}

// PositiveInteger is the set {1, 2, 3, ...}.
var PositiveInteger Constraint = integerSet{lo: 1, hi: math.Inf(1)}

// IntegerInterval returns the integers lower ≤ x ≤ upper; either bound may
// be infinite. It panics if a bound is NaN.
func IntegerInterval(lower, upper float64) Constraint {
	checkBound("IntegerInterval", lower, upper)
	return integerSet{lo: lower, hi: upper}
}

func (c integerSet) Name() string {
	switch {
	case math.IsInf(c.lo, -1) && math.IsInf(c.hi, 1):
		return "integer"
	case isPosZero(c.lo) && math.IsInf(c.hi, 1):
		return "nonnegative_integer"
	case c.lo == 1 && math.IsInf(c.hi, 1):
		return "positive_integer"
	}
	return "integer_interval(" + fmtFloat(c.lo) + ", " + fmtFloat(c.hi) + ")"
}

// String returns Name.
func (c integerSet) String() string { return c.Name() }

func (c integerSet) EventDim() int { return 0 }

func (c integerSet) IsDiscrete() bool { return true }

func (c integerSet) Bounds() (lower, upper float64) { return c.lo, c.hi }

func (c integerSet) Check(value *tensor.Tensor) *tensor.Tensor {
	return checkElementwise(value, func(v float64) bool {
		return math.Mod(v, 1) == 0 && c.lo <= v && v <= c.hi
	})
}

// booleanSet is the set {0, 1}.
type booleanSet struct{}

// Boolean is the set {0, 1}.
var Boolean Constraint = booleanSet{}

func (booleanSet) Name() string { return "boolean" }

// String returns Name.
func (c booleanSet) String() string { return c.Name() }

func (booleanSet) EventDim() int { return 0 }

func (booleanSet) IsDiscrete() bool { return true }

func (booleanSet) Bounds() (lower, upper float64) { return 0, 1 }

func (booleanSet) Check(value *tensor.Tensor) *tensor.Tensor {
	return checkElementwise(value, func(v float64) bool { return v == 0 || v == 1 })
}
