package tensor

import (
	"fmt"
	"slices"
)

// Reshape returns a tensor with the same values in a new shape. One entry may
// be -1 and is inferred. The values are shared, not copied.
func (a *Tensor) Reshape(shape ...int) *Tensor {
	shape = cloneInts(shape)
	infer, n := -1, 1
	for i, s := range shape {
		if s == -1 {
			if infer >= 0 {
				panic(fmt.Sprintf("tensor: Reshape: more than one -1 in %v", shape))
			}
			infer = i
			continue
		}
		if s < 0 {
			panic(fmt.Sprintf("tensor: Reshape: negative size in %v", shape))
		}
		n *= s
	}
	if infer >= 0 {
		if n == 0 || a.Len()%n != 0 {
			panic(fmt.Sprintf("tensor: Reshape: cannot reshape %v into %v", a.Shape(), shape))
		}
		shape[infer] = a.Len() / n
		n *= shape[infer]
	}
	if n != a.Len() {
		panic(fmt.Sprintf("tensor: Reshape: cannot reshape %v into %v", a.Shape(), shape))
	}
	return a.view("Reshape", shape)
}

// view returns a tensor sharing a's values with shape, which holds as many
// elements and is owned by the result (or shared with another tensor). The
// operation is recorded under opName; its gradient is the incoming gradient
// viewed in a's shape.
func (a *Tensor) view(opName string, shape []int) *Tensor {
	return record(&Tensor{data: a.Data(), shape: shape}, opName, reshapeBackward, a)
}

func reshapeBackward(out, g *Tensor, gin []*Tensor) {
	gin[0] = g.view(out.node.name, out.node.in[0].shape)
}

// Expand broadcasts a to shape, copying values along broadcast dims. It
// panics if a's shape does not broadcast to shape.
func (a *Tensor) Expand(shape ...int) *Tensor {
	if slices.Equal(a.Shape(), shape) {
		return a
	}
	if b, ok := BroadcastShapes(a.Shape(), shape); !ok || !slices.Equal(b, shape) {
		panic(fmt.Sprintf("tensor: Expand: shape %v does not broadcast to %v", a.Shape(), shape))
	}
	out := make([]float64, numel(shape))
	ad := a.Data()
	if len(ad) == 1 {
		v := ad[0]
		for i := range out {
			out[i] = v
		}
	} else if len(out) > 0 {
		it := newIter2(shape, shape, a.Shape())
		if rows, k, ok := it.shortRows(); ok {
			gather(out, ad, it.sb[0], it.sb[1], k, 0, rows)
			return record(wrap(out, ownShape(shape)), "Expand", expandBackward, a)
		}
		it.rows(func(o, _, ib, n, _, db int) {
			d := out[o : o+n]
			if db == 0 {
				v := ad[ib]
				for i := range d {
					d[i] = v
				}
				return
			}
			copy(d, ad[ib:ib+n])
		})
	}
	return record(wrap(out, ownShape(shape)), "Expand", expandBackward, a)
}

func expandBackward(out, g *Tensor, gin []*Tensor) {
	gin[0] = g.SumTo(out.node.in[0].shape)
}
