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
	if value.Dim() < ed {
		panic(fmt.Sprintf("constraint: %s: value of shape %v has fewer than %d dims", c.Name(), value.Shape(), ed))
	}
	return mapEvents(value, ed, in)
}

// mapEvents applies in to each event of the ed rightmost dims of value, which
// has at least ed dims, and returns the 0/1 results in value's batch shape.
func mapEvents(value *tensor.Tensor, ed int, in func(ev []float64, evShape []int) bool) *tensor.Tensor {
	shape := value.Shape()
	batch, evShape := shape[:len(shape)-ed], shape[len(shape)-ed:]
	size := numel(evShape)
	data := value.Data()
	out := make([]float64, numel(batch))
	for i := range out {
		out[i] = b2f(in(data[i*size:(i+1)*size], evShape))
	}
	return tensor.FromData(out, batch...)
}

// allOnes reports whether every entry of ev is 1, so events with no entries
// are vacuously inside.
func allOnes(ev []float64, _ []int) bool {
	for _, v := range ev {
		if v != 1 {
			return false
		}
	}
	return true
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}
