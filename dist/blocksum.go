package dist

import (
	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// blockKernel is the log-density of a value and its parameters written for
// blocks of elements, so that it can take logarithms with the vectorized
// kernel and compute once what a single-element parameter makes constant.
// In both functions in[0] holds the block's values and in[j] parameter j's;
// uniform[j] reports that in[j] repeats one element.
type blockKernel struct {
	name string
	// logProb stores each element's log-density in out; tmp is scratch
	// space of out's length.
	logProb func(out, tmp []float64, in [][]float64, uniform []bool)
	// grad stores k·∂f/∂in[j] in d[j] for every j whose d[j] is not nil.
	grad func(k float64, in [][]float64, uniform []bool, d [][]float64)
}

// blockSum returns the sum over shape of k's log-density of ops (the value
// first), broadcast to one another; shape may repeat their broadcast (an
// expanded batch). The forward pass keeps only the sum, a block at a time;
// the backward pass recomputes the partials, scaled by the incoming
// gradient, straight into the operands' gradients. Neither materializes the
// log-density.
func blockSum(k blockKernel, shape []int, ops ...*tensor.Tensor) *tensor.Tensor {
	shapes := make([][]int, len(ops))
	for j, t := range ops {
		shapes[j] = t.Shape()
	}
	ks, _ := tensor.BroadcastShapes(shapes...)
	opnds := make([]operand, len(ops))
	for j, t := range ops {
		opnds[j] = operandOf(t, ks)
	}
	n := numel(ks)
	copies := float64(numel(shape)) / float64(max(n, 1)) // an expanded batch repeats the values
	nc := numChunks(n)
	partial := make([]float64, nc)
	forChunks(n, func(c, lo, hi int) {
		b := newBlockInputs(opnds, min(blockLen, hi-lo))
		out, tmp := make([]float64, b.size), make([]float64, b.size)
		s := 0.0
		for i := lo; i < hi; i += b.size {
			e := min(hi, i+b.size)
			k.logProb(out[:e-i], tmp[:e-i], b.at(i, e), b.uniform)
			s += vecmath.Sum(out[:e-i])
		}
		partial[c] = s
	})
	total := 0.0
	for _, s := range partial {
		total += s
	}
	out := tensor.Scalar(total * copies)
	want := false
	for _, t := range ops {
		want = want || t.RequiresGrad()
	}
	if !want {
		return out
	}
	return tensor.FusedInto(k.name+"Sum", out, ops, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		gk := g.Item() * copies
		m := len(ops)
		bufs := make([][]float64, m) // gradients of operands laid out over ks
		accs := make([][]float64, m) // per-chunk sums for single-element operands
		for j, t := range ops {
			switch {
			case !t.RequiresGrad():
			case opnds[j].s == 0:
				accs[j] = make([]float64, nc)
			default:
				bufs[j] = make([]float64, n)
			}
		}
		if gk != 0 { // a zero gradient (a masked site) stays zero where a partial is infinite
			forChunks(n, func(c, lo, hi int) {
				b := newBlockInputs(opnds, min(blockLen, hi-lo))
				d := make([][]float64, m)
				scratch := make([][]float64, m)
				for j := range accs {
					if accs[j] != nil {
						scratch[j] = make([]float64, b.size)
					}
				}
				for i := lo; i < hi; i += b.size {
					e := min(hi, i+b.size)
					for j := range d {
						switch {
						case bufs[j] != nil:
							d[j] = bufs[j][i:e]
						case accs[j] != nil:
							d[j] = scratch[j][:e-i]
						}
					}
					k.grad(gk, b.at(i, e), b.uniform, d)
					for j := range accs {
						if accs[j] != nil {
							accs[j][c] += vecmath.Sum(d[j])
						}
					}
				}
			})
		}
		for j, t := range ops {
			switch {
			case accs[j] != nil:
				s := 0.0
				for _, v := range accs[j] {
					s += v
				}
				gin[j] = tensor.Full(s, t.Shape()...)
			case bufs[j] != nil:
				gin[j] = tensor.FromData(bufs[j], ks...).SumTo(t.Shape())
			}
		}
	})
}

// blockInputs lays out the operands' values for one block at a time:
// slices of the operands laid out over the shape, and single elements
// repeated into a buffer.
type blockInputs struct {
	opnds   []operand
	size    int
	in      [][]float64
	uniform []bool
	rep     [][]float64 // the repeated element of a single-element operand
}

// newBlockInputs prepares blocks of up to size elements.
func newBlockInputs(opnds []operand, size int) *blockInputs {
	m := len(opnds)
	b := &blockInputs{opnds: opnds, size: max(size, 1), in: make([][]float64, m), uniform: make([]bool, m), rep: make([][]float64, m)}
	for j, o := range opnds {
		if o.s == 0 {
			r := make([]float64, b.size)
			for i := range r {
				r[i] = o.d[0]
			}
			b.rep[j], b.uniform[j] = r, true
		}
	}
	return b
}

// at returns the operands' values for elements [lo, hi).
func (b *blockInputs) at(lo, hi int) [][]float64 {
	for j, o := range b.opnds {
		if b.rep[j] != nil {
			b.in[j] = b.rep[j][:hi-lo]
		} else {
			b.in[j] = o.d[lo:hi]
		}
	}
	return b.in
}

// hoisted is f of a block's parameter values, computed once when the block
// repeats a single element.
type hoisted struct {
	p       []float64
	f       func(float64) float64
	v       float64
	uniform bool
}

// hoist prepares f(p[i]) for a block; uniform reports that p repeats p[0].
func hoist(p []float64, uniform bool, f func(float64) float64) hoisted {
	h := hoisted{p: p, f: f, uniform: uniform && len(p) > 0}
	if h.uniform {
		h.v = f(p[0])
	}
	return h
}

// at returns f(p[i]).
func (h hoisted) at(i int) float64 {
	if h.uniform {
		return h.v
	}
	return h.f(h.p[i])
}
