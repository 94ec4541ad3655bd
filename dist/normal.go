package dist

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// logSqrt2Pi is log √(2π).
const logSqrt2Pi = 0.91893853320467274178032973640561764

// NormalDist is the normal (Gaussian) distribution with mean Loc and
// standard deviation Scale.
type NormalDist struct {
	base
	loc, scale *tensor.Tensor
}

// Normal returns the normal distribution N(loc, scale²); the batch shape is
// the broadcast of the parameters' shapes. scale must be positive.
func Normal(loc, scale *tensor.Tensor) *NormalDist {
	d := &NormalDist{loc: loc, scale: scale}
	d.setup(d, "Normal", d.broadcastParams([]string{"loc", "scale"}, loc, scale), nil, true)
	if d.err == nil {
		d.checkReal("loc", loc)
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Loc returns the mean parameter.
func (d *NormalDist) Loc() *tensor.Tensor { return d.loc }

// Scale returns the standard deviation parameter.
func (d *NormalDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *NormalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *NormalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws loc + scale·ε with ε standard normal.
func (d *NormalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	eps := tensor.RandN(rng, d.shapeOf(sampleShape)...)
	return locScale(d.loc, d.scale, eps)
}

// locScale returns loc + scale·eps, with eps of the full sample shape.
// When loc and scale each have eps's shape or broadcast from one element,
// and eps needs no gradient, a draw of a block of values or more is one
// fused op: it is formed without the intermediate product scale·eps, with
// the same values and gradients as Add and Mul. (Below a block, Add and
// Mul allocate less.)
func locScale(loc, scale, eps *tensor.Tensor) *tensor.Tensor {
	locFull, locOK := fusedLayout(loc, eps)
	scaleFull, scaleOK := fusedLayout(scale, eps)
	if !locOK || !scaleOK || eps.RequiresGrad() || eps.Len() < blockLen {
		return loc.Add(scale.Mul(eps))
	}
	out, od := tensor.Make(eps.Shape()...)
	ld, sd, ed := loc.Data(), scale.Data(), eps.Data()
	forChunks(len(od), func(_, lo, hi int) {
		switch {
		case locFull && scaleFull:
			for i := lo; i < hi; i++ {
				od[i] = ld[i] + float64(sd[i]*ed[i]) // no fused multiply-add: as Mul then Add
			}
		case locFull:
			for i := lo; i < hi; i++ {
				od[i] = ld[i] + float64(sd[0]*ed[i])
			}
		case scaleFull:
			for i := lo; i < hi; i++ {
				od[i] = ld[0] + float64(sd[i]*ed[i])
			}
		default:
			for i := lo; i < hi; i++ {
				od[i] = ld[0] + float64(sd[0]*ed[i])
			}
		}
	})
	if !loc.RequiresGrad() && !scale.RequiresGrad() {
		return out
	}
	return tensor.FusedInto("LocScale", out, []*tensor.Tensor{loc, scale}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		if loc.RequiresGrad() {
			gin[0] = g.SumTo(loc.Shape())
		}
		if !scale.RequiresGrad() {
			return
		}
		if !scaleFull {
			gin[1] = tensor.Handoff(tensor.Full(vecmath.Dot(g.Data(), ed), scale.Shape()...))
			return
		}
		gin[1] = tensor.Handoff(g.Mul(eps)) // neither requires grad: nothing is recorded
	})
}

// fusedLayout reports whether t, broadcast against eps, gives eps's shape
// with t either laid out like eps (full) or holding one element.
func fusedLayout(t, eps *tensor.Tensor) (full, ok bool) {
	if slices.Equal(t.Shape(), eps.Shape()) {
		return true, true
	}
	return false, t.Len() == 1 && t.Dim() <= eps.Dim()
}

// LogProb returns -(x-loc)²/(2 scale²) - log scale - log √(2π), computed in
// one fused pass. A NaN value is an error when validation is on.
func (d *NormalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	lp, nan := normalLogProb(value, d.loc, d.scale, false)
	if nan && d.validating() {
		if err := d.checkRealValues(value, "real"); err != nil {
			return nil, err
		}
	}
	return lp.Expand(shape...), nil
}

// normalLogProb is the fused Normal log-density op; with logx it is the
// LogNormal one (x replaced by log x and log x subtracted). It also reports
// whether any result is NaN.
func normalLogProb(x, loc, scale *tensor.Tensor, logx bool) (*tensor.Tensor, bool) {
	out, nan, bw := normalKernel(x, loc, scale, logx)
	name := "NormalLogProb"
	if logx {
		name = "LogNormalLogProb"
	}
	return record(name, out, []*tensor.Tensor{x, loc, scale}, bw), nan
}

// normalKernel evaluates the Normal (or LogNormal) log-density in one pass
// and returns its backward pass. Data that fit in one chunk run inline,
// without the closures that spreading chunks over cores needs.
func normalKernel(x, loc, scale *tensor.Tensor, logx bool) (*tensor.Tensor, bool, fusedBackward) {
	shape, _ := tensor.BroadcastShapes(x.Shape(), loc.Shape(), scale.Shape())
	xo, mo, so := operandOf(x, shape), operandOf(loc, shape), operandOf(scale, shape)
	n := numel(shape)
	res, out := tensor.Make(shape...)
	nc := numChunks(n)
	var nan bool
	if nc == 1 {
		nan = normalForward(out, xo, mo, so, logx, 0, n)
	} else {
		nanChunk := make([]bool, nc)
		forChunks(n, func(c, lo, hi int) { nanChunk[c] = normalForward(out, xo, mo, so, logx, lo, hi) })
		for _, b := range nanChunk {
			nan = nan || b
		}
	}
	return res, nan, func(_, gt *tensor.Tensor, gin []*tensor.Tensor) {
		g, reduce := gradOf(gt)
		wx, wm, ws := x.RequiresGrad(), loc.RequiresGrad(), scale.RequiresGrad()
		if nc > 1 {
			gx := newSlot(wx, reduce, xo, shape, nc)
			gm := newSlot(wm, reduce, mo, shape, nc)
			gs := newSlot(ws, reduce, so, shape, nc)
			forChunks(n, func(c, lo, hi int) {
				ax, am, as := normalBackward(g, xo, mo, so, logx, gx, gm, gs, lo, hi)
				gx.setChunk(c, ax)
				gm.setChunk(c, am)
				gs.setChunk(c, as)
			})
			gin[0], gin[1], gin[2] = gx.result(xo, reduce, 0), gm.result(mo, reduce, 0), gs.result(so, reduce, 0)
			return
		}
		// one chunk: the reduced sums come back directly, nothing stored
		gx := newSlot(wx, reduce, xo, shape, 0)
		gm := newSlot(wm, reduce, mo, shape, 0)
		gs := newSlot(ws, reduce, so, shape, 0)
		ax, am, as := normalBackward(g, xo, mo, so, logx, gx, gm, gs, 0, n)
		gin[0], gin[1], gin[2] = gx.result(xo, reduce, ax), gm.result(mo, reduce, am), gs.result(so, reduce, as)
	}
}

// normalForward writes the log-density of elements [lo, hi) into out and
// reports whether any is NaN.
func normalForward(out []float64, xo, mo, so operand, logx bool, lo, hi int) bool {
	xd, md, sd := xo.d, mo.d, so.d
	xs, ms, ss := xo.s, mo.s, so.s
	nan := false
	switch {
	case ss == 0 && ms == 0 && xs == 1 && !logx:
		// the observation-site case: data against scalar parameters
		iv := 1 / sd[0]
		k := -math.Log(sd[0]) - logSqrt2Pi
		m := md[0]
		o := out[lo:hi]
		for i, xv := range xd[lo:hi] {
			z := (xv - m) * iv
			v := k - 0.5*z*z
			o[i] = v
			if v != v {
				nan = true
			}
		}
	case ss == 0 && !logx:
		iv := 1 / sd[0]
		k := -math.Log(sd[0]) - logSqrt2Pi
		for i := lo; i < hi; i++ {
			z := (xd[i*xs] - md[i*ms]) * iv
			v := k - 0.5*z*z
			out[i] = v
			if v != v {
				nan = true
			}
		}
	case ss == 1 && !logx:
		// a scale per element (a mean-field guide's): log s for the whole
		// range from the vectorized logarithm, into out first
		o := out[lo:hi]
		vecmath.Log(o, sd[lo:hi])
		for i := lo; i < hi; i++ {
			z := (xd[i*xs] - md[i*ms]) / sd[i]
			v := -0.5*z*z - o[i-lo] - logSqrt2Pi
			out[i] = v
			if v != v {
				nan = true
			}
		}
	default:
		for i := lo; i < hi; i++ {
			s := sd[i*ss]
			xv := xd[i*xs]
			ly := 0.0
			if logx {
				ly = math.Log(xv)
				xv = ly
			}
			z := (xv - md[i*ms]) / s
			v := -0.5*z*z - math.Log(s) - logSqrt2Pi - ly
			out[i] = v
			if v != v {
				nan = true
			}
		}
	}
	return nan
}

// normalBackward stores the gradients of elements [lo, hi) in the slots
// with buffers (g nil reads as ones) and returns the sums for x, loc and
// scale of the reduced single-element operands.
func normalBackward(g []float64, xo, mo, so operand, logx bool, gx, gm, gs gradSlot, lo, hi int) (ax, am, as float64) {
	if so.s == 0 && mo.s == 0 && xo.s == 1 && !logx && g != nil && gx.buf == nil && gm.buf == nil && gs.buf == nil {
		// scalar parameters reduced: two running sums, nothing stored
		iv := 1 / so.d[0]
		m := mo.d[0]
		gd := g[lo:hi]
		var sz, szz float64 // Σ g·z and Σ g·(z²-1)
		for i, xv := range xo.d[lo:hi] {
			z := (xv - m) * iv
			gi := gd[i]
			sz += gi * z
			szz += gi * (z*z - 1)
		}
		return 0, sz * iv, szz * iv
	}
	iv0 := 1 / so.d[0]
	for i := lo; i < hi; i++ {
		iv := iv0
		if so.s != 0 {
			iv = 1 / so.d[i]
		}
		xv := xo.d[i*xo.s]
		if logx {
			xv = math.Log(xv)
		}
		z := (xv - mo.d[i*mo.s]) * iv
		gi := 1.0
		if g != nil {
			gi = g[i]
		}
		w := gi * z * iv // g ∂/∂loc
		wx := -w
		if logx {
			wx = (-w - gi) / xo.d[i*xo.s]
		}
		gx.put(i, wx, &ax)
		gm.put(i, w, &am)
		gs.put(i, gi*(z*z-1)*iv, &as) // g ∂/∂scale
	}
	return ax, am, as
}

// Mean returns loc broadcast to the batch shape.
func (d *NormalDist) Mean() *tensor.Tensor { return d.loc.Expand(d.batch...) }

// Variance returns scale² broadcast to the batch shape.
func (d *NormalDist) Variance() *tensor.Tensor { return d.scale.Square().Expand(d.batch...) }

// Entropy returns log(scale √(2πe)).
func (d *NormalDist) Entropy() *tensor.Tensor {
	return d.scale.Log().AddScalar(0.5 + logSqrt2Pi).Expand(d.batch...)
}

// Support is the real line.
func (d *NormalDist) Support() constraint.Constraint { return constraint.Real }

// numel returns the number of elements of shape.
func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// LogNormalDist is the distribution of exp(X) for X ~ Normal(Loc, Scale).
type LogNormalDist struct {
	base
	loc, scale *tensor.Tensor
}

// LogNormal returns the log-normal distribution whose logarithm is
// N(loc, scale²); scale must be positive.
func LogNormal(loc, scale *tensor.Tensor) *LogNormalDist {
	d := &LogNormalDist{loc: loc, scale: scale}
	d.setup(d, "LogNormal", d.broadcastParams([]string{"loc", "scale"}, loc, scale), nil, true)
	if d.err == nil {
		d.checkReal("loc", loc)
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Loc returns the mean of log x.
func (d *LogNormalDist) Loc() *tensor.Tensor { return d.loc }

// Scale returns the standard deviation of log x.
func (d *LogNormalDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *LogNormalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *LogNormalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws exp(loc + scale·ε) with ε standard normal.
func (d *LogNormalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	eps := tensor.RandN(rng, d.shapeOf(sampleShape)...)
	return locScale(d.loc, d.scale, eps).Exp()
}

// LogProb returns the Normal log-density of log x minus log x, in one fused
// pass. A value that is not positive is an error when validation is on.
func (d *LogNormalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	lp, nan := normalLogProb(value, d.loc, d.scale, true)
	if nan && d.validating() {
		if err := d.checkValuesIn(value, "positive", tensor.Positive); err != nil {
			return nil, err
		}
	}
	return lp.Expand(shape...), nil
}

// Mean returns exp(loc + scale²/2).
func (d *LogNormalDist) Mean() *tensor.Tensor {
	return d.loc.Add(d.scale.Square().MulScalar(0.5)).Exp().Expand(d.batch...)
}

// Variance returns (exp(scale²) - 1)·exp(2 loc + scale²).
func (d *LogNormalDist) Variance() *tensor.Tensor {
	s2 := d.scale.Square()
	return s2.Expm1().Mul(d.loc.MulScalar(2).Add(s2).Exp()).Expand(d.batch...)
}

// Entropy returns loc + log(scale √(2πe)).
func (d *LogNormalDist) Entropy() *tensor.Tensor {
	return d.scale.Log().AddScalar(0.5 + logSqrt2Pi).Add(d.loc).Expand(d.batch...)
}

// Support is x > 0.
func (d *LogNormalDist) Support() constraint.Constraint { return constraint.Positive }
