package infer

import (
	"math"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestFrameTensorsSumTo is spec §11.1 U1: plates x (size 2, dim -1) and
// y (size 3, dim -2) and four sites whose log-prob entries are all log 0.5.
func TestFrameTensorsSumTo(t *testing.T) {
	l := math.Log(0.5)
	x := vigo.Frame{Name: "x_axis", Dim: -1, Size: 2}
	y := vigo.Frame{Name: "y_axis", Dim: -2, Size: 3}
	var m frameTensors
	m.add(nil, tensor.Scalar(l))
	m.add([]vigo.Frame{x}, tensor.Full(l, 2))
	m.add([]vigo.Frame{y}, tensor.Full(l, 3, 1))
	m.add([]vigo.Frame{y, x}, tensor.Full(l, 3, 2))
	if len(m.frames) != 4 {
		t.Fatalf("%d frame sets, want 4", len(m.frames))
	}
	// The same set in another order adds into the existing term.
	m.add([]vigo.Frame{x, y}, tensor.Zeros(3, 2))
	if len(m.frames) != 4 {
		t.Fatalf("a reordered frame set made a new term: %d sets", len(m.frames))
	}
	cases := []struct {
		stack []vigo.Frame
		shape []int
		each  float64
	}{
		{nil, []int{}, 12 * l},
		{[]vigo.Frame{x}, []int{2}, 8 * l},
		{[]vigo.Frame{y}, []int{3, 1}, 6 * l},
		{[]vigo.Frame{y, x}, []int{3, 2}, 4 * l},
	}
	for _, c := range cases {
		got := m.sumTo(c.stack)
		if !slices.Equal(got.Shape(), c.shape) {
			t.Errorf("sumTo(%v): shape %v, want %v", c.stack, got.Shape(), c.shape)
			continue
		}
		for _, v := range got.Data() {
			if !(math.Abs(v-c.each) <= 1e-12) {
				t.Errorf("sumTo(%v): entry %v, want %v", c.stack, v, c.each)
			}
		}
	}
}

// TestFrameEquality is spec §11.1 U2: frames compare by name, dim, size and counter.
func TestFrameEquality(t *testing.T) {
	a := vigo.Frame{Name: "a", Dim: -1, Size: 2000, Counter: 2}
	b := vigo.Frame{Name: "a", Dim: -1, Size: 2000, Counter: 2}
	if a != b || !sameFrames([]vigo.Frame{a}, []vigo.Frame{b}) {
		t.Error("equal frames compare unequal")
	}
	c := vigo.Frame{Name: "a", Dim: -1, Size: 1, Counter: 2}
	if a == c || sameFrames([]vigo.Frame{a}, []vigo.Frame{c}) {
		t.Error("frames of different size compare equal")
	}
}
