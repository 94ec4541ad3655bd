package tensor_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

func ExampleTensor_MatMul() {
	a := tensor.Param([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.New([]float64{1, 0, 0, 1, 1, 1}, 3, 2)
	c := a.MatMul(b)
	fmt.Println(c)

	// A batch of matrices times one vector: the vector's dim is dropped.
	v := tensor.Vector(1, -1)
	fmt.Println(tensor.Ones(4, 2, 2).MatMul(v).Shape())

	// d sum(A B) / dA = 1 Bᵀ: each row holds the row sums of B.
	c.Sum().Backward()
	fmt.Println(a.Grad())
	// Output:
	// [[4 5] [10 11]]
	// [4 2]
	// [[1 1 2] [1 1 2]]
}

func ExampleTensor_Cholesky() {
	a := tensor.New([]float64{4, 2, 2, 3}, 2, 2)
	l := a.Cholesky()
	fmt.Printf("%.4f\n", l.Data())

	// log det A = 2 Σ log diag(L)
	logDet := l.Diagonal().Log().Sum().MulScalar(2)
	fmt.Printf("%.4f %.4f\n", logDet.Item(), math.Log(8))

	_, err := tensor.New([]float64{1, 2, 2, 1}, 2, 2).CholeskyErr()
	fmt.Println(errors.Is(err, tensor.ErrNotPositiveDefinite))
	// Output:
	// [2.0000 0.0000 1.0000 1.4142]
	// 2.0794 2.0794
	// true
}

func ExampleTensor_SolveTriangular() {
	l := tensor.New([]float64{2, 0, 1, 1}, 2, 2)
	b := tensor.Vector(4, 5)
	x := l.SolveTriangular(b, true) // 2x₀ = 4, x₀ + x₁ = 5
	fmt.Println(x)
	// Output:
	// [2 3]
}
