package transform

import (
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

const (
	// tiny is the smallest positive normal float64, the lower clamp of
	// probabilities before taking logs.
	tiny = 0x1p-1022
	// eps is the spacing of float64 numbers at 1.
	eps = 0x1p-52
)

// sumRightmost sums t over its n rightmost dims (none when n is 0).
func sumRightmost(t *tensor.Tensor, n int) *tensor.Tensor {
	if n <= 0 {
		return t
	}
	if n > t.Dim() {
		panic(fmt.Sprintf("transform: cannot sum %d rightmost dims of shape %v", n, t.Shape()))
	}
	dims := make([]int, n)
	for i := range dims {
		dims[i] = -1 - i
	}
	return t.SumDims(false, dims...)
}

// padLast adds before entries of value at the start and after entries at
// the end of t's last dim.
func padLast(t *tensor.Tensor, before, after int, value float64) *tensor.Tensor {
	shape := t.Shape()
	parts := make([]*tensor.Tensor, 0, 3)
	edge := func(n int) *tensor.Tensor {
		s := append([]int(nil), shape...)
		s[len(s)-1] = n
		return tensor.Full(value, s...)
	}
	if before > 0 {
		parts = append(parts, edge(before))
	}
	parts = append(parts, t)
	if after > 0 {
		parts = append(parts, edge(after))
	}
	if len(parts) == 1 {
		return t
	}
	return tensor.Cat(-1, parts...)
}

// needDims panics unless shape has at least n dims.
func needDims(name string, shape []int, n int) {
	if len(shape) < n {
		panic(fmt.Sprintf("transform: %s: shape %v has fewer than %d dims", name, shape, n))
	}
}

// needSquare panics unless shape ends in a square matrix.
func needSquare(name string, shape []int) {
	needDims(name, shape, 2)
	if shape[len(shape)-1] != shape[len(shape)-2] {
		panic(fmt.Sprintf("transform: %s: shape %v does not end in a square matrix", name, shape))
	}
}

// cloneShape copies shape so callers may keep it.
func cloneShape(shape []int) []int { return append([]int{}, shape...) }

// logOffsets returns log(n), log(n-1), ..., log(1) as a vector of length n:
// the shifts that make stick-breaking map zero to the simplex's centre.
func logOffsets(n int) *tensor.Tensor {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Log(float64(n - i))
	}
	return tensor.FromData(v, n)
}
