package tensor

import (
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// sliceUnary is the fused form of Unary: fwd fills dst from x one chunk at a
// time and bwd fills dst with g·f'(x) given the inputs x and outputs y, so the
// scalar function is called directly (and inlined) inside the loop rather
// than through a function value per element. Large tensors are split across
// cores.
func sliceUnary(name string, a *Tensor, fwd func(dst, x []float64), bwd func(dst, g, x, y []float64)) *Tensor {
	ad := a.Data()
	out := newOut(a.shape)
	od := out.data
	if len(od) < parallelThreshold {
		fwd(od, ad)
	} else {
		parallelFor(len(od), func(lo, hi int) { fwd(od[lo:hi], ad[lo:hi]) })
	}
	if bwd == nil {
		return out
	}
	return record(out, name, func(out, g *Tensor, gin []*Tensor) {
		gd, yd := g.Data(), out.Data()
		ga := newOut(a.shape)
		res := ga.data
		if len(res) < parallelThreshold {
			bwd(res, gd, ad, yd)
		} else {
			parallelFor(len(res), func(lo, hi int) { bwd(res[lo:hi], gd[lo:hi], ad[lo:hi], yd[lo:hi]) })
		}
		gin[0] = Handoff(ga)
	}, a)
}

// flatGrad is the derivative of a piecewise-constant function: zero.
func flatGrad(x, y float64) float64 { return 0 }

// Sigmoid returns the logistic function 1/(1+e^-a) elementwise, computed
// without overflow for any input.
func (a *Tensor) Sigmoid() *Tensor {
	return sliceUnary("Sigmoid", a, vecmath.Sigmoid, func(dst, g, x, _ []float64) { vecmath.SigmoidGrad(dst, g, x) })
}

// ClampedSigmoid returns σ(a) clamped to [lo, hi] in one op, the values of
// a.Sigmoid().Clamp(lo, hi). The gradient is σ′(a) where σ(a) lies in
// [lo, hi] and 0 where it was clamped (whatever the incoming gradient).
// Transforms onto the unit interval use it to keep probabilities off 0
// and 1.
func (a *Tensor) ClampedSigmoid(lo, hi float64) *Tensor {
	return sliceUnary("ClampedSigmoid", a,
		func(dst, x []float64) {
			vecmath.Sigmoid(dst, x)
			for i, v := range dst {
				dst[i] = minNaN(maxNaN(v, lo), hi)
			}
		},
		func(dst, g, x, y []float64) {
			vecmath.SigmoidGrad(dst, g, x)
			// Values strictly inside were not clamped; at a bound, σ itself
			// (recomputed over the same slice, so with the same rounding as
			// the forward pass) tells whether it was.
			if !slices.ContainsFunc(y, func(v float64) bool { return v == lo || v == hi }) {
				return
			}
			s := make([]float64, len(x))
			vecmath.Sigmoid(s, x)
			for i, v := range s {
				if v < lo || v > hi {
					dst[i] = 0
				}
			}
		})
}

// LogSigmoid returns log σ(a) = -softplus(-a) elementwise, accurate in both
// tails.
func (a *Tensor) LogSigmoid() *Tensor {
	return sliceUnary("LogSigmoid", a,
		func(dst, x []float64) {
			vecmath.Log1pExpNegAbs(dst, x) // min(x,0) − log1p(e^−|x|)
			for i, v := range x {
				dst[i] = min(v, 0) - dst[i]
			}
		},
		func(dst, g, x, y []float64) {
			for i, v := range x {
				dst[i] = -v
			}
			vecmath.Sigmoid(dst, dst) // σ(−x)
			for i, gi := range g {
				dst[i] *= gi
			}
		})
}

// Softplus returns log(1+e^a) elementwise, accurate in both tails. There is no
// threshold above which the result is replaced by a (PyTorch's default of
// 20): the stable form is accurate to a few ulps everywhere.
func (a *Tensor) Softplus() *Tensor {
	return sliceUnary("Softplus", a,
		func(dst, x []float64) {
			vecmath.Log1pExpNegAbs(dst, x) // max(x,0) + log1p(e^−|x|)
			for i, v := range x {
				dst[i] += max(v, 0)
			}
		},
		func(dst, g, x, y []float64) {
			vecmath.Sigmoid(dst, x)
			for i, gi := range g {
				dst[i] *= gi
			}
		})
}

// Lgamma returns log|Γ(a)| elementwise; its gradient is [Tensor.Digamma].
func (a *Tensor) Lgamma() *Tensor {
	return sliceUnary("Lgamma", a,
		func(dst, x []float64) {
			for i, v := range x {
				dst[i] = LgammaFloat(v)
			}
		},
		func(dst, g, x, y []float64) {
			for i, v := range x {
				dst[i] = g[i] * DigammaFloat(v)
			}
		})
}

// Digamma returns ψ(a) = d/da log Γ(a) elementwise (see [DigammaFloat] for
// accuracy and the values at the poles); its gradient is [Tensor.Trigamma].
func (a *Tensor) Digamma() *Tensor {
	return sliceUnary("Digamma", a,
		func(dst, x []float64) {
			for i, v := range x {
				dst[i] = DigammaFloat(v)
			}
		},
		func(dst, g, x, y []float64) {
			for i, v := range x {
				dst[i] = g[i] * TrigammaFloat(v)
			}
		})
}

// Trigamma returns ψ₁(a), the derivative of ψ, elementwise (see
// [TrigammaFloat]); its gradient is the polygamma function of order 2.
func (a *Tensor) Trigamma() *Tensor {
	return sliceUnary("Trigamma", a,
		func(dst, x []float64) {
			for i, v := range x {
				dst[i] = TrigammaFloat(v)
			}
		},
		func(dst, g, x, y []float64) {
			for i, v := range x {
				dst[i] = g[i] * tetragammaFloat(v)
			}
		})
}

// Clamp limits a to [lo, hi] elementwise, computed as min(max(a, lo), hi) as
// PyTorch does (so every element becomes hi when lo > hi); NaN in a, lo or hi
// gives NaN. The gradient passes through where lo <= a <= hi, boundaries
// included, and is zero elsewhere.
func (a *Tensor) Clamp(lo, hi float64) *Tensor {
	return Unary("Clamp", a, func(x float64) float64 { return minNaN(maxNaN(x, lo), hi) },
		func(x, y float64) float64 {
			if x >= lo && x <= hi {
				return 1
			}
			return 0
		})
}

// ClampMin returns max(a, lo) elementwise, propagating NaN. The gradient
// passes through where a >= lo and is zero elsewhere.
func (a *Tensor) ClampMin(lo float64) *Tensor {
	return Unary("ClampMin", a, func(x float64) float64 { return maxNaN(x, lo) },
		func(x, y float64) float64 {
			if x >= lo {
				return 1
			}
			return 0
		})
}

// ClampMax returns min(a, hi) elementwise, propagating NaN. The gradient
// passes through where a <= hi and is zero elsewhere.
func (a *Tensor) ClampMax(hi float64) *Tensor {
	return Unary("ClampMax", a, func(x float64) float64 { return minNaN(x, hi) },
		func(x, y float64) float64 {
			if x <= hi {
				return 1
			}
			return 0
		})
}

// Log1mExp returns log(1-e^a) elementwise for a <= 0 (see [Log1mExpFloat]):
// -Inf at 0 and NaN for positive inputs. Its gradient is -1/expm1(-a).
func (a *Tensor) Log1mExp() *Tensor {
	return sliceUnary("Log1mExp", a,
		func(dst, x []float64) {
			for i, v := range x {
				dst[i] = Log1mExpFloat(v)
			}
		},
		func(dst, g, x, y []float64) {
			for i, v := range x {
				d := math.Expm1(-v)
				if d == 0 {
					d = 0 // at v = ±0 the slope is -Inf: make sure d is +0
				}
				dst[i] = -g[i] / d
			}
		})
}

// Reciprocal returns 1/a elementwise.
func (a *Tensor) Reciprocal() *Tensor {
	return Unary("Reciprocal", a, func(x float64) float64 { return 1 / x }, func(x, y float64) float64 { return -y * y })
}

// Floor returns the greatest integer value <= a elementwise. Its gradient is
// zero everywhere (as in PyTorch, the tensor still records the operation).
func (a *Tensor) Floor() *Tensor { return Unary("Floor", a, math.Floor, flatGrad) }

// Round rounds a to the nearest integer elementwise, ties to even as PyTorch
// does (Round(0.5) = 0, Round(1.5) = 2). Its gradient is zero everywhere.
func (a *Tensor) Round() *Tensor { return Unary("Round", a, math.RoundToEven, flatGrad) }

// Sign returns -1, 0 or 1 according to the sign of a elementwise (0 for ±0,
// NaN for NaN). Its gradient is zero everywhere.
func (a *Tensor) Sign() *Tensor {
	return Unary("Sign", a, func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		case x == 0:
			return 0
		}
		return x // NaN
	}, flatGrad)
}

// LogAddExp returns log(e^a + e^b) elementwise with broadcasting, without
// overflow or underflow: max(a,b) + log1p(e^−|a−b|) through the vectorized
// kernels, −Inf when both are −Inf and +Inf when either is +Inf (and the
// other is not NaN). The gradient with respect to a is σ(a-b) (and σ(b-a)
// for b); where a and b are equal, including both infinite with the same
// sign, each receives half.
func (a *Tensor) LogAddExp(b *Tensor) *Tensor {
	return record(broadcastApply("LogAddExp", a, b, logAddExpRow), "LogAddExp", logAddExpBackward, a, b)
}

// logAddExpRow is the row kernel of LogAddExp.
func logAddExpRow(dst, a, b []float64, da, db int) {
	for i := range dst {
		dst[i] = a[i*da] - b[i*db]
	}
	vecmath.Log1pExpNegAbs(dst, dst)
	for i := range dst {
		m := maxNaN(a[i*da], b[i*db])
		if math.IsInf(m, 0) {
			dst[i] = m // (+Inf, ·) or (-Inf, -Inf); NaN goes on to give NaN
		} else {
			dst[i] += m
		}
	}
}

// logAddExpBackward hands a the gradient g·σ(a−b) and b g·σ(b−a), each
// half of g where a == b.
func logAddExpBackward(out, g *Tensor, gin []*Tensor) {
	a, b := out.node.in[0], out.node.in[1]
	ad, bd, gd := expandedData(a, out.shape), expandedData(b, out.shape), g.Data()
	weighted := func(x, y []float64) *Tensor {
		w, d := Make(out.Shape()...)
		for i := range d {
			d[i] = x[i] - y[i]
		}
		vecmath.Sigmoid(d, d)
		for i := range d {
			if x[i] == y[i] {
				d[i] = 0.5
			}
			d[i] *= gd[i]
		}
		return w
	}
	if a.requiresGrad {
		gin[0] = Handoff(weighted(ad, bd).SumTo(a.shape))
	}
	if b.requiresGrad {
		gin[1] = Handoff(weighted(bd, ad).SumTo(b.shape))
	}
}

// Xlogy returns a·log(y) elementwise with broadcasting, defined as 0 where
// a == 0 (so Xlogy(0, 0) = 0) unless y is NaN, as PyTorch does. As in
// PyTorch the gradient with respect to a is log(y) where a != 0 and 0 where
// a == 0, and with respect to y it is a/y.
func (a *Tensor) Xlogy(y *Tensor) *Tensor {
	return Binary("Xlogy", a, y, func(x, y float64) float64 {
		if x == 0 && !math.IsNaN(y) {
			return 0
		}
		return x * math.Log(y)
	}, func(x, y, z float64) float64 {
		if x == 0 && !math.IsNaN(y) {
			return 0
		}
		return math.Log(y)
	}, func(x, y, z float64) float64 { return x / y })
}

// Xlog1py returns a·log(1+y) elementwise with broadcasting, defined as 0
// where a == 0 (so Xlog1py(0, -1) = 0) unless y is NaN, as PyTorch does. The
// gradient with respect to a is log1p(y) where a != 0 and 0 where a == 0, and
// with respect to y it is a/(1+y).
func (a *Tensor) Xlog1py(y *Tensor) *Tensor {
	return Binary("Xlog1py", a, y, func(x, y float64) float64 {
		if x == 0 && !math.IsNaN(y) {
			return 0
		}
		return x * math.Log1p(y)
	}, func(x, y, z float64) float64 {
		if x == 0 && !math.IsNaN(y) {
			return 0
		}
		return math.Log1p(y)
	}, func(x, y, z float64) float64 { return x / (1 + y) })
}

// Maximum returns the elementwise maximum of a and b with broadcasting,
// propagating NaN. As in PyTorch the gradient goes to the larger input and is
// split in half between a and b where they are equal.
func (a *Tensor) Maximum(b *Tensor) *Tensor {
	return Binary("Maximum", a, b, maxNaN,
		func(x, y, z float64) float64 { return extremumWeight(x, y) },
		func(x, y, z float64) float64 { return extremumWeight(y, x) })
}

// Minimum returns the elementwise minimum of a and b with broadcasting,
// propagating NaN. As in PyTorch the gradient goes to the smaller input and
// is split in half between a and b where they are equal.
func (a *Tensor) Minimum(b *Tensor) *Tensor {
	return Binary("Minimum", a, b, minNaN,
		func(x, y, z float64) float64 { return extremumWeight(-x, -y) },
		func(x, y, z float64) float64 { return extremumWeight(-y, -x) })
}

// maxNaN is the larger of x and y, or NaN if either is NaN; on ties it
// returns x. Unlike math.Max it does not order -0 below +0.
func maxNaN(x, y float64) float64 {
	if x != x || x >= y {
		return x
	}
	return y
}

// minNaN is the smaller of x and y, or NaN if either is NaN; on ties it
// returns x.
func minNaN(x, y float64) float64 {
	if x != x || x <= y {
		return x
	}
	return y
}

// extremumWeight is the share of the gradient of max(x, y) that goes to x:
// 1 if x is larger, 0 if smaller, 1/2 on ties. If either is NaN both inputs
// receive the full gradient, as PyTorch's masks do.
func extremumWeight(x, y float64) float64 {
	switch {
	case x > y:
		return 1
	case x < y:
		return 0
	case x == y:
		return 0.5
	}
	return 1
}
