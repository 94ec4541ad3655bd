package dist

import (
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// blockKernel is the log-density of a value and its parameters written for
// blocks of elements, so that it can take logarithms with the vectorized
// kernel and compute once what a single-element parameter makes constant.
// In both functions in[0] holds the block's values and in[j] parameter j's,
// every in[j] of the block's length; uniform[j] reports that in[j] repeats
// one element.
type blockKernel struct {
	name string
	// logProb stores each element's log-density in out; tmp is scratch
	// space of out's length.
	logProb func(out, tmp []float64, in [][]float64, uniform []bool)
	// grad stores k·∂f/∂in[j] in d[j] for every j whose d[j] is not nil.
	grad func(k float64, in [][]float64, uniform []bool, d [][]float64)
}

// blockSumLogProb is SumLogProb through the block kernel kernel makes:
// LogProb's checks, including checkValues on the value when it is not nil,
// then blockSum over the value and params. A site of fewer than a block of
// values (a latent variable) sums LogProb instead, which allocates less,
// and makes no kernel.
func (b *base) blockSumLogProb(kernel func() blockKernel, checkValues func(*tensor.Tensor) error, value *tensor.Tensor, params ...*tensor.Tensor) (*tensor.Tensor, []int, error) {
	shape, err := b.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	if numel(shape) < blockLen {
		lp, err := b.self.LogProb(value)
		if err != nil {
			return nil, nil, err
		}
		return lp.Sum(), shape, nil
	}
	if checkValues != nil {
		if err := checkValues(value); err != nil {
			return nil, nil, err
		}
	}
	return blockSum(kernel(), shape, append([]*tensor.Tensor{value}, params...)...), shape, nil
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
	n := numel(ks)
	opnds := make([]blockOperand, len(ops))
	for j, t := range ops {
		opnds[j] = blockOperandOf(t, ks, n)
	}
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
		// An operand laid out over the shape gets its gradient in a buffer
		// of that layout; one that repeats (a single element, a parameter
		// per feature) sums its partials per chunk into one period.
		bufs := make([][]float64, m)
		accs := make([][]float64, m) // per chunk, one period
		for j, t := range ops {
			switch o := opnds[j]; {
			case !t.RequiresGrad():
			case o.full:
				bufs[j] = make([]float64, n)
			default:
				accs[j] = make([]float64, nc*o.period)
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
					for j, acc := range accs {
						if acc != nil {
							p := opnds[j].period
							addPeriodic(acc[c*p:(c+1)*p], d[j], i%p)
						}
					}
				}
			})
		}
		for j, t := range ops {
			switch {
			case accs[j] != nil:
				p := opnds[j].period
				sum := make([]float64, p)
				for c := range nc { // chunk sums in chunk order
					for i, v := range accs[j][c*p : (c+1)*p] {
						sum[i] += v
					}
				}
				gin[j] = tensor.Handoff(tensor.FromData(sum, t.Shape()...))
			case bufs[j] != nil:
				gin[j] = tensor.Handoff(tensor.FromData(bufs[j], ks...).SumTo(t.Shape()))
			}
		}
	})
}

// blockOperand is an operand of a block kernel over a shape of n elements:
// element i reads d[i % period]. Period 1 is a single element, period n an
// operand laid out like the shape (or materialized in that layout), and a
// period in between an operand that repeats along the shape's leading dims,
// such as a parameter per feature over rows of data.
type blockOperand struct {
	d      []float64
	period int
	full   bool // period n: read in place, block by block
}

// blockOperandOf lays out t over the shape ks of n elements.
func blockOperandOf(t *tensor.Tensor, ks []int, n int) blockOperand {
	d := t.Data()
	switch {
	case len(d) == 1:
		return blockOperand{d: d, period: 1}
	case slices.Equal(t.Shape(), ks):
		return blockOperand{d: d, period: n, full: true}
	case isTrailingRepeat(t.Shape(), ks) && len(d) > 0:
		return blockOperand{d: d, period: len(d)}
	}
	return blockOperand{d: t.Detach().Expand(ks...).Data(), period: n, full: true}
}

// addPeriodic adds v[t] to acc[(start+t) % len(acc)] for every t.
func addPeriodic(acc, v []float64, start int) {
	if len(acc) == 1 { // one element: a sum with independent accumulators
		acc[0] += vecmath.Sum(v)
		return
	}
	j := start
	for _, x := range v {
		acc[j] += x
		if j++; j == len(acc) {
			j = 0
		}
	}
}

// blockInputs lays out the operands' values for one block at a time:
// slices of the operands laid out over the shape, and repeating operands
// copied into buffers.
type blockInputs struct {
	opnds   []blockOperand
	size    int
	in      [][]float64
	uniform []bool
	rep     [][]float64 // the buffer of a repeating operand
}

// newBlockInputs prepares blocks of up to size elements.
func newBlockInputs(opnds []blockOperand, size int) *blockInputs {
	m := len(opnds)
	b := &blockInputs{opnds: opnds, size: max(size, 1), in: make([][]float64, m), uniform: make([]bool, m), rep: make([][]float64, m)}
	for j, o := range opnds {
		switch {
		case o.period == 1:
			r := make([]float64, b.size)
			for i := range r {
				r[i] = o.d[0]
			}
			b.rep[j], b.uniform[j] = r, true
		case !o.full:
			b.rep[j] = make([]float64, b.size)
		}
	}
	return b
}

// at returns the operands' values for elements [lo, hi).
func (b *blockInputs) at(lo, hi int) [][]float64 {
	for j, o := range b.opnds {
		switch r := b.rep[j]; {
		case r == nil:
			b.in[j] = o.d[lo:hi]
		case b.uniform[j]:
			b.in[j] = r[:hi-lo]
		default:
			p, i := o.period, lo%o.period
			for t := range hi - lo {
				r[t] = o.d[i]
				if i++; i == p {
					i = 0
				}
			}
			b.in[j] = r[:hi-lo]
		}
	}
	return b.in
}

// blockLogs returns log p[i] for the block's values of a parameter, in
// tmp: computed once for a uniform p, else through the vectorized
// logarithm. Kernels use it for log scale.
func blockLogs(tmp, p []float64, uniform bool) []float64 {
	tmp = tmp[:len(p)]
	if !uniform {
		vecmath.Log(tmp, p)
		return tmp
	}
	l := math.Log(p[0])
	for i := range tmp {
		tmp[i] = l
	}
	return tmp
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
