package dist

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/vigo-ppl/vigo/tensor"
)

// pointwise is an elementwise log-density of a value and one or two
// parameters, run as a single fused pass with a hand-written backward pass.
// The discrete families use it: their value carries no gradient, so only the
// parameters are inputs of the recorded op.
type pointwise struct {
	name string
	// f returns the log-density of x given the parameters a and b (b is 0
	// for a one-parameter family).
	f func(x, a, b float64) float64
	// da returns ∂f/∂a; b is never differentiated (a count such as
	// Binomial's total count). It is needed only when both is nil: with
	// both set, the partials come from both (in the forward pass whenever a
	// requires a gradient, and again on a repeated backward pass), and da
	// is never called.
	da func(x, a, b float64) float64
	// ok reports whether x lies in the support for parameters a, b.
	ok func(x, a, b float64) bool
	// both, when set, returns f and ∂f/∂a together, sharing their
	// transcendental functions; it is used when a requires a gradient.
	both func(x, a, b float64) (float64, float64)
	// vector, when set, evaluates f into res, and ∂f/∂a into partials when
	// partials is not nil, over slices of values x and parameters a of one
	// length (a one-parameter family laid out in the output shape). It
	// returns false, having written nothing that matters, when some value
	// needs the per-element path (one outside the support, say).
	vector func(res, partials, x, a []float64) bool
}

// apply evaluates the kernel on value and the parameters a and b (b may be
// nil) over shape, the broadcast of their shapes. With check set it also
// returns the first element of value (broadcast to shape) outside the
// support, and bad reports whether there is one.
func (k pointwise) apply(value, a, b *tensor.Tensor, shape []int, check bool) (out *tensor.Tensor, first float64, bad bool) {
	n := numel(shape)
	// The kernel only reads the operands' values (and a's shape).
	xo := operandOf(value, shape)
	ao := operandOf(a, shape)
	bo := operand{d: []float64{0}}
	if b != nil {
		bo = operandOf(b, shape)
	}
	t, res := tensor.Make(shape...)
	nc := numChunks(n)
	badAt := make([]int, nc)
	// With a gradient wanted and a joint evaluator, the partials are
	// computed in the forward pass and handed to the backward one.
	var partials []float64
	if a.RequiresGrad() && k.both != nil {
		partials = make([]float64, n)
	}
	vector := k.vector != nil && b == nil && xo.s == 1 && ao.s == 1
	forChunks(n, func(c, lo, hi int) {
		badAt[c] = -1
		if vector {
			var pc []float64
			if partials != nil {
				pc = partials[lo:hi]
			}
			if k.vector(res[lo:hi], pc, xo.d[lo:hi], ao.d[lo:hi]) {
				return
			}
		}
		xd, ad, bd := xo.d, ao.d, bo.d
		xs, as, bs := xo.s, ao.s, bo.s
		for i := lo; i < hi; i++ {
			x, av, bv := xd[i*xs], ad[i*as], bd[i*bs]
			if check && badAt[c] < 0 && !k.ok(x, av, bv) {
				badAt[c] = i
			}
			if partials != nil {
				res[i], partials[i] = k.both(x, av, bv)
			} else {
				res[i] = k.f(x, av, bv)
			}
		}
	})
	for _, i := range badAt {
		if i >= 0 {
			return nil, xo.d[i*xo.s], true
		}
	}
	// The first backward pass with an incoming gradient scales the partials
	// of the forward pass in place and hands them on; a later pass over the
	// same graph, or one asking for the bare partials (g nil), recomputes
	// them into a fresh buffer.
	var handedOut atomic.Bool
	out = record(k.name, t, []*tensor.Tensor{a}, func(_, gt *tensor.Tensor, gin []*tensor.Tensor) {
		g, reduce := gradOf(gt)
		if !a.RequiresGrad() {
			return
		}
		var buf []float64
		if partials != nil && g != nil && !handedOut.Swap(true) {
			buf = partials
			forChunks(n, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					if g[i] == 0 {
						// A zero incoming gradient (a masked element) stays
						// zero even where the partial is infinite.
						buf[i] = 0
						continue
					}
					buf[i] *= g[i]
				}
			})
		} else {
			buf = make([]float64, n)
			forChunks(n, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					if g != nil && g[i] == 0 {
						buf[i] = 0
						continue
					}
					x, av, bv := xo.d[i*xo.s], ao.d[i*ao.s], bo.d[i*bo.s]
					var v float64
					if k.both != nil {
						_, v = k.both(x, av, bv)
					} else {
						v = k.da(x, av, bv)
					}
					if g != nil {
						v *= g[i]
					}
					buf[i] = v
				}
			})
		}
		ga := tensor.FromData(buf, shape...)
		if reduce {
			ga = ga.SumTo(a.Shape())
		}
		gin[0] = ga
	})
	return out, 0, false
}

// xlogyF is x·log(y) with 0 where x is 0 (unless y is NaN), as Tensor.Xlogy.
func xlogyF(x, y float64) float64 {
	if x == 0 && y == y {
		return 0
	}
	return x * math.Log(y)
}

// xlog1pyF is x·log(1+y) with 0 where x is 0 (unless y is NaN).
func xlog1pyF(x, y float64) float64 {
	if x == 0 && y == y {
		return 0
	}
	return x * math.Log1p(y)
}

// xdivyF is x/y with 0 where x is 0: the derivative of xlogy in y.
func xdivyF(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x / y
}

// isInteger reports whether v is a finite integer.
func isInteger(v float64) bool { return v == math.Trunc(v) && !math.IsInf(v, 0) }

// isBinary reports whether v is 0 or 1.
func isBinary(v float64) bool { return v == 0 || v == 1 }

// isCount reports whether v is a nonnegative integer.
func isCount(v float64) bool { return v >= 0 && isInteger(v) }

// supportError is the LogProb error for a value outside the support.
func (b *base) supportError(value *tensor.Tensor, what string, v float64) error {
	return fmt.Errorf("dist: %s: value of shape %v is outside the support (%s): found %g", b.name, value.Shape(), what, v)
}

// pointwiseLogProb is the LogProb of a family whose log-density is the
// kernel k of value and the parameters a and c (c may be nil): the shared
// checks, one fused pass, and a value outside the support (described by
// what) reported as an error when validation is on.
func (b *base) pointwiseLogProb(k pointwise, value, a, c *tensor.Tensor, what string) (*tensor.Tensor, error) {
	shape, err := b.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	var ks []int
	if c == nil {
		ks, _ = tensor.BroadcastShapes(value.Shape(), a.Shape())
	} else {
		ks, _ = tensor.BroadcastShapes(value.Shape(), a.Shape(), c.Shape())
	}
	lp, v, bad := k.apply(value, a, c, ks, b.validating())
	if bad {
		return nil, b.supportError(value, what, v)
	}
	return lp.Expand(shape...), nil
}
