package tensor

import (
	"fmt"
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// This file holds reductions beyond Sum and Mean (extremes, products,
// log-sum-exp), scans along one dim (cumulative sums and products) and the
// normalizations built on them (softmax and log-softmax).
//
// Every kernel works on an outer × n × inner layout (see shapeops.go): the n
// values reduced into one output sit inner apart. Reducing the last dims
// gives inner == 1 and plain row loops; reducing leading or middle dims
// gives inner > 1 and loops that run along contiguous rows of length inner.
// A reduction over dims that are not adjacent first copies the input with
// the reduced dims moved last.

// reducePlan describes a reduction of a tensor of shape over dims as an
// outer × n × inner loop.
type reducePlan struct {
	shape, dims     []int
	all             bool  // every dim is reduced and the result is 0-dimensional
	perm, permShape []int // when non-nil, the input is permuted first so the reduced dims come last
	outer, n, inner int
}

// planReduce builds the plan for reducing shape over dims, which must be
// sorted, distinct and non-negative.
func planReduce(shape, dims []int) reducePlan {
	p := reducePlan{shape: shape, dims: dims}
	if len(dims) == 0 {
		p.outer, p.n, p.inner = numel(shape), 1, 1
		return p
	}
	lo, hi := dims[0], dims[len(dims)-1]
	adjacent := true
	for d, k := lo, 0; d <= hi; d++ {
		if k < len(dims) && dims[k] == d {
			k++
			continue
		}
		adjacent = adjacent && shape[d] == 1 // a size-1 gap does not break adjacency
	}
	if adjacent {
		p.outer, p.n, p.inner = numel(shape[:lo]), numel(shape[lo:hi+1]), numel(shape[hi+1:])
		return p
	}
	p.perm = make([]int, 0, len(shape))
	for d := range shape {
		if !slices.Contains(dims, d) {
			p.perm = append(p.perm, d)
		}
	}
	p.perm = append(p.perm, dims...)
	p.permShape = make([]int, len(shape))
	for k, d := range p.perm {
		p.permShape[k] = shape[d]
	}
	p.outer = numel(p.permShape[:len(shape)-len(dims)])
	p.n, p.inner = numel(p.permShape[len(shape)-len(dims):]), 1
	return p
}

// planAll is the plan that reduces every element of shape into one.
func planAll(shape []int) reducePlan {
	return reducePlan{shape: shape, all: true, outer: 1, n: numel(shape), inner: 1}
}

// planDims normalizes dims and plans the reduction over them.
func planDims(opName string, shape, dims []int) reducePlan {
	return planReduce(shape, normDims(opName, len(shape), dims))
}

// arrange returns data, of the plan's input shape, in the plan's layout.
func (p *reducePlan) arrange(data []float64) []float64 {
	if p.perm == nil {
		return data
	}
	return permuteValues(data, p.shape, p.perm)
}

// restore maps data in the plan's layout back to the input shape's layout.
func (p *reducePlan) restore(data []float64) []float64 {
	if p.perm == nil {
		return data
	}
	inv := make([]int, len(p.perm))
	for k, d := range p.perm {
		inv[d] = k
	}
	return permuteValues(data, p.permShape, inv)
}

// outShape is the result shape: reduced dims kept with size 1 or dropped.
// A plan from planAll always gives a 0-dimensional result.
func (p *reducePlan) outShape(keepdim bool) []int {
	if p.all {
		return []int{}
	}
	if keepdim {
		return keptShape(p.shape, p.dims)
	}
	return droppedShape(p.shape, p.dims)
}

// splitDim is splitAround for a dim given by the user; a 0-dimensional
// tensor accepts dim 0 or -1 and is treated as holding one element, as in
// PyTorch.
func splitDim(opName string, shape []int, dim int) (outer, n, inner int) {
	if len(shape) == 0 {
		if dim != 0 && dim != -1 {
			panic(fmt.Sprintf("tensor: %s: dim %d out of range for shape %v", opName, dim, shape))
		}
		return 1, 1, 1
	}
	return splitAround(shape, dimIndex(opName, shape, dim))
}

// ---- extremes ----

// extremeRows writes into dst the maximum (sign 1) or minimum (sign -1) of
// each group of n values of src; NaN wins over every other value.
func extremeRows(dst, src []float64, outer, n, inner int, sign float64) {
	if inner == 1 {
		for o := range dst {
			if row := src[o*n : (o+1)*n]; sign > 0 {
				dst[o] = rowMax(row)
			} else {
				dst[o] = rowMin(row)
			}
		}
		return
	}
	for o := 0; o < outer; o++ {
		acc := dst[o*inner : (o+1)*inner]
		copy(acc, src[o*n*inner:(o*n+1)*inner])
		for i := 1; i < n; i++ {
			row := src[(o*n+i)*inner : (o*n+i+1)*inner]
			if sign > 0 {
				for j, v := range row {
					if v > acc[j] || v != v {
						acc[j] = v
					}
				}
			} else {
				for j, v := range row {
					if v < acc[j] || v != v {
						acc[j] = v
					}
				}
			}
		}
	}
}

// rowMax returns the largest value of a non-empty row; NaN wins.
func rowMax(row []float64) float64 {
	m := row[0]
	for _, v := range row[1:] {
		if v > m || v != v {
			m = v
			if v != v {
				break
			}
		}
	}
	return m
}

// rowMin returns the smallest value of a non-empty row; NaN wins.
func rowMin(row []float64) float64 {
	m := row[0]
	for _, v := range row[1:] {
		if v < m || v != v {
			m = v
			if v != v {
				break
			}
		}
	}
	return m
}

// isExtreme reports whether v is the extreme value m (NaN matches NaN).
func isExtreme(v, m float64) bool { return v == m || (m != m && v != v) }

// tieCounts returns, for each output, how many of its n inputs equal ext.
func tieCounts(src, ext []float64, outer, n, inner int) []float64 {
	cnt := make([]float64, len(ext))
	for o := 0; o < outer; o++ {
		c := cnt[o*inner : (o+1)*inner]
		m := ext[o*inner : (o+1)*inner]
		for i := 0; i < n; i++ {
			row := src[(o*n+i)*inner : (o*n+i+1)*inner]
			for j, v := range row {
				if isExtreme(v, m[j]) {
					c[j]++
				}
			}
		}
	}
	return cnt
}

// extremeGrad sends each output's gradient to the inputs equal to the
// extreme, split evenly among ties.
func extremeGrad(src, ext, g []float64, outer, n, inner int) []float64 {
	cnt := tieCounts(src, ext, outer, n, inner)
	res := make([]float64, len(src))
	for o := 0; o < outer; o++ {
		for i := 0; i < n; i++ {
			off := (o*n + i) * inner
			row, r := src[off:off+inner], res[off:off+inner]
			for j, v := range row {
				if k := o*inner + j; isExtreme(v, ext[k]) {
					r[j] = g[k] / cnt[k]
				}
			}
		}
	}
	return res
}

// extreme reduces a by the plan to its maxima (sign 1) or minima (sign -1).
func (a *Tensor) extreme(opName string, sign float64, p reducePlan, keepdim bool) *Tensor {
	if p.n == 0 {
		panic(fmt.Sprintf("tensor: %s: reducing over no elements in shape %v", opName, a.Shape()))
	}
	src := p.arrange(a.Data())
	dst := make([]float64, p.outer*p.inner)
	if len(dst) > 0 {
		extremeRows(dst, src, p.outer, p.n, p.inner, sign)
	}
	out := wrap(dst, p.outShape(keepdim))
	return record(out, opName, func(out, g *Tensor, gin []*Tensor) {
		res := extremeGrad(src, out.Data(), g.Data(), p.outer, p.n, p.inner)
		gin[0] = wrap(p.restore(res), a.Shape())
	}, a)
}

// Max returns the largest element of a as a 0-dimensional tensor; NaN
// propagates. Its gradient goes to the element holding the maximum, split
// evenly among ties. It panics on an empty tensor.
func (a *Tensor) Max() *Tensor { return a.extreme("Max", 1, planAll(a.Shape()), false) }

// Min returns the smallest element of a as a 0-dimensional tensor; NaN
// propagates. Its gradient goes to the element holding the minimum, split
// evenly among ties. It panics on an empty tensor.
func (a *Tensor) Min() *Tensor { return a.extreme("Min", -1, planAll(a.Shape()), false) }

// MaxDims returns the maxima of a over dims (negative dims count from the
// right), keeping them with size 1 if keepdim; NaN propagates. The gradient of
// each maximum goes to the elements equal to it, split evenly among ties, as
// PyTorch's amax does.
func (a *Tensor) MaxDims(keepdim bool, dims ...int) *Tensor {
	return a.extreme("MaxDims", 1, planDims("MaxDims", a.Shape(), dims), keepdim)
}

// MinDims returns the minima of a over dims (negative dims count from the
// right), keeping them with size 1 if keepdim; NaN propagates. The gradient of
// each minimum goes to the elements equal to it, split evenly among ties.
func (a *Tensor) MinDims(keepdim bool, dims ...int) *Tensor {
	return a.extreme("MinDims", -1, planDims("MinDims", a.Shape(), dims), keepdim)
}

// ---- products ----

// prodRows writes into dst the product of each group of n values of src.
func prodRows(dst, src []float64, outer, n, inner int) {
	if inner == 1 {
		for o := range dst {
			s := 1.0
			for _, v := range src[o*n : (o+1)*n] {
				s *= v
			}
			dst[o] = s
		}
		return
	}
	for i := range dst {
		dst[i] = 1
	}
	for o := 0; o < outer; o++ {
		acc := dst[o*inner : (o+1)*inner]
		for i := 0; i < n; i++ {
			row := src[(o*n+i)*inner : (o*n+i+1)*inner]
			for j, v := range row {
				acc[j] *= v
			}
		}
	}
}

// prodGrad returns the gradient of the products: input i of a group gets
// g times the product of the other inputs, formed from prefix and suffix
// products so that zeros need no special case.
func prodGrad(src, g []float64, outer, n, inner int) []float64 {
	res := make([]float64, len(src))
	run := make([]float64, inner)
	for o := 0; o < outer; o++ {
		for j := range run {
			run[j] = 1
		}
		for i := 0; i < n; i++ { // res = product of the values before i
			off := (o*n + i) * inner
			r, row := res[off:off+inner], src[off:off+inner]
			for j, v := range row {
				r[j] = run[j]
				run[j] *= v
			}
		}
		copy(run, g[o*inner:(o+1)*inner])
		for i := n - 1; i >= 0; i-- { // times g and the product of the values after i
			off := (o*n + i) * inner
			r, row := res[off:off+inner], src[off:off+inner]
			for j, v := range row {
				r[j] *= run[j]
				run[j] *= v
			}
		}
	}
	return res
}

func (a *Tensor) prod(opName string, p reducePlan, keepdim bool) *Tensor {
	src := p.arrange(a.Data())
	dst := make([]float64, p.outer*p.inner)
	prodRows(dst, src, p.outer, p.n, p.inner)
	out := wrap(dst, p.outShape(keepdim))
	return record(out, opName, func(out, g *Tensor, gin []*Tensor) {
		res := prodGrad(src, g.Data(), p.outer, p.n, p.inner)
		gin[0] = wrap(p.restore(res), a.Shape())
	}, a)
}

// Prod returns the product of all elements of a as a 0-dimensional tensor.
// Its gradient is exact when some elements are zero.
func (a *Tensor) Prod() *Tensor { return a.prod("Prod", planAll(a.Shape()), false) }

// ProdDims returns the products of a over dims (negative dims count from the
// right), keeping them with size 1 if keepdim. Its gradient is exact when
// some elements are zero.
func (a *Tensor) ProdDims(keepdim bool, dims ...int) *Tensor {
	return a.prod("ProdDims", planDims("ProdDims", a.Shape(), dims), keepdim)
}

// ---- log-sum-exp ----

// lseRows writes into dst log Σ exp of each group of n values of src,
// shifting by the group's maximum. A group whose maximum is ±Inf gives that
// maximum, and an empty group gives -Inf.
func lseRows(dst, src []float64, outer, n, inner int) {
	if n == 0 {
		for i := range dst {
			dst[i] = math.Inf(-1)
		}
		return
	}
	extremeRows(dst, src, outer, n, inner, 1)
	if inner == 1 { // rows: one exponential and one logarithm pass over all
		e := make([]float64, len(src))
		expMinusRows(e, src, dst, n)
		sums := make([]float64, outer)
		for o := range sums {
			sums[o] = vecmath.Sum(e[o*n : (o+1)*n])
		}
		vecmath.Log(sums, sums)
		for o, m := range dst {
			if !math.IsInf(m, 0) {
				dst[o] = m + sums[o]
			}
		}
		return
	}
	sum, e := make([]float64, inner), make([]float64, n*inner)
	for o := 0; o < outer; o++ {
		m := dst[o*inner : (o+1)*inner]
		clear(sum)
		expMinusCols(e, src[o*n*inner:(o+1)*n*inner], m)
		for i := 0; i < n; i++ {
			for j, v := range e[i*inner : (i+1)*inner] {
				sum[j] += v
			}
		}
		for j, s := range sum {
			if !math.IsInf(m[j], 0) {
				m[j] += math.Log(s)
			}
		}
	}
}

// expMinusRows stores e^(x[i]−m[o]) in dst[i] for each row o of n elements
// of x, all rows through one call of the vectorized exponential (rows may
// be shorter than its vectors).
func expMinusRows(dst, x, m []float64, n int) {
	dst = dst[:len(x)]
	for o, mo := range m {
		xr, dr := x[o*n:(o+1)*n], dst[o*n:(o+1)*n]
		for i, v := range xr {
			dr[i] = v - mo
		}
	}
	vecmath.Exp(dst, dst)
}

// expMinusCols stores e^(x[i·w+j]−m[j]) in dst[i·w+j] for the rows of w =
// len(m) values of x, all through one call of the vectorized exponential
// (rows may be shorter than its vectors).
func expMinusCols(dst, x, m []float64) {
	w := len(m)
	dst = dst[:len(x)]
	for i := 0; i < len(x); i += w {
		xr, dr := x[i:i+w], dst[i:i+w]
		for j, v := range xr {
			dr[j] = v - m[j]
		}
	}
	vecmath.Exp(dst, dst)
}

// lseGrad returns the gradient of log-sum-exp: g times the softmax weights
// exp(x - y). A group whose result is -Inf gets no gradient, and one whose
// result is +Inf sends it to its +Inf inputs, split evenly (the limit of the
// softmax weights).
func lseGrad(src, y, g []float64, outer, n, inner int) []float64 {
	res := make([]float64, len(src))
	var cnt []float64
	for _, v := range y {
		if math.IsInf(v, 1) {
			cnt = tieCounts(src, y, outer, n, inner)
			break
		}
	}
	if inner == 1 { // rows: g·e^(x−y), one exponential pass over all of them
		expMinusRows(res, src, y, n)
		for o, gv := range g {
			r := res[o*n : (o+1)*n]
			for i := range r {
				r[i] *= gv
			}
		}
	}
	for o := 0; o < outer; o++ {
		ys, gs := y[o*inner:(o+1)*inner], g[o*inner:(o+1)*inner]
		block, r := src[o*n*inner:(o+1)*n*inner], res[o*n*inner:(o+1)*n*inner]
		finite := !slices.ContainsFunc(ys, func(v float64) bool { return math.IsInf(v, 0) })
		switch {
		case finite && inner == 1: // formed above
			continue
		case finite: // g·e^(x−y) through the vectorized exponential
			expMinusCols(r, block, ys)
			for i := 0; i < n; i++ {
				for j := range inner {
					r[i*inner+j] *= gs[j]
				}
			}
			continue
		}
		// Some results are infinite: the exact limits, element by element.
		clear(r)
		for i := 0; i < n; i++ {
			row, ri := block[i*inner:(i+1)*inner], r[i*inner:(i+1)*inner]
			for j, v := range row {
				switch yj := ys[j]; {
				case !math.IsInf(yj, 0):
					ri[j] = gs[j] * math.Exp(v-yj)
				case yj > 0 && v == yj:
					ri[j] = gs[j] / cnt[o*inner+j]
				}
			}
		}
	}
	return res
}

func (a *Tensor) logSumExp(opName string, p reducePlan, keepdim bool) *Tensor {
	src := p.arrange(a.Data())
	dst := make([]float64, p.outer*p.inner)
	lseRows(dst, src, p.outer, p.n, p.inner)
	out := wrap(dst, p.outShape(keepdim))
	return record(out, opName, func(out, g *Tensor, gin []*Tensor) {
		res := lseGrad(src, out.Data(), g.Data(), p.outer, p.n, p.inner)
		gin[0] = wrap(p.restore(res), a.Shape())
	}, a)
}

// LogSumExp returns log Σ exp(a) over all elements as a 0-dimensional
// tensor, computed stably: entries of -Inf contribute nothing, a +Inf entry
// gives +Inf, and an all -Inf (or empty) tensor gives -Inf. Its gradient is
// softmax(a); see [Tensor.LogSumExpDims] for the infinite cases.
func (a *Tensor) LogSumExp() *Tensor { return a.logSumExp("LogSumExp", planAll(a.Shape()), false) }

// LogSumExpDims returns log Σ exp(a) over dims (negative dims count from the
// right), keeping them with size 1 if keepdim. It shifts by the maximum so
// large values do not overflow; groups of all -Inf give -Inf and groups with
// a +Inf give +Inf. The gradient is the softmax weights of each group; it is
// 0 for a -Inf result and, for a +Inf result, split evenly among the +Inf
// inputs.
func (a *Tensor) LogSumExpDims(keepdim bool, dims ...int) *Tensor {
	return a.logSumExp("LogSumExpDims", planDims("LogSumExpDims", a.Shape(), dims), keepdim)
}

// ---- scans along one dim ----

// Cumsum returns the cumulative sums of a along dim: element i is the sum of
// elements 0..i.
func (a *Tensor) Cumsum(dim int) *Tensor {
	shape := a.Shape()
	outer, n, inner := splitDim("Cumsum", shape, dim)
	out := wrap(scanSum(a.Data(), outer, n, inner, false), shape)
	return record(out, "Cumsum", func(out, g *Tensor, gin []*Tensor) {
		gin[0] = wrap(scanSum(g.Data(), outer, n, inner, true), shape)
	}, a)
}

// scanSum returns the running sums of src along the n axis, from the end
// backwards when reverse is set.
func scanSum(src []float64, outer, n, inner int, reverse bool) []float64 {
	dst := make([]float64, len(src))
	if inner == 1 && !reverse {
		for o := 0; o < outer; o++ {
			s := 0.0
			row, d := src[o*n:(o+1)*n], dst[o*n:(o+1)*n]
			for i, v := range row {
				s += v
				d[i] = s
			}
		}
		return dst
	}
	first, step := 0, 1
	if reverse {
		first, step = n-1, -1
	}
	for o := 0; o < outer; o++ {
		prev := []float64(nil)
		for k, i := 0, first; k < n; k, i = k+1, i+step {
			off := (o*n + i) * inner
			row, d := src[off:off+inner], dst[off:off+inner]
			if prev == nil {
				copy(d, row)
			} else {
				for j, v := range row {
					d[j] = prev[j] + v
				}
			}
			prev = d
		}
	}
	return dst
}

// Cumprod returns the cumulative products of a along dim: element i is the
// product of elements 0..i. Its gradient is exact when some elements are
// zero.
func (a *Tensor) Cumprod(dim int) *Tensor {
	shape := a.Shape()
	outer, n, inner := splitDim("Cumprod", shape, dim)
	ad := a.Data()
	dst := make([]float64, len(ad))
	for o := 0; o < outer; o++ {
		for i := 0; i < n; i++ {
			off := (o*n + i) * inner
			row, d := ad[off:off+inner], dst[off:off+inner]
			if i == 0 {
				copy(d, row)
				continue
			}
			prev := dst[off-inner : off]
			for j, v := range row {
				d[j] = prev[j] * v
			}
		}
	}
	out := wrap(dst, shape)
	return record(out, "Cumprod", func(out, g *Tensor, gin []*Tensor) {
		// d out_i / d x_k = Π_{j<k} x_j · Π_{k<j<=i} x_j for i >= k, so the
		// gradient of x_k is P_k S_k with P_k = Π_{j<k} x_j and
		// S_k = g_k + x_{k+1} S_{k+1}: no division, exact with zeros.
		gd := g.Data()
		res := make([]float64, len(ad))
		run := make([]float64, inner)
		for o := 0; o < outer; o++ {
			for i := n - 1; i >= 0; i-- {
				off := (o*n + i) * inner
				r, gs := res[off:off+inner], gd[off:off+inner]
				if i == n-1 {
					copy(r, gs)
					continue
				}
				next, xn := res[off+inner:off+2*inner], ad[off+inner:off+2*inner]
				for j := range r {
					r[j] = gs[j] + xn[j]*next[j]
				}
			}
			for j := range run {
				run[j] = 1
			}
			for i := 0; i < n; i++ {
				off := (o*n + i) * inner
				r, row := res[off:off+inner], ad[off:off+inner]
				for j, v := range row {
					r[j] *= run[j]
					run[j] *= v
				}
			}
		}
		gin[0] = wrap(res, shape)
	}, a)
}

// ---- normalizations ----

// Softmax returns exp(a) normalized to sum to 1 along dim, computed after
// shifting by the maximum so large values do not overflow. Entries of -Inf
// get weight 0; as in PyTorch, a slice of all -Inf gives NaN.
func (a *Tensor) Softmax(dim int) *Tensor {
	shape := a.Shape()
	outer, n, inner := splitDim("Softmax", shape, dim)
	ad := a.Data()
	dst := make([]float64, len(ad))
	switch {
	case len(dst) == 0:
	case inner == 1: // rows: one exponential pass over all of them
		m := make([]float64, outer)
		for o := range m {
			m[o] = rowMax(ad[o*n : (o+1)*n])
		}
		expMinusRows(dst, ad, m, n)
		for o := range m {
			d := dst[o*n : (o+1)*n]
			s := vecmath.Sum(d)
			for i := range d {
				d[i] /= s
			}
		}
	default:
		m := make([]float64, outer*inner)
		extremeRows(m, ad, outer, n, inner, 1)
		sum := make([]float64, inner)
		for o := 0; o < outer; o++ {
			ms := m[o*inner : (o+1)*inner]
			clear(sum)
			block := dst[o*n*inner : (o+1)*n*inner]
			expMinusCols(block, ad[o*n*inner:(o+1)*n*inner], ms)
			for i := 0; i < n; i++ {
				for j, e := range block[i*inner : (i+1)*inner] {
					sum[j] += e
				}
			}
			for i := 0; i < n; i++ {
				d := dst[(o*n+i)*inner : (o*n+i+1)*inner]
				for j := range d {
					d[j] /= sum[j]
				}
			}
		}
	}
	out := wrap(dst, shape)
	return record(out, "Softmax", func(out, g *Tensor, gin []*Tensor) {
		// d softmax: y (g - Σ g y)
		yd, gd := out.Data(), g.Data()
		res := make([]float64, len(yd))
		if inner == 1 {
			for o := 0; o < outer; o++ {
				ys, gs, r := yd[o*n:(o+1)*n], gd[o*n:(o+1)*n], res[o*n:(o+1)*n]
				dot := vecmath.Dot(gs, ys)
				for i, y := range ys {
					r[i] = y * (gs[i] - dot)
				}
			}
			gin[0] = wrap(res, shape)
			return
		}
		dot := make([]float64, inner)
		for o := 0; o < outer; o++ {
			clear(dot)
			for i := 0; i < n; i++ {
				off := (o*n + i) * inner
				ys, gs := yd[off:off+inner], gd[off:off+inner]
				for j, y := range ys {
					dot[j] += gs[j] * y
				}
			}
			for i := 0; i < n; i++ {
				off := (o*n + i) * inner
				ys, gs, r := yd[off:off+inner], gd[off:off+inner], res[off:off+inner]
				for j, y := range ys {
					r[j] = y * (gs[j] - dot[j])
				}
			}
		}
		gin[0] = wrap(res, shape)
	}, a)
}

// LogSoftmax returns a minus its log-sum-exp along dim, the logarithm of
// [Tensor.Softmax] computed without forming it, so it stays finite for very
// negative entries.
func (a *Tensor) LogSoftmax(dim int) *Tensor {
	shape := a.Shape()
	outer, n, inner := splitDim("LogSoftmax", shape, dim)
	ad := a.Data()
	dst := make([]float64, len(ad))
	if len(dst) > 0 {
		lse := make([]float64, outer*inner)
		lseRows(lse, ad, outer, n, inner)
		if inner == 1 {
			for o, l := range lse {
				row, d := ad[o*n:(o+1)*n], dst[o*n:(o+1)*n]
				for i, v := range row {
					d[i] = v - l
				}
			}
		} else {
			for o := 0; o < outer; o++ {
				ls := lse[o*inner : (o+1)*inner]
				for i := 0; i < n; i++ {
					off := (o*n + i) * inner
					row, d := ad[off:off+inner], dst[off:off+inner]
					for j, v := range row {
						d[j] = v - ls[j]
					}
				}
			}
		}
	}
	out := wrap(dst, shape)
	return record(out, "LogSoftmax", func(out, g *Tensor, gin []*Tensor) {
		// d log-softmax: g - exp(y) Σ g
		yd, gd := out.Data(), g.Data()
		res := make([]float64, len(yd))
		vecmath.Exp(res, yd) // one exponential pass over all groups
		if inner == 1 {
			for o := 0; o < outer; o++ {
				gs, r := gd[o*n:(o+1)*n], res[o*n:(o+1)*n]
				s := vecmath.Sum(gs)
				for i, e := range r {
					r[i] = gs[i] - e*s
				}
			}
			gin[0] = wrap(res, shape)
			return
		}
		sum := make([]float64, inner)
		for o := 0; o < outer; o++ {
			clear(sum)
			for i := 0; i < n; i++ {
				gs := gd[(o*n+i)*inner : (o*n+i+1)*inner]
				for j, v := range gs {
					sum[j] += v
				}
			}
			for i := 0; i < n; i++ {
				off := (o*n + i) * inner
				gs, r := gd[off:off+inner], res[off:off+inner]
				for j, e := range r {
					r[j] = gs[j] - e*sum[j]
				}
			}
		}
		gin[0] = wrap(res, shape)
	}, a)
}

// ArgMax returns the index of the largest element along dim, which is
// removed, as float values; the first maximum wins among ties and NaN counts
// as the largest value. It records no gradient and panics if dim is empty.
func (a *Tensor) ArgMax(dim int) *Tensor {
	shape := a.Shape()
	outer, n, inner := splitDim("ArgMax", shape, dim)
	if n == 0 {
		panic(fmt.Sprintf("tensor: ArgMax: dim %d of shape %v is empty", dim, shape))
	}
	os := []int{} // 0-dimensional for a 0-dimensional a
	if len(shape) > 0 {
		d := dimIndex("ArgMax", shape, dim)
		os = append(append(os, shape[:d]...), shape[d+1:]...)
	}
	ad := a.Data()
	dst := make([]float64, outer*inner)
	best := make([]float64, inner)
	for o := 0; o < outer; o++ {
		idx := dst[o*inner : (o+1)*inner]
		copy(best, ad[o*n*inner:(o*n+1)*inner])
		for i := 1; i < n; i++ {
			row := ad[(o*n+i)*inner : (o*n+i+1)*inner]
			for j, v := range row {
				if b := best[j]; b == b && (v > b || v != v) {
					best[j], idx[j] = v, float64(i)
				}
			}
		}
	}
	return wrap(dst, os)
}
