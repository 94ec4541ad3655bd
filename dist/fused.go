package dist

import (
	"slices"

	"github.com/vigo-ppl/vigo/internal/parallel"
	"github.com/vigo-ppl/vigo/tensor"
)

// Fused kernels compute a log-density of up to three broadcast operands in
// one pass, with a hand-written backward pass, instead of a chain of
// elementwise tensor ops.

// operand is one input of a fused kernel over an output shape: its values
// read with stride 0 (a single element) or 1 (laid out in the output shape;
// other broadcasts are materialised once).
type operand struct {
	t *tensor.Tensor
	d []float64
	s int
}

// operandOf prepares t for a kernel over shape.
func operandOf(t *tensor.Tensor, shape []int) operand {
	if t.Len() == 1 {
		return operand{t: t, d: t.Data(), s: 0}
	}
	if slices.Equal(t.Shape(), shape) {
		return operand{t: t, d: t.Data(), s: 1}
	}
	return operand{t: t, d: t.Detach().Expand(shape...).Data(), s: 1}
}

// gradSlot collects the gradient of one operand in a backward pass: a
// scalar accumulator per chunk for a single-element operand being reduced,
// else a buffer in the output shape.
type gradSlot struct {
	want bool
	buf  []float64      // nil when accumulating into acc
	bt   *tensor.Tensor // the tensor holding buf, in the output shape
	acc  []float64      // one partial sum per chunk, added in order
}

// newSlot prepares the slot of an operand; nchunks may be 0 when the
// caller passes the single sum of a one-chunk pass straight to result.
func newSlot(want, reduce bool, op operand, shape []int, nchunks int) gradSlot {
	if !want {
		return gradSlot{}
	}
	if reduce && op.s == 0 {
		return gradSlot{want: true, acc: make([]float64, nchunks)}
	}
	bt, buf := tensor.Make(shape...)
	return gradSlot{want: true, buf: buf, bt: bt}
}

// put stores v, element i's gradient, in the slot's buffer, or adds it to
// *sum when the slot accumulates a single-element operand.
func (g gradSlot) put(i int, v float64, sum *float64) {
	if g.buf != nil {
		g.buf[i] = v
	} else {
		*sum += v
	}
}

// setChunk records the partial sum of chunk c for a reduced
// single-element operand; other slots ignore it.
func (g gradSlot) setChunk(c int, v float64) {
	if g.acc != nil {
		g.acc[c] = v
	}
}

// result turns the slot into the operand's gradient (reduce) or its
// elementwise partials in the output shape (no reduce), handed off to the
// backward pass. A reduced single-element
// operand's gradient is sum plus the chunk sums, added in chunk order.
func (g gradSlot) result(op operand, reduce bool, sum float64) *tensor.Tensor {
	if !g.want {
		return nil
	}
	if g.buf == nil {
		for _, v := range g.acc {
			sum += v
		}
		return tensor.Full(sum, op.t.Shape()...)
	}
	t := g.bt
	if reduce {
		t = t.SumTo(op.t.Shape())
	}
	return tensor.Handoff(t)
}

// chunkSize is the fixed work unit of fused kernels. Reductions add per-chunk
// partial sums in chunk order, so results do not depend on how many cores run.
const chunkSize = 1 << 14

// numChunks returns how many chunks cover n elements.
func numChunks(n int) int { return max(1, (n+chunkSize-1)/chunkSize) }

// forChunks runs fn on every chunk [lo, hi) of [0, n), concurrently when
// there are several chunks and several CPUs.
func forChunks(n int, fn func(c, lo, hi int)) { parallel.Chunks(n, chunkSize, fn) }

// fusedBackward is the backward pass of a fused op, recorded as it is
// (one closure per op). With an incoming gradient g it stores in gin[i],
// for each input i that requires a gradient, g ⊙ ∂out/∂in_i summed to
// in_i's shape. With g nil it stores instead the elementwise partials
// ∂out/∂in_i in the output's shape, which tests compare with the reduced
// form.
type fusedBackward func(out, g *tensor.Tensor, gin []*tensor.Tensor)

// record makes out, computed by a fused kernel from ins, a node of the
// autograd graph whose backward pass is the kernel's own summing pass.
func record(name string, out *tensor.Tensor, ins []*tensor.Tensor, bw fusedBackward) *tensor.Tensor {
	for _, t := range ins {
		if t.RequiresGrad() {
			return tensor.FusedInto(name, out, ins, bw)
		}
	}
	return out
}

// gradOf returns the values of an incoming gradient and whether the pass
// reduces (g not nil); see fusedBackward.
func gradOf(g *tensor.Tensor) ([]float64, bool) {
	if g == nil {
		return nil, false
	}
	return g.Data(), true
}
