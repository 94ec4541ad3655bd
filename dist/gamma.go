package dist

import (
	"math"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// GammaDist is the gamma distribution with shape Concentration (α) and
// inverse scale Rate (β): density β^α x^(α-1) e^(-βx) / Γ(α) on x ≥ 0.
type GammaDist struct {
	base
	conc, rate *tensor.Tensor
}

// Gamma returns the gamma distribution with the given concentration and
// rate, both positive. Its RSample is reparameterized implicitly (see
// [StandardGammaGrad]).
func Gamma(concentration, rate *tensor.Tensor) *GammaDist {
	d := &GammaDist{conc: concentration, rate: rate}
	d.setup(d, "Gamma", d.broadcastParams([]string{"concentration", "rate"}, concentration, rate), nil, true)
	if d.err == nil {
		d.checkParam("concentration", concentration, "positive", tensor.Positive)
		d.checkParam("rate", rate, "positive", tensor.Positive)
	}
	return d
}

// Concentration returns the shape parameter α.
func (d *GammaDist) Concentration() *tensor.Tensor { return d.conc }

// Rate returns the inverse scale β.
func (d *GammaDist) Rate() *tensor.Tensor { return d.rate }

// Expand returns a copy with batch shape batchShape.
func (d *GammaDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *GammaDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws z/β with z ~ Gamma(α, 1), differentiable in α by implicit
// reparameterization and in β through the division.
func (d *GammaDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	z := standardGamma(rng, d.conc, d.shapeOf(sampleShape))
	return z.Div(d.rate)
}

// LogProb returns α log β + (α-1) log x - βx - log Γ(α).
func (d *GammaDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkNonNegativeValues(value); err != nil {
		return nil, err
	}
	a, b := d.conc, d.rate
	lp := xlogy(a, b).Add(xlogy(a.AddScalar(-1), value)).Sub(b.Mul(value)).Sub(a.Lgamma())
	return lp.Expand(shape...), nil
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *GammaDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(gammaKernel, d.checkNonNegativeValues, value, d.conc, d.rate)
}

// gammaKernel is xlogy(α, β) + xlogy(α−1, x) − βx − log Γ(α), LogProb's
// formula, with log x from the vectorized logarithm and log β, log Γ(α)
// and ψ(α) computed once for a single-element parameter.
func gammaKernel() blockKernel {
	return blockKernel{
		name: "GammaLogProb",
		logProb: func(out, _ []float64, in [][]float64, uniform []bool) {
			x, a, b := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)]
			vecmath.Log(out, x)
			if uniform[1] && uniform[2] { // one α and one β: their terms once
				a0, b0 := a[0], b[0]
				ab, lg, am1 := xlogyF(a0, b0), tensor.LgammaFloat(a0), a0-1
				for i, lx := range out {
					out[i] = ab + xlogyLog(am1, x[i], lx) - b0*x[i] - lg
				}
				return
			}
			lg := hoist(a, uniform[1], tensor.LgammaFloat)
			for i, lx := range out {
				ai, bi := a[i], b[i]
				out[i] = xlogyF(ai, bi) + xlogyLog(ai-1, x[i], lx) - bi*x[i] - lg.at(i)
			}
		},
		grad: func(k float64, in [][]float64, uniform []bool, d [][]float64) {
			x, a, b := in[0], in[1], in[2]
			if da := d[1]; da != nil { // k·(log β + log x − ψ(α)), log x's term 0 where α−1 = x = 0
				lb := hoist(b, uniform[2], math.Log)
				dg := hoist(a, uniform[1], tensor.DigammaFloat)
				vecmath.Log(da, x)
				if uniform[1] && uniform[2] && a[0] != 1 && (a[0] != 0 || b[0] != 0) {
					c := lb.v - dg.v // log x's term never vanishes here
					for i, lx := range da {
						da[i] = k * (lx + c)
					}
				} else {
					gammaConcGrad(k, da, a, b, x, lb, dg)
				}
			}
			if dx := d[0]; dx != nil {
				for i := range dx {
					dx[i] = k * ((a[i]-1)/x[i] - b[i])
				}
			}
			if db := d[2]; db != nil {
				if uniform[1] && uniform[2] {
					ab := a[0] / b[0]
					for i := range db {
						db[i] = k * (ab - x[i])
					}
					return
				}
				for i := range db {
					db[i] = k * (a[i]/b[i] - x[i])
				}
			}
		},
	}
}

// gammaConcGrad stores k·(log β + log x − ψ(α)) in da, which holds log x
// on entry; log x's term is 0 where α−1 = x = 0 and log β's where α = β = 0,
// as the derivatives of LogProb's xlogy terms are.
func gammaConcGrad(k float64, da, a, b, x []float64, lb, dg hoisted) {
	for i, lx := range da {
		if a[i] == 1 && x[i] == 0 {
			lx = 0
		}
		ly := lb.at(i)
		if a[i] == 0 && b[i] == 0 {
			ly = 0
		}
		da[i] = k * (ly + lx - dg.at(i))
	}
}

// xlogyLog is xlogy(c, y) given log y: 0 where c is 0 and y is not NaN.
func xlogyLog(c, y, logY float64) float64 {
	if c == 0 && y == y {
		return 0
	}
	return c * logY
}

// Mean returns α/β.
func (d *GammaDist) Mean() *tensor.Tensor { return d.conc.Div(d.rate).Expand(d.batch...) }

// Variance returns α/β².
func (d *GammaDist) Variance() *tensor.Tensor {
	return d.conc.Div(d.rate.Square()).Expand(d.batch...)
}

// Entropy returns α - log β + log Γ(α) + (1-α) ψ(α).
func (d *GammaDist) Entropy() *tensor.Tensor {
	a := d.conc
	e := a.Sub(d.rate.Log()).Add(a.Lgamma()).Add(a.Neg().AddScalar(1).Mul(a.Digamma()))
	return e.Expand(d.batch...)
}

// Support is x ≥ 0, as PyTorch's.
func (d *GammaDist) Support() constraint.Constraint { return constraint.Nonnegative }

// ExponentialDist is the exponential distribution with rate λ: density
// λ e^(-λx) on x ≥ 0.
type ExponentialDist struct {
	base
	rate *tensor.Tensor
}

// Exponential returns the exponential distribution with the given positive rate.
func Exponential(rate *tensor.Tensor) *ExponentialDist {
	d := &ExponentialDist{rate: rate}
	d.setup(d, "Exponential", d.broadcastParams([]string{"rate"}, rate), nil, true)
	if d.err == nil {
		d.checkParam("rate", rate, "positive", tensor.Positive)
	}
	return d
}

// Rate returns λ.
func (d *ExponentialDist) Rate() *tensor.Tensor { return d.rate }

// Expand returns a copy with batch shape batchShape.
func (d *ExponentialDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *ExponentialDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws E/λ with E a standard exponential draw.
func (d *ExponentialDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	t, e := tensor.Make(d.shapeOf(sampleShape)...)
	for i := range e {
		e[i] = rng.ExpFloat64()
	}
	return t.Div(d.rate)
}

// LogProb returns log λ - λx.
func (d *ExponentialDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkNonNegativeValues(value); err != nil {
		return nil, err
	}
	lp := d.rate.Log().Sub(d.rate.Mul(value))
	return lp.Expand(shape...), nil
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *ExponentialDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(exponentialKernel, d.checkNonNegativeValues, value, d.rate)
}

// exponentialKernel is log λ − λx, with log λ computed once for a
// single-element rate.
func exponentialKernel() blockKernel {
	return blockKernel{
		name: "ExponentialLogProb",
		logProb: func(out, _ []float64, in [][]float64, uniform []bool) {
			x, r := in[0][:len(out)], in[1][:len(out)]
			if uniform[1] {
				r0, lr := r[0], math.Log(r[0])
				for i, xv := range x {
					out[i] = lr - r0*xv
				}
				return
			}
			vecmath.Log(out, r)
			for i, xv := range x {
				out[i] -= r[i] * xv
			}
		},
		grad: func(k float64, in [][]float64, uniform []bool, d [][]float64) {
			x, r := in[0], in[1]
			if dx := d[0]; dx != nil {
				for i := range dx {
					dx[i] = -k * r[i]
				}
			}
			if dr := d[1]; dr != nil {
				if uniform[1] {
					inv := 1 / r[0]
					for i := range dr {
						dr[i] = k * (inv - x[i])
					}
					return
				}
				for i := range dr {
					dr[i] = k * (1/r[i] - x[i])
				}
			}
		},
	}
}

// Mean returns 1/λ.
func (d *ExponentialDist) Mean() *tensor.Tensor { return d.rate.Reciprocal().Expand(d.batch...) }

// Variance returns 1/λ².
func (d *ExponentialDist) Variance() *tensor.Tensor {
	return d.rate.Square().Reciprocal().Expand(d.batch...)
}

// Entropy returns 1 - log λ.
func (d *ExponentialDist) Entropy() *tensor.Tensor {
	return d.rate.Log().Neg().AddScalar(1).Expand(d.batch...)
}

// Support is x ≥ 0.
func (d *ExponentialDist) Support() constraint.Constraint { return constraint.Nonnegative }

// standardGamma draws Gamma(α, 1) values of the given shape (α broadcast to
// it). When α requires grad, the result carries the implicit
// reparameterization gradient dz/dα = StandardGammaGrad(z, α).
func standardGamma(rng *rand.Rand, alpha *tensor.Tensor, shape []int) *tensor.Tensor {
	out, bw := standardGammaKernel(rng, alpha, shape)
	return record("StandardGamma", out, []*tensor.Tensor{alpha}, bw)
}

// standardGammaKernel draws the values and returns the backward pass of the
// implicit reparameterization.
func standardGammaKernel(rng *rand.Rand, alpha *tensor.Tensor, shape []int) (*tensor.Tensor, fusedBackward) {
	ao := operandOf(alpha, shape)
	n := numel(shape)
	out, z := tensor.Make(shape...)
	for i := range z {
		// Draws that underflow are kept at the smallest normal number, as
		// PyTorch does, so that ratios of gammas (Beta, Dirichlet) stay
		// defined for tiny concentrations.
		z[i] = math.Max(sampleStandardGamma(rng, ao.d[i*ao.s]), 0x1p-1022)
	}
	return out, func(_, gt *tensor.Tensor, gin []*tensor.Tensor) {
		g, reduce := gradOf(gt)
		nc := numChunks(n)
		ga := newSlot(alpha.RequiresGrad(), reduce, ao, shape, nc)
		forChunks(n, func(c, lo, hi int) {
			acc := 0.0
			for i := lo; i < hi; i++ {
				w := StandardGammaGrad(z[i], ao.d[i*ao.s])
				if g != nil {
					w *= g[i]
				}
				ga.put(i, w, &acc)
			}
			ga.setChunk(c, acc)
		})
		gin[0] = ga.result(ao, reduce, 0)
	}
}

// sampleStandardGamma draws from Gamma(alpha, 1) by Marsaglia and Tsang's
// squeeze method; for alpha < 1 it draws Gamma(alpha+1, 1)·U^(1/alpha).
func sampleStandardGamma(rng *rand.Rand, alpha float64) float64 {
	if !(alpha > 0) {
		return math.NaN()
	}
	boost := 1.0
	if alpha < 1 {
		// U^(1/α) computed in log space so small α does not underflow early
		boost = math.Exp(math.Log(1-rng.Float64()) / alpha)
		alpha++
	}
	d := alpha - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - rng.Float64() // in (0, 1]
		x2 := x * x
		if u < 1-0.0331*x2*x2 || math.Log(u) < 0.5*x2+d*(1-v+math.Log(v)) {
			return d * v * boost
		}
	}
}

// StandardGammaGrad returns dz/dα for a Gamma(α, 1) draw z held at a fixed
// quantile: -(∂F/∂α)(z; α) / p(z; α), where F is the regularized lower
// incomplete gamma function and p the density. Both are written relative to
// p, so no exponential of z is formed:
//
//   - for z < α+1, -∂F/∂α / p = Σₙ zⁿ⁺¹/(α)ₙ₊₁ · (ψ(α+n+1) - log z), a series
//     whose terms are all positive when log z < ψ(α+1);
//   - otherwise ∂Q/∂α / p with Q = 1-F = e^(-z) z^α C(α, z)/Γ(α), where C is
//     Legendre's continued fraction; C and ∂C/∂α are evaluated together by
//     forward differentiation of the modified Lentz recursion, giving
//     z·(C·(log z - ψ(α)) + ∂C/∂α), again a sum of positive terms.
func StandardGammaGrad(z, alpha float64) float64 {
	switch {
	case !(alpha > 0) || z != z:
		return math.NaN()
	case z <= 0:
		return 0
	case math.IsInf(z, 1):
		return math.Inf(1)
	}
	lz := math.Log(z)
	if z < alpha+1 {
		// series: a_n = z^(n+1)/(α(α+1)…(α+n)), h_n = ψ(α+n+1)
		a := z / alpha
		h := tensor.DigammaFloat(alpha) + 1/alpha
		sum := a * (h - lz)
		for n := 1; n < 100000; n++ {
			an := alpha + float64(n)
			a *= z / an
			h += 1 / an
			t := a * (h - lz)
			sum += t
			if math.Abs(t) <= 1e-17*math.Abs(sum) && z/an < 1 {
				break
			}
		}
		return sum
	}
	// continued fraction for C(α, z) = Γ(α, z) e^z z^-α, with derivatives
	// (primed) with respect to α
	const tiny = 1e-300
	b, db := z+1-alpha, -1.0
	c, dc := 1/tiny, 0.0
	d, dd := 1/b, db/(b*b)*-1
	h, dh := d, dd
	for i := 1; i < 100000; i++ {
		fi := float64(i)
		an, dan := -fi*(fi-alpha), fi
		b += 2 // db unchanged: -1
		// d = 1/(an·d + b)
		den := an*d + b
		dden := dan*d + an*dd + db
		if math.Abs(den) < tiny {
			den = tiny
		}
		d, dd = 1/den, -dden/(den*den)
		// c = b + an/c
		cn := b + an/c
		dcn := db + dan/c - an*dc/(c*c)
		if math.Abs(cn) < tiny {
			cn = tiny
		}
		c, dc = cn, dcn
		del := d * c
		ddel := dd*c + d*dc
		h, dh = h*del, dh*del+h*ddel
		if math.Abs(del-1) < 1e-16 && math.Abs(ddel) < 1e-16*(1+math.Abs(dh/h)) {
			break
		}
	}
	return z * (h*(lz-tensor.DigammaFloat(alpha)) + dh)
}

// xlogy returns a·log(y), 0 where a == 0 (so the density of Gamma(1, β)
// or Beta(1, b) is finite at 0). Unlike PyTorch's xlogy, whose gradient in
// a is 0 wherever a == 0, the gradient in a is log(y) everywhere except at
// a == 0, y == 0: a concentration sitting exactly at 1 still gets the
// gradient of (α-1) log y.
func xlogy(a, y *tensor.Tensor) *tensor.Tensor {
	return tensor.Binary("Xlogy", a, y, func(x, y float64) float64 {
		if x == 0 && y == y {
			return 0
		}
		return x * math.Log(y)
	}, func(x, y, z float64) float64 {
		if x == 0 && y == 0 {
			return 0
		}
		return math.Log(y)
	}, func(x, y, z float64) float64 { return x / y })
}
