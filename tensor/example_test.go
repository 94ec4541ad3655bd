package tensor_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/tensor"
)

// Tensors are made from values and a shape, by constructors, or by random
// draws from an explicit source.
func ExampleNew() {
	a := tensor.New([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(a, a.Shape())
	fmt.Println(tensor.Zeros(2, 2))
	fmt.Println(tensor.Arange(0, 5, 1))
	r := tensor.RandN(rand.New(rand.NewPCG(1, 2)), 3)
	fmt.Println(r.Shape())
	// Output:
	// [[1 2 3] [4 5 6]] [2 3]
	// [[0 0] [0 0]]
	// [0 1 2 3 4]
	// [3]
}

// Broadcasting follows NumPy: a (2, 3) tensor plus a (3,) row.
func ExampleTensor_Add() {
	a := tensor.New([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.Vector(10, 20, 30)
	fmt.Println(a.Add(b))
	// Output: [[11 22 33] [14 25 36]]
}

// Backward accumulates the gradient of a scalar into the leaves it depends on.
func ExampleTensor_Backward() {
	x := tensor.Param([]float64{1, 2, 3}, 3)
	y := x.Square().Sum() // y = Σ x², dy/dx = 2x
	y.Backward()
	fmt.Println(y.Item(), x.Grad())
	// Output: 14 [2 4 6]
}

// ScaledGradients returns the gradients of k·y without touching the
// leaves: here the loss −y/2 of an objective y.
func ExampleScaledGradients() {
	x := tensor.Param([]float64{1, 2, 3}, 3)
	y := x.Square().Sum() // dy/dx = 2x
	g := tensor.ScaledGradients(y, -0.5, x)
	fmt.Println(g[0], x.Grad() == nil)
	// Output: [-1 -2 -3] true
}

// LinearCombination records a weighted sum of terms as one node; each
// term's gradient is its coefficient times the incoming gradient.
func ExampleLinearCombination() {
	a := tensor.Param([]float64{2}, 1)
	b := tensor.Param([]float64{5}, 1)
	s := tensor.LinearCombination([]float64{1, -0.5, 1}, a, b, a) // a − b/2 + a
	s.Sum().Backward()
	fmt.Println(s, a.Grad(), b.Grad())
	// Output: [1.5] [2] [-0.5]
}

// ClampedSigmoid keeps probabilities off 0 and 1; where it clamps, no
// gradient flows.
func ExampleTensor_ClampedSigmoid() {
	x := tensor.Param([]float64{-800, 0, 40}, 3)
	y := x.ClampedSigmoid(0x1p-1022, 1-0x1p-52)
	y.Sum().Backward()
	fmt.Println(y.Data()[0] > 0, y.Data()[1], y.Data()[2] < 1)
	fmt.Println(x.Grad())
	// Output:
	// true 0.5 true
	// [0 0.25 0]
}
