package dist

import (
	"math"
	"slices"
	"sync/atomic"

	"github.com/vigo-ppl/vigo/internal/vecmath"
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

// SumLogProb returns the sum of the Normal log-density over value and the
// shape LogProb would have, in one fused pass that materializes no
// log-density. With one loc and one scale (the common observation site) the
// backward pass reads no data either; with a loc or scale per element (a
// regression's mean, say) it is the Normal block kernel, whose backward pass
// writes their gradients straight from the data.
func (d *NormalDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	if d.loc.Len() != 1 || d.scale.Len() != 1 || value.RequiresGrad() {
		return d.blockSumLogProb(normalBlockKernel, d.checkRealSupport, value, d.loc, d.scale)
	}
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	s, nan := normalSum(value, d.loc, d.scale, float64(numel(shape))/float64(max(value.Len(), 1)))
	if nan && d.validating() {
		if err := d.checkRealValues(value, "real"); err != nil {
			return nil, nil, err
		}
	}
	return s, shape, nil
}

// normalSum is copies × Σ log N(x | loc, scale) for one-element loc and
// scale (copies > 1 when an expanded batch repeats the values). Its one pass
// over x sums z = (x − loc)/scale and z², so the backward pass takes the
// scalar gradient straight to loc and scale, with no second pass and no
// elementwise buffer.
func normalSum(x, loc, scale *tensor.Tensor, copies float64) (*tensor.Tensor, bool) {
	xd, m, sd := x.Data(), loc.Data()[0], scale.Data()[0]
	iv := 1 / sd
	n := len(xd)
	nc := numChunks(n)
	grad := loc.RequiresGrad() || scale.RequiresGrad()
	logNorm := math.Log(sd) + logSqrt2Pi
	var total, tz, tzz float64 // the log-density, Σz and Σz²
	if nc == 1 {               // one chunk: no closure, no goroutine
		tz, tzz = sumAndSquares(xd, m, iv)
		total = -0.5*tzz - float64(n)*logNorm
	} else {
		partial := make([]float64, 3*nc) // per chunk: log-density, Σz, Σz²
		forChunks(n, func(c, lo, hi int) {
			sz, szz := sumAndSquares(xd[lo:hi], m, iv)
			partial[3*c], partial[3*c+1], partial[3*c+2] = -0.5*szz-float64(hi-lo)*logNorm, sz, szz
		})
		for c := range nc {
			total += partial[3*c]
			tz += partial[3*c+1]
			tzz += partial[3*c+2]
		}
	}
	out := tensor.Scalar(total * copies)
	if !grad {
		return out, total != total
	}
	return tensor.FusedInto("NormalSumLogProb", out, []*tensor.Tensor{x, loc, scale}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		k := g.Item() * copies
		if loc.RequiresGrad() {
			gin[1] = tensor.Full(k*tz*iv, loc.Shape()...)
		}
		if scale.RequiresGrad() {
			gin[2] = tensor.Full(k*(tzz-float64(n))*iv, scale.Shape()...)
		}
	}), total != total
}

// sumAndSquares returns Σz and Σz² for z = (x-m)·iv in one pass, with four
// independent accumulators for each so the loop is not bound by the latency
// of one chain of additions.
func sumAndSquares(xs []float64, m, iv float64) (sum, squares float64) {
	var a0, a1, a2, a3, s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		z0, z1 := (xs[i]-m)*iv, (xs[i+1]-m)*iv
		z2, z3 := (xs[i+2]-m)*iv, (xs[i+3]-m)*iv
		a0 += z0
		a1 += z1
		a2 += z2
		a3 += z3
		s0 += z0 * z0
		s1 += z1 * z1
		s2 += z2 * z2
		s3 += z3 * z3
	}
	for ; i < len(xs); i++ {
		z := (xs[i] - m) * iv
		a0 += z
		s0 += z * z
	}
	return (a0 + a1) + (a2 + a3), (s0 + s1) + (s2 + s3)
}

// SumLogProb returns the sum of the Bernoulli log-density over value and the
// shape LogProb would have, in one pass that stores no log-density. From
// logits with the value laid out like the logits it is the vectorized
// x·l − softplus(l), from a single e^−|l| per element; other layouts run
// the elementwise kernel a block at a time.
func (d *BernoulliDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	if d.logits == nil && d.probs.Len() == 1 && !d.probs.RequiresGrad() {
		lp, err := d.LogProb(value) // one constant probability: no kernel at all
		if err != nil {
			return nil, nil, err
		}
		return lp.Sum(), lp.Shape(), nil
	}
	if d.logits == nil {
		return d.pointwiseSumLogProb(bernoulliProbsKernel(), value, d.probs, nil, "0 or 1")
	}
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	if value.RequiresGrad() || !slices.Equal(shape, d.logits.Shape()) || !isTrailingRepeat(value.Shape(), shape) {
		return d.pointwiseSumLogProb(bernoulliLogitsKernel(), value, d.logits, nil, "0 or 1")
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
//
// Each run of l that lines up with one copy of x goes through the vectorized
// kernel; a run whose sum is not finite (an infinite or NaN logit) is redone
// with exact limits, as are short runs where x repeats too often for the
// kernel to pay off.
func bernoulliLogitsSum(x, l *tensor.Tensor, check bool) (*tensor.Tensor, bool, float64) {
	xd, ld := x.Data(), l.Data()
	n := len(ld)
	if check && !x.AllIn(tensor.Boolean) {
		for _, v := range xd {
			if v != 0 && v != 1 {
				return nil, true, v
			}
		}
	}
	var grad []float64
	if l.RequiresGrad() {
		grad = make([]float64, n)
	}
	total := bernoulliLogitsPass(xd, ld, grad)
	out := tensor.Scalar(total)
	if grad == nil {
		return out, false, 0
	}
	// The first backward pass scales the stored derivative in place and
	// hands it on; should the graph be walked again, it is recomputed.
	var handedOut atomic.Bool
	return tensor.FusedInto("BernoulliLogitsSumLogProb", out, []*tensor.Tensor{x, l}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		gd := grad
		if handedOut.Swap(true) {
			gd = make([]float64, n)
			bernoulliLogitsPass(xd, ld, gd)
		}
		if k := g.Item(); k != 1 {
			forChunks(n, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					gd[i] *= k
				}
			})
		}
		gin[1] = tensor.Handoff(tensor.FromData(gd, l.Shape()...))
	}), false, 0
}

// bernoulliLogitsPass returns Σ x·l − softplus(l) over l, x repeating with
// period len(x), and stores x − σ(l) in grad when grad is not nil.
func bernoulliLogitsPass(xd, ld, grad []float64) float64 {
	n, m := len(ld), len(xd)
	partial := make([]float64, numChunks(n))
	forChunks(n, func(c, lo, hi int) {
		if m < minVectorRun {
			partial[c] = bernoulliLogitsExact(xd, ld, grad, lo, hi)
			return
		}
		acc := 0.0
		for i := lo; i < hi; {
			j := i % m
			end := min(hi, i+m-j)
			var g []float64
			if grad != nil {
				g = grad[i:end]
			}
			s := vecmath.BernoulliLogits(ld[i:end], xd[j:], g)
			if math.IsNaN(s) || math.IsInf(s, 0) {
				s = bernoulliLogitsExact(xd, ld, grad, i, end)
			}
			acc += s
			i = end
		}
		partial[c] = acc
	})
	total := 0.0
	for _, p := range partial {
		total += p
	}
	return total
}

// allBinary reports whether every value is 0 or 1, with one predictable
// branch per element: v·(v−1) is 0 exactly for those two (NaN and ±Inf give
// NaN or Inf).
func allBinary(d []float64) bool {
	bad := 0.0
	for _, v := range d {
		bad += math.Abs(v * (v - 1))
	}
	return bad == 0
}

// minVectorRun is the shortest run of x for which bernoulliLogitsSum calls
// the vectorized kernel once per run.
const minVectorRun = 32

// bernoulliLogitsExact is Σ x·l − softplus(l) over l[lo:hi] one element at a
// time, with exact limits for infinite logits; x repeats with period len(x).
// It stores x − σ(l) in grad when grad is not nil.
func bernoulliLogitsExact(xd, ld, grad []float64, lo, hi int) float64 {
	m := len(xd)
	acc := 0.0
	j := lo % m
	for i := lo; i < hi; i, j = i+1, j+1 {
		if j == m {
			j = 0
		}
		v, g := bernoulliLogitsBoth(xd[j], ld[i], 0)
		acc += v
		if grad != nil {
			grad[i] = g
		}
	}
	return acc
}
