package tensor

import (
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// arith names the four arithmetic operations that have hand-written row kernels.
type arith int

const (
	arithAdd arith = iota
	arithSub
	arithMul
	arithDiv
)

// rowFunc computes one output row from two input rows read with strides da
// and db (each 0 for a broadcast value or 1 for a contiguous row).
type rowFunc func(dst, a, b []float64, da, db int)

// addRow, subRow, mulRow and divRow are the row kernels of the arithmetic
// operations. They are named functions, so passing one allocates nothing.
func addRow(dst, a, b []float64, da, db int) { arithKernel(arithAdd, dst, a, b, da, db) }
func subRow(dst, a, b []float64, da, db int) { arithKernel(arithSub, dst, a, b, da, db) }
func mulRow(dst, a, b []float64, da, db int) { arithKernel(arithMul, dst, a, b, da, db) }
func divRow(dst, a, b []float64, da, db int) { arithKernel(arithDiv, dst, a, b, da, db) }

// arithKernel computes one row of an arithmetic operation, with the common
// stride patterns written out so the compiler emits tight loops.
func arithKernel(k arith, dst, a, b []float64, da, db int) {
	n := len(dst)
	switch {
	case da == 1 && db == 1:
		a, b = a[:n], b[:n]
		switch k {
		case arithAdd:
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
		case arithSub:
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
		case arithMul:
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
		case arithDiv:
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
		}
	case da == 1 && db == 0:
		a, s := a[:n], b[0]
		switch k {
		case arithAdd:
			for i := range dst {
				dst[i] = a[i] + s
			}
		case arithSub:
			for i := range dst {
				dst[i] = a[i] - s
			}
		case arithMul:
			for i := range dst {
				dst[i] = a[i] * s
			}
		case arithDiv:
			for i := range dst {
				dst[i] = a[i] / s
			}
		}
	case da == 0 && db == 1:
		s, b := a[0], b[:n]
		switch k {
		case arithAdd:
			for i := range dst {
				dst[i] = s + b[i]
			}
		case arithSub:
			for i := range dst {
				dst[i] = s - b[i]
			}
		case arithMul:
			for i := range dst {
				dst[i] = s * b[i]
			}
		case arithDiv:
			for i := range dst {
				dst[i] = s / b[i]
			}
		}
	default:
		f := arithFunc(k)
		for i := range dst {
			dst[i] = f(a[i*da], b[i*db])
		}
	}
}

func arithFunc(k arith) func(x, y float64) float64 {
	switch k {
	case arithAdd:
		return func(x, y float64) float64 { return x + y }
	case arithSub:
		return func(x, y float64) float64 { return x - y }
	case arithMul:
		return func(x, y float64) float64 { return x * y }
	default:
		return func(x, y float64) float64 { return x / y }
	}
}

// rowOf turns a scalar function into a row kernel.
func rowOf(f func(x, y float64) float64) rowFunc {
	return func(dst, a, b []float64, da, db int) {
		for i := range dst {
			dst[i] = f(a[i*da], b[i*db])
		}
	}
}

// broadcastApply evaluates row over the broadcast of a and b into a new
// tensor, splitting large single-row work across cores.
func broadcastApply(name string, a, b *Tensor, row rowFunc) *Tensor {
	ad, bd := a.Data(), b.Data()
	// Shapes are immutable, so the result may share an operand's shape.
	shape := mustBroadcast(name, a.Shape(), b.Shape())
	res := newOut(shape)
	out := res.data
	if len(out) == 0 {
		return res
	}
	if len(out) < parallelThreshold { // no closure, no goroutine for small work
		switch {
		case len(ad) == len(out) && len(bd) == len(out):
			row(out, ad, bd, 1, 1)
			return res
		case len(ad) == len(out) && len(bd) == 1:
			row(out, ad, bd, 1, 0)
			return res
		case len(ad) == 1 && len(bd) == len(out):
			row(out, ad, bd, 0, 1)
			return res
		}
	}
	switch {
	case len(ad) == len(out) && len(bd) == len(out):
		parallelFor(len(out), func(lo, hi int) { row(out[lo:hi], ad[lo:], bd[lo:], 1, 1) })
		return res
	case len(ad) == len(out) && len(bd) == 1:
		parallelFor(len(out), func(lo, hi int) { row(out[lo:hi], ad[lo:], bd, 1, 0) })
		return res
	case len(ad) == 1 && len(bd) == len(out):
		parallelFor(len(out), func(lo, hi int) { row(out[lo:hi], ad, bd[lo:], 0, 1) })
		return res
	}
	it := newIter2(shape, a.Shape(), b.Shape())
	if len(it.shape) == 1 {
		da, db := it.sa[0], it.sb[0]
		parallelFor(len(out), func(lo, hi int) {
			row(out[lo:hi], ad[lo*da:], bd[lo*db:], da, db)
		})
		return res
	}
	if rows, k, ok := it.shortRows(); ok {
		// Blocks of rows in one call each, the operands laid out like
		// the output; one that repeats every row is laid out once.
		per := max(1, rowBlock/k)
		bufA, bufB := gatherBuf(it.sa[0], it.sa[1], k, per*k), gatherBuf(it.sb[0], it.sb[1], k, per*k)
		var fa, fb []float64
		for r0 := 0; r0 < rows; r0 += per {
			nr := min(per, rows-r0)
			if fa == nil || it.sa[0] != 0 || nr < per {
				fa = gather(bufA, ad, it.sa[0], it.sa[1], k, r0, nr)
			}
			if fb == nil || it.sb[0] != 0 || nr < per {
				fb = gather(bufB, bd, it.sb[0], it.sb[1], k, r0, nr)
			}
			row(out[r0*k:(r0+nr)*k], fa, fb, 1, 1)
		}
		return res
	}
	it.rows(func(o, ia, ib, n, da, db int) {
		row(out[o:o+n], ad[ia:], bd[ib:], da, db)
	})
	return res
}

// rawMul multiplies with broadcasting and records nothing, whatever its
// inputs: backward passes use it.
func rawMul(a, b *Tensor) *Tensor { return broadcastApply("Mul", a, b, mulRow) }

// Add returns a + b with broadcasting.
func (a *Tensor) Add(b *Tensor) *Tensor {
	return record(broadcastApply("Add", a, b, addRow), "Add", addBackward, a, b)
}

func addBackward(out, g *Tensor, gin []*Tensor) {
	a, b := out.node.in[0], out.node.in[1]
	if a.requiresGrad {
		gin[0] = g.SumTo(a.shape)
	}
	if b.requiresGrad {
		gin[1] = g.SumTo(b.shape)
	}
}

// Sub returns a - b with broadcasting.
func (a *Tensor) Sub(b *Tensor) *Tensor {
	return record(broadcastApply("Sub", a, b, subRow), "Sub", subBackward, a, b)
}

func subBackward(out, g *Tensor, gin []*Tensor) {
	a, b := out.node.in[0], out.node.in[1]
	if a.requiresGrad {
		gin[0] = g.SumTo(a.shape)
	}
	if b.requiresGrad {
		gin[1] = g.SumTo(b.shape).Neg()
	}
}

// Mul returns a * b elementwise with broadcasting.
func (a *Tensor) Mul(b *Tensor) *Tensor {
	return record(broadcastApply("Mul", a, b, mulRow), "Mul", mulBackward, a, b)
}

func mulBackward(out, g *Tensor, gin []*Tensor) {
	a, b := out.node.in[0], out.node.in[1]
	if a.requiresGrad {
		gin[0] = mulSumTo(g, b, a.shape)
	}
	if b.requiresGrad {
		gin[1] = mulSumTo(g, a, b.shape)
	}
}

// mulSumTo returns g ⊙ o summed to shape: the gradient of one factor of a
// product, o being the other. A factor with one element (a coefficient
// scaling a large tensor) takes the dot product of g and o, without the
// elementwise product.
func mulSumTo(g, o *Tensor, shape []int) *Tensor {
	if numel(shape) == 1 && len(g.shape) > 0 && slices.Equal(o.shape, g.shape) {
		return Full(vecmath.Dot(g.Data(), o.Data()), shape...)
	}
	return Handoff(rawMul(g, o).SumTo(shape))
}

// Div returns a / b elementwise with broadcasting.
func (a *Tensor) Div(b *Tensor) *Tensor {
	return record(broadcastApply("Div", a, b, divRow), "Div", divBackward, a, b)
}

func divBackward(out, g *Tensor, gin []*Tensor) {
	a, b := out.node.in[0], out.node.in[1]
	// d/da a/b = 1/b and d/db a/b = -out/b: both scale q = g/b.
	q := broadcastApply("Div", g, b, divRow)
	if a.requiresGrad {
		gin[0] = q.SumTo(a.shape)
	}
	if b.requiresGrad {
		gin[1] = broadcastApply("Div", q, out, negMulRow).SumTo(b.shape)
	}
}

// negMulRow is the row kernel of -(a*b).
func negMulRow(dst, a, b []float64, da, db int) {
	if da == 1 && db == 1 {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = -(a[i] * b[i])
		}
		return
	}
	for i := range dst {
		dst[i] = -(a[i*da] * b[i*db])
	}
}

// AddScalar returns a + s.
func (a *Tensor) AddScalar(s float64) *Tensor { return a.Add(Scalar(s)) }

// MulScalar returns a * s.
func (a *Tensor) MulScalar(s float64) *Tensor {
	if !a.requiresGrad && len(a.data) < parallelThreshold {
		return scaled(a, s) // nothing to record: one allocation
	}
	return a.Mul(Scalar(s))
}

// Pow returns a raised to the power b elementwise with broadcasting. The
// gradient with respect to b uses log(a) and is only finite for a > 0.
func (a *Tensor) Pow(b *Tensor) *Tensor {
	return Binary("Pow", a, b, math.Pow, powGradBase, powGradExp)
}

// powGradBase is d/dx x^y = y x^(y-1), taken as 0 where y is 0.
func powGradBase(x, y, _ float64) float64 {
	if y == 0 {
		return 0
	}
	return y * math.Pow(x, y-1)
}

// powGradExp is d/dy x^y = x^y log x for the output z = x^y, taken as 0
// where x is 0.
func powGradExp(x, _, z float64) float64 {
	if x == 0 {
		return 0
	}
	return z * math.Log(x)
}

// PowScalar returns a raised to the constant power p.
func (a *Tensor) PowScalar(p float64) *Tensor { return a.Pow(Scalar(p)) }

// binaryMap applies f elementwise over the broadcast of a and b, recording no
// gradient. Backward passes and fused kernels use it.
func binaryMap(name string, a, b *Tensor, f func(x, y float64) float64) *Tensor {
	return broadcastApply(name, a, b, rowOf(f))
}

// Binary applies f elementwise over the broadcast of a and b. When a or b
// requires grad, dfa and dfb give the partial derivatives at (x, y) with
// output z; either may be nil for an input that does not need a gradient.
// It lets other packages define fused elementwise operations.
func Binary(name string, a, b *Tensor, f func(x, y float64) float64, dfa, dfb func(x, y, z float64) float64) *Tensor {
	out := binaryMap(name, a, b, f)
	return record(out, name, func(out, g *Tensor, gin []*Tensor) {
		var ga, gb *Tensor
		if a.requiresGrad && dfa != nil {
			ga = ternaryGrad(name, g, a, b, out, dfa).SumTo(a.Shape())
		}
		if b.requiresGrad && dfb != nil {
			gb = ternaryGrad(name, g, a, b, out, dfb).SumTo(b.Shape())
		}
		gin[0], gin[1] = ga, gb
	}, a, b)
}

// ternaryGrad evaluates g * df(a, b, out) over out's shape.
func ternaryGrad(name string, g, a, b, out *Tensor, df func(x, y, z float64) float64) *Tensor {
	shape := out.Shape()
	ad, bd, od, gd := a.Data(), b.Data(), out.Data(), g.Data()
	if !slices.Equal(a.shape, shape) {
		ad = a.Detach().Expand(shape...).Data()
	}
	if !slices.Equal(b.shape, shape) {
		bd = b.Detach().Expand(shape...).Data()
	}
	out = newOut(out.shape)
	res := out.data
	for i := range res {
		res[i] = gd[i] * df(ad[i], bd[i], od[i])
	}
	return out
}
