package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bcastOffset returns the offset in a tensor of shape in of the element
// that broadcasting sends to flat position i of shape out.
func bcastOffset(in, out []int, i int) int {
	off, stride := 0, 1
	for d := len(out) - 1; d >= 0; d-- {
		k := i % out[d]
		i /= out[d]
		if j := d - (len(out) - len(in)); j >= 0 {
			if in[j] != 1 {
				off += k * stride
			}
			stride *= in[j]
		}
	}
	return off
}

// TestBroadcastShortRows checks broadcasting whose rows are shorter than
// shortRow over outputs large enough for the block-of-rows walk: the four
// arithmetic operations, Expand and SumTo (the gradients of Add) against
// elementwise references, for operands that repeat every row, hold one
// value per row, or both.
func TestBroadcastShortRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	pairs := [][2][]int{
		{{200, 3}, {3}},
		{{3}, {200, 3}},
		{{200, 3}, {200, 1}},
		{{200, 1}, {1, 3}},
		{{1, 3}, {200, 1}},
		{{40, 5, 3}, {5, 1}},
		{{300, 2}, {1, 2}},
		{{1000, 15}, {15}},
	}
	ops := []struct {
		name string
		f    func(a, b *Tensor) *Tensor
		ref  func(x, y float64) float64
	}{
		{"Add", (*Tensor).Add, func(x, y float64) float64 { return x + y }},
		{"Sub", (*Tensor).Sub, func(x, y float64) float64 { return x - y }},
		{"Mul", (*Tensor).Mul, func(x, y float64) float64 { return x * y }},
		{"Div", (*Tensor).Div, func(x, y float64) float64 { return x / y }},
	}
	for _, p := range pairs {
		out, _ := BroadcastShapes(p[0], p[1])
		n := numel(out)
		a, b := randParam(rng, 0.5, 2, p[0]...), randParam(rng, 0.5, 2, p[1]...)
		for _, op := range ops {
			got := op.f(a, b).Data()
			for i := range n {
				want := op.ref(a.Data()[bcastOffset(p[0], out, i)], b.Data()[bcastOffset(p[1], out, i)])
				if got[i] != want {
					t.Fatalf("%v %s %v: element %d = %v, want %v", p[0], op.name, p[1], i, got[i], want)
				}
			}
		}
		// Expand, and SumTo through the gradients of Σ w·(a + b)
		for _, in := range []*Tensor{a, b} {
			e := in.Expand(out...).Data()
			for i := range n {
				if want := in.Data()[bcastOffset(in.Shape(), out, i)]; e[i] != want {
					t.Fatalf("%v expanded to %v: element %d = %v, want %v", in.Shape(), out, i, e[i], want)
				}
			}
		}
		w := RandN(rng, out...)
		g := Gradients(a.Add(b).Mul(w).Sum(), a, b)
		for k, in := range []*Tensor{a, b} {
			want := make([]float64, in.Len())
			for i := range n {
				want[bcastOffset(in.Shape(), out, i)] += w.Data()[i]
			}
			for j := range want {
				if !(math.Abs(g[k].Data()[j]-want[j]) <= 1e-12*float64(n)) {
					t.Fatalf("%s: gradient of %v + %v: element %d = %v, want %v", fmt.Sprint(k), p[0], p[1], j, g[k].Data()[j], want[j])
				}
			}
		}
	}
}
