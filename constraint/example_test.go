package constraint_test

import (
	"fmt"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

func ExampleInterval() {
	c := constraint.Interval(0, 2)
	fmt.Println(c.Name())
	fmt.Println(c.Check(tensor.Vector(-1, 0, 1.5, 2, 3)))
	// Output:
	// interval(0, 2)
	// [0 1 1 1 0]
}

func ExampleParse() {
	c, err := constraint.Parse("independent(positive, 1)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name(), c.EventDim())
	fmt.Println(c == constraint.IndependentOf(constraint.Positive, 1))
	// Output:
	// independent(positive, 1) 1
	// true
}

func ExampleSimplex() {
	probs := tensor.New([]float64{
		0.2, 0.8,
		0.5, 0.6,
	}, 2, 2)
	fmt.Println(constraint.Simplex.Check(probs))
	// Output:
	// [1 0]
}
