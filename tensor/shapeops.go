package tensor

import (
	"fmt"
	"math"
	"slices"
)

// This file holds the operations that rearrange, slice, index and join
// tensors. Most of them see a tensor as outer × n × inner around one dim d:
// outer is the product of the sizes before d, n the size of d and inner the
// product of the sizes after it, so element (o, i, j) sits at
// (o*n + i)*inner + j.

// dimIndex turns a possibly negative dim into one in [0, nd), panicking with
// the operation's name and the shape when it is out of range.
func dimIndex(opName string, shape []int, d int) int {
	nd := len(shape)
	if d < -nd || d >= nd {
		panic(fmt.Sprintf("tensor: %s: dim %d out of range for shape %v", opName, d, shape))
	}
	if d < 0 {
		d += nd
	}
	return d
}

// splitAround returns the outer × n × inner view of shape around dim d.
func splitAround(shape []int, d int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, s := range shape[:d] {
		outer *= s
	}
	for _, s := range shape[d+1:] {
		inner *= s
	}
	return outer, shape[d], inner
}

// indexValue converts the float v into an index in [0, size), panicking if v
// is not an integer or lies out of range.
func indexValue(opName string, v float64, size int, shape []int) int {
	if v != math.Trunc(v) || v < 0 || v >= float64(size) {
		panic(fmt.Sprintf("tensor: %s: index %g out of range [0, %d) for shape %v", opName, v, size, shape))
	}
	return int(v)
}

// permuteValues returns the values of a tensor of the given shape with its
// dims reordered so that dim k of the result is dim perm[k] of the input.
func permuteValues(src []float64, shape, perm []int) []float64 {
	nd := len(shape)
	dst := make([]float64, len(src))
	if len(dst) == 0 {
		return dst
	}
	if nd == 0 {
		copy(dst, src)
		return dst
	}
	cs := contiguousStrides(shape)
	os := make([]int, nd) // output shape
	st := make([]int, nd) // input stride along each output dim
	for k, p := range perm {
		os[k], st[k] = shape[p], cs[p]
	}
	n, stride := os[nd-1], st[nd-1]
	idx := make([]int, nd-1)
	off := 0
	for o := 0; o < len(dst); o += n {
		row := dst[o : o+n]
		if stride == 1 {
			copy(row, src[off:off+n])
		} else {
			for i := range row {
				row[i] = src[off+i*stride]
			}
		}
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			off += st[d]
			if idx[d] < os[d] {
				break
			}
			off -= st[d] * os[d]
			idx[d] = 0
		}
	}
	return dst
}

// Transpose swaps dims d0 and d1 (negative dims count from the right).
func (a *Tensor) Transpose(d0, d1 int) *Tensor {
	shape := a.Shape()
	d0 = dimIndex("Transpose", shape, d0)
	d1 = dimIndex("Transpose", shape, d1)
	if d0 == d1 {
		return a
	}
	perm := make([]int, len(shape))
	for i := range perm {
		perm[i] = i
	}
	perm[d0], perm[d1] = d1, d0
	return a.permute("Transpose", perm)
}

// Permute reorders the dims so that dim k of the result is dim dims[k] of a.
// dims must be a permutation of a's dims; negative entries count from the right.
func (a *Tensor) Permute(dims ...int) *Tensor {
	shape := a.Shape()
	if len(dims) != len(shape) {
		panic(fmt.Sprintf("tensor: Permute: %v is not a permutation of the dims of shape %v", dims, shape))
	}
	perm := make([]int, len(dims))
	seen := make([]bool, len(dims))
	for k, d := range dims {
		d = dimIndex("Permute", shape, d)
		if seen[d] {
			panic(fmt.Sprintf("tensor: Permute: %v is not a permutation of the dims of shape %v", dims, shape))
		}
		seen[d] = true
		perm[k] = d
	}
	return a.permute("Permute", perm)
}

// permute is Permute with a checked, non-negative permutation.
func (a *Tensor) permute(opName string, perm []int) *Tensor {
	shape := a.Shape()
	identity := true
	for k, p := range perm {
		identity = identity && k == p
	}
	if identity {
		return a
	}
	os := make([]int, len(perm))
	inv := make([]int, len(perm))
	for k, p := range perm {
		os[k] = shape[p]
		inv[p] = k
	}
	out := wrap(permuteValues(a.Data(), shape, perm), os)
	return record(out, opName, func(out, g *Tensor, gin []*Tensor) {
		gin[0] = wrap(permuteValues(g.Data(), os, inv), shape)
	}, a)
}

// Unsqueeze inserts a dim of size 1 at position dim, which may range over
// -(n+1) .. n for a tensor with n dims (-1 appends a trailing dim).
func (a *Tensor) Unsqueeze(dim int) *Tensor {
	shape := a.Shape()
	nd := len(shape)
	if dim < -(nd+1) || dim > nd {
		panic(fmt.Sprintf("tensor: Unsqueeze: dim %d out of range for shape %v", dim, shape))
	}
	if dim < 0 {
		dim += nd + 1
	}
	ns := make([]int, 0, nd+1)
	ns = append(ns, shape[:dim]...)
	ns = append(ns, 1)
	ns = append(ns, shape[dim:]...)
	return a.view("Unsqueeze", ns)
}

// Squeeze removes the given dims where they have size 1; as in PyTorch, a
// named dim of another size is kept. With no dims it removes every dim of
// size 1.
func (a *Tensor) Squeeze(dims ...int) *Tensor {
	shape := a.Shape()
	drop := make([]bool, len(shape))
	if len(dims) == 0 {
		for i, s := range shape {
			drop[i] = s == 1
		}
	}
	for _, d := range dims {
		d = dimIndex("Squeeze", shape, d)
		drop[d] = shape[d] == 1
	}
	ns := make([]int, 0, len(shape))
	for i, s := range shape {
		if !drop[i] {
			ns = append(ns, s)
		}
	}
	if len(ns) == len(shape) {
		return a
	}
	return a.view("Squeeze", ns)
}

// Flatten returns a's values as a 1-dimensional tensor; a 0-dimensional
// tensor becomes a vector of length 1.
func (a *Tensor) Flatten() *Tensor {
	if a.Dim() == 1 {
		return a
	}
	return a.view("Flatten", []int{a.Len()})
}

// Narrow returns the slice of a with indices start .. start+length-1 along
// dim; a negative start counts from the end of the dim.
func (a *Tensor) Narrow(dim, start, length int) *Tensor {
	shape := a.Shape()
	d := dimIndex("Narrow", shape, dim)
	if start < 0 {
		start += shape[d]
	}
	if start < 0 || length < 0 || start+length > shape[d] {
		panic(fmt.Sprintf("tensor: Narrow: start %d, length %d out of range for dim %d of shape %v", start, length, dim, shape))
	}
	ns := cloneInts(shape)
	ns[d] = length
	return a.slice("Narrow", d, start, length, ns)
}

// Select returns the slice of a at index i along dim, which is removed; a
// negative i counts from the end of the dim.
func (a *Tensor) Select(dim, i int) *Tensor {
	shape := a.Shape()
	d := dimIndex("Select", shape, dim)
	if i < 0 {
		i += shape[d]
	}
	if i < 0 || i >= shape[d] {
		panic(fmt.Sprintf("tensor: Select: index %d out of range for dim %d of shape %v", i, dim, shape))
	}
	ns := make([]int, 0, len(shape)-1)
	ns = append(ns, shape[:d]...)
	ns = append(ns, shape[d+1:]...)
	return a.slice("Select", d, i, 1, ns)
}

// slice copies indices start .. start+length-1 along dim d of a into a new
// tensor of shape outShape; its gradient pads the incoming one with zeros.
func (a *Tensor) slice(opName string, d, start, length int, outShape []int) *Tensor {
	shape := a.Shape()
	outer, n, inner := splitAround(shape, d)
	if start == 0 && length == n {
		if slices.Equal(outShape, shape) {
			return a
		}
		return a.view(opName, outShape)
	}
	ad := a.Data()
	blk := length * inner
	dst := make([]float64, outer*blk)
	for o := 0; o < outer; o++ {
		s := (o*n + start) * inner
		copy(dst[o*blk:(o+1)*blk], ad[s:s+blk])
	}
	out := wrap(dst, outShape)
	return record(out, opName, func(out, g *Tensor, gin []*Tensor) {
		gd := g.Data()
		res := make([]float64, len(ad))
		for o := 0; o < outer; o++ {
			s := (o*n + start) * inner
			copy(res[s:s+blk], gd[o*blk:(o+1)*blk])
		}
		gin[0] = wrap(res, shape)
	}, a)
}

// indexValues returns the values of a 0- or 1-dimensional index tensor
// after checking that each is an integer in [0, size), so that callers may
// convert them with int(v).
func indexValues(opName string, idx *Tensor, size int, shape []int) []float64 {
	if idx.Dim() > 1 {
		panic(fmt.Sprintf("tensor: %s: index shape %v is not 1-dimensional (input shape %v)", opName, idx.Shape(), shape))
	}
	iv := idx.Data()
	for _, v := range iv {
		// int(v) round-trips exactly for integral v in range; fractions,
		// NaN and values beyond the int range do not.
		if i := int(v); float64(i) != v || i < 0 || i >= size {
			indexValue(opName, v, size, shape) // panics with the message
		}
	}
	return iv
}

// IndexSelect returns the entries of a at the indices idx along dim, in the
// order of idx; idx is a 1-dimensional tensor of integer values, which may
// repeat. The result has len(idx) entries along dim. The gradient adds each
// output slice back into the slice it came from, so repeated indices
// accumulate.
func (a *Tensor) IndexSelect(dim int, idx *Tensor) *Tensor {
	shape := a.Shape()
	d := dimIndex("IndexSelect", shape, dim)
	outer, n, inner := splitAround(shape, d)
	ix := indexValues("IndexSelect", idx, n, shape) // integers in [0, n)
	m := len(ix)
	ns := cloneInts(shape)
	ns[d] = m
	ad := a.Data()
	dst := make([]float64, outer*m*inner)
	for o := 0; o < outer; o++ {
		if inner == 1 { // picking single values: no per-element slicing
			row, src := dst[o*m:(o+1)*m], ad[o*n:(o+1)*n]
			for k, v := range ix {
				row[k] = src[int(v)]
			}
			continue
		}
		for k, v := range ix {
			s := (o*n + int(v)) * inner
			copy(dst[(o*m+k)*inner:(o*m+k+1)*inner], ad[s:s+inner])
		}
	}
	out := wrap(dst, ns)
	return record(out, "IndexSelect", func(out, g *Tensor, gin []*Tensor) {
		gd := g.Data()
		res := make([]float64, len(ad))
		for o := 0; o < outer; o++ {
			if inner == 1 {
				row, src := res[o*n:(o+1)*n], gd[o*m:(o+1)*m]
				for k, v := range ix {
					row[int(v)] += src[k]
				}
				continue
			}
			for k, v := range ix {
				i := int(v)
				r := res[(o*n+i)*inner : (o*n+i+1)*inner]
				src := gd[(o*m+k)*inner : (o*m+k+1)*inner]
				for j, v := range src {
					r[j] += v
				}
			}
		}
		gin[0] = wrap(res, shape)
	}, a)
}

// Gather picks values of a along dim as PyTorch's gather does: for a 3-d
// tensor and dim 1, out[i][j][k] = a[i][idx[i][j][k]][k]. idx holds integer
// values, has as many dims as a and no larger size than a along the other
// dims; the result has idx's shape. The gradient adds each output value back
// into the element it came from.
func (a *Tensor) Gather(dim int, idx *Tensor) *Tensor {
	shape, is := a.Shape(), idx.Shape()
	d := dimIndex("Gather", shape, dim)
	nd := len(shape)
	if len(is) != nd {
		panic(fmt.Sprintf("tensor: Gather: index shape %v and input shape %v differ in number of dims", is, shape))
	}
	for k := range is {
		if k != d && is[k] > shape[k] {
			panic(fmt.Sprintf("tensor: Gather: index shape %v exceeds input shape %v outside dim %d", is, shape, dim))
		}
	}
	st := contiguousStrides(shape)
	iv := idx.Data()
	offs := make([]int, len(iv)) // input offset of each output element
	coord := make([]int, nd)
	base := 0 // offset of coord in a, ignoring dim d
	for p, v := range iv {
		offs[p] = base + indexValue("Gather", v, shape[d], shape)*st[d]
		for k := nd - 1; k >= 0; k-- {
			coord[k]++
			if k != d {
				base += st[k]
			}
			if coord[k] < is[k] {
				break
			}
			if k != d {
				base -= st[k] * is[k]
			}
			coord[k] = 0
		}
	}
	ad := a.Data()
	dst := make([]float64, len(offs))
	for p, o := range offs {
		dst[p] = ad[o]
	}
	out := wrap(dst, is)
	return record(out, "Gather", func(out, g *Tensor, gin []*Tensor) {
		gd := g.Data()
		res := make([]float64, len(ad))
		for p, o := range offs {
			res[o] += gd[p]
		}
		gin[0] = wrap(res, shape)
	}, a)
}

// Cat joins tensors along dim. They must have the same number of dims (at
// least one) and the same sizes except along dim; negative dims count from
// the right. The gradient is split back into the pieces.
func Cat(dim int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Cat: no tensors")
	}
	first := ts[0].Shape()
	if len(first) == 0 {
		panic("tensor: Cat: cannot join 0-dimensional tensors (shape [])")
	}
	d := dimIndex("Cat", first, dim)
	shape := cloneInts(first)
	shape[d] = 0
	for _, t := range ts {
		s := t.Shape()
		ok := len(s) == len(first)
		for k := 0; ok && k < len(s); k++ {
			ok = k == d || s[k] == first[k]
		}
		if !ok {
			panic(fmt.Sprintf("tensor: Cat: shapes %v and %v do not join along dim %d", first, s, dim))
		}
		shape[d] += s[d]
	}
	outer, _, inner := splitAround(first, d)
	blocks := make([]int, len(ts))
	for k, t := range ts {
		blocks[k] = t.Shape()[d] * inner
	}
	return joinBlocks("Cat", ts, outer, blocks, shape)
}

// Stack joins tensors of one shape along a new dim inserted at position dim,
// which may range over -(n+1) .. n for n-dimensional tensors. The gradient
// is split back into the pieces.
func Stack(dim int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Stack: no tensors")
	}
	first := ts[0].Shape()
	nd := len(first)
	for _, t := range ts {
		if !slices.Equal(t.Shape(), first) {
			panic(fmt.Sprintf("tensor: Stack: shapes %v and %v differ", first, t.Shape()))
		}
	}
	if dim < -(nd+1) || dim > nd {
		panic(fmt.Sprintf("tensor: Stack: dim %d out of range for shape %v", dim, first))
	}
	if dim < 0 {
		dim += nd + 1
	}
	shape := make([]int, 0, nd+1)
	shape = append(shape, first[:dim]...)
	shape = append(shape, len(ts))
	shape = append(shape, first[dim:]...)
	outer := numel(first[:dim])
	blocks := make([]int, len(ts))
	for k := range blocks {
		blocks[k] = numel(first[dim:])
	}
	return joinBlocks("Stack", ts, outer, blocks, shape)
}

// joinBlocks lays out the tensors ts one after another within each of outer
// rounds, tensor k contributing blocks[k] consecutive values per round, into
// a new tensor of the given shape.
func joinBlocks(opName string, ts []*Tensor, outer int, blocks []int, shape []int) *Tensor {
	row := 0
	for _, b := range blocks {
		row += b
	}
	dst := make([]float64, outer*row)
	at := 0
	for k, t := range ts {
		td, b := t.Data(), blocks[k]
		for o := 0; o < outer; o++ {
			copy(dst[o*row+at:o*row+at+b], td[o*b:(o+1)*b])
		}
		at += b
	}
	return record(wrap(dst, shape), opName, func(out, g *Tensor, gin []*Tensor) {
		gd := g.Data()
		at := 0
		for k, t := range out.node.inputs() {
			b := blocks[k]
			if t.requiresGrad {
				r := make([]float64, outer*b)
				for o := 0; o < outer; o++ {
					copy(r[o*b:(o+1)*b], gd[o*row+at:o*row+at+b])
				}
				gin[k] = wrap(r, t.Shape())
			}
			at += b
		}
	}, ts...)
}

// OneHot returns a tensor of idx's shape with a trailing dim of size n
// appended, holding 1 at the position each integer value of idx names and 0
// elsewhere. It records no gradient.
func OneHot(idx *Tensor, n int) *Tensor {
	if n < 0 {
		panic(fmt.Sprintf("tensor: OneHot: negative class count %d for index shape %v", n, idx.Shape()))
	}
	iv := idx.Data()
	dst := make([]float64, len(iv)*n)
	for p, v := range iv {
		dst[p*n+indexValue("OneHot", v, n, idx.Shape())] = 1
	}
	shape := append(cloneInts(idx.Shape()), n)
	return wrap(dst, shape)
}
