package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
)

// Tensor is an N-dimensional array of float64 values stored contiguously in
// row-major order. A Tensor's values never change after it is made, with one
// exception: optimizers update leaves in place through [Tensor.SetData].
//
// A Tensor that requires a gradient records the operation that produced it,
// so that [Tensor.Backward] can propagate gradients to the leaves it depends on.
// The zero value is a scalar holding 0.
type Tensor struct {
	data  []float64
	shape []int

	requiresGrad bool
	// handoff marks a gradient a backward pass has just made and shares
	// with no one (see Handoff); backprop clears it when it takes the
	// tensor over.
	handoff bool
	// facts caches AllIn: two bits per ValueSet, whether the answer is
	// known and whether it is yes. Values never change after creation
	// except through SetData and backprop's in-place sums, which clear it.
	facts atomic.Uint32

	node op        // how the tensor was made; empty for leaves
	leaf *leafGrad // gradient storage; non-nil only for leaves that require grad

	one [1]float64 // storage of one-element tensors, saving an allocation
}

// New returns a tensor holding a copy of data with the given shape.
// It panics if the number of elements does not match the shape.
func New(data []float64, shape ...int) *Tensor {
	n := checkShape(shape)
	if n != len(data) {
		panic(fmt.Sprintf("tensor: New: %d values do not fill shape %v", len(data), shape))
	}
	d := make([]float64, n)
	copy(d, data)
	return &Tensor{data: d, shape: ownShape(shape)}
}

// FromData returns a tensor that takes ownership of data (no copy) with the
// given shape. The caller must not modify data afterwards.
func FromData(data []float64, shape ...int) *Tensor {
	n := checkShape(shape)
	if n != len(data) {
		panic(fmt.Sprintf("tensor: FromData: %d values do not fill shape %v", len(data), shape))
	}
	if data == nil {
		data = []float64{} // a nil slice marks the zero Tensor (the scalar 0)
	}
	return &Tensor{data: data, shape: ownShape(shape)}
}

// wrap returns a tensor over data and shape without copying either. Shapes
// are never modified once a tensor holds them, so tensors may share them.
func wrap(data []float64, shape []int) *Tensor {
	if data == nil {
		data = []float64{}
	}
	return &Tensor{data: data, shape: shape}
}

// newOut returns a fresh zeroed tensor of shape (shared, not copied) whose
// values the caller fills. Small tensors get their values in the same
// allocation as the header: one-element tensors in the inline slot, up to
// sixteen elements in a trailing array.
func newOut(shape []int) *Tensor {
	n := numel(shape)
	var t *Tensor
	switch {
	case n == 1:
		t = &Tensor{}
		t.data = t.one[:]
	case n == 0:
		t = &Tensor{data: []float64{}}
	case n <= 4:
		p := new(struct {
			Tensor
			d [4]float64
		})
		p.data = p.d[:n:n]
		t = &p.Tensor
	case n <= 8:
		p := new(struct {
			Tensor
			d [8]float64
		})
		p.data = p.d[:n:n]
		t = &p.Tensor
	case n <= 16:
		p := new(struct {
			Tensor
			d [16]float64
		})
		p.data = p.d[:n:n]
		t = &p.Tensor
	default:
		t = &Tensor{data: zeroed(n)}
	}
	t.shape = shape
	return t
}

// Make returns a new tensor of the given shape, filled with 0, together
// with its values for the caller to fill before the tensor is used; after
// that they must not change, as for [FromData]. Kernels in other packages
// use it to produce results: a small tensor's header and values are one
// allocation.
func Make(shape ...int) (*Tensor, []float64) {
	checkShape(shape)
	t := newOut(ownShape(shape))
	return t, t.data
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar(v float64) *Tensor {
	t := &Tensor{shape: []int{}}
	t.one[0] = v
	t.data = t.one[:]
	return t
}

// Vector returns a 1-dimensional tensor holding a copy of values.
func Vector(values ...float64) *Tensor { return New(values, len(values)) }

// Zeros returns a tensor of the given shape filled with 0.
func Zeros(shape ...int) *Tensor {
	checkShape(shape)
	return newOut(ownShape(shape))
}

// Ones returns a tensor of the given shape filled with 1.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor of the given shape filled with v.
func Full(v float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	if v != 0 {
		for i := range t.data {
			t.data[i] = v
		}
	}
	return t
}

// ZerosLike returns a zero tensor with the shape of t.
func ZerosLike(t *Tensor) *Tensor { return Zeros(t.shape...) }

// OnesLike returns a tensor of ones with the shape of t.
func OnesLike(t *Tensor) *Tensor { return Ones(t.shape...) }

// FullLike returns a tensor with the shape of t filled with v.
func FullLike(t *Tensor, v float64) *Tensor { return Full(v, t.shape...) }

// Arange returns the 1-dimensional tensor start, start+step, ... up to but
// excluding stop. It panics if step is zero.
func Arange(start, stop, step float64) *Tensor {
	if step == 0 {
		panic("tensor: Arange: step is zero")
	}
	n := int(math.Ceil((stop - start) / step))
	if n < 0 {
		n = 0
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = start + float64(i)*step
	}
	return FromData(d, n)
}

// Linspace returns n evenly spaced values from start to stop inclusive.
func Linspace(start, stop float64, n int) *Tensor {
	if n < 0 {
		panic(fmt.Sprintf("tensor: Linspace: negative count %d", n))
	}
	d := make([]float64, n)
	for i := range d {
		if n == 1 {
			d[i] = start
			break
		}
		d[i] = start + (stop-start)*float64(i)/float64(n-1)
	}
	return FromData(d, n)
}

// Eye returns the n×n identity matrix.
func Eye(n int) *Tensor {
	t := Zeros(n, n)
	for i := 0; i < n; i++ {
		t.data[i*n+i] = 1
	}
	return t
}

// RandN returns a tensor of standard normal draws from rng.
func RandN(rng *rand.Rand, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.data {
		t.data[i] = rng.NormFloat64()
	}
	return t
}

// RandU returns a tensor of uniform draws on [0, 1) from rng.
func RandU(rng *rand.Rand, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.data {
		t.data[i] = rng.Float64()
	}
	return t
}

// Shape returns the tensor's shape. The caller must not modify it.
func (t *Tensor) Shape() []int {
	if t.shape == nil {
		return []int{}
	}
	// Capacity equals length, so a caller's append never writes into a
	// backing array that other tensors may share.
	return t.shape[:len(t.shape):len(t.shape)]
}

// Dim returns the number of dimensions.
func (t *Tensor) Dim() int { return len(t.shape) }

// Len returns the number of elements.
func (t *Tensor) Len() int {
	if t.data == nil {
		return 1
	}
	return len(t.data)
}

// Data returns the tensor's values in row-major order. The caller must not
// modify them.
func (t *Tensor) Data() []float64 {
	if t.data == nil {
		return []float64{0} // the zero Tensor is the scalar 0
	}
	return t.data
}

// Item returns the value of a tensor with exactly one element.
func (t *Tensor) Item() float64 {
	if t.Len() != 1 {
		panic(fmt.Sprintf("tensor: Item of tensor with shape %v", t.shape))
	}
	return t.Data()[0]
}

// At returns the element at the given index, one entry per dimension.
func (t *Tensor) At(index ...int) float64 {
	if len(index) != len(t.shape) {
		panic(fmt.Sprintf("tensor: At: index %v for shape %v", index, t.shape))
	}
	off, stride := 0, 1
	for i := len(index) - 1; i >= 0; i-- {
		if index[i] < 0 || index[i] >= t.shape[i] {
			panic(fmt.Sprintf("tensor: At: index %v out of range for shape %v", index, t.shape))
		}
		off += index[i] * stride
		stride *= t.shape[i]
	}
	return t.Data()[off]
}

// Clone returns a copy of t's values with the same shape, detached from any graph.
func (t *Tensor) Clone() *Tensor { return New(t.Data(), t.Shape()...) }

// SetData overwrites the values of a leaf tensor in place, keeping its shape.
// Optimizers use it to update parameters. It panics if t is not a leaf or the
// length differs.
func (t *Tensor) SetData(values []float64) {
	if !t.IsLeaf() {
		panic("tensor: SetData on a non-leaf tensor")
	}
	if len(values) != t.Len() {
		panic(fmt.Sprintf("tensor: SetData: %d values for shape %v", len(values), t.shape))
	}
	copy(t.Data(), values)
	t.forgetFacts()
}

// String formats the tensor's values and shape.
func (t *Tensor) String() string {
	var b strings.Builder
	formatNested(&b, t.Data(), t.Shape())
	return b.String()
}

func formatNested(b *strings.Builder, data []float64, shape []int) {
	if len(shape) == 0 {
		fmt.Fprintf(b, "%g", data[0])
		return
	}
	b.WriteByte('[')
	inner := 1
	for _, s := range shape[1:] {
		inner *= s
	}
	for i := 0; i < shape[0]; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		formatNested(b, data[i*inner:(i+1)*inner], shape[1:])
	}
	b.WriteByte(']')
}

// checkShape returns the number of elements of shape, panicking if a size
// is negative.
func checkShape(shape []int) int {
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("tensor: negative size in shape %v", shape))
		}
	}
	return numel(shape)
}

// ownShape returns a shape equal to s for a new tensor to hold. Shapes are
// never modified once a tensor holds them, so the common one-dimensional
// shapes of up to smallDims elements come from a shared table instead of a
// fresh allocation.
func ownShape(s []int) []int {
	if len(s) == 1 && s[0] >= 0 && s[0] < smallDims {
		return oneDimShapes[s[0] : s[0]+1 : s[0]+1]
	}
	return cloneInts(s)
}

// smallDims bounds the one-dimensional shapes ownShape shares.
const smallDims = 1024

// oneDimShapes holds 0, 1, …, smallDims−1; the shape (n) is the one-element
// window at n. It is never written after it is built.
var oneDimShapes = func() []int {
	s := make([]int, smallDims)
	for i := range s {
		s[i] = i
	}
	return s
}()

func cloneInts(s []int) []int {
	c := make([]int, len(s))
	copy(c, s)
	return c
}
