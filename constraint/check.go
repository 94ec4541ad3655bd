package constraint

import (
	"fmt"

	"github.com/vigo-ppl/vigo/tensor"
)

// b2f turns a truth value into the 0/1 float that masks hold.
func b2f(ok bool) float64 {
	if ok {
		return 1
	}
	return 0
}

// checkElementwise applies in to every element of value.
func checkElementwise(value *tensor.Tensor, in func(float64) bool) *tensor.Tensor {
	src := value.Data()
	out := make([]float64, len(src))
	for i, v := range src {
		out[i] = b2f(in(v))
	}
	return tensor.FromData(out, value.Shape()...)
}

// checkEvents splits value into events of its eventDim rightmost dims and
// applies in to each event's values (row-major) and event shape.
func checkEvents(c Constraint, value *tensor.Tensor, in func(ev []float64, evShape []int) bool) *tensor.Tensor {
	ed := c.EventDim()
	shape := value.Shape()
	if len(shape) < ed {
		panic(fmt.Sprintf("constraint: %s: value of shape %v has fewer than %d dims", c.Name(), shape, ed))
	}
	batch := shape[:len(shape)-ed]
	evShape := shape[len(shape)-ed:]
	size := 1
	for _, s := range evShape {
		size *= s
	}
	n := 1
	for _, s := range batch {
		n *= s
	}
	data := value.Data()
	out := make([]float64, n)
	for i := range out {
		out[i] = b2f(in(data[i*size:(i+1)*size], evShape))
	}
	return tensor.FromData(out, batch...)
}
