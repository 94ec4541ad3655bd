package tensor

import (
	"math"
	"testing"
)

// TestAllIn checks AllIn against Contains element by element for every set,
// over vectors built to sit just inside or just outside each set, and that
// the answers cached for one set never leak into another's.
func TestAllIn(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	vectors := [][]float64{
		{},
		{0, 1, 1, 0},
		{0, 1, 2, 3},
		{0.5, 1, 0.25},
		{1e-300, 2, inf},
		{0, 2, inf},
		{-1e-300, 1},
		{1, 0, 1, nan},
		{3, -inf, 1},
		{2, 2.5, 4},
		{1, 0, 1, 1 + 1e-15},
		{math.SmallestNonzeroFloat64, 0},
		{1e300, 1e308},
	}
	for _, v := range vectors {
		x := New(v, len(v))
		for s := range numValueSets {
			want := true
			for _, e := range v {
				want = want && s.Contains(e)
			}
			for call := range 2 { // the second call reads the cache
				if got := x.AllIn(s); got != want {
					t.Errorf("New(%v).AllIn(%v) call %d = %v, want %v", v, s, call, got, want)
				}
			}
		}
	}
}

// TestValueSetContains pins the membership of the boundary values.
func TestValueSetContains(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		s       ValueSet
		in, out []float64
	}{
		{NotNaN, []float64{0, -inf, inf, -3}, []float64{nan}},
		{Finite, []float64{0, -3, 1e308}, []float64{inf, -inf, nan}},
		{Positive, []float64{1e-320, 1, inf}, []float64{0, math.Copysign(0, -1), -1, nan}},
		{NonNegative, []float64{0, math.Copysign(0, -1), 2, inf}, []float64{-1e-320, -inf, nan}},
		{UnitInterval, []float64{0, 0.5, 1}, []float64{-1e-300, 1 + 1e-15, inf, nan}},
		{Boolean, []float64{0, 1}, []float64{0.5, 2, -1, inf, nan}},
		{NonNegativeIntegers, []float64{0, 1, 7, 1e15}, []float64{0.5, -1, inf, nan}},
	}
	for _, c := range cases {
		for _, v := range c.in {
			if !c.s.Contains(v) {
				t.Errorf("%v.Contains(%v) = false, want true", c.s, v)
			}
		}
		for _, v := range c.out {
			if c.s.Contains(v) {
				t.Errorf("%v.Contains(%v) = true, want false", c.s, v)
			}
		}
	}
}

// TestAllInForgetsAfterSetData checks that new values are rescanned.
func TestAllInForgetsAfterSetData(t *testing.T) {
	x := Vector(0, 1, 1)
	x.SetRequiresGrad(true)
	if !x.AllIn(Boolean) || !x.AllFinite() {
		t.Fatal("binary finite values not recognized")
	}
	x.SetData([]float64{0, 2, math.Inf(1)})
	if x.AllIn(Boolean) || x.AllFinite() {
		t.Error("AllIn kept an answer about values SetData replaced")
	}
	if !x.AllIn(NonNegative) {
		t.Error("AllIn(NonNegative) = false for {0, 2, +Inf}")
	}
}

func TestAllInUnknownSetPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AllIn(numValueSets) did not panic")
		}
	}()
	Vector(1).AllIn(numValueSets)
}

// TestAllInLarge checks the multi-core scan: a value outside the set in
// any chunk, the first or the last element included, is found.
func TestAllInLarge(t *testing.T) {
	const n = 3*parallelThreshold + 5
	for _, at := range []int{0, n / 3, n / 2, n - 1} {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i % 2)
		}
		if x := FromData(append([]float64(nil), d...), n); !x.AllIn(Boolean) || !x.AllIn(UnitInterval) {
			t.Fatal("large binary tensor not recognized")
		}
		d[at] = math.NaN()
		x := FromData(d, n)
		for s := range numValueSets {
			if x.AllIn(s) {
				t.Errorf("NaN at %d of %d: AllIn(%v) = true", at, n, s)
			}
		}
	}
}
