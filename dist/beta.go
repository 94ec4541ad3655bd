package dist

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// BetaDist is the beta distribution on [0, 1] with density
// x^(a-1) (1-x)^(b-1) / B(a, b).
type BetaDist struct {
	base
	c1, c0 *tensor.Tensor
}

// Beta returns the beta distribution with positive concentrations c1 (a,
// the exponent of x) and c0 (b, the exponent of 1-x). Its RSample is
// reparameterized through two implicitly reparameterized gamma draws.
func Beta(c1, c0 *tensor.Tensor) *BetaDist {
	d := &BetaDist{c1: c1, c0: c0}
	d.setup(d, "Beta", d.broadcastParams([]string{"concentration1", "concentration0"}, c1, c0), nil, true)
	if d.err == nil {
		d.checkParam("concentration1", c1, "positive", tensor.Positive)
		d.checkParam("concentration0", c0, "positive", tensor.Positive)
	}
	return d
}

// Concentration1 returns a, the exponent of x.
func (d *BetaDist) Concentration1() *tensor.Tensor { return d.c1 }

// Concentration0 returns b, the exponent of 1-x.
func (d *BetaDist) Concentration0() *tensor.Tensor { return d.c0 }

// Expand returns a copy with batch shape batchShape.
func (d *BetaDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *BetaDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws Ga/(Ga+Gb) with Ga ~ Gamma(a, 1), Gb ~ Gamma(b, 1), kept
// inside the open unit interval as PyTorch does.
func (d *BetaDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	shape := d.shapeOf(sampleShape)
	ga := standardGamma(rng, d.c1, shape)
	gb := standardGamma(rng, d.c0, shape)
	return clampProb(ga.Div(ga.Add(gb)))
}

// clampProb keeps draws inside [tiny, 1-ε] so their log-density is finite.
func clampProb(x *tensor.Tensor) *tensor.Tensor {
	return x.Clamp(math.SmallestNonzeroFloat64*(1<<52), 1-0x1p-53)
}

// LogProb returns (a-1) log x + (b-1) log(1-x) - log B(a, b).
func (d *BetaDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkUnitValues(value); err != nil {
		return nil, err
	}
	a, b := d.c1, d.c0
	one := tensor.Scalar(1)
	lp := xlogy(a.AddScalar(-1), value).Add(xlogy(b.AddScalar(-1), one.Sub(value))).Sub(logBeta(a, b))
	return lp.Expand(shape...), nil
}

// logBeta returns log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a+b).
func logBeta(a, b *tensor.Tensor) *tensor.Tensor {
	return a.Lgamma().Add(b.Lgamma()).Sub(a.Add(b).Lgamma())
}

// Mean returns a/(a+b).
func (d *BetaDist) Mean() *tensor.Tensor { return d.c1.Div(d.c1.Add(d.c0)).Expand(d.batch...) }

// Variance returns ab/((a+b)²(a+b+1)).
func (d *BetaDist) Variance() *tensor.Tensor {
	t := d.c1.Add(d.c0)
	return d.c1.Mul(d.c0).Div(t.Square().Mul(t.AddScalar(1))).Expand(d.batch...)
}

// Entropy returns log B(a,b) - (a-1)ψ(a) - (b-1)ψ(b) + (a+b-2)ψ(a+b).
func (d *BetaDist) Entropy() *tensor.Tensor {
	a, b := d.c1, d.c0
	t := a.Add(b)
	e := logBeta(a, b).Sub(a.AddScalar(-1).Mul(a.Digamma())).Sub(b.AddScalar(-1).Mul(b.Digamma())).
		Add(t.AddScalar(-2).Mul(t.Digamma()))
	return e.Expand(d.batch...)
}

// Support is the closed unit interval.
func (d *BetaDist) Support() constraint.Constraint { return constraint.UnitInterval }

// DirichletDist is the Dirichlet distribution over the probability simplex
// of the last dim of Concentration.
type DirichletDist struct {
	base
	conc *tensor.Tensor
}

// Dirichlet returns the Dirichlet distribution with positive concentration
// of shape batch + (K,); its event shape is (K,). Its RSample normalises K
// implicitly reparameterized gamma draws.
func Dirichlet(concentration *tensor.Tensor) *DirichletDist {
	d := &DirichletDist{conc: concentration}
	if concentration == nil || concentration.Dim() < 1 {
		d.setup(d, "Dirichlet", nil, nil, true)
		if concentration == nil {
			d.fail("concentration is nil")
		} else {
			d.fail("concentration must have at least one dim, got shape %v", concentration.Shape())
		}
		return d
	}
	s := concentration.Shape()
	d.setup(d, "Dirichlet", s[:len(s)-1], s[len(s)-1:], true)
	d.checkParam("concentration", concentration, "positive", tensor.Positive)
	return d
}

// Concentration returns the concentration parameters.
func (d *DirichletDist) Concentration() *tensor.Tensor { return d.conc }

// Expand returns a copy with batch shape batchShape.
func (d *DirichletDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *DirichletDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws G/ΣG with G_k ~ Gamma(α_k, 1).
func (d *DirichletDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	g := standardGamma(rng, d.conc, d.shapeOf(sampleShape))
	return clampProb(g.Div(g.SumDims(true, -1)))
}

// LogProb returns Σ (α_k-1) log x_k + log Γ(Σα) - Σ log Γ(α_k).
func (d *DirichletDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if d.validating() {
		if err := checkSimplex(d.name, value); err != nil {
			return nil, err
		}
	}
	a := d.conc
	lp := xlogy(a.AddScalar(-1), value).SumDims(false, -1).
		Add(a.SumDims(false, -1).Lgamma()).Sub(a.Lgamma().SumDims(false, -1))
	return lp.Expand(shape...), nil
}

// checkSimplex reports a value whose last dim is not a probability vector
// (nonnegative entries summing to 1 within 1e-6, as PyTorch's simplex).
func checkSimplex(name string, value *tensor.Tensor) error {
	s := value.Shape()
	k := s[len(s)-1]
	v := value.Data()
	for i := 0; i+k <= len(v) && k > 0; i += k {
		sum := 0.0
		for _, x := range v[i : i+k] {
			if !(x >= 0) {
				return fmt.Errorf("dist: %s: value of shape %v is outside the support (simplex): found entry %g", name, s, x)
			}
			sum += x
		}
		if math.Abs(sum-1) >= 1e-6 {
			return fmt.Errorf("dist: %s: value of shape %v is outside the support (simplex): a row sums to %g", name, s, sum)
		}
	}
	return nil
}

// Mean returns α/Σα.
func (d *DirichletDist) Mean() *tensor.Tensor {
	return d.conc.Div(d.conc.SumDims(true, -1)).Expand(d.shapeOf(nil)...)
}

// Variance returns α(α₀-α)/(α₀²(α₀+1)) with α₀ = Σα.
func (d *DirichletDist) Variance() *tensor.Tensor {
	a := d.conc
	a0 := a.SumDims(true, -1)
	return a.Mul(a0.Sub(a)).Div(a0.Square().Mul(a0.AddScalar(1))).Expand(d.shapeOf(nil)...)
}

// Entropy returns log B(α) + (α₀-K)ψ(α₀) - Σ(α_k-1)ψ(α_k).
func (d *DirichletDist) Entropy() *tensor.Tensor {
	a := d.conc
	k := float64(a.Shape()[a.Dim()-1])
	a0 := a.SumDims(false, -1)
	lbeta := a.Lgamma().SumDims(false, -1).Sub(a0.Lgamma())
	e := lbeta.Add(a0.AddScalar(-k).Mul(a0.Digamma())).Sub(a.AddScalar(-1).Mul(a.Digamma()).SumDims(false, -1))
	return e.Expand(d.batch...)
}

// Support is the probability simplex.
func (d *DirichletDist) Support() constraint.Constraint { return constraint.Simplex }
