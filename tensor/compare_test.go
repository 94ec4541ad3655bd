package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// recoveredMessage runs f and returns the message it panics with, or "" if it
// does not panic.
func recoveredMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestComparisons(t *testing.T) {
	nan := math.NaN()
	// a has shape (2, 3), b shape (3): b is compared with each row of a.
	a := Param([]float64{1, 2, 3, nan, 5, math.Copysign(0, -1)}, 2, 3)
	b := Param([]float64{2, 2, 2}, 3)
	cases := []struct {
		name string
		f    func(a, b *Tensor) *Tensor
		want []float64
	}{
		{"Eq", (*Tensor).Eq, []float64{0, 1, 0, 0, 0, 0}},
		{"Ne", (*Tensor).Ne, []float64{1, 0, 1, 1, 1, 1}},
		{"Lt", (*Tensor).Lt, []float64{1, 0, 0, 0, 0, 1}},
		{"Le", (*Tensor).Le, []float64{1, 1, 0, 0, 0, 1}},
		{"Gt", (*Tensor).Gt, []float64{0, 0, 1, 0, 1, 0}},
		{"Ge", (*Tensor).Ge, []float64{0, 1, 1, 0, 1, 0}},
	}
	for _, c := range cases {
		got := c.f(a, b)
		if !slices.Equal(got.Shape(), []int{2, 3}) || !identicalFloats(got.Data(), c.want) {
			t.Errorf("%s = %v (shape %v), want %v (shape [2 3])", c.name, got, got.Shape(), c.want)
		}
		if got.RequiresGrad() {
			t.Errorf("%s of tensors that require grad records a gradient", c.name)
		}
		// Broadcasting the other way round gives the mirrored comparison.
		back := c.f(b, a)
		mirror := map[string]string{"Eq": "Eq", "Ne": "Ne", "Lt": "Gt", "Le": "Ge", "Gt": "Lt", "Ge": "Le"}[c.name]
		for _, m := range cases {
			if m.name == mirror && !identicalFloats(back.Data(), m.want) {
				t.Errorf("%s with operands swapped = %v, want %v", c.name, back, m.want)
			}
		}
	}
	// (3, 1) against (1, 2): an outer comparison.
	got := New([]float64{1, 2, 3}, 3, 1).Lt(New([]float64{1.5, 2.5}, 1, 2))
	if want := []float64{1, 1, 0, 1, 0, 0}; !slices.Equal(got.Shape(), []int{3, 2}) || !identicalFloats(got.Data(), want) {
		t.Errorf("Lt outer = %v (shape %v), want %v (shape [3 2])", got, got.Shape(), want)
	}
	msg := recoveredMessage(func() { Zeros(2).Eq(Zeros(3)) })
	if !strings.HasPrefix(msg, "tensor: Eq") || !strings.Contains(msg, "[2]") || !strings.Contains(msg, "[3]") {
		t.Errorf("Eq of shapes [2] and [3] panics with %q, want a tensor: Eq message naming both shapes", msg)
	}
}

func TestLogicalOps(t *testing.T) {
	nan := math.NaN()
	m := Vector(0, 2, math.Copysign(0, -1), nan, -1)
	if got, want := LogicalNot(m).Data(), []float64{1, 0, 1, 0, 0}; !identicalFloats(got, want) {
		t.Errorf("LogicalNot = %v, want %v", got, want)
	}
	x := New([]float64{0, 1, 3, 0}, 2, 2)
	y := New([]float64{0, 7}, 2, 1) // broadcast along columns
	if got, want := LogicalAnd(x, y).Data(), []float64{0, 0, 1, 0}; !identicalFloats(got, want) {
		t.Errorf("LogicalAnd = %v, want %v", got, want)
	}
	if got, want := LogicalOr(x, y).Data(), []float64{0, 1, 1, 1}; !identicalFloats(got, want) {
		t.Errorf("LogicalOr = %v, want %v", got, want)
	}
	if got := LogicalAnd(y, x).Shape(); !slices.Equal(got, []int{2, 2}) {
		t.Errorf("LogicalAnd of shapes [2 1] and [2 2] has shape %v", got)
	}
	p := Param([]float64{1, 0}, 2)
	if LogicalNot(p).RequiresGrad() || LogicalOr(p, p).RequiresGrad() {
		t.Error("logical operations record a gradient")
	}
}

func TestWhereValues(t *testing.T) {
	// cond (2, 1), a (3), b scalar: all three broadcast to (2, 3).
	cond := New([]float64{1, 0}, 2, 1)
	a := Vector(10, 20, 30)
	b := Scalar(-1)
	got := Where(cond, a, b)
	if want := []float64{10, 20, 30, -1, -1, -1}; !slices.Equal(got.Shape(), []int{2, 3}) || !identicalFloats(got.Data(), want) {
		t.Errorf("Where = %v (shape %v), want %v (shape [2 3])", got, got.Shape(), want)
	}
	// Any nonzero condition, NaN included, selects a; the branch not taken
	// may hold NaN or Inf without affecting the result.
	got = Where(Vector(2, 0, math.NaN(), math.Copysign(0, -1)), Vector(1, math.NaN(), 3, math.Inf(1)), Vector(9, 8, 7, 6))
	if want := []float64{1, 8, 3, 6}; !identicalFloats(got.Data(), want) {
		t.Errorf("Where = %v, want %v", got, want)
	}
	msg := recoveredMessage(func() { Where(Zeros(2), Zeros(3), Zeros(1)) })
	if !strings.HasPrefix(msg, "tensor: Where") || !strings.Contains(msg, "[2]") || !strings.Contains(msg, "[3]") {
		t.Errorf("Where of shapes [2], [3], [1] panics with %q, want a tensor: Where message naming the shapes", msg)
	}
}

func TestWhereGradient(t *testing.T) {
	// Finite differences (checkGrad: gonum diff/fd, 1e-6 relative) with every
	// operand broadcast in turn, plus random broadcasting shapes.
	rng := rand.New(rand.NewPCG(41, 42))
	shapes := [][3][]int{
		{{2, 3}, {2, 3}, {2, 3}},
		{{2, 1}, {3}, {}},
		{{3}, {2, 1}, {2, 3}},
		{{}, {2, 3}, {3}},
		{{2, 3}, {1}, {2, 1}},
		{{4, 1, 2}, {3, 1}, {1, 2}},
	}
	for i := 0; i < 6; i++ {
		a, b := randBroadcastPair(rng)
		c, _ := randBroadcastPair(rng)
		if _, ok := BroadcastShapes(a, b, c); ok {
			shapes = append(shapes, [3][]int{c, a, b})
		}
	}
	for _, s := range shapes {
		cond := RandU(rng, s[0]...).Gt(Scalar(0.5))
		a := randParam(rng, -2, 2, s[1]...)
		b := randParam(rng, -2, 2, s[2]...)
		name := fmt.Sprintf("Where%v%v%v", s[0], s[1], s[2])
		checkGrad(t, name, func(in []*Tensor) *Tensor { return Where(cond, in[0], in[1]) }, a, b)
	}
	// Exact masks: a gets the gradient where cond holds, b elsewhere, summed
	// over broadcast dims; an infinite incoming gradient stays out of the
	// branch not taken.
	cond := New([]float64{1, 0, 1}, 3)
	a := Param([]float64{1, 2, 3}, 3)
	b := Param([]float64{5}, 1)
	Where(cond, a, b).BackwardWith(Vector(math.Inf(1), 2, 4))
	if got, want := a.Grad().Data(), []float64{math.Inf(1), 0, 4}; !identicalFloats(got, want) {
		t.Errorf("Where gradient of a = %v, want %v", got, want)
	}
	if got, want := b.Grad().Data(), []float64{2}; !identicalFloats(got, want) {
		t.Errorf("Where gradient of b = %v, want %v", got, want)
	}
}

func TestPredicates(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name                string
		x                   *Tensor
		allFinite, any, all bool
	}{
		{"zeros", Zeros(2, 2), true, false, false},
		{"ones", Ones(3), true, true, true},
		{"mixed", Vector(0, 1), true, true, false},
		{"nan", Vector(1, nan), false, true, true},
		{"nan alone", Vector(nan), false, true, true},
		{"inf", Vector(0, -inf), false, true, false},
		{"negative zero", Vector(math.Copysign(0, -1)), true, false, false},
		{"tiny", Scalar(5e-324), true, true, true},
		{"empty", Zeros(0), true, false, true},
		{"zero value", &Tensor{}, true, false, false},
	}
	for _, c := range cases {
		if got := c.x.AllFinite(); got != c.allFinite {
			t.Errorf("%s: AllFinite = %v, want %v", c.name, got, c.allFinite)
		}
		if got := c.x.Any(); got != c.any {
			t.Errorf("%s: Any = %v, want %v", c.name, got, c.any)
		}
		if got := c.x.All(); got != c.all {
			t.Errorf("%s: All = %v, want %v", c.name, got, c.all)
		}
	}
}
