package tensor

import (
	"math"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// unaryMap applies f to every element of a into a new tensor, splitting
// large tensors across cores. It records no gradient.
func unaryMap(a *Tensor, f func(float64) float64) *Tensor {
	ad := a.Data()
	res := newOut(a.Shape())
	out := res.data
	if len(out) < parallelThreshold {
		for i, v := range ad {
			out[i] = f(v)
		}
		return res
	}
	parallelFor(len(out), func(lo, hi int) {
		src := ad[lo:hi]
		dst := out[lo:hi]
		for i, v := range src {
			dst[i] = f(v)
		}
	})
	return res
}

// Unary applies f to every element of a. When a requires grad, df gives the
// derivative at input x with output y. It lets other packages define fused
// elementwise operations.
func Unary(name string, a *Tensor, f func(float64) float64, df func(x, y float64) float64) *Tensor {
	out := unaryMap(a, f)
	return record(out, name, func(out, g *Tensor, gin []*Tensor) {
		ad, od, gd := a.Data(), out.Data(), g.Data()
		ga := newOut(a.shape)
		res := ga.data
		if len(res) < parallelThreshold {
			for i := range res {
				res[i] = gd[i] * df(ad[i], od[i])
			}
			gin[0] = ga
			return
		}
		parallelFor(len(res), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				res[i] = gd[i] * df(ad[i], od[i])
			}
		})
		gin[0] = ga
	}, a)
}

// Neg returns -a.
func (a *Tensor) Neg() *Tensor {
	return Unary("Neg", a, func(x float64) float64 { return -x }, func(x, y float64) float64 { return -1 })
}

// Exp returns e^a elementwise.
func (a *Tensor) Exp() *Tensor {
	return sliceUnary("Exp", a, vecmath.Exp, func(dst, g, x, y []float64) {
		for i, yi := range y {
			dst[i] = g[i] * yi
		}
	})
}

// Log returns the natural logarithm of a elementwise.
func (a *Tensor) Log() *Tensor {
	return sliceUnary("Log", a, vecmath.Log, func(dst, g, x, _ []float64) {
		for i, v := range x {
			dst[i] = g[i] / v
		}
	})
}

// Log1p returns log(1 + a) elementwise, accurate for small a.
func (a *Tensor) Log1p() *Tensor {
	return sliceUnary("Log1p", a, vecmath.Log1p, func(dst, g, x, _ []float64) {
		for i, v := range x {
			dst[i] = g[i] / (1 + v)
		}
	})
}

// Expm1 returns e^a - 1 elementwise, accurate for small a.
func (a *Tensor) Expm1() *Tensor {
	return Unary("Expm1", a, math.Expm1, func(x, y float64) float64 { return y + 1 })
}

// Sqrt returns the square root of a elementwise.
func (a *Tensor) Sqrt() *Tensor {
	return Unary("Sqrt", a, math.Sqrt, func(x, y float64) float64 { return 0.5 / y })
}

// Square returns a² elementwise.
func (a *Tensor) Square() *Tensor {
	return Unary("Square", a, func(x float64) float64 { return x * x }, func(x, y float64) float64 { return 2 * x })
}

// Abs returns |a| elementwise; its gradient at 0 is 0.
func (a *Tensor) Abs() *Tensor {
	return Unary("Abs", a, math.Abs, func(x, y float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	})
}

// Tanh returns the hyperbolic tangent of a elementwise.
func (a *Tensor) Tanh() *Tensor {
	return Unary("Tanh", a, math.Tanh, func(x, y float64) float64 { return 1 - y*y })
}
