package transform_test

import (
	"fmt"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

func ExampleTransformTo() {
	t, err := transform.TransformTo(constraint.Positive)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t)
	y := t.Forward(tensor.Vector(0, 1))
	fmt.Printf("%.4f\n", y.Data())
	fmt.Printf("%.4f\n", t.Inverse(y).Data())
	// Output:
	// Exp
	// [1.0000 2.7183]
	// [0.0000 1.0000]
}

func ExampleTransformTo_interval() {
	t, _ := transform.TransformTo(constraint.Interval(-1, 3))
	fmt.Println(t)
	fmt.Println(t.Forward(tensor.Scalar(0)))
	// Output:
	// Compose(Sigmoid, Affine(-1, 4, 0))
	// 1
}

func ExampleBijectTo() {
	t, _ := transform.BijectTo(constraint.Simplex)
	x := tensor.Vector(0, 0, 0)
	y := t.Forward(x)
	fmt.Println(t, y.Shape())
	fmt.Printf("%.4f\n", y.Data())
	fmt.Printf("%.4f\n", t.LogAbsDetJacobian(x, y).Item())
	// Output:
	// StickBreaking [4]
	// [0.2500 0.2500 0.2500 0.2500]
	// -5.5452
}

func ExampleCompose() {
	// Exp then y = 2 + 3·u: from the reals onto (2, ∞).
	t := transform.Compose(transform.Exp, transform.Affine(tensor.Scalar(2), tensor.Scalar(3), 0))
	x := tensor.Scalar(0)
	y := t.Forward(x)
	// log|dy/dx| = x + log 3.
	fmt.Printf("%v %.4f\n", y, t.LogAbsDetJacobian(x, y).Item())
	// Output:
	// 5 1.0986
}
