package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// matchTensor fails the test unless got has the given shape and values within
// the absolute tolerance tol.
func matchTensor(t *testing.T, name string, got *Tensor, shape []int, want []float64, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), shape) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape(), shape)
		return
	}
	gd := got.Data()
	if len(gd) != len(want) {
		t.Errorf("%s: %d values, want %d", name, len(gd), len(want))
		return
	}
	for i, w := range want {
		g := gd[i]
		same := g == w || (math.IsNaN(g) && math.IsNaN(w)) || math.Abs(g-w) <= tol
		if !same {
			t.Errorf("%s: element %d = %.15g, want %.15g (all: %v)", name, i, g, w, gd)
			return
		}
	}
}

// mustPanicWith fails the test unless f panics with a message starting with
// prefix.
func mustPanicWith(t *testing.T, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one starting %q", prefix)
			return
		}
		if msg := fmt.Sprint(r); !strings.HasPrefix(msg, prefix) {
			t.Errorf("panic %q, want one starting %q", msg, prefix)
		}
	}()
	f()
}

// arangeShape returns 0, 1, ..., n-1 as a tensor of the given shape.
func arangeShape(shape ...int) *Tensor { return Arange(0, float64(numel(shape)), 1).Reshape(shape...) }

func TestShapeOpsForward(t *testing.T) {
	m := arangeShape(2, 3) // [[0 1 2] [3 4 5]]
	c := arangeShape(2, 3, 4)
	tests := []struct {
		name  string
		got   *Tensor
		shape []int
		want  []float64
	}{
		{"Transpose(0,1)", m.Transpose(0, 1), []int{3, 2}, []float64{0, 3, 1, 4, 2, 5}},
		{"Transpose(-1,0)", m.Transpose(-1, 0), []int{3, 2}, []float64{0, 3, 1, 4, 2, 5}},
		{"Transpose(1,1)", m.Transpose(1, 1), []int{2, 3}, []float64{0, 1, 2, 3, 4, 5}},
		{"Transpose 3d (0,2)", c.Transpose(0, 2), []int{4, 3, 2},
			[]float64{0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23}},
		{"Permute(2,0,1)", c.Permute(2, 0, 1), []int{4, 2, 3},
			[]float64{0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}},
		{"Permute(-1,-3,-2)", c.Permute(-1, -3, -2), []int{4, 2, 3},
			[]float64{0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}},
		{"Unsqueeze(0)", m.Unsqueeze(0), []int{1, 2, 3}, m.Data()},
		{"Unsqueeze(1)", m.Unsqueeze(1), []int{2, 1, 3}, m.Data()},
		{"Unsqueeze(2)", m.Unsqueeze(2), []int{2, 3, 1}, m.Data()},
		{"Unsqueeze(-1)", m.Unsqueeze(-1), []int{2, 3, 1}, m.Data()},
		{"Unsqueeze(-3)", m.Unsqueeze(-3), []int{1, 2, 3}, m.Data()},
		{"Unsqueeze 0-d", Scalar(7).Unsqueeze(-1), []int{1}, []float64{7}},
		{"Squeeze()", arangeShape(1, 3, 1, 2).Squeeze(), []int{3, 2}, []float64{0, 1, 2, 3, 4, 5}},
		{"Squeeze(2)", arangeShape(1, 3, 1, 2).Squeeze(2), []int{1, 3, 2}, []float64{0, 1, 2, 3, 4, 5}},
		{"Squeeze(0,-2)", arangeShape(1, 3, 1, 2).Squeeze(0, -2), []int{3, 2}, []float64{0, 1, 2, 3, 4, 5}},
		{"Squeeze(1) keeps size 3", arangeShape(1, 3, 1, 2).Squeeze(1), []int{1, 3, 1, 2}, []float64{0, 1, 2, 3, 4, 5}},
		{"Squeeze() to 0-d", arangeShape(1, 1).Squeeze(), []int{}, []float64{0}},
		{"Flatten", c.Flatten(), []int{24}, c.Data()},
		{"Flatten 0-d", Scalar(3).Flatten(), []int{1}, []float64{3}},
		{"Narrow(1,1,2)", m.Narrow(1, 1, 2), []int{2, 2}, []float64{1, 2, 4, 5}},
		{"Narrow(0,1,1)", m.Narrow(0, 1, 1), []int{1, 3}, []float64{3, 4, 5}},
		{"Narrow(-1,-1,1)", m.Narrow(-1, -1, 1), []int{2, 1}, []float64{2, 5}},
		{"Narrow empty", m.Narrow(1, 3, 0), []int{2, 0}, []float64{}},
		{"Narrow middle 3d", c.Narrow(1, 1, 2), []int{2, 2, 4},
			[]float64{4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}},
		{"Select(0,1)", m.Select(0, 1), []int{3}, []float64{3, 4, 5}},
		{"Select(1,-1)", m.Select(1, -1), []int{2}, []float64{2, 5}},
		{"Select to 0-d", Vector(4, 5).Select(0, 1), []int{}, []float64{5}},
		{"Select 3d middle", c.Select(1, 2), []int{2, 4}, []float64{8, 9, 10, 11, 20, 21, 22, 23}},
		{"IndexSelect(1,[2 0 2])", m.IndexSelect(1, Vector(2, 0, 2)), []int{2, 3}, []float64{2, 0, 2, 5, 3, 5}},
		{"IndexSelect(0,[1 1])", m.IndexSelect(0, Vector(1, 1)), []int{2, 3}, []float64{3, 4, 5, 3, 4, 5}},
		{"IndexSelect(-2,[])", m.IndexSelect(-2, Vector()), []int{0, 3}, []float64{}},
		{"IndexSelect 0-d index", m.IndexSelect(1, Scalar(1)), []int{2, 1}, []float64{1, 4}},
		{"Gather(1)", m.Gather(1, New([]float64{2, 0, 1, 1}, 2, 2)), []int{2, 2}, []float64{2, 0, 4, 4}},
		{"Gather(0)", m.Gather(0, New([]float64{1, 0, 1}, 1, 3)), []int{1, 3}, []float64{3, 1, 5}},
		{"Gather(-1) smaller", c.Gather(-1, New([]float64{3, 0, 1, 1}, 2, 1, 2)), []int{2, 1, 2}, []float64{3, 0, 13, 13}},
		{"Cat(0)", Cat(0, m, arangeShape(1, 3)), []int{3, 3}, []float64{0, 1, 2, 3, 4, 5, 0, 1, 2}},
		{"Cat(1)", Cat(1, m, arangeShape(2, 1), arangeShape(2, 2)), []int{2, 6}, []float64{0, 1, 2, 0, 0, 1, 3, 4, 5, 1, 2, 3}},
		{"Cat(-1) one", Cat(-1, m), []int{2, 3}, m.Data()},
		{"Cat with empty", Cat(0, Vector(1, 2), Vector(), Vector(3)), []int{3}, []float64{1, 2, 3}},
		{"Stack(0)", Stack(0, Vector(1, 2), Vector(3, 4), Vector(5, 6)), []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"Stack(1)", Stack(1, Vector(1, 2), Vector(3, 4), Vector(5, 6)), []int{2, 3}, []float64{1, 3, 5, 2, 4, 6}},
		{"Stack(-1)", Stack(-1, Vector(1, 2), Vector(3, 4)), []int{2, 2}, []float64{1, 3, 2, 4}},
		{"Stack 0-d", Stack(0, Scalar(1), Scalar(2)), []int{2}, []float64{1, 2}},
		{"Stack(-2) 2-d", Stack(-2, m, m.MulScalar(10)), []int{2, 2, 3},
			[]float64{0, 1, 2, 0, 10, 20, 3, 4, 5, 30, 40, 50}},
		{"OneHot", OneHot(Vector(2, 0, 1), 3), []int{3, 3}, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}},
		{"OneHot 0-d", OneHot(Scalar(1), 2), []int{2}, []float64{0, 1}},
		{"OneHot 2-d", OneHot(New([]float64{0, 1}, 2, 1), 2), []int{2, 1, 2}, []float64{1, 0, 0, 1}},
	}
	for _, tc := range tests {
		matchTensor(t, tc.name, tc.got, tc.shape, tc.want, 0) // exact: pure data movement
	}
}

// TestShapeOpsAgainstAt compares Permute, Narrow and Gather with an
// element-by-element reading through At on random shapes.
func TestShapeOpsAgainstAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 30; trial++ {
		nd := 1 + rng.IntN(4)
		shape := make([]int, nd)
		for i := range shape {
			shape[i] = 1 + rng.IntN(4)
		}
		a := RandN(rng, shape...)
		perm := rng.Perm(nd)
		p := a.Permute(perm...)
		forEachIndex(p.Shape(), func(ix []int) {
			src := make([]int, nd)
			for k, d := range perm {
				src[d] = ix[k]
			}
			if p.At(ix...) != a.At(src...) {
				t.Fatalf("Permute%v of %v: at %v got %g want %g", perm, shape, ix, p.At(ix...), a.At(src...))
			}
		})
		d := rng.IntN(nd)
		start := rng.IntN(shape[d])
		length := rng.IntN(shape[d] - start + 1)
		nw := a.Narrow(d, start, length)
		forEachIndex(nw.Shape(), func(ix []int) {
			src := append([]int(nil), ix...)
			src[d] += start
			if nw.At(ix...) != a.At(src...) {
				t.Fatalf("Narrow(%d,%d,%d) of %v: at %v mismatch", d, start, length, shape, ix)
			}
		})
		is := make([]int, nd)
		for k := range is {
			is[k] = 1 + rng.IntN(shape[k])
		}
		is[d] = 1 + rng.IntN(5)
		idx := Zeros(is...)
		for i := range idx.data {
			idx.data[i] = float64(rng.IntN(shape[d]))
		}
		gt := a.Gather(d, idx)
		forEachIndex(is, func(ix []int) {
			src := append([]int(nil), ix...)
			src[d] = int(idx.At(ix...))
			if gt.At(ix...) != a.At(src...) {
				t.Fatalf("Gather(%d) of %v with index shape %v: at %v mismatch", d, shape, is, ix)
			}
		})
	}
}

// forEachIndex calls f with every multi-index of shape in row-major order.
func forEachIndex(shape []int, f func(ix []int)) {
	if numel(shape) == 0 {
		return
	}
	ix := make([]int, len(shape))
	for {
		f(ix)
		k := len(shape) - 1
		for ; k >= 0; k-- {
			ix[k]++
			if ix[k] < shape[k] {
				break
			}
			ix[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

func TestGradShapeOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	type unary struct {
		name  string
		shape []int
		f     func(a *Tensor) *Tensor
	}
	tests := []unary{
		{"Transpose(0,2)", []int{2, 3, 4}, func(a *Tensor) *Tensor { return a.Transpose(0, 2) }},
		{"Transpose(-1,-2)", []int{2, 1, 3}, func(a *Tensor) *Tensor { return a.Transpose(-1, -2) }},
		{"Permute(1,2,0)", []int{2, 3, 4}, func(a *Tensor) *Tensor { return a.Permute(1, 2, 0) }},
		{"Permute 4-d", []int{2, 1, 3, 2}, func(a *Tensor) *Tensor { return a.Permute(3, 1, 0, 2) }},
		{"Unsqueeze(1)", []int{2, 3}, func(a *Tensor) *Tensor { return a.Unsqueeze(1) }},
		{"Unsqueeze 0-d", []int{}, func(a *Tensor) *Tensor { return a.Unsqueeze(0) }},
		{"Squeeze()", []int{1, 3, 1}, func(a *Tensor) *Tensor { return a.Squeeze() }},
		{"Squeeze(-1)", []int{1, 3, 1}, func(a *Tensor) *Tensor { return a.Squeeze(-1) }},
		{"Flatten", []int{2, 3, 2}, func(a *Tensor) *Tensor { return a.Flatten() }},
		{"Narrow(1,1,2)", []int{2, 4, 3}, func(a *Tensor) *Tensor { return a.Narrow(1, 1, 2) }},
		{"Narrow(0,0,1)", []int{3, 2}, func(a *Tensor) *Tensor { return a.Narrow(0, 0, 1) }},
		{"Narrow(-1,-2,2)", []int{3, 5}, func(a *Tensor) *Tensor { return a.Narrow(-1, -2, 2) }},
		{"Select(0,1)", []int{3, 2}, func(a *Tensor) *Tensor { return a.Select(0, 1) }},
		{"Select(1,2) 3-d", []int{2, 3, 2}, func(a *Tensor) *Tensor { return a.Select(1, 2) }},
		{"Select(0,0) of size 1", []int{1, 4}, func(a *Tensor) *Tensor { return a.Select(0, 0) }},
		{"IndexSelect repeated", []int{4, 3}, func(a *Tensor) *Tensor { return a.IndexSelect(0, Vector(3, 1, 3, 3, 0)) }},
		{"IndexSelect(-1)", []int{2, 3, 4}, func(a *Tensor) *Tensor { return a.IndexSelect(-1, Vector(0, 0, 2)) }},
		{"Gather(1) repeated", []int{2, 3}, func(a *Tensor) *Tensor {
			return a.Gather(1, New([]float64{1, 1, 2, 0, 0, 0, 2, 1}, 2, 4))
		}},
		{"Gather(0)", []int{3, 2, 2}, func(a *Tensor) *Tensor {
			return a.Gather(0, New([]float64{2, 0, 1, 2}, 1, 2, 2))
		}},
	}
	for _, tc := range tests {
		a := randParam(rng, -1, 1, tc.shape...)
		checkGrad(t, tc.name, func(in []*Tensor) *Tensor { return tc.f(in[0]) }, a)
	}

	// joins: every piece receives its part of the gradient
	for _, dim := range []int{0, 1, -1} {
		a := randParam(rng, -1, 1, 2, 3)
		b := randParam(rng, -1, 1, 2, 3)
		c := randParam(rng, -1, 1, 2, 3)
		checkGrad(t, fmt.Sprintf("Stack(%d)", dim), func(in []*Tensor) *Tensor { return Stack(dim, in...) }, a, b, c)
	}
	checkGrad(t, "Stack(2)", func(in []*Tensor) *Tensor { return Stack(2, in...) },
		randParam(rng, -1, 1, 2, 3), randParam(rng, -1, 1, 2, 3))
	checkGrad(t, "Stack 0-d", func(in []*Tensor) *Tensor { return Stack(0, in...) },
		randParam(rng, -1, 1), randParam(rng, -1, 1))
	checkGrad(t, "Cat(1)", func(in []*Tensor) *Tensor { return Cat(1, in...) },
		randParam(rng, -1, 1, 2, 1, 3), randParam(rng, -1, 1, 2, 4, 3), randParam(rng, -1, 1, 2, 2, 3))
	checkGrad(t, "Cat(0)", func(in []*Tensor) *Tensor { return Cat(0, in...) },
		randParam(rng, -1, 1, 2, 3), randParam(rng, -1, 1, 1, 3))
	checkGrad(t, "Cat(-1) with constant", func(in []*Tensor) *Tensor { return Cat(-1, in[0], Ones(2, 2), in[1]) },
		randParam(rng, -1, 1, 2, 3), randParam(rng, -1, 1, 2, 1))
	checkGrad(t, "Cat self", func(in []*Tensor) *Tensor { return Cat(0, in[0], in[0]) },
		randParam(rng, -1, 1, 3))
}

// TestIndexSelectGradAccumulates checks by hand that repeated indices add up
// their gradients: d/da Σ w·a[idx] = Σ over occurrences of w.
func TestIndexSelectGradAccumulates(t *testing.T) {
	a := Param([]float64{1, 2, 3}, 3)
	a.IndexSelect(0, Vector(2, 0, 2, 2)).Mul(Vector(1, 10, 100, 1000)).Sum().Backward()
	matchTensor(t, "IndexSelect grad", a.Grad(), []int{3}, []float64{10, 0, 1101}, 0) // exact sums of small integers

	b := Param([]float64{1, 2, 3, 4}, 2, 2)
	b.Gather(1, New([]float64{1, 1, 0, 1}, 2, 2)).Mul(New([]float64{1, 2, 3, 4}, 2, 2)).Sum().Backward()
	matchTensor(t, "Gather grad", b.Grad(), []int{2, 2}, []float64{0, 3, 3, 4}, 0) // exact sums of small integers
}

func TestShapeOpsNoGradThroughIndices(t *testing.T) {
	a := Vector(1, 2, 3)
	if a.IndexSelect(0, Vector(0)).RequiresGrad() || OneHot(Vector(1), 2).RequiresGrad() {
		t.Error("ops on tensors without grad must not require grad")
	}
	p := Param([]float64{0, 1}, 2)
	if OneHot(p, 2).RequiresGrad() {
		t.Error("OneHot must record no gradient")
	}
}

func TestShapeOpsPanics(t *testing.T) {
	m := arangeShape(2, 3)
	tests := []struct {
		prefix string
		f      func()
	}{
		{"tensor: Transpose:", func() { m.Transpose(0, 2) }},
		{"tensor: Permute:", func() { m.Permute(0) }},
		{"tensor: Permute:", func() { m.Permute(1, -1) }},
		{"tensor: Unsqueeze:", func() { m.Unsqueeze(3) }},
		{"tensor: Unsqueeze:", func() { m.Unsqueeze(-4) }},
		{"tensor: Squeeze:", func() { m.Squeeze(2) }},
		{"tensor: Narrow:", func() { m.Narrow(1, 2, 2) }},
		{"tensor: Narrow:", func() { m.Narrow(1, -4, 1) }},
		{"tensor: Narrow:", func() { m.Narrow(2, 0, 1) }},
		{"tensor: Select:", func() { m.Select(0, 2) }},
		{"tensor: Select:", func() { m.Select(1, -4) }},
		{"tensor: Select:", func() { Scalar(1).Select(0, 0) }},
		{"tensor: IndexSelect:", func() { m.IndexSelect(1, Vector(3)) }},
		{"tensor: IndexSelect:", func() { m.IndexSelect(1, Vector(-1)) }},
		{"tensor: IndexSelect:", func() { m.IndexSelect(1, Vector(0.5)) }},
		{"tensor: IndexSelect:", func() { m.IndexSelect(1, arangeShape(1, 1)) }},
		{"tensor: Gather:", func() { m.Gather(1, Vector(0)) }},
		{"tensor: Gather:", func() { m.Gather(1, New([]float64{3}, 1, 1)) }},
		{"tensor: Gather:", func() { m.Gather(1, Zeros(3, 1)) }},
		{"tensor: Cat:", func() { Cat(0) }},
		{"tensor: Cat:", func() { Cat(0, m, arangeShape(2, 2)) }},
		{"tensor: Cat:", func() { Cat(0, m, arangeShape(6)) }},
		{"tensor: Cat:", func() { Cat(0, Scalar(1), Scalar(2)) }},
		{"tensor: Cat:", func() { Cat(2, m, m) }},
		{"tensor: Stack:", func() { Stack(0) }},
		{"tensor: Stack:", func() { Stack(0, m, arangeShape(3, 2)) }},
		{"tensor: Stack:", func() { Stack(3, m, m) }},
		{"tensor: OneHot:", func() { OneHot(Vector(0, 3), 3) }},
		{"tensor: OneHot:", func() { OneHot(Vector(0), -1) }},
	}
	for _, tc := range tests {
		mustPanicWith(t, tc.prefix, tc.f)
	}
}

func ExampleStack() {
	a := Vector(1, 2)
	b := Vector(3, 4)
	fmt.Println(Stack(0, a, b))
	fmt.Println(Stack(1, a, b))
	fmt.Println(Cat(0, a, b))
	// Output:
	// [[1 2] [3 4]]
	// [[1 3] [2 4]]
	// [1 2 3 4]
}

func ExampleTensor_Gather() {
	scores := New([]float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}, 2, 3)
	picked := scores.Gather(1, New([]float64{1, 0}, 2, 1))
	fmt.Println(picked)
	// Output:
	// [[0.7] [0.5]]
}
