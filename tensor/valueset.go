package tensor

import (
	"math"
	"sync/atomic"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// ValueSet is a set of real numbers that [Tensor.AllIn] tests a tensor's
// values against. Distributions use them to validate parameters and
// observed values; as a tensor's values do not change, the answer is
// computed once per tensor and set.
type ValueSet uint8

// The value sets. NaN belongs to none of them.
const (
	// NotNaN holds every value but NaN, ±Inf included (Pyro's real line).
	NotNaN ValueSet = iota
	// Finite holds the values that are neither NaN nor ±Inf.
	Finite
	// Positive holds v > 0, +Inf included.
	Positive
	// NonNegative holds v ≥ 0, +Inf included.
	NonNegative
	// UnitInterval holds 0 ≤ v ≤ 1.
	UnitInterval
	// Boolean holds 0 and 1 (false and true).
	Boolean
	// NonNegativeIntegers holds 0, 1, 2, ….
	NonNegativeIntegers

	numValueSets
)

// String names the set as error messages do: "positive", "0 or 1", ….
func (s ValueSet) String() string {
	switch s {
	case NotNaN:
		return "real"
	case Finite:
		return "finite"
	case Positive:
		return "positive"
	case NonNegative:
		return "nonnegative"
	case UnitInterval:
		return "in [0, 1]"
	case Boolean:
		return "0 or 1"
	case NonNegativeIntegers:
		return "a nonnegative integer"
	}
	return "ValueSet(?)"
}

// Contains reports whether v belongs to the set.
func (s ValueSet) Contains(v float64) bool {
	switch s {
	case NotNaN:
		return v == v
	case Finite:
		return v-v == 0
	case Positive:
		return v > 0
	case NonNegative:
		return v >= 0
	case UnitInterval:
		return v >= 0 && v <= 1
	case Boolean:
		return v == 0 || v == 1
	case NonNegativeIntegers:
		return v >= 0 && v == math.Trunc(v) && v-v == 0
	}
	return false
}

// AllIn reports whether every value of t belongs to s (true for an empty
// tensor). The first call for a set scans the values; later calls read the
// cached answer, which [Tensor.SetData] forgets. It panics on an unknown
// set.
func (t *Tensor) AllIn(s ValueSet) bool {
	if s >= numValueSets {
		panic("tensor: AllIn: unknown ValueSet")
	}
	known, holds := uint32(1)<<(2*s), uint32(2)<<(2*s)
	if f := t.facts.Load(); f&known != 0 {
		return f&holds != 0
	}
	ok := allIn(t.Data(), s)
	bits := known
	if ok {
		bits |= holds
	}
	t.facts.Or(bits)
	return ok
}

// forgetFacts drops the cached answers of AllIn after t's values change in
// place.
func (t *Tensor) forgetFacts() { t.facts.Store(0) }

// allIn scans d for a value outside s, on several cores for a large d.
func allIn(d []float64, s ValueSet) bool {
	if len(d) < parallelThreshold {
		return allInSerial(d, s)
	}
	var outside atomic.Bool
	parallelFor(len(d), func(lo, hi int) {
		if !allInSerial(d[lo:hi], s) {
			outside.Store(true)
		}
	})
	return !outside.Load()
}

// allInSerial is allIn on one core, with a loop per set so that no element
// pays for a switch or a call.
func allInSerial(d []float64, s ValueSet) bool {
	switch s {
	case Finite:
		return vecmath.AllFinite(d)
	case Boolean:
		bad := 0.0
		for _, v := range d {
			bad += math.Abs(v * (v - 1)) // 0 for 0 and 1; positive, +Inf or NaN otherwise
		}
		return bad == 0
	case NotNaN:
		for _, v := range d {
			if v != v {
				return false
			}
		}
	case Positive:
		for _, v := range d {
			if !(v > 0) {
				return false
			}
		}
	case NonNegative:
		for _, v := range d {
			if !(v >= 0) {
				return false
			}
		}
	case UnitInterval:
		for _, v := range d {
			if !(v >= 0 && v <= 1) {
				return false
			}
		}
	case NonNegativeIntegers:
		for _, v := range d {
			if !(v >= 0 && v == math.Trunc(v) && v-v == 0) {
				return false
			}
		}
	}
	return true
}
