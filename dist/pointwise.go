package dist

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/vigo-ppl/vigo/internal/vecmath"
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
	// values is the support when it does not depend on the parameters
	// (ok nil): a value tensor wholly in it skips the per-element check,
	// so observed data, passed again every step, is scanned only once.
	values tensor.ValueSet
	// ok, when set, reports whether x lies in a support that depends on
	// the parameters a, b; values is then unused.
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
	t, res := tensor.Make(shape...)
	p, _, first, bad := k.eval(value, a, b, shape, check, res)
	if bad {
		return nil, first, true
	}
	return record(k.name, t, []*tensor.Tensor{a}, func(_, gt *tensor.Tensor, gin []*tensor.Tensor) {
		g, reduce := gradOf(gt)
		if a.RequiresGrad() {
			gin[0] = p.gradient(g, 1, g != nil, reduce)
		}
	}), 0, false
}

// sum is the sum over shape of the kernel's log-density, repeated copies
// times (an expanded batch), evaluated a block at a time into a small
// buffer so that no log-density is stored. Its backward pass scales the
// partials by the incoming gradient straight into a's gradient.
func (k pointwise) sum(value, a, b *tensor.Tensor, shape []int, check bool, copies float64) (out *tensor.Tensor, first float64, bad bool) {
	p, total, first, bad := k.eval(value, a, b, shape, check, nil)
	if bad {
		return nil, first, true
	}
	return record(k.name+"Sum", tensor.Scalar(total*copies), []*tensor.Tensor{a}, func(_, gt *tensor.Tensor, gin []*tensor.Tensor) {
		if a.RequiresGrad() {
			gin[0] = p.gradient(nil, gt.Item()*copies, true, true)
		}
	}), 0, false
}

// pointwisePass is one forward evaluation of a kernel, kept for its
// backward pass: the operands laid out over shape and the partials ∂f/∂a
// computed with the log-density, if any.
type pointwisePass struct {
	k          pointwise
	a          *tensor.Tensor
	xo, ao, bo operand
	shape      []int
	partials   []float64
	// psums holds, per chunk, the sum of the partials of a single-element
	// parameter, all a fused sum's backward pass needs: its incoming
	// gradient is the same for every element.
	psums []float64
	// handedOut is set once a backward pass has scaled partials in place
	// and handed them on; a later pass recomputes them.
	handedOut atomic.Bool
}

// eval runs the kernel over shape. With res it stores each element's
// log-density there; without, it returns their sum (chunk sums added in
// chunk order, so the result does not depend on the number of cores).
// With check it also returns the first value outside the support.
func (k pointwise) eval(value, a, b *tensor.Tensor, shape []int, check bool, res []float64) (p *pointwisePass, total, first float64, bad bool) {
	n := numel(shape)
	// The kernel only reads the operands' values (and a's shape).
	p = &pointwisePass{k: k, a: a, shape: shape, xo: operandOf(value, shape), ao: operandOf(a, shape), bo: operand{d: []float64{0}}}
	if b != nil {
		p.bo = operandOf(b, shape)
	}
	// With a gradient wanted and a joint evaluator, the partials are
	// computed in the forward pass and handed to the backward one: stored,
	// or for a sum over a single-element parameter only summed.
	nc := numChunks(n)
	if a.RequiresGrad() && k.both != nil {
		if res == nil && p.ao.s == 0 {
			p.psums = make([]float64, nc)
		} else {
			p.partials = make([]float64, n)
		}
	}
	badAt := make([]int, nc)
	var sums []float64
	if res == nil {
		sums = make([]float64, nc)
	}
	forChunks(n, func(c, lo, hi int) {
		badAt[c] = -1
		rep := p.repeated(min(blockLen, hi-lo))
		if res != nil {
			p.block(res[lo:hi], p.partialsAt(lo, hi), rep, lo, hi, check, &badAt[c])
			return
		}
		buf := make([]float64, min(blockLen, hi-lo))
		var pbuf []float64
		if p.psums != nil {
			pbuf = make([]float64, len(buf))
		}
		s, ps := 0.0, 0.0
		for i := lo; i < hi; i += len(buf) {
			j := min(hi, i+len(buf))
			pc := p.partialsAt(i, j)
			if pbuf != nil {
				pc = pbuf[:j-i]
			}
			p.block(buf[:j-i], pc, rep, i, j, check, &badAt[c])
			s += vecmath.Sum(buf[:j-i])
			ps += vecmath.Sum(pc)
		}
		sums[c] = s
		if p.psums != nil {
			p.psums[c] = ps
		}
	})
	for _, i := range badAt {
		if i >= 0 {
			return nil, 0, p.xo.d[i*p.xo.s], true
		}
	}
	for _, s := range sums {
		total += s
	}
	return p, total, 0, false
}

// repeated returns the single-element parameter repeated size times, for
// the vector kernel, or nil when the pass does not use it that way.
func (p *pointwisePass) repeated(size int) []float64 {
	if p.k.vector == nil || p.bo.t != nil || p.xo.s != 1 || p.ao.s != 0 {
		return nil
	}
	rep := make([]float64, size)
	for i := range rep {
		rep[i] = p.ao.d[0]
	}
	return rep
}

// partialsAt returns the stored partials of elements [lo, hi), or nil.
func (p *pointwisePass) partialsAt(lo, hi int) []float64 {
	if p.partials == nil {
		return nil
	}
	return p.partials[lo:hi]
}

// block evaluates elements [lo, hi) into out, and their partials into pc
// when pc is not nil; both hold those elements only. rep is the repeated
// parameter of a vector kernel, if any. With check it records in *badAt the
// first element outside the support, if *badAt is still −1.
func (p *pointwisePass) block(out, pc, rep []float64, lo, hi int, check bool, badAt *int) {
	k, xo, ao, bo := p.k, p.xo, p.ao, p.bo
	if k.vector != nil && bo.t == nil && xo.s == 1 {
		if ao.s == 1 && k.vector(out, pc, xo.d[lo:hi], ao.d[lo:hi]) {
			return
		}
		if rep != nil && p.vectorRepeated(out, pc, rep, lo, hi) {
			return
		}
	}
	xd, ad, bd := xo.d, ao.d, bo.d
	xs, as, bs := xo.s, ao.s, bo.s
	for i := lo; i < hi; i++ {
		x, av, bv := xd[i*xs], ad[i*as], bd[i*bs]
		if check && *badAt < 0 && !k.inSupport(x, av, bv) {
			*badAt = i
		}
		if pc != nil {
			out[i-lo], pc[i-lo] = k.both(x, av, bv)
		} else {
			out[i-lo] = k.f(x, av, bv)
		}
	}
}

// vectorRepeated runs the vector kernel over elements [lo, hi) with the
// single-element parameter repeated in rep, a block of len(rep) at a time.
// It reports false if the kernel declines a block; the caller then redoes
// every element.
func (p *pointwisePass) vectorRepeated(out, pc, rep []float64, lo, hi int) bool {
	for i := lo; i < hi; i += len(rep) {
		j := min(hi, i+len(rep))
		var pcb []float64
		if pc != nil {
			pcb = pc[i-lo : j-lo]
		}
		if !p.k.vector(out[i-lo:j-lo], pcb, p.xo.d[i:j], rep[:j-i]) {
			return false
		}
	}
	return true
}

// reducedGradient is gradient for a single-element parameter: each
// element's partial times its incoming gradient (g[i], or gk when g is
// nil), summed per chunk and the chunks in order, without a buffer of the
// pass's size. Stored partials are read, not scaled in place.
func (p *pointwisePass) reducedGradient(g []float64, gk float64) *tensor.Tensor {
	n := numel(p.shape)
	sums := make([]float64, numChunks(n))
	forChunks(n, func(c, lo, hi int) {
		s := 0.0
		for i := lo; i < hi; i++ {
			gi := gk
			if g != nil {
				gi = g[i]
			}
			if gi == 0 {
				continue // a masked element adds nothing, even where its partial is infinite
			}
			v := 0.0
			if p.partials != nil {
				v = p.partials[i]
			} else {
				v = p.freshPartial(i)
			}
			s += v * gi
		}
		sums[c] = s
	})
	total := 0.0
	for _, s := range sums {
		total += s
	}
	return tensor.Full(total, p.a.Shape()...)
}

// freshPartial computes ∂f/∂a at element i.
func (p *pointwisePass) freshPartial(i int) float64 {
	x, av, bv := p.xo.d[i*p.xo.s], p.ao.d[i*p.ao.s], p.bo.d[i*p.bo.s]
	if p.k.both != nil {
		_, v := p.k.both(x, av, bv)
		return v
	}
	return p.k.da(x, av, bv)
}

// blockLen is how many elements a kernel evaluates at a time where it keeps
// only their sum or repeats a parameter: few enough to stay in the fastest
// cache, enough for the vector kernels to pay off.
const blockLen = 256

// gradient returns the gradient for a: each element's partial times its
// incoming gradient, g[i], or gk for every element when g is nil. With
// scaled false it returns the bare partials instead (gk is then 1). The
// first scaled pass scales the forward pass's partials in place and hands
// them on; later passes recompute them into a fresh buffer. With reduce
// the result is summed to a's shape, else it has the pass's shape.
func (p *pointwisePass) gradient(g []float64, gk float64, scaled, reduce bool) *tensor.Tensor {
	if p.psums != nil { // a fused sum's single-element parameter
		total := 0.0
		if gk != 0 { // a zero gradient stays zero where a partial is infinite
			for _, s := range p.psums {
				total += s
			}
			total *= gk
		}
		return tensor.Full(total, p.a.Shape()...)
	}
	if scaled && reduce && p.ao.s == 0 {
		return p.reducedGradient(g, gk)
	}
	n := numel(p.shape)
	// The first scaled pass scales the stored partials in place; any other
	// computes them afresh into a new buffer.
	inPlace := p.partials != nil && scaled && !p.handedOut.Swap(true)
	buf := p.partials
	if !inPlace {
		buf = make([]float64, n)
	}
	forChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := gk
			if g != nil {
				gi = g[i]
			}
			if gi == 0 {
				// A zero incoming gradient (a masked element) stays zero
				// even where the partial is infinite.
				buf[i] = 0
				continue
			}
			v := buf[i]
			if !inPlace {
				v = p.freshPartial(i)
			}
			buf[i] = v * gi
		}
	})
	ga := tensor.FromData(buf, p.shape...)
	if reduce {
		ga = ga.SumTo(p.a.Shape())
	}
	return tensor.Handoff(ga)
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
	ks := kernelShape(value, a, c)
	lp, v, bad := k.apply(value, a, c, ks, k.mustCheck(b, value))
	if bad {
		return nil, b.supportError(value, what, v)
	}
	return lp.Expand(shape...), nil
}

// mustCheck reports whether a pass over value must check the support: when
// b validates and the value is not known to lie in the kernel's support.
func (k pointwise) mustCheck(b *base, value *tensor.Tensor) bool {
	return b.validating() && !(k.ok == nil && value.AllIn(k.values))
}

// inSupport reports whether x lies in the support for parameters a, b.
func (k pointwise) inSupport(x, a, b float64) bool {
	if k.ok != nil {
		return k.ok(x, a, b)
	}
	return k.values.Contains(x)
}

// kernelShape is the broadcast of the shapes of value and the parameters
// a and c (c may be nil), over which the kernel runs.
func kernelShape(value, a, c *tensor.Tensor) []int {
	if c == nil {
		ks, _ := tensor.BroadcastShapes(value.Shape(), a.Shape())
		return ks
	}
	ks, _ := tensor.BroadcastShapes(value.Shape(), a.Shape(), c.Shape())
	return ks
}

// pointwiseSumLogProb is the SumLogProb of a family whose log-density is the
// kernel k: LogProb's checks and errors, then one pass that keeps only the
// sum, so that neither the log-density nor, backward, its expanded gradient
// is materialized.
func (b *base) pointwiseSumLogProb(k pointwise, value, a, c *tensor.Tensor, what string) (*tensor.Tensor, []int, error) {
	shape, err := b.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	ks := kernelShape(value, a, c)
	copies := float64(numel(shape)) / float64(max(numel(ks), 1)) // an expanded batch repeats the values
	s, v, bad := k.sum(value, a, c, ks, k.mustCheck(b, value), copies)
	if bad {
		return nil, nil, b.supportError(value, what, v)
	}
	return s, shape, nil
}
