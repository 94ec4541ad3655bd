package dist

import (
	"math"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// CauchyDist is the Cauchy distribution with location Loc and scale Scale.
type CauchyDist struct {
	base
	loc, scale *tensor.Tensor
}

// Cauchy returns the Cauchy distribution with the given location and
// positive scale.
func Cauchy(loc, scale *tensor.Tensor) *CauchyDist {
	d := &CauchyDist{loc: loc, scale: scale}
	d.setup(d, "Cauchy", d.broadcastParams([]string{"loc", "scale"}, loc, scale), nil, true)
	if d.err == nil {
		d.checkReal("loc", loc)
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Loc returns the location (the median).
func (d *CauchyDist) Loc() *tensor.Tensor { return d.loc }

// Scale returns the scale (the half width at half maximum).
func (d *CauchyDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *CauchyDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *CauchyDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws loc + scale·tan(π(u - ½)) with u uniform.
func (d *CauchyDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return locScale(d.loc, d.scale, standardCauchy(rng, d.shapeOf(sampleShape)))
}

// standardCauchy returns standard Cauchy draws of the given shape.
func standardCauchy(rng *rand.Rand, shape []int) *tensor.Tensor {
	t, e := tensor.Make(shape...)
	for i := range e {
		e[i] = math.Tan(math.Pi * (rng.Float64() - 0.5))
	}
	return t
}

// LogProb returns -log π - log scale - log(1 + ((x-loc)/scale)²).
func (d *CauchyDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkRealValues(value, "real"); err != nil {
		return nil, err
	}
	return cauchyLogProb(value, d.loc, d.scale, 0).Expand(shape...), nil
}

// cauchyLogProb is the Cauchy(loc, scale) log-density of x plus extra (ln 2
// for the half-Cauchy), computed in one fused pass with a hand-written
// backward pass; a nil loc stands for 0.
func cauchyLogProb(x, loc, scale *tensor.Tensor, extra float64) *tensor.Tensor {
	if loc == nil {
		loc = tensor.Scalar(0)
	}
	shape, _ := tensor.BroadcastShapes(x.Shape(), loc.Shape(), scale.Shape())
	xo, mo, so := operandOf(x, shape), operandOf(loc, shape), operandOf(scale, shape)
	n := numel(shape)
	res, out := tensor.Make(shape...)
	k := extra - math.Log(math.Pi)
	forChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			s := so.d[i*so.s]
			z := (xo.d[i*xo.s] - mo.d[i*mo.s]) / s
			out[i] = k - math.Log(s) - math.Log1p(z*z)
		}
	})
	return record("CauchyLogProb", res, []*tensor.Tensor{x, loc, scale}, func(_, gt *tensor.Tensor, gin []*tensor.Tensor) {
		g, reduce := gradOf(gt)
		nc := numChunks(n)
		gx := newSlot(x.RequiresGrad(), reduce, xo, shape, nc)
		gm := newSlot(loc.RequiresGrad(), reduce, mo, shape, nc)
		gs := newSlot(scale.RequiresGrad(), reduce, so, shape, nc)
		forChunks(n, func(c, lo, hi int) {
			var ax, am, as float64
			for i := lo; i < hi; i++ {
				s := so.d[i*so.s]
				z := (xo.d[i*xo.s] - mo.d[i*mo.s]) / s
				gi := 1.0
				if g != nil {
					gi = g[i]
				}
				q := 1 / ((1 + z*z) * s)
				w := gi * 2 * z * q // g ∂/∂loc
				ws := gi * (z*z - 1) * q
				gx.put(i, -w, &ax)
				gm.put(i, w, &am)
				gs.put(i, ws, &as)
			}
			gx.setChunk(c, ax)
			gm.setChunk(c, am)
			gs.setChunk(c, as)
		})
		gin[0], gin[1], gin[2] = gx.result(xo, reduce, 0), gm.result(mo, reduce, 0), gs.result(so, reduce, 0)
	})
}

// Mean is undefined: NaN.
func (d *CauchyDist) Mean() *tensor.Tensor { return tensor.Full(math.NaN(), d.batch...) }

// Variance is infinite.
func (d *CauchyDist) Variance() *tensor.Tensor { return tensor.Full(math.Inf(1), d.batch...) }

// Entropy returns log(4π scale).
func (d *CauchyDist) Entropy() *tensor.Tensor {
	return d.scale.Log().AddScalar(math.Log(4 * math.Pi)).Expand(d.batch...)
}

// Support is the real line.
func (d *CauchyDist) Support() constraint.Constraint { return constraint.Real }

// HalfCauchyDist is the distribution of |X| for X ~ Cauchy(0, Scale).
type HalfCauchyDist struct {
	base
	scale *tensor.Tensor
}

// HalfCauchy returns the half-Cauchy distribution with the given positive scale.
func HalfCauchy(scale *tensor.Tensor) *HalfCauchyDist {
	d := &HalfCauchyDist{scale: scale}
	d.setup(d, "HalfCauchy", d.broadcastParams([]string{"scale"}, scale), nil, true)
	if d.err == nil {
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Scale returns the scale.
func (d *HalfCauchyDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *HalfCauchyDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *HalfCauchyDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws scale·|C| with C standard Cauchy.
func (d *HalfCauchyDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.scale.Mul(standardCauchy(rng, d.shapeOf(sampleShape)).Abs())
}

// LogProb returns log 2 plus the Cauchy(0, scale) log-density for x ≥ 0.
func (d *HalfCauchyDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkNonNegativeValues(value); err != nil {
		return nil, err
	}
	lp := cauchyLogProb(value, nil, d.scale, math.Ln2)
	if !d.validating() {
		lp = negInfBelow(lp, value, 0)
	}
	return lp.Expand(shape...), nil
}

// negInfBelow returns lp where x ≥ lo and -Inf elsewhere. LogProb calls it
// only with validation off: validation rejects such values first.
func negInfBelow(lp, x *tensor.Tensor, lo float64) *tensor.Tensor {
	for _, v := range x.Data() {
		if !(v >= lo) {
			return tensor.Where(x.Ge(tensor.Scalar(lo)), lp, tensor.Scalar(math.Inf(-1)))
		}
	}
	return lp
}

// Mean is infinite.
func (d *HalfCauchyDist) Mean() *tensor.Tensor { return tensor.Full(math.Inf(1), d.batch...) }

// Variance is infinite.
func (d *HalfCauchyDist) Variance() *tensor.Tensor { return tensor.Full(math.Inf(1), d.batch...) }

// Entropy returns log(2π scale).
func (d *HalfCauchyDist) Entropy() *tensor.Tensor {
	return d.scale.Log().AddScalar(math.Log(2 * math.Pi)).Expand(d.batch...)
}

// Support is x ≥ 0.
func (d *HalfCauchyDist) Support() constraint.Constraint { return constraint.Nonnegative }

// HalfNormalDist is the distribution of |X| for X ~ Normal(0, Scale).
type HalfNormalDist struct {
	base
	scale *tensor.Tensor
}

// HalfNormal returns the half-normal distribution with the given positive scale.
func HalfNormal(scale *tensor.Tensor) *HalfNormalDist {
	d := &HalfNormalDist{scale: scale}
	d.setup(d, "HalfNormal", d.broadcastParams([]string{"scale"}, scale), nil, true)
	if d.err == nil {
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Scale returns the scale of the underlying normal.
func (d *HalfNormalDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *HalfNormalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *HalfNormalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws scale·|ε| with ε standard normal.
func (d *HalfNormalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.scale.Mul(tensor.RandN(rng, d.shapeOf(sampleShape)...).Abs())
}

// LogProb returns log 2 plus the Normal(0, scale) log-density for x ≥ 0.
func (d *HalfNormalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkNonNegativeValues(value); err != nil {
		return nil, err
	}
	lp, _ := normalLogProb(value, tensor.Scalar(0), d.scale, false)
	lp = lp.AddScalar(math.Ln2)
	if !d.validating() {
		lp = negInfBelow(lp, value, 0)
	}
	return lp.Expand(shape...), nil
}

// Mean returns scale·√(2/π).
func (d *HalfNormalDist) Mean() *tensor.Tensor {
	return d.scale.MulScalar(math.Sqrt(2 / math.Pi)).Expand(d.batch...)
}

// Variance returns scale²·(1 - 2/π).
func (d *HalfNormalDist) Variance() *tensor.Tensor {
	return d.scale.Square().MulScalar(1 - 2/math.Pi).Expand(d.batch...)
}

// Entropy returns ½ log(π scale²/2) + ½.
func (d *HalfNormalDist) Entropy() *tensor.Tensor {
	return d.scale.Log().AddScalar(0.5*math.Log(math.Pi/2) + 0.5).Expand(d.batch...)
}

// Support is x ≥ 0.
func (d *HalfNormalDist) Support() constraint.Constraint { return constraint.Nonnegative }

// LaplaceDist is the Laplace (double exponential) distribution with
// location Loc and scale Scale.
type LaplaceDist struct {
	base
	loc, scale *tensor.Tensor
}

// Laplace returns the Laplace distribution with the given location and
// positive scale.
func Laplace(loc, scale *tensor.Tensor) *LaplaceDist {
	d := &LaplaceDist{loc: loc, scale: scale}
	d.setup(d, "Laplace", d.broadcastParams([]string{"loc", "scale"}, loc, scale), nil, true)
	if d.err == nil {
		d.checkReal("loc", loc)
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Loc returns the location (mean and median).
func (d *LaplaceDist) Loc() *tensor.Tensor { return d.loc }

// Scale returns the scale.
func (d *LaplaceDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *LaplaceDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *LaplaceDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws loc - scale·sign(u)·log(1-|u|) with u uniform on (-1, 1).
func (d *LaplaceDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	t, e := tensor.Make(d.shapeOf(sampleShape)...)
	for i := range e {
		u := 0.0
		for u == 0 {
			u = rng.Float64()
		}
		// u in (0, 1): a standard Laplace draw by inversion
		if u < 0.5 {
			e[i] = math.Log(2 * u)
		} else {
			e[i] = -math.Log(2 * (1 - u))
		}
	}
	return locScale(d.loc, d.scale, t)
}

// LogProb returns -log(2 scale) - |x - loc|/scale.
func (d *LaplaceDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkRealValues(value, "real"); err != nil {
		return nil, err
	}
	lp := value.Sub(d.loc).Abs().Div(d.scale).Add(d.scale.Log()).AddScalar(math.Ln2).Neg()
	return lp.Expand(shape...), nil
}

// Mean returns loc.
func (d *LaplaceDist) Mean() *tensor.Tensor { return d.loc.Expand(d.batch...) }

// Variance returns 2 scale².
func (d *LaplaceDist) Variance() *tensor.Tensor {
	return d.scale.Square().MulScalar(2).Expand(d.batch...)
}

// Entropy returns 1 + log(2 scale).
func (d *LaplaceDist) Entropy() *tensor.Tensor {
	return d.scale.Log().AddScalar(1 + math.Ln2).Expand(d.batch...)
}

// Support is the real line.
func (d *LaplaceDist) Support() constraint.Constraint { return constraint.Real }

// StudentTDist is Student's t distribution with Df degrees of freedom,
// location Loc and scale Scale.
type StudentTDist struct {
	base
	df, loc, scale *tensor.Tensor
}

// StudentT returns Student's t distribution with positive degrees of
// freedom df, location loc and positive scale. Its RSample is
// reparameterized in all three (in df through the implicit gamma gradient).
func StudentT(df, loc, scale *tensor.Tensor) *StudentTDist {
	d := &StudentTDist{df: df, loc: loc, scale: scale}
	d.setup(d, "StudentT", d.broadcastParams([]string{"df", "loc", "scale"}, df, loc, scale), nil, true)
	if d.err == nil {
		d.checkParam("df", df, "positive", tensor.Positive)
		d.checkReal("loc", loc)
		d.checkParam("scale", scale, "positive", tensor.Positive)
	}
	return d
}

// Df returns the degrees of freedom.
func (d *StudentTDist) Df() *tensor.Tensor { return d.df }

// Loc returns the location.
func (d *StudentTDist) Loc() *tensor.Tensor { return d.loc }

// Scale returns the scale.
func (d *StudentTDist) Scale() *tensor.Tensor { return d.scale }

// Expand returns a copy with batch shape batchShape.
func (d *StudentTDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *StudentTDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws loc + scale·ε/√(V/df) with ε standard normal and
// V ~ χ²(df) = 2·Gamma(df/2, 1).
func (d *StudentTDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	shape := d.shapeOf(sampleShape)
	eps := tensor.RandN(rng, shape...)
	half := d.df.MulScalar(0.5)
	g := standardGamma(rng, half, shape) // V/2
	y := eps.Div(g.Div(half).Sqrt())     // ε / √(V/df), V/df = g/(df/2)
	return locScale(d.loc, d.scale, y)
}

// LogProb returns log Γ((ν+1)/2) - log Γ(ν/2) - ½ log(νπ) - log scale
// - (ν+1)/2 · log(1 + z²/ν) with z = (x-loc)/scale.
func (d *StudentTDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkRealValues(value, "real"); err != nil {
		return nil, err
	}
	nu := d.df
	z := value.Sub(d.loc).Div(d.scale)
	norm := d.scale.Log().Add(nu.Log().MulScalar(0.5)).AddScalar(0.5 * math.Log(math.Pi)).
		Add(nu.MulScalar(0.5).Lgamma()).Sub(nu.AddScalar(1).MulScalar(0.5).Lgamma())
	lp := nu.AddScalar(1).MulScalar(-0.5).Mul(z.Square().Div(nu).Log1p()).Sub(norm)
	return lp.Expand(shape...), nil
}

// Mean returns loc where df > 1 and NaN elsewhere.
func (d *StudentTDist) Mean() *tensor.Tensor {
	m := tensor.Where(d.df.Gt(tensor.Scalar(1)), d.loc, tensor.Scalar(math.NaN()))
	return m.Expand(d.batch...)
}

// Variance returns scale²·df/(df-2) where df > 2, +Inf where 1 < df ≤ 2 and
// NaN where df ≤ 1.
func (d *StudentTDist) Variance() *tensor.Tensor {
	nu := d.df
	v := d.scale.Square().Mul(nu).Div(nu.AddScalar(-2))
	v = tensor.Where(nu.Gt(tensor.Scalar(2)), v, tensor.Scalar(math.Inf(1)))
	v = tensor.Where(nu.Gt(tensor.Scalar(1)), v, tensor.Scalar(math.NaN()))
	return v.Expand(d.batch...)
}

// Entropy returns log scale + (ν+1)/2·(ψ((ν+1)/2) - ψ(ν/2)) + ½ log ν + log B(ν/2, ½).
func (d *StudentTDist) Entropy() *tensor.Tensor {
	nu := d.df
	h, h1 := nu.MulScalar(0.5), nu.AddScalar(1).MulScalar(0.5)
	lbeta := h.Lgamma().AddScalar(0.5 * math.Log(math.Pi)).Sub(h1.Lgamma())
	e := d.scale.Log().Add(h1.Mul(h1.Digamma().Sub(h.Digamma()))).Add(nu.Log().MulScalar(0.5)).Add(lbeta)
	return e.Expand(d.batch...)
}

// Support is the real line.
func (d *StudentTDist) Support() constraint.Constraint { return constraint.Real }
