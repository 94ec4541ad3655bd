package dist

import (
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// SumLogProber is implemented by distributions that can sum their
// log-density over a value in one fused pass, without materializing the
// elementwise log-density. Inference uses it for large observed sites.
type SumLogProber interface {
	// SumLogProb returns LogProb(value).Sum() as a differentiable scalar,
	// and the shape LogProb(value) would have.
	SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error)
}

// SumLogProb returns the sum of the Normal log-density over value in one
// fused pass, and the shape LogProb would have.
func (d *NormalDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	s, nan := normalSum(value, d.loc, d.scale, shape)
	if nan && d.validating() {
		if err := d.checkValues(value, "real", isReal); err != nil {
			return nil, nil, err
		}
	}
	return s, shape, nil
}

// normalSum is Σ log N(x | loc, scale) over the broadcast of the operands,
// times the number of copies when the result shape is larger (an expanded
// batch). Its backward pass takes the scalar gradient straight to each
// operand: one pass, and no elementwise buffer except for operands that
// need elementwise gradients.
func normalSum(x, loc, scale *tensor.Tensor, resultShape []int) (*tensor.Tensor, bool) {
	shape, _ := tensor.BroadcastShapes(x.Shape(), loc.Shape(), scale.Shape())
	copies := float64(numel(resultShape)) / float64(max(numel(shape), 1))
	xo, mo, so := operandOf(x, shape), operandOf(loc, shape), operandOf(scale, shape)
	n := numel(shape)
	nc := numChunks(n)
	partial := make([]float64, nc)
	nanChunk := make([]bool, nc)
	forChunks(n, func(c, lo, hi int) {
		acc := 0.0
		if so.s == 0 && mo.s == 0 && xo.s == 1 {
			iv, m := 1/so.d[0], mo.d[0]
			for _, xv := range xo.d[lo:hi] {
				z := (xv - m) * iv
				acc += z * z
			}
			acc = -0.5*acc - float64(hi-lo)*(math.Log(so.d[0])+logSqrt2Pi)
		} else {
			for i := lo; i < hi; i++ {
				s := so.d[i*so.s]
				z := (xo.d[i*xo.s] - mo.d[i*mo.s]) / s
				acc += -0.5*z*z - math.Log(s) - logSqrt2Pi
			}
		}
		partial[c] = acc
		nanChunk[c] = acc != acc
	})
	total, nan := 0.0, false
	for c := range partial {
		total += partial[c]
		nan = nan || nanChunk[c]
	}
	out := tensor.Scalar(total * copies)
	ins := []*tensor.Tensor{x, loc, scale}
	want := []bool{x.RequiresGrad(), loc.RequiresGrad(), scale.RequiresGrad()}
	if !want[0] && !want[1] && !want[2] {
		return out, nan
	}
	return tensor.Fused("NormalSumLogProb", out, ins, func(g *tensor.Tensor) []*tensor.Tensor {
		k := g.Item() * copies
		gx := newSlot(want[0], true, xo, n, nc)
		gm := newSlot(want[1], true, mo, n, nc)
		gs := newSlot(want[2], true, so, n, nc)
		forChunks(n, func(c, lo, hi int) {
			var ax, am, as float64
			if so.s == 0 && mo.s == 0 && xo.s == 1 && gx.buf == nil {
				// scalar parameters, data not differentiated: Σz and Σz²
				iv, m := 1/so.d[0], mo.d[0]
				var sz, szz float64
				for _, xv := range xo.d[lo:hi] {
					z := (xv - m) * iv
					sz += z
					szz += z * z
				}
				cnt := float64(hi - lo)
				if gm.acc != nil {
					gm.acc[c] = k * sz * iv
				}
				if gs.acc != nil {
					gs.acc[c] = k * (szz - cnt) * iv
				}
				return
			}
			for i := lo; i < hi; i++ {
				iv := 1 / so.d[i*so.s]
				z := (xo.d[i*xo.s] - mo.d[i*mo.s]) * iv
				w := k * z * iv          // ∂/∂loc
				ws := k * (z*z - 1) * iv // ∂/∂scale
				if gx.buf != nil {
					gx.buf[i] = -w
				} else {
					ax -= w
				}
				if gm.buf != nil {
					gm.buf[i] = w
				} else {
					am += w
				}
				if gs.buf != nil {
					gs.buf[i] = ws
				} else {
					as += ws
				}
			}
			if gx.acc != nil {
				gx.acc[c] = ax
			}
			if gm.acc != nil {
				gm.acc[c] = am
			}
			if gs.acc != nil {
				gs.acc[c] = as
			}
		})
		return []*tensor.Tensor{gx.result(xo, shape, true), gm.result(mo, shape, true), gs.result(so, shape, true)}
	}), nan
}

// SumLogProb returns the sum of the Bernoulli log-density over value and the
// shape LogProb would have. From logits with the value laid out like the
// logits it is one fused pass, x·l − softplus(l) from a single e^−|l| per
// element; other layouts sum LogProb.
func (d *BernoulliDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	if d.logits == nil || value.RequiresGrad() || !slices.Equal(shape, d.logits.Shape()) || !isTrailingRepeat(value.Shape(), shape) {
		lp, err := d.LogProb(value)
		if err != nil {
			return nil, nil, err
		}
		return lp.Sum(), shape, nil
	}
	s, bad, v := bernoulliLogitsSum(value, d.logits, d.validating())
	if bad {
		return nil, nil, d.supportError(value, "0 or 1", v)
	}
	return s, shape, nil
}

// isTrailingRepeat reports whether a tensor of shape inner, broadcast to
// outer, simply repeats its values: inner equals outer's trailing dims after
// dropping leading size-1 dims.
func isTrailingRepeat(inner, outer []int) bool {
	for len(inner) > 0 && inner[0] == 1 {
		inner = inner[1:]
	}
	return len(inner) <= len(outer) && slices.Equal(inner, outer[len(outer)-len(inner):])
}

// bernoulliLogitsSum is Σ x·l − softplus(l) for l and x, where x's values
// repeat along l's leading dims (x laid out as l's trailing dims). When l
// requires grad the forward pass also stores x − σ(l), which the backward
// pass scales by the incoming gradient. With check it reports a value other
// than 0 or 1.
func bernoulliLogitsSum(x, l *tensor.Tensor, check bool) (*tensor.Tensor, bool, float64) {
	xd, ld := x.Data(), l.Data()
	n, m := len(ld), len(xd)
	nc := numChunks(n)
	partial := make([]float64, nc)
	badChunk := make([]bool, nc)
	var grad []float64
	if l.RequiresGrad() {
		grad = make([]float64, n)
	}
	forChunks(n, func(c, lo, hi int) {
		acc := 0.0
		bad := false
		j := lo % m // index into x, wrapping as x repeats
		for i := lo; i < hi; i, j = i+1, j+1 {
			if j == m {
				j = 0
			}
			xi, li := xd[j], ld[i]
			if check && xi != 0 && xi != 1 {
				bad = true
			}
			if li-li != 0 { // ±Inf logits: exact limits
				acc -= binarySoftplus(xi, 1-xi, li)
				if grad != nil {
					grad[i] = xi - tensor.SigmoidFloat(li)
				}
				continue
			}
			// softplus(l) = max(l, 0) + log1p(e^−|l|); σ(l) from the same e^−|l|.
			a := li
			if a < 0 {
				a = -a
			}
			t := math.Exp(-a)
			sp := tensor.Log1pFloat(t)
			sig := 1 / (1 + t)
			if li > 0 {
				sp += li
			} else {
				sig = t * sig
			}
			acc += xi*li - sp
			if grad != nil {
				grad[i] = xi - sig
			}
		}
		partial[c] = acc
		badChunk[c] = bad
	})
	total := 0.0
	for c := range partial {
		if badChunk[c] {
			for _, v := range xd {
				if v != 0 && v != 1 {
					return nil, true, v
				}
			}
		}
		total += partial[c]
	}
	out := tensor.Scalar(total)
	if grad == nil {
		return out, false, 0
	}
	return tensor.Fused("BernoulliLogitsSumLogProb", out, []*tensor.Tensor{x, l}, func(g *tensor.Tensor) []*tensor.Tensor {
		k := g.Item()
		if k != 1 {
			gd := make([]float64, n)
			forChunks(n, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					gd[i] = k * grad[i]
				}
			})
			return []*tensor.Tensor{nil, tensor.FromData(gd, l.Shape()...)}
		}
		return []*tensor.Tensor{nil, tensor.FromData(grad, l.Shape()...)}
	}), false, 0
}
