package tensor

import (
	"fmt"
	"slices"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// Sum returns the sum of all elements as a scalar. For a 0-dimensional
// tensor made by an operation that is the tensor itself: values never
// change, so no node is recorded.
func (a *Tensor) Sum() *Tensor {
	if len(a.shape) == 0 && !a.IsLeaf() {
		return a
	}
	return record(Scalar(vecmath.Sum(a.Data())), "Sum", sumBackward, a)
}

func sumBackward(out, g *Tensor, gin []*Tensor) {
	res := newOut(out.node.in[0].shape)
	v := g.Item()
	for i := range res.data {
		res.data[i] = v
	}
	gin[0] = Handoff(res)
}

// MulSum returns the sum of the elementwise product of a and b, a scalar:
// a.Mul(b).Sum(), with the same gradients. For operands of one shape it is
// a single pass that stores neither the product nor, backward, the sum's
// expanded gradient; other shapes broadcast as in Mul.
func (a *Tensor) MulSum(b *Tensor) *Tensor {
	if !slices.Equal(a.Shape(), b.Shape()) {
		return a.Mul(b).Sum()
	}
	return record(Scalar(vecmath.Dot(a.Data(), b.Data())), "MulSum", mulSumBackward, a, b)
}

func mulSumBackward(out, g *Tensor, gin []*Tensor) {
	a, b := out.node.in[0], out.node.in[1]
	k := g.Item()
	if a.requiresGrad {
		gin[0] = Handoff(scaled(b, k))
	}
	if b.requiresGrad {
		gin[1] = Handoff(scaled(a, k))
	}
}

// SumTo sums a over the dims along which shape was broadcast to reach a's
// shape, returning a tensor of shape. It is the gradient of broadcasting and
// panics if shape does not broadcast to a's shape.
func (a *Tensor) SumTo(shape []int) *Tensor {
	if slices.Equal(a.Shape(), shape) {
		return a
	}
	if b, ok := BroadcastShapes(shape, a.Shape()); !ok || !slices.Equal(b, a.Shape()) {
		panic(fmt.Sprintf("tensor: SumTo: shape %v does not broadcast to %v", shape, a.Shape()))
	}
	return record(reduceTo(a, shape), "SumTo", sumToBackward, a)
}

func sumToBackward(out, g *Tensor, gin []*Tensor) {
	gin[0] = g.Expand(out.node.in[0].shape...)
}

// reduceTo sums a's values into a new tensor of shape (which broadcasts to a).
func reduceTo(a *Tensor, shape []int) *Tensor {
	ad := a.Data()
	if numel(shape) == 1 {
		out := newOut(ownShape(shape))
		out.data[0] = vecmath.Sum(ad)
		return out
	}
	dst := make([]float64, numel(shape))
	it := newIter2(a.Shape(), a.Shape(), shape)
	if rows, k, ok := it.shortRows(); ok {
		// short rows, summed in the order of the general walk below
		s0, s1 := it.sb[0], it.sb[1]
		for r := range rows {
			src := ad[r*k : (r+1)*k]
			if s1 == 0 {
				dst[r*s0] += vecmath.Sum(src)
				continue
			}
			for j, v := range src {
				dst[r*s0+j*s1] += v
			}
		}
		return FromData(dst, shape...)
	}
	it.rows(func(o, ia, ib, n, da, db int) {
		src := ad[ia : ia+n]
		if db == 0 {
			dst[ib] += vecmath.Sum(src)
			return
		}
		d := dst[ib : ib+n]
		for i, v := range src {
			d[i] += v
		}
	})
	return FromData(dst, shape...)
}

// normDims turns possibly negative dims into sorted, distinct non-negative ones.
func normDims(opName string, nd int, dims []int) []int {
	out := make([]int, 0, len(dims))
	for _, d := range dims {
		if d < -nd || d >= nd {
			panic(fmt.Sprintf("tensor: %s: dim %d out of range for %d dims", opName, d, nd))
		}
		if d < 0 {
			d += nd
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// keptShape returns shape with the given dims set to 1.
func keptShape(shape, dims []int) []int {
	k := cloneInts(shape)
	for _, d := range dims {
		k[d] = 1
	}
	return k
}

// droppedShape returns shape without the given (sorted) dims.
func droppedShape(shape, dims []int) []int {
	out := make([]int, 0, len(shape))
	for i, s := range shape {
		if !slices.Contains(dims, i) {
			out = append(out, s)
		}
	}
	return out
}

// SumDims sums over the given dims (negative dims count from the right).
// With keepdim the reduced dims stay with size 1.
func (a *Tensor) SumDims(keepdim bool, dims ...int) *Tensor {
	ds := normDims("SumDims", a.Dim(), dims)
	if !keepdim && len(ds) == a.Dim() && a.Dim() > 0 { // every dim: one node
		return a.Sum()
	}
	s := a.SumTo(keptShape(a.Shape(), ds))
	if keepdim {
		return s
	}
	return s.Reshape(droppedShape(a.Shape(), ds)...)
}

// Mean returns the mean of all elements as a scalar.
func (a *Tensor) Mean() *Tensor { return a.Sum().MulScalar(1 / float64(a.Len())) }

// MeanDims averages over the given dims, keeping them with size 1 if keepdim.
func (a *Tensor) MeanDims(keepdim bool, dims ...int) *Tensor {
	ds := normDims("MeanDims", a.Dim(), dims)
	n := 1
	for _, d := range ds {
		n *= a.shape[d]
	}
	return a.SumDims(keepdim, ds...).MulScalar(1 / float64(n))
}
